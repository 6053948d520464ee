// A column whose runs used what grades them (CYCLE fed by the grading tests, an oracle workspace) is an upper
// bound: its cells say so, the summary says so, and the report shows it next to the column's name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScriptedBackend } from "../llm/scripted-backend.ts";
import { runExperiment, summarize, type ExperimentConfig } from "./experiment.ts";
import { htmlReport } from "./report.ts";

test("cycle fed by the grading tests is marked an oracle column, shown as an upper bound in the report", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "refinery-oracle-"));
  const dataset = join(scratch, "code.jsonl");
  const prompt = 'def square(x):\n    """Return x squared.\n    >>> square(3)\n    9\n    """\n';
  writeFileSync(dataset, `${JSON.stringify({ task_id: "sq", prompt, test: "def check(f):\n    assert f(4) == 16", entry_point: "square" })}\n`);
  const config: ExperimentConfig = {
    dataset,
    seed: 1,
    columns: [
      { name: "examples", strategy: "cycle", actor: { path: "a" }, critic: { path: "c" } },
      { name: "tests", strategy: "cycle", params: { feedback: "tests" }, actor: { path: "a" }, critic: { path: "c" } },
    ],
  };
  let call = 0;
  const backends = {
    actor: new ScriptedBackend(() => (call++ % 2 === 0 ? "```python\ndef square(x):\n    return 9\n```" : "```python\ndef square(x):\n    return x * x\n```")),
    critic: new ScriptedBackend(() => ""),
  };
  const results = await runExperiment(join(scratch, "exp"), config, { deps: { backends } });
  const byColumn = Object.fromEntries(results.map((r) => [r.column, r]));
  assert.equal(byColumn.examples!.oracle, undefined);
  assert.equal(byColumn.tests!.oracle, true);
  const summary = summarize(results, ["examples", "tests"]);
  assert.deepEqual(
    summary.columns.map((c) => c.oracle === true),
    [false, true],
  );
  const html = htmlReport(config, summary, results);
  assert.match(html, /<td>tests <em>\(oracle: upper bound\)<\/em>/);
  assert.doesNotMatch(html, /<td>examples <em>/);
});
