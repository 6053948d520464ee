// Reads bench/results/demo.json (written by `npm run bench:demo`) and says which of the targets the demo pair
// meets; exits 1 when any is missed.
//   node --import tsx scripts/train-demo/check-targets.ts [demo.json]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./settings.ts";
import { checkTargets, type DemoFigures } from "./targets.ts";

const path = process.argv[2] ?? join(repoRoot, "bench/results/demo.json");
let figures: DemoFigures;
try {
  figures = JSON.parse(readFileSync(path, "utf8")) as DemoFigures;
} catch (error) {
  console.error(`cannot read the demo figures at ${path} (run npm run bench:demo first): ${(error as Error).message}`);
  process.exit(2);
}
const checks = checkTargets(figures);
for (const check of checks) console.log(`${check.met ? "met    " : "MISSED "} ${check.target}: ${check.measured}`);
process.exit(checks.every((c) => c.met) ? 0 : 1);
