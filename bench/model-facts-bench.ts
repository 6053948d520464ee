// Part of `npm run bench:experiment`: what reading each model file once saves per experiment cell, on a
// generated model with Qwen2's 152k-token vocabulary. Before, every cell parsed the file three times (the
// runner's check, the runtime's check at load, the memory plan's readGgufFileInfo; a single run from the UI adds
// the engine's own check); now modelFacts answers from its cache after the first cell. Writes bench/results/model-facts.md and .json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { checkModelFile } from "../native/llm/gguf-check.ts";
import { forgetModelFacts, ggufInfo, modelFacts } from "../native/llm/model-facts.ts";
import { repoRoot, testModel } from "../test/support/models.ts";

const model = await testModel("qwenChat");
const cells = 5;
const time = async (f: () => Promise<unknown>) => {
  const start = performance.now();
  await f();
  return performance.now() - start;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Before: each cell read the file as the runner, the runtime and the memory plan did.
const before: number[] = [];
for (let i = 0; i < cells; i++) {
  before.push(
    await time(async () => {
      await checkModelFile(model);
      await checkModelFile(model);
      await readGgufFileInfo(model);
    }),
  );
}
// After: the same three reads through modelFacts; the first cell parses, the others find it cached.
forgetModelFacts();
const after: number[] = [];
for (let i = 0; i < cells; i++) {
  after.push(
    await time(async () => {
      await modelFacts(model);
      await modelFacts(model);
      await ggufInfo(model);
    }),
  );
}
const results = {
  date: new Date().toISOString(),
  model: "generated qwen-chat (Qwen2 152k-token vocabulary)",
  cells,
  beforePerCellMs: median(before),
  afterFirstCellMs: after[0]!,
  afterPerCellMs: median(after.slice(1)),
  savedPerCellMs: median(before) - median(after.slice(1)),
};
const table = [
  `# Model facts read once (${results.date.slice(0, 10)}, ${results.model})`,
  "",
  "| measure | time per cell |",
  "|---|---|",
  `| before: 2 header checks + readGgufFileInfo per cell (median of ${cells}) | ${results.beforePerCellMs.toFixed(0)} ms |`,
  `| after: first cell (parses once) | ${results.afterFirstCellMs.toFixed(0)} ms |`,
  `| after: later cells (cached) | ${results.afterPerCellMs.toFixed(2)} ms |`,
  `| saved per cell | ${results.savedPerCellMs.toFixed(0)} ms |`,
  "",
].join("\n");
const out = join(repoRoot, "bench/results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "model-facts.md"), table);
writeFileSync(join(out, "model-facts.json"), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(table);
