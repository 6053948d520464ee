// The demo pair measured through Refinery itself on the demo world's test split (scripts/train-demo/measure.ts):
// writes bench/results/demo.md and demo.json, then checks the targets (exit 1 while any is missed; a run of
// only some columns checks none). scripts/train-demo/check-targets.ts checks a written demo.json again.
//   npm run bench:demo [-- --limit 200 --model resources/models/refinery-demo-arithmetic.gguf --critic resources/models/refinery-demo-critic.gguf]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { demoCriticFor } from "../native/llm/bundled-demo.ts";
import { measureDemo } from "../scripts/train-demo/measure.ts";
import { DEMO_MODEL_FILE, MODEL_DIR, repoRoot } from "../scripts/train-demo/settings.ts";
import { checkTargets, demoTable } from "../scripts/train-demo/targets.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: join(MODEL_DIR, DEMO_MODEL_FILE) },
    /** Default: the bundled critic where it is shipped, else the actor plays both roles. */
    critic: { type: "string" },
    limit: { type: "string", default: "200" },
    out: { type: "string", default: join(repoRoot, ".cache/demo-bench") },
    results: { type: "string", default: join(repoRoot, "bench/results") },
    seed: { type: "string", default: "1" },
    /** Comma-separated column names: a quick look at a training snapshot (the targets need all four). */
    columns: { type: "string" },
  },
});
const limit = Number(values.limit);
if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit takes a whole number of items, got '${values.limit}'`);
const columns = values.columns?.split(",");
const dir = join(values.out, `experiment-${limit}-${columns?.join("+") ?? "all"}`);
mkdirSync(dir, { recursive: true });
const figures = await measureDemo({
  model: values.model,
  critic: values.critic ?? demoCriticFor(values.model),
  limit,
  dir,
  seed: Number(values.seed),
  ...(columns ? { columns } : {}),
  onProgress: (done, total) => process.stderr.write(`\r${done}/${total} cells`),
});
process.stderr.write("\n");
mkdirSync(values.results, { recursive: true });
writeFileSync(join(values.results, "demo.json"), `${JSON.stringify(figures, null, 2)}\n`);
writeFileSync(join(values.results, "demo.md"), demoTable(figures));
process.stdout.write(demoTable(figures));
if (columns) process.exit(0);
// Checked here rather than by a second command after `&&`, which would take the arguments npm appends.
const checks = checkTargets(figures);
for (const check of checks) console.log(`${check.met ? "met    " : "MISSED "} ${check.target}: ${check.measured}`);
process.exit(checks.every((c) => c.met) ? 0 : 1);
