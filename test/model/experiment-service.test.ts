// The engine's experiment and critic-evaluation requests, in-process: refusals come back as values in the call
// itself (nothing written), and a started experiment reports progress events to the end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineEvent } from "../../native/protocol/contract.ts";
import { EngineService } from "../../native/engine/service.ts";
import { testModel } from "../support/models.ts";

const root = mkdtempSync(join(tmpdir(), "refinery-service-"));
const events: EngineEvent[] = [];
const service = new EngineService({ runsDir: join(root, "runs"), threads: 1, mode: "web", emit: (event) => events.push(event) });
const dataset = join(root, "tasks.jsonl");
writeFileSync(dataset, [1, 2, 3].map((i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: String(2 * i), source: i < 3 ? "a" : "b" })).join("\n"));

test("bad experiment requests are refused in the call, with nothing written", async () => {
  const actor = await testModel("tinyChat");
  const out = join(root, "refused");
  const unknown = await service.handle("startExperiment", { out, dataset, columns: [{ strategy: "self-refinement" }], pairs: [{ actor: { path: actor } }] });
  assert.equal(unknown.ok, false);
  assert.match((unknown as { error: string }).error, /unknown strategy 'self-refinement'/);
  const missing = await service.handle("startExperiment", {
    out,
    dataset,
    columns: [{ strategy: "single-pass" }],
    pairs: [{ actor: { path: join(root, "gone.gguf") } }],
  });
  assert.match((missing as { error: string }).error, /^Actor model: .*gone\.gguf/);
  const preset = await service.handle("startExperiment", { out, dataset, columns: [{ preset: join(root, "nope.json") }], pairs: [{ actor: { path: actor } }] });
  assert.match((preset as { error: string }).error, /cannot read preset .*no such file/);
  assert.equal(existsSync(out), false);
  const control = await service.handle("controlExperiment", { path: out, action: "pause" });
  assert.match((control as { error: string }).error, /no experiment is running/);
});

test("a started experiment streams progress to finished, then loads with summaries and field breakdowns", async () => {
  const actor = await testModel("tinyChat");
  const out = join(root, "exp");
  const started = await service.handle("startExperiment", {
    out,
    dataset,
    columns: [{ strategy: "single-pass" }, { strategy: "self-consistency", params: { n: 2 } }],
    pairs: [{ actor: { path: actor, sampling: { maxTokens: 8 } } }],
  });
  assert.ok(started.ok, JSON.stringify(started));
  for (let i = 0; i < 1200 && !events.some((e) => e.type === "experiment-progress" && e.state === "finished"); i++)
    await new Promise((r) => setTimeout(r, 100));
  const progress = events.filter((e) => e.type === "experiment-progress");
  assert.equal(progress.at(-1)!.state, "finished");
  assert.equal(progress.at(-1)!.done, 6);
  assert.ok(
    progress.some((p) => p.state === "running" && p.done > 0 && p.done < 6),
    "progress before the end",
  );
  const loaded = await service.handle("loadExperiment", { path: out });
  assert.ok(loaded.ok);
  const info = (loaded as { value: import("../../native/protocol/contract.ts").ExperimentInfo }).value;
  assert.deepEqual(info.columns, ["single-pass", "self-consistency(n=2)"]);
  assert.deepEqual(
    info.breakdowns.map((b) => [b.field, b.rows.map((r) => [r.value, r.items])]),
    [
      [
        "source",
        [
          ["a", 2],
          ["b", 1],
        ],
      ],
    ],
  );
  const listed = await service.handle("listExperiments", {});
  assert.ok(
    (listed as { value: Array<{ path: string; done: number; state: string }> }).value.some((e) => e.path === out && e.done === 6 && e.state === "finished"),
  );
});
