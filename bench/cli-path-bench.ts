// `npm run bench:cli-path`: what `refinery run` pays per generated token on the path a user takes, measured from
// outside as an independent check would: the CLI in its own process, timed from the log's run-started to
// run-finished, against the same requests replayed in a fresh process straight through node-llama-cpp's LlamaChat
// (bench/direct-replay.ts) with the model loaded as the run's manifest says (context size, threads, one sequence per
// lane) and the same sampling (the strategy's temperature; node-llama-cpp's defaults for the rest on both sides).
// Rounds alternate which side goes first; medians are reported. Writes bench/results/cli-path.md and .json.
// Options: --model <gguf> (repeatable; default the bench's ~100M model and stories260K), --rounds n, --tokens n.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import type { ChatMessage, RunEvent } from "../native/protocol/events.ts";
import { repoRoot, testModel } from "../test/support/models.ts";
import type { ReplayPlan } from "./direct-replay.ts";

const { values } = parseArgs({ options: { model: { type: "string", multiple: true }, rounds: { type: "string" }, tokens: { type: "string" } } });
const rounds = Number(values.rounds ?? 3);
const maxTokens = Number(values.tokens ?? 64);
const models = values.model ?? [await testModel("bench100M"), join(repoRoot, "..", "shared", "models", "stories260K.gguf")];
const threads = 1;
const samples = 4;
const temperature = 0.8;
const log = (message: string) => process.stderr.write(`${message}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Side {
  ms: number;
  tokens: number;
}

/** One `refinery run` in its own process; the window and the requests come from the run's own files. */
function cliRun(model: string, seed: number): Side & { plan: ReplayPlan } {
  const out = mkdtempSync(join(tmpdir(), "refinery-cli-path-"));
  const args = ["bin/refinery.mjs", "run", "--strategy", "self-consistency", "--param", `n=${samples}`, "--param", `temperature=${temperature}`];
  args.push("--actor", model, "--task", "A farmer has 17 sheep. All but 9 run away. How many are left?", "--max-tokens", String(maxTokens));
  args.push("--sequential", "--threads", String(threads), "--seed", String(seed), "--out", out, "--quiet", "--json");
  const child = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`refinery run failed: ${child.stderr}`);
  const runDir = join(out, readdirSync(out).find((name) => !name.startsWith("."))!);
  const events = readFileSync(join(runDir, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as RunEvent);
  const manifest = JSON.parse(readFileSync(join(runDir, "manifest.json"), "utf8")) as { models: Array<{ role: string; contextSize: number }> };
  const at = (type: RunEvent["type"]) => {
    const event = events.find((e) => e.type === type);
    if (!event) throw new Error(`${runDir}: no ${type} event`);
    return event.at ?? 0;
  };
  const prompts = new Map<string, ChatMessage[]>();
  const requests: ReplayPlan["requests"] = [];
  for (const event of events) {
    if (event.type === "node-added" && event.prompt) prompts.set(event.nodeId, event.prompt);
    if (event.type === "node-completed" && prompts.has(event.nodeId))
      requests.push({ messages: prompts.get(event.nodeId)!, maxTokens: event.tokensOut, temperature, seed: seed + requests.length, sequence: requests.length });
  }
  const tokens = requests.reduce((sum, r) => sum + r.maxTokens, 0);
  const contextSize = manifest.models.find((m) => m.role === "actor")!.contextSize;
  return { ms: at("run-finished") - at("run-started"), tokens, plan: { model, contextSize, sequences: requests.length, threads, requests } };
}

function directRun(plan: ReplayPlan): Side {
  const file = join(mkdtempSync(join(tmpdir(), "refinery-direct-")), "plan.json");
  writeFileSync(file, JSON.stringify(plan));
  const child = spawnSync(process.execPath, ["--import", "tsx", "bench/direct-replay.ts", file], { cwd: repoRoot, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`direct replay failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Side;
}

interface Row {
  model: string;
  engineMsPerToken: number;
  directMsPerToken: number;
  ratio: number;
  rounds: Array<{ engine: Side; direct: Side }>;
}

const rows: Row[] = [];
for (const model of models) {
  const perRound: Row["rounds"] = [];
  // Round 1's CLI run records the requests the direct side replays; later rounds alternate which side goes first.
  let recorded: ReplayPlan | null = null;
  for (let round = 0; round < rounds; round++) {
    let engine: Side;
    let direct: Side;
    if (round % 2 === 0 || !recorded) {
      const run = cliRun(model, 7);
      recorded ??= run.plan;
      engine = run;
      direct = directRun(recorded);
    } else {
      direct = directRun(recorded);
      engine = cliRun(model, 7);
    }
    perRound.push({ engine: { ms: engine.ms, tokens: engine.tokens }, direct });
    log(
      `${basename(model)} round ${round + 1}: engine ${(engine.ms / engine.tokens).toFixed(3)} ms/token, direct ${(direct.ms / direct.tokens).toFixed(3)} ms/token`,
    );
  }
  const engineMsPerToken = median(perRound.map((r) => r.engine.ms / Math.max(1, r.engine.tokens)));
  const directMsPerToken = median(perRound.map((r) => r.direct.ms / Math.max(1, r.direct.tokens)));
  rows.push({ model: basename(model), engineMsPerToken, directMsPerToken, ratio: engineMsPerToken / directMsPerToken, rounds: perRound });
}

const sampling = `temperature ${temperature} and seed per request on both sides; top-k, top-p and min-p left to node-llama-cpp's defaults on both sides`;
const table = [
  "| model | CLI run, ms/token | direct LlamaChat, ms/token | ratio |",
  "|---|---|---|---|",
  ...rows.map((r) => `| ${r.model} | ${r.engineMsPerToken.toFixed(3)} | ${r.directMsPerToken.toFixed(3)} | ${r.ratio.toFixed(3)}× |`),
].join("\n");
const report = `# The CLI's path: \`refinery run\` against node-llama-cpp directly

self-consistency n=${samples}, ${maxTokens} tokens each, \`--sequential --threads ${threads}\`; ${rounds} rounds, medians; each side in its own process,
timed without loading (the CLI from its log's run-started to run-finished; the direct side from its first request to its
last answer). Sampling: ${sampling}.

${table}
`;
mkdirSync(join(repoRoot, "bench", "results"), { recursive: true });
writeFileSync(join(repoRoot, "bench", "results", "cli-path.md"), report);
writeFileSync(join(repoRoot, "bench", "results", "cli-path.json"), `${JSON.stringify({ sampling, rows }, null, 2)}\n`);
process.stdout.write(report);
