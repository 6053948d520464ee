// `refinery serve --openai` as a client meets it: a server in its own process on loopback, chat completions for
// strategy models over real HTTP, timed per generated token from the client's wall time and the response's usage.
// Each response names its run's folder, whose log gives the run's window and the requests a replay sends.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../test/support/models.ts";
import { fromRecords, TASK, type PathRun, type PathSettings } from "./process-paths.ts";
import { nodeCommand } from "./rounds.ts";
import { readRunRecord } from "./run-record.ts";

/** Requests answered at once: serve loads sequences for this many on each model, twice that when actor = critic. */
const PARALLEL = 4;
const API_KEY = "paths-bench";
/**
 * The untimed first request, which the direct replay sends too before its window, greedy on both sides. Long
 * enough to bring the per-token JavaScript (node-llama-cpp's and, on the served side, the engine's events and
 * chunk recording) to V8's optimised tiers: after only 4 tokens the timed 320 ran largely unoptimised, where
 * the served side's longer per-token path cost it 1.2-1.9x on stories260K (~1 ms/token) and nothing on a
 * model whose decode dominates; warmed with 256 its runs' windows matched the replay's (bench/results/serve-gap.md).
 */
export const WARM_UP = { text: "Say hello.", maxTokens: 256 };
/** Untimed passes of the timed requests, on this question, before the timed pass. */
export const REHEARSALS = 2;
const REHEARSAL_TASK = "A baker bakes 24 rolls and sells 15 of them. How many rolls are left?";

interface Completion {
  usage: { completion_tokens: number };
  refinery: { run_dir: string; status: string };
}

export async function servePath(settings: PathSettings): Promise<PathRun> {
  const runs = mkdtempSync(join(tmpdir(), "refinery-serve-path-"));
  const profile = settings.profileDir ? ["--cpu-prof", "--cpu-prof-dir", settings.profileDir] : [];
  const server = spawn(
    ...nodeCommand([
      ...profile,
      "bin/refinery.mjs",
      "serve",
      "--openai",
      "--actor",
      settings.model,
      "--port",
      "0",
      "--threads",
      String(settings.threads),
      "--parallel",
      String(PARALLEL),
      "--api-key",
      API_KEY,
      "--runs",
      runs,
    ]),
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<number | null>((resolveExit) => server.once("exit", (code) => resolveExit(code)));
  try {
    const baseUrl = await listening(server);
    const served = await modelIds(baseUrl);
    const idOf = (strategy: string) => {
      const id = served.find((m) => m.startsWith(`${strategy}@`));
      if (!id) throw new Error(`serve --openai serves no ${strategy} model (it serves ${served.join(", ")})`);
      return id;
    };
    const asks = [
      { model: idOf("single-pass"), params: {} },
      { model: idOf("self-consistency"), params: { n: settings.samples, temperature: settings.temperature } },
    ];
    const complete = async (
      model: string,
      content: string,
      maxTokens: number,
      params: Record<string, unknown>,
      temperature = settings.temperature,
    ): Promise<Completion> => {
      const response = await fetch(`${baseUrl}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({
          model,
          messages: [{ role: "user", content }],
          max_tokens: maxTokens,
          temperature,
          seed: settings.seed,
          refinery: { params, parallel: false },
        }),
      });
      const body = (await response.json()) as Completion;
      if (!response.ok || body.refinery?.status !== "finished") throw new Error(`serve --openai answered ${response.status}: ${JSON.stringify(body)}`);
      return body;
    };
    // A server answers many requests: its first pays once for what the process sets up lazily (modules, compiled
    // code), as the CLI's start-up falls outside its window. It is timed apart, on a question that shares no
    // prefix with the timed ones beyond the chat template's; the direct replay is warmed the same way.
    const firstStarted = performance.now();
    const warm = await complete(asks[0]!.model, WARM_UP.text, WARM_UP.maxTokens, {}, 0);
    const firstRequestMs = performance.now() - firstStarted;
    // Then the timed requests' own kinds, untimed, on another question: each strategy's first request compiles
    // its own code (the first self-consistency request took 13 ms to start and twice its later window), and a
    // server's clients meet it warm. The direct replay rehearses the same requests the same number of times.
    for (let pass = 0; pass < REHEARSALS; pass++) for (const ask of asks) await complete(ask.model, REHEARSAL_TASK, settings.maxTokens, ask.params);
    let wallMs = 0;
    let usageTokens = 0;
    const dirs: string[] = [];
    const spans: PathRun["windows"] = [];
    for (const ask of asks) {
      const started = performance.now();
      const fromMs = Date.now();
      const body = await complete(ask.model, TASK, settings.maxTokens, ask.params);
      wallMs += performance.now() - started;
      spans.push({ fromMs, toMs: Date.now() });
      usageTokens += body.usage.completion_tokens;
      dirs.push(body.refinery.run_dir);
    }
    const records = dirs.map((dir) => readRunRecord(dir, settings.seed));
    const fromLogs = fromRecords(records, settings, PARALLEL * 2, server.pid!, "per-run");
    if (fromLogs.tokens !== usageTokens) throw new Error(`usage says ${usageTokens} completion tokens, the run logs ${fromLogs.tokens}`);
    // Between the two requests the client waits on nothing of the server's: the span between runs is the client's.
    const plan = { ...fromLogs.plan, warmUp: WARM_UP, rehearse: { passes: REHEARSALS, replace: TASK, with: REHEARSAL_TASK } };
    const { betweenCellsMs: _client, ...run } = { ...fromLogs, plan };
    // The server's profile covers each request from the client's send to its answer, HTTP included.
    return { ...run, ms: wallMs, httpMs: wallMs - run.ms, firstRequestMs, firstRequestTokens: warm.usage.completion_tokens, windows: spans };
  } finally {
    server.kill("SIGTERM");
    await exited;
  }
}

async function modelIds(baseUrl: string): Promise<string[]> {
  const response = await fetch(`${baseUrl}/models`, { headers: { authorization: `Bearer ${API_KEY}` } });
  return ((await response.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
}

/** The base URL the server prints once it listens. */
function listening(server: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let out = "";
    let err = "";
    server.stderr!.on("data", (chunk: Buffer) => {
      err += chunk;
    });
    server.stdout!.on("data", (chunk: Buffer) => {
      out += chunk;
      const url = /base URL: (\S+)/.exec(out)?.[1];
      if (url) resolveUrl(url);
    });
    server.once("exit", (code) => reject(new Error(`serve --openai exited (${code}) before listening: ${err}`)));
  });
}
