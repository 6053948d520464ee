// A dataset path that is not a regular file (a FIFO without a writer, a folder) is refused at once, by the reader,
// the engine and the CLI, and never holds up the engine's other requests: its open does not wait for a writer.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readProcessBench } from "./critic-eval.ts";
import { DatasetError, loadDataset } from "./dataset.ts";
import { EngineService } from "../engine/service.ts";
import { main } from "../cli/main.ts";

const scratch = mkdtempSync(join(tmpdir(), "refinery-dataset-fifo-"));
const fifos = Array.from({ length: 5 }, (_, i) => join(scratch, `tasks-${i}.jsonl`));
for (const fifo of fifos) execFileSync("mkfifo", [fifo]);
const fifo = fifos[0]!;
const folder = join(scratch, "folder.jsonl");
mkdirSync(folder);

// A reader stuck on a FIFO (the bug) is let go by a writer that opens and closes it, so the test process can end.
after(() => {
  for (const path of fifos)
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // No reader waiting: nothing to release.
    }
});

// A hang fails the test by its timeout instead of holding the suite.
const hangGuard = { timeout: 20_000 };

test("the reader refuses a FIFO and a folder by what they are", hangGuard, async () => {
  for (const [path, what] of [
    [fifo, /is a named pipe \(FIFO\), not a dataset file: give a \.jsonl or \.json file/],
    [folder, /is a folder, not a dataset file/],
  ] as const) {
    await assert.rejects(loadDataset(path), (error: unknown) => error instanceof DatasetError && what.test(error.message));
    await assert.rejects(readProcessBench(path), (error: unknown) => error instanceof DatasetError && what.test(error.message));
  }
});

test("the engine refuses a FIFO dataset, and answers other requests while datasets are being read", hangGuard, async () => {
  const service = new EngineService({ runsDir: join(scratch, "runs"), mode: "web", emit: () => undefined });
  // More FIFOs than libuv has file threads (4): a read that waits for a writer on each would stall every file request.
  const reads = fifos.map((path) => service.handle("readDataset", { path }));
  const listed = await service.handle("listRuns", {});
  assert.equal(listed.ok, true, JSON.stringify(listed));
  for (const read of await Promise.all(reads)) assert.match(read.ok ? "" : read.error, /is a named pipe \(FIFO\), not a dataset file/);
  const started = await service.handle("startExperiment", {
    dataset: fifo,
    columns: [{ strategy: "single-pass" }],
    pairs: [{ actor: { path: "openai:http://127.0.0.1:9/v1#m" } }],
    path: join(scratch, "experiment"),
  });
  assert.match(started.ok ? "" : started.error, /is a named pipe \(FIFO\)/);
});

test("refinery run --dataset and refinery experiment --dataset refuse a FIFO with one line", hangGuard, async () => {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const run = await main(["run", "--dataset", fifo, "--actor", join(scratch, "m.gguf"), "--strategy", "single-pass"]);
    const experiment = await main([
      ...["experiment", "--dataset", fifo, "--actor", "openai:http://127.0.0.1:9/v1#m", "--strategy", "single-pass"],
      ...["--out", join(scratch, "cli-experiment")],
    ]);
    process.stderr.write = write;
    assert.deepEqual([run, experiment], [2, 2], written.join(""));
    const lines = written.join("").trim().split("\n");
    assert.equal(lines.length, 2, written.join(""));
    for (const line of lines) assert.match(line, /^refinery: .*tasks-0\.jsonl is a named pipe \(FIFO\), not a dataset file/);
  } finally {
    process.stderr.write = write;
  }
});

test("refinery experiment --pool refuses a FIFO, and a pool file that is not JSON without quoting it", hangGuard, async () => {
  const written: string[] = [];
  const write = process.stderr.write;
  const broken = join(scratch, "pool.json");
  writeFileSync(broken, '{"endpoints": [SECRET-KEY-9d2]}');
  process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const common = ["experiment", "--dataset", fifo, "--strategy", "single-pass", "--out", join(scratch, "cli-pool")];
    const codes = [await main([...common, "--pool", fifos[1]!]), await main([...common, "--pool", broken])];
    process.stderr.write = write;
    assert.deepEqual(codes, [2, 2], written.join(""));
    const text = written.join("");
    assert.match(text, /refinery: --pool .*tasks-1\.jsonl is not a regular file: give a \.json file/);
    assert.match(text, /refinery: --pool .*pool\.json: not valid JSON at line 1, column 16: unexpected character/);
    assert.ok(!text.includes("SECRET"), text);
  } finally {
    process.stderr.write = write;
  }
});
