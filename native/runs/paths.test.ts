// Names become paths only through safeChild/runDir/cellRunId: any column name opens, none climbs out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ScriptedBackend } from "../llm/scripted-backend.ts";
import { columnsFor, runExperiment, type ExperimentConfig } from "../eval/experiment.ts";
import { EngineService } from "../engine/service.ts";
import { validateRequest } from "../protocol/contract.ts";
import { cellRunId, runDir, safeChild } from "./paths.ts";

test("safeChild keeps a name inside its parent and refuses anything that would climb out", () => {
  assert.equal(safeChild("/a/b", "c.json"), resolve("/a/b/c.json"));
  for (const bad of ["", ".", "..", "../x", "x/../../y", "/etc/passwd", "a\\..\\b", "a\0b"]) {
    assert.throws(() => safeChild("/a/b", bad), /not a plain file name|would leave/, bad);
  }
  assert.throws(() => runDir("/runs", "x..y"), /not a run id/);
  assert.equal(runDir("/runs", "20260101-120000-single-pass-abc123"), resolve("/runs/20260101-120000-single-pass-abc123"));
});

test("cell run ids are valid for any column name, keep old ids, and stay distinct", () => {
  assert.equal(cellRunId("self-refine", 3), "self-refine--0003", "a name that was already an id is unchanged");
  const names = ["single-pass @ stories260K+stories260K", "single-pass @ stories260K", "a b", "a_b", "../../escape", "..", "∑ unicode/名前", ""];
  const ids = names.map((name) => cellRunId(name, 0));
  for (const id of ids) assert.equal(validateRequest("loadRun", { runId: id }).ok, true, id);
  assert.equal(new Set(ids).size, names.length, "no two names share a folder");
  assert.match(ids[0]!, /^single-pass_stories260K_stories260K-[0-9a-f]{8}--0000$/);
});

test("the contract refuses a run id with '..' in it", () => {
  for (const runId of ["..", "../../etc", "a..b", "a/b"]) assert.match(JSON.stringify(validateRequest("loadRun", { runId })), /not a run id/, runId);
});

test("every cell of a multi-pair experiment opens with loadRun, and a '../' column writes inside the experiment", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "refinery-paths-"));
  const dataset = join(scratch, "tasks.jsonl");
  writeFileSync(dataset, `${JSON.stringify({ question: "What is 1 + 1?", answer: "2" })}\n`);
  const pairs = [
    { actor: { path: "/m/stories260K.gguf" }, critic: { path: "/m/stories260K.gguf" } },
    { actor: { path: "/m/stories260K.gguf" }, critic: { path: "/m/other.gguf" } },
  ];
  const columns = [
    ...columnsFor([{ name: "single-pass", strategy: "single-pass" }], pairs),
    { name: "../../../escaped", strategy: "single-pass", actor: pairs[0]!.actor, critic: pairs[0]!.critic },
  ];
  assert.deepEqual(columns.map((c) => c.name).slice(0, 2), ["single-pass @ stories260K", "single-pass @ stories260K+other"]);
  const config: ExperimentConfig = { dataset, columns, seed: 0 };
  const dir = join(scratch, "exp");
  const backends = {
    actor: new ScriptedBackend(() => "The answer is 2"),
    critic: new ScriptedBackend(() => JSON.stringify({ critique: "ok", correct: true, score: 9 })),
  };
  const results = await runExperiment(dir, config, { deps: { backends } });
  assert.equal(results.length, 3);
  assert.deepEqual(readdirSync(scratch).sort(), ["exp", "tasks.jsonl"], "nothing was written next to the experiment folder");
  assert.equal(existsSync(join(scratch, "escaped--0000")), false);
  const service = new EngineService({ runsDir: join(scratch, "runs"), mode: "web", emit: () => undefined });
  for (const cell of results) {
    const request = validateRequest("loadRun", { runId: cell.runId, experiment: dir });
    assert.equal(request.ok, true, cell.runId);
    const loaded = await service.handle("loadRun", request.ok ? request.value : null);
    assert.equal(loaded.ok, true, `${cell.column} opens: ${JSON.stringify(loaded)}`);
    assert.equal((loaded as { value: Array<{ type: string }> }).value.at(-1)!.type, "run-finished");
  }
});
