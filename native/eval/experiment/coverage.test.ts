// An experiment that ended on fewer cells than it asked for says so wherever its numbers are shown: the CLI's
// summary and `report --json`, the HTML report and the compare view's data, as "N of M cells done; K failed (why)".
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contentChunks, jsonError, sse, startFakeServer } from "../../../test/support/fake-openai.ts";
import { defaultEndpointOptions, forgetEndpoints } from "../../llm/openai-endpoint.ts";
import { cellCoverage, describeCoverage } from "../../protocol/cell-coverage.ts";
import { rejoinTiming } from "../endpoint-pool.ts";
import { exportExperiment } from "../report.ts";
import { EngineService } from "../../engine/service.ts";
import { main } from "../../cli/main.ts";
import { columnsFor, runExperiment } from "../experiment.ts";

const scratch = mkdtempSync(join(tmpdir(), "refinery-coverage-"));

test("the sentence: nothing when every cell finished; done of asked, failures and their most frequent reasons otherwise", () => {
  const cell = (item: number, column: string, failure?: string) => ({ item, column, status: failure ? ("failed" as const) : ("finished" as const), failure });
  assert.equal(describeCoverage(cellCoverage([cell(0, "a"), cell(0, "b")], 1, ["a", "b"])), null);
  const partial = cellCoverage([cell(0, "a"), cell(1, "a", "timeout"), cell(2, "a", "HTTP 400"), cell(3, "a", "timeout"), cell(9, "a"), cell(0, "gone")], 5, [
    "a",
    "b",
  ]);
  assert.deepEqual(partial, {
    asked: 10,
    done: 4,
    failed: 3,
    reasons: [
      { reason: "timeout", cells: 2 },
      { reason: "HTTP 400", cells: 1 },
    ],
  });
  assert.equal(describeCoverage(partial), "4 of 10 cells done; 3 failed (timeout ×2; HTTP 400)");
  const many = cellCoverage(
    ["r1", "r2", "r3", "r4", "x".repeat(300)].map((reason, item) => cell(item, "a", reason)),
    5,
    ["a"],
  );
  const said = describeCoverage(many)!;
  assert.match(said, /^5 of 5 cells done; 5 failed \(r1; r2; r3; 2 other reasons\)$/);
});

test("an experiment cut short by its endpoint states what it stands on in the summary, report --json, the HTML report and the compare view", async () => {
  const dataset = join(scratch, "three.jsonl");
  writeFileSync(dataset, [1, 2, 3].map((i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));
  // Request 0 is refused (a client error: that cell fails with the server's reason), request 1 answers, and the
  // server is gone from request 2 on: one cell never runs.
  const server = await startFakeServer({
    routes: { "/props": { total_slots: 1 } },
    dieAt: { chat: 2 },
    chat: (request, call, response) => {
      if (call === 0) return jsonError(response, 400, { error: { message: "the request exceeds the available context size" } });
      const n = Number(/What is (\d+)/.exec(JSON.stringify(request.body.messages))?.[1]);
      sse(response, contentChunks("llama-server", [`\\boxed{${2 * n}}`], { prompt_tokens: 10, completion_tokens: 3 }));
    },
  });
  after(() => server.close().catch(() => {}));
  const patience = rejoinTiming.patienceMs;
  rejoinTiming.patienceMs = 50;
  defaultEndpointOptions.retries = 0;
  const dir = join(scratch, "short");
  try {
    const spec = `openai:${server.baseUrl}#m`;
    await assert.rejects(
      runExperiment(dir, {
        dataset,
        columns: columnsFor([{ name: "single-pass", strategy: "single-pass", params: {} }], [{ actor: { path: spec }, critic: { path: spec } }]),
        seed: 1,
      }),
      /\(2 of 3 cells done; 1 not run/,
    );
  } finally {
    rejoinTiming.patienceMs = patience;
    delete defaultEndpointOptions.retries;
    forgetEndpoints();
  }
  const expected = /2 of 3 cells done; 1 failed \(.*the request exceeds the available context size.*\)/;

  const out: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  let code: number;
  let json: { coverage: { asked: number; done: number; failed: number; reasons: Array<{ reason: string; cells: number }> } };
  let text: string;
  try {
    code = await main(["report", dir, "--json"]);
    json = JSON.parse(out.splice(0).join("").split("\nno files written")[0]!);
    await main(["report", dir]);
    text = out.join("");
  } finally {
    process.stdout.write = write;
  }
  assert.equal(code, 0);
  assert.deepEqual({ ...json.coverage, reasons: json.coverage.reasons.map((r) => r.cells) }, { asked: 3, done: 2, failed: 1, reasons: [1] });
  assert.match(text.split("\n")[0]!, expected);

  const [html] = await exportExperiment(dir, ["html"]);
  assert.match(readFileSync(html!.path, "utf8"), /<p class="coverage"><b>Incomplete:<\/b> 2 of 3 cells done; 1 failed \(/);

  const service = new EngineService({ runsDir: join(scratch, "runs"), mode: "web", emit: () => undefined });
  const loaded = await service.handle("loadExperiment", { path: dir });
  assert.ok(loaded.ok, JSON.stringify(loaded));
  assert.match(describeCoverage((loaded.value as { coverage: Parameters<typeof describeCoverage>[0] }).coverage) ?? "", expected);
});
