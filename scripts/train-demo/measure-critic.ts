// The critic alone, on the first items of the ProcessBench-layout export (measure.ts measureCritic): a quick look
// at a training snapshot between exports, without the experiment's four columns.
//   node --import tsx scripts/train-demo/measure-critic.ts <critic.gguf> [items, default 100]
import { measureCritic } from "./measure.ts";

const [path, items = "100"] = process.argv.slice(2);
if (!path) throw new Error("usage: measure-critic.ts <critic.gguf> [items]");
const started = performance.now();
const figures = await measureCritic(path, Number(items));
console.log(JSON.stringify({ ...figures, seconds: Math.round((performance.now() - started) / 1000) }, null, 1));
