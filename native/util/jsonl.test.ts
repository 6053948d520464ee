// The tolerant JSONL reader and appender: a torn last line is cut before appending, any other bad line is skipped
// and reported, and a checkpoint with both still resumes to the full experiment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScriptedBackend } from "../llm/scripted-backend.ts";
import { readCheckpoint, readResults, runExperiment, summarize, type ExperimentConfig } from "../eval/experiment.ts";
import { JsonlAppender, parseJsonl, readJsonlFile } from "./jsonl.ts";

const scratch = mkdtempSync(join(tmpdir(), "refinery-jsonl-"));

test("a torn last line is the only line forgiven silently; null, arrays and bad JSON elsewhere are reported by number", () => {
  const text = ['{"a":1}', "null", "", "[1,2]", "{oops", '"text"', '{"a":2}', '{"a":3,"b'].join("\n");
  const read = parseJsonl<{ a: number }>(text);
  assert.deepEqual(read.records, [{ a: 1 }, { a: 2 }]);
  assert.equal(read.tornTail, true);
  assert.deepEqual(
    read.damaged.map((d) => d.line),
    [2, 4, 5, 6],
  );
  assert.match(read.damaged[0]!.reason, /null instead of an object/);
  assert.match(read.damaged[2]!.reason, /not JSON/);
  // A whole record that only lacks its newline is kept.
  assert.deepEqual(parseJsonl('{"a":1}\n{"a":2}').records, [{ a: 1 }, { a: 2 }]);
  const checked = parseJsonl('{"a":1}\n{"b":1}\n', (v) => ("a" in (v as object) ? null : "no a"));
  assert.deepEqual(checked.damaged, [{ line: 2, reason: "no a" }]);
});

test("the appender cuts a torn tail before writing, and completes a whole last record instead of cutting it", () => {
  const torn = join(scratch, "torn.jsonl");
  writeFileSync(torn, '{"a":1}\n{"a":2,"lo');
  const appender = new JsonlAppender(torn);
  assert.equal(appender.cutBytes, '{"a":2,"lo'.length);
  appender.append({ a: 3 });
  appender.close();
  assert.equal(readFileSync(torn, "utf8"), '{"a":1}\n{"a":3}\n');
  const whole = join(scratch, "whole.jsonl");
  writeFileSync(whole, '{"a":1}\n{"a":2}');
  const again = new JsonlAppender(whole);
  assert.equal(again.cutBytes, 0);
  again.append({ a: 3 });
  again.close();
  assert.deepEqual(readJsonlFile(whole).records, [{ a: 1 }, { a: 2 }, { a: 3 }]);
  // A long torn tail (more than one read block) is found from the end.
  const long = join(scratch, "long.jsonl");
  writeFileSync(long, `{"a":1}\n{"x":"${"y".repeat(200_000)}`);
  new JsonlAppender(long).close();
  assert.equal(readFileSync(long, "utf8"), '{"a":1}\n');
});

/** Until the appender's background flushes have ended (each ends on the event loop). */
async function flushed(appender: { pendingFlushes: number }): Promise<void> {
  while (appender.pendingFlushes > 0) await new Promise((resolveTurn) => setImmediate(resolveTurn));
}

test("a background flush returns at once with the record already in the file; closing waits for it", async () => {
  const path = join(scratch, "background.jsonl");
  const appender = new JsonlAppender(path);
  appender.append({ a: 1 }, "background");
  assert.equal(appender.pendingFlushes, 1);
  assert.equal(readFileSync(path, "utf8"), '{"a":1}\n');
  appender.close();
  await flushed(appender);
  const again = new JsonlAppender(path);
  again.append({ a: 2 });
  assert.equal(again.pendingFlushes, 0);
  again.close();
  assert.deepEqual(readJsonlFile(path).records, [{ a: 1 }, { a: 2 }]);
});

test("a background flush that fails is thrown by the next append", async () => {
  // The kernel refuses to flush a character device (EINVAL): a real failing flush.
  const appender = new JsonlAppender("/dev/null");
  appender.append({ a: 1 }, "background");
  await flushed(appender);
  assert.throws(() => appender.append({ a: 2 }), { code: "EINVAL" });
  appender.append({ a: 3 }, false);
  appender.close();
});

test("a checkpoint with a torn last line and a null line resumes: no cell lost, none merged, damage reported", async () => {
  const dataset = join(scratch, "tasks.jsonl");
  writeFileSync(dataset, Array.from({ length: 3 }, (_, i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `${2 * i}` })).join("\n"));
  const config: ExperimentConfig = { dataset, columns: [{ name: "single", strategy: "single-pass", actor: { path: "a" }, critic: { path: "c" } }], seed: 0 };
  const backends = () => ({
    actor: new ScriptedBackend((r) => `The answer is ${2 * Number(/What is (\d+)/.exec(r.messages.at(-1)!.content)?.[1])}`),
    critic: new ScriptedBackend(() => JSON.stringify({ critique: "ok", correct: true, score: 9 })),
  });
  const dir = join(scratch, "exp");
  const full = await runExperiment(dir, config, { deps: { backends: backends() } });
  assert.equal(full.length, 3);
  const path = join(dir, "results.jsonl");
  const lines = readFileSync(path, "utf8").trimEnd().split("\n");
  // Line 2 (item 1) becomes null; the last line (item 2) is cut mid-record, as a crash leaves it.
  writeFileSync(path, `${lines[0]}\nnull\n${lines[2]!.slice(0, 40)}`);
  const damaged = readCheckpoint(dir);
  assert.deepEqual(
    damaged.damaged.map((d) => d.line),
    [2],
  );
  assert.equal(damaged.tornTail, true);
  assert.deepEqual(
    readResults(dir).map((r) => r.item),
    [0],
  );
  assert.doesNotThrow(() => summarize(readResults(dir), ["single"]));
  const resumed = await runExperiment(dir, config, { deps: { backends: backends() } });
  assert.deepEqual(resumed.map((r) => r.item).sort(), [0, 1, 2], "the two unreadable cells ran again");
  assert.ok(resumed.every((r) => r.correct === true));
  const after = readCheckpoint(dir);
  assert.equal(after.tornTail, false);
  assert.deepEqual(
    after.damaged.map((d) => d.line),
    [2],
    "the null line is still reported, and nothing else is",
  );
  assert.equal(summarize(resumed, ["single"]).columns[0]!.items, 3);
});
