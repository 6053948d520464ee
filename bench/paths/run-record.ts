// What one run's folder says about its own speed, the same for a CLI run, an experiment cell and a run behind
// `serve --openai`: its window (run-started → run-finished, loading outside it), the tokens its nodes generated,
// the time spent inside nodes, and the requests a direct replay must send to do the same work with the same
// sampling and the same load.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatMessage, RunEvent } from "../../native/protocol/events.ts";
import type { EffectiveSampling } from "../../native/protocol/sampling-policy.ts";
import type { ReplayRequest } from "../direct-replay.ts";

export interface RunRecord {
  dir: string;
  startedAt: number;
  finishedAt: number;
  windowMs: number;
  /** Generated tokens, as the nodes count them (thought included). */
  tokens: number;
  /** Prompt tokens the nodes had to evaluate, as the run counts them: reuse of its own conversations left out. */
  evaluated: number;
  /** The nodes' own wall times, summed: the window less this is the engine's time between nodes. */
  nodeWallMs: number;
  contextSize: number;
  sampling: ReplaySampling;
  /** Model-written nodes in the order they completed. */
  requests: ReplayRequest[];
}

/** The sampling a replay applies: the one temperature every actor generation used, and top-p/top-k if set. */
export interface ReplaySampling {
  temperature: number;
  topP?: number;
  topK?: number;
}

export function readRunRecord(dir: string, seed: number): RunRecord {
  const events = readFileSync(join(dir, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as RunEvent);
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { models: Array<{ role: string; contextSize: number }> };
  const started = events.find((e) => e.type === "run-started");
  const finished = events.find((e) => e.type === "run-finished");
  if (!started || !finished || finished.type !== "run-finished") throw new Error(`${dir}: the run did not finish (no run-started and run-finished in its log)`);
  const sampling = replaySampling(dir, finished.sampling);
  const prompts = new Map<string, { messages: ChatMessage[]; lane: string }>();
  const requests: ReplayRequest[] = [];
  let tokens = 0;
  let evaluated = 0;
  let nodeWallMs = 0;
  for (const event of events) {
    if (event.type === "node-added" && event.prompt && event.model === "actor")
      prompts.set(event.nodeId, { messages: event.prompt, lane: event.lane ?? event.nodeId });
    if (event.type !== "node-completed") continue;
    nodeWallMs += event.wallMs;
    tokens += event.tokensOut;
    evaluated += event.tokensEvaluated ?? event.tokensIn;
    const prompt = prompts.get(event.nodeId);
    if (!prompt) continue;
    requests.push({ ...prompt, maxTokens: event.tokensOut, ...sampling, seed: seed + requests.length });
  }
  const contextSize = manifest.models.find((m) => m.role === "actor")?.contextSize;
  if (!contextSize) throw new Error(`${dir}: the manifest records no context size for the actor`);
  return {
    dir,
    startedAt: started.at ?? 0,
    finishedAt: finished.at,
    windowMs: finished.at - (started.at ?? 0),
    tokens,
    evaluated,
    nodeWallMs,
    contextSize,
    sampling,
    requests,
  };
}

/** A replay sends every request with one sampling: a run whose actor used several temperatures cannot be replayed so. */
function replaySampling(dir: string, recorded: EffectiveSampling | undefined): ReplaySampling {
  if (!recorded) throw new Error(`${dir}: the run records no sampling (written before run-finished recorded it)`);
  if (recorded.critic.temperatures.length)
    throw new Error(`${dir}: the critic generated too; the paths bench replays actor-only strategies (single-pass, self-consistency)`);
  const [temperature, ...others] = recorded.actor.temperatures;
  if (temperature === undefined || others.length)
    throw new Error(`${dir}: the actor used ${recorded.actor.temperatures.length} temperatures; a replay needs exactly one`);
  return {
    temperature,
    ...(recorded.actor.topP !== undefined ? { topP: recorded.actor.topP } : {}),
    ...(recorded.actor.topK !== undefined ? { topK: recorded.actor.topK } : {}),
  };
}

export function samplingWords(sampling: ReplaySampling): string {
  return [
    `temperature ${sampling.temperature}`,
    sampling.topP !== undefined ? `top-p ${sampling.topP}` : "",
    sampling.topK !== undefined ? `top-k ${sampling.topK}` : "",
  ]
    .filter(Boolean)
    .join(", ");
}
