// `npm run bench:remote`: an experiment over one vs two local endpoints, each a `refinery serve --openai`
// process on the same generated model, as cells per second and tokens per second measured in one run.
// Both sides run the same cells (single-pass and Self-Refine over GSM8K items) with the generation cache off.
// Writes bench/results/remote.md and remote.json. Options: --items n, --threads n (per server), --model <gguf>.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { columnsFor, runExperiment, type ExperimentConfig, type ExperimentProgress } from "../native/eval/experiment.ts";
import { setEndpointKey } from "../native/llm/endpoint-keys.ts";
import { repoRoot, testModel } from "../test/support/models.ts";

const { values } = parseArgs({ options: { items: { type: "string" }, threads: { type: "string" }, model: { type: "string" } } });
const items = values.items ? Number(values.items) : 12;
const threads = values.threads ?? "1";
const model = values.model ?? (await testModel("tinyChat"));
const scratch = mkdtempSync(join(tmpdir(), "refinery-remote-bench-"));
const children: ChildProcess[] = [];
const log = (message: string) => process.stderr.write(`${message}\n`);

function serve(): Promise<{ baseUrl: string; apiKey: string }> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, "bin/refinery.mjs"), "serve", "--openai", "--actor", model, "--runs", join(scratch, "served"), "--threads", threads, "--parallel", "2"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  children.push(child);
  return new Promise((resolveServe, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const baseUrl = /base URL: (\S+)/.exec(out)?.[1];
      const apiKey = /API key:\s+(\S+)/.exec(out)?.[1];
      if (baseUrl && apiKey) resolveServe({ baseUrl, apiKey });
    });
    child.on("exit", (code) => reject(new Error(`serve --openai exited with ${code}`)));
  });
}

const endpoints = await Promise.all([serve(), serve()]);
for (const e of endpoints) setEndpointKey(e.baseUrl, e.apiKey);
const name = model.replace(/^.*\//, "").replace(/\.gguf$/, "");
const specs = endpoints.map((e) => `openai:${e.baseUrl}#${name}`);

async function measure(replicas: string[], label: string) {
  const pair = { actor: { path: replicas[0]!, replicas, sampling: { maxTokens: 48 } }, critic: { path: replicas[0]!, replicas, sampling: { maxTokens: 64 } } };
  const config: ExperimentConfig = {
    dataset: resolve(repoRoot, "../shared/data/tasks/gsm8k_test.jsonl"),
    limit: items,
    seed: 11,
    columns: columnsFor(
      [
        { name: "single-pass", strategy: "single-pass" },
        { name: "self-refine", strategy: "self-refine", params: { maxIterations: 1, stopScore: 10 } },
      ],
      [pair],
    ),
  };
  let last: ExperimentProgress | undefined;
  const started = performance.now();
  const results = await runExperiment(join(scratch, label), config, { cache: false, onProgress: (p) => (last = p) });
  const seconds = (performance.now() - started) / 1000;
  const tokens = results.reduce((sum, r) => sum + r.totalTokens, 0);
  const row = {
    label,
    endpoints: replicas.length,
    cells: results.length,
    failed: results.filter((r) => r.status === "failed").length,
    seconds,
    cellsPerSecond: results.length / seconds,
    tokensPerSecond: tokens / seconds,
    perEndpoint: last?.endpoints ?? [],
  };
  log(`${label}: ${row.cells} cells in ${seconds.toFixed(1)} s · ${row.cellsPerSecond.toFixed(2)} cells/s · ${row.tokensPerSecond.toFixed(0)} tokens/s`);
  return row;
}

try {
  // Warm both servers (first requests load pages of the weights) before timing anything.
  await measure([specs[0]!], "warm-a");
  await measure([specs[1]!], "warm-b");
  // Alternated twice, so a change in the machine's load (shared CPUs) shows as disagreement between the rounds.
  const rounds = [];
  for (let round = 1; round <= 2; round++) {
    rounds.push({ one: await measure([specs[0]!], `one-endpoint-${round}`), two: await measure(specs, `two-endpoints-${round}`) });
  }
  const ratios = rounds.map((r) => r.two.cellsPerSecond / r.one.cellsPerSecond);
  const { two } = rounds.at(-1)!;
  const ratio = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  const md = [
    "# Experiment over one vs two local endpoints",
    "",
    `Model ${name}; ${items} GSM8K items × (single-pass, Self-Refine), cache off; each endpoint a \`refinery serve --openai\` process with ${threads} thread(s) and 2 parallel sequences; ${availableParallelism()} CPU cores on this machine, load average ${loadavg()[0]!.toFixed(1)} at the end (the servers and the client share them, with whatever else runs).`,
    "",
    "| endpoints | cells | seconds | cells/s | tokens/s |",
    "|---|---|---|---|---|",
    ...rounds.flatMap((r, i) =>
      [r.one, r.two].map(
        (m) => `| ${m.endpoints} (round ${i + 1}) | ${m.cells} | ${m.seconds.toFixed(1)} | ${m.cellsPerSecond.toFixed(2)} | ${m.tokensPerSecond.toFixed(0)} |`,
      ),
    ),
    "",
    `Two endpoints / one: **${ratio.toFixed(2)}×** cells per second (rounds: ${ratios.map((r) => `${r.toFixed(2)}×`).join(", ")}). Per endpoint (two): ${two.perEndpoint.map((e) => `${e.endpoint} ${e.done} cells, ${e.tokensPerSecond.toFixed(0)} tokens/s`).join("; ")}.`,
    "",
  ].join("\n");
  mkdirSync(join(repoRoot, "bench/results"), { recursive: true });
  writeFileSync(join(repoRoot, "bench/results/remote.md"), md);
  writeFileSync(join(repoRoot, "bench/results/remote.json"), `${JSON.stringify({ rounds, ratios, ratio }, null, 2)}\n`);
  process.stdout.write(md);
} finally {
  for (const child of children) child.kill("SIGTERM");
}
