// The README's figure of the sampling frontier: the HTML report's accuracy-vs-tokens plot over synthetic cells
// (items of mixed difficulty; a 16-sample self-consistency column, a critic-scored best-of-4, Self-Refine and
// single-pass), screenshotted in Chromium. Synthetic, so the picture shows how to read the plot, not a result.
// `node --import tsx bench/frontier-figure.ts [out.png]`
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { CellResult, TrajectoryPoint } from "../native/protocol/experiment-results.ts";
import type { ExperimentConfig } from "../native/eval/experiment.ts";
import { summarize } from "../native/eval/experiment.ts";
import { htmlReport } from "../native/eval/report.ts";
import { mulberry32 } from "../native/util/random.ts";
import { chromiumPath } from "../test/support/web-app.ts";
import { repoRoot } from "../test/support/models.ts";

const out = process.argv[2] ?? join(repoRoot, "docs/screenshots/frontier-plot.png");
const random = mulberry32(26);
const items = 200;
const base = { itemId: "", status: "finished" as const, answer: null, pathTokens: 0, wallMs: 1000 };
const results: CellResult[] = [];
for (let item = 0; item < items; item++) {
  const p = random() ** 0.7;
  const draw = (tokens: number, scored: boolean): TrajectoryPoint => {
    const correct = random() < p;
    const group = correct ? "right" : random() < 0.15 ? null : `wrong-${Math.floor(random() * random() * 5)}`;
    const score = scored ? Math.max(0, Math.min(10, Math.round((correct ? 7 : 4) + (random() - 0.5) * 8))) : null;
    return { iteration: 0, tokens, correct: group === "right", score, group };
  };
  const sc = Array.from({ length: 16 }, (_, k) => draw(320 * (k + 1), false));
  const votes = new Map<string, number>();
  for (const s of sc) if (s.group) votes.set(s.group, (votes.get(s.group) ?? 0) + 1);
  const winner = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const bon = Array.from({ length: 4 }, (_, k) => draw(520 * (k + 1), true));
  const best = [...bon].sort((a, b) => (b.score ?? -1) - (a.score ?? -1))[0]!;
  const cell = (column: string, fields: Partial<CellResult>): CellResult => ({
    ...base,
    item,
    itemId: `q${item}`,
    column,
    runId: `${column}--${item}`,
    correct: false,
    initialCorrect: null,
    totalTokens: 0,
    ...fields,
  });
  results.push(
    cell("single-pass", { correct: sc[0]!.correct, totalTokens: 320, trajectory: [sc[0]!] }),
    cell("self-consistency(n=16)", { correct: winner === "right", totalTokens: 320 * 16, trajectory: sc, independentSamples: true }),
    cell("best-of-n(n=4)", { correct: best.correct, totalTokens: 520 * 4, trajectory: bon, independentSamples: true }),
    cell("self-refine", { correct: random() < Math.min(1, p * 1.08), initialCorrect: sc[0]!.correct, totalTokens: 1500 + Math.round(random() * 900) }),
  );
}
const columns = ["single-pass", "self-consistency(n=16)", "best-of-n(n=4)", "self-refine"];
const config: ExperimentConfig = {
  dataset: "synthetic",
  seed: 0,
  columns: columns.map((name) => ({ name, strategy: name.replace(/\(.*/, ""), actor: { path: "actor.gguf" }, critic: { path: "critic.gguf" } })),
};
const html = htmlReport(config, summarize(results, columns), results);
const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ deviceScaleFactor: 2 });
await page.setContent(html);
await page.locator('svg[aria-label="accuracy against tokens"]').screenshot({ path: out });
await browser.close();
process.stdout.write(`wrote ${out}\n`);
