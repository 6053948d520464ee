import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readProcessBench } from "./critic-eval.ts";
import { DatasetError, loadDataset, parseFieldMapping, readDataset } from "./dataset.ts";

const shared = resolve(import.meta.dirname, "../../../shared/data");
const scratch = mkdtempSync(join(tmpdir(), "refinery-dataset-"));

test("built-in adapters read GSM8K, MATH-500, HumanEval, RealCritic ARC and ProcessBench as they ship", async () => {
  const [gsm] = await readDataset(join(shared, "tasks/gsm8k_test.jsonl"), { limit: 1 });
  assert.match(gsm!.reference!, /#### \d+$/);
  const [math] = await readDataset(join(shared, "tasks/math500_test.json"), { limit: 1 });
  assert.ok(math!.id && math!.reference && !math!.reference.includes("\\boxed"), "MATH-500's short answer, not its solution");
  const [code] = await readDataset(join(shared, "tasks/humaneval.jsonl"), { limit: 1 });
  assert.equal(code!.tests?.entryPoint, "has_close_elements");
  const [arc] = await readDataset(join(shared, "realcritic/arc-challenge.jsonl"), { limit: 1 });
  assert.deepEqual(arc!.choices, ["uracil", "thymine", "guanine", "adenine"]);
  assert.equal(arc!.reference, "C");
  assert.match(arc!.question, /\(A\) uracil/);
  const [pb] = await readDataset(join(shared, "processbench/gsm8k.json"), { limit: 1 });
  assert.ok(pb!.question.length > 10 && pb!.reference === undefined);
});

test("a field mapping picks named (and nested) fields and lists choices under the question", async () => {
  const path = join(scratch, "mapped.jsonl");
  writeFileSync(path, `${JSON.stringify({ q: "Which is a fruit?", meta: { gold: "1", key: "x7" }, opts: ["stone", "apple", "cloud"] })}\n`);
  const [task] = await readDataset(path, { fields: parseFieldMapping(["question=q", "reference=meta.gold", "id=meta.key", "choices=opts"]) });
  assert.deepEqual(task, {
    id: "x7",
    question: "Which is a fruit?\nAnswer Choices: (A) stone (B) apple (C) cloud",
    reference: "1",
    choices: ["stone", "apple", "cloud"],
  });
  assert.throws(() => parseFieldMapping(["colour=q"]), /--field takes <question\|reference/);
});

test("malformed records are refused with their line numbers unless skipping was asked for", async () => {
  const path = join(scratch, "broken.jsonl");
  writeFileSync(
    path,
    ['{"question":"1+1?","answer":"2"}', "{not json", '{"answer":"3"}', "", '"just a string"', '{"question":"2+2?","answer":"4"}'].join("\n"),
  );
  await assert.rejects(loadDataset(path), (error: unknown) => {
    assert.ok(error instanceof DatasetError);
    assert.match(
      error.message,
      /3 malformed records \(line 2: not JSON .*; line 3: no question .*; line 5: not a JSON object\); fix them or tick "skip malformed records"/,
    );
    return true;
  });
  const { tasks, skipped } = await loadDataset(path, { skipMalformed: true });
  assert.deepEqual(
    tasks.map((t) => t.reference),
    ["2", "4"],
  );
  assert.deepEqual(
    skipped.map((s) => s.line),
    [2, 3, 5],
  );
  // A slice that does not reach the bad lines is fine without skipping.
  assert.equal((await readDataset(path, { limit: 1 })).length, 1);
  await assert.rejects(readDataset(path, { fields: { reference: "gold" }, limit: 1 }), /line 1: no 'gold' field/);
});

test("a file that is not a dataset (/etc/shadow, /etc/passwd) is refused without quoting it", async () => {
  const shadowLike = join(scratch, "shadow");
  writeFileSync(shadowLike, "root:*:20200:0:99999:7:::\ndaemon:*:20200:0:99999:7:::\n");
  const arrayLike = join(scratch, "secret.json");
  writeFileSync(arrayLike, "[ root:*:20200:0:99999:7 ]");
  const readable = ["/etc/shadow", "/etc/passwd", shadowLike, arrayLike].filter((path) => {
    try {
      readFileSync(path);
      return true;
    } catch {
      return false;
    }
  });
  for (const path of readable) {
    const firstLine = readFileSync(path, "utf8").trimStart().slice(1, 8);
    await assert.rejects(loadDataset(path), (error: unknown) => {
      assert.ok(error instanceof DatasetError);
      assert.match(error.message, /is not a dataset: none of its lines is a JSON object|not valid JSON at line \d+, column \d+: .+ \(a JSON dataset/);
      assert.ok(!error.message.includes(firstLine) && !error.message.includes("root"), `quoted the file: ${error.message}`);
      return true;
    });
    await assert.rejects(readProcessBench(path), (error: unknown) => error instanceof DatasetError && !error.message.includes("root"));
  }
});

test("a UTF-8 byte order mark at the start of a dataset is not part of its first record", async () => {
  const jsonl = join(scratch, "bom.jsonl");
  writeFileSync(jsonl, `\uFEFF${JSON.stringify({ question: "1+1?", answer: "2" })}\n`);
  assert.deepEqual(await readDataset(jsonl), [{ id: "bom.jsonl:1", question: "1+1?", reference: "2" }]);
  const array = join(scratch, "bom.json");
  writeFileSync(array, `\uFEFF${JSON.stringify([{ question: "2+2?", answer: "4" }])}`);
  assert.equal((await readDataset(array))[0]!.reference, "4");
});

test("a malformed line is reported by line, column and kind of error, never by its text", async () => {
  const secret = "SECRET-LINE-7f3a";
  const good = JSON.stringify({ question: "1+1?", answer: "2" });
  const cases: Array<[string, RegExp]> = [
    [secret, /line 2: not JSON at column 1: unexpected character/],
    [`{"question": ${secret}}`, /line 2: not JSON at column 14: unexpected character/],
    [`{"question": "${secret}`, /line 2: not JSON at column 31: unterminated string/],
    [`{"question": "q", "${secret}": 1,}`, /line 2: not JSON at column 41: expected a property name in double quotes/],
    [`{"question": "${secret}"} ${secret}`, /line 2: not JSON at column 34: more text after the value/],
  ];
  for (const [bad, expected] of cases) {
    const path = join(scratch, "secret.jsonl");
    writeFileSync(path, `${good}\n${bad}\n${good}\n`);
    await assert.rejects(loadDataset(path), (error: unknown) => {
      assert.ok(error instanceof DatasetError);
      assert.match(error.message, expected);
      assert.ok(!error.message.includes("SECRET"), `quoted the file: ${error.message}`);
      return true;
    });
    const { skipped } = await loadDataset(path, { skipMalformed: true });
    assert.ok(!JSON.stringify(skipped).includes("SECRET"));
  }
  const array = join(scratch, "secret-array.json");
  writeFileSync(array, `[\n  ${good},\n  {"question": ${secret}}\n]`);
  await assert.rejects(loadDataset(array), (error: unknown) => {
    assert.match((error as Error).message, /not valid JSON at line 3, column 16: unexpected character/);
    assert.ok(!(error as Error).message.includes("SECRET"), (error as Error).message);
    return true;
  });
});
