// Runs a strategy on scripted backends and returns what a control-flow test needs to look at.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenerateRequest } from "../../native/llm/backend.ts";
import { ScriptedBackend, type Script } from "../../native/llm/scripted-backend.ts";
import type { RunEvent, Task } from "../../native/protocol/events.ts";
import { executeRun } from "../../native/runs/runner.ts";

export const isCritique = (request: GenerateRequest) => request.jsonSchema !== undefined;
export const lastUser = (request: GenerateRequest) => request.messages.at(-1)?.content ?? "";

export function holistic(correct: boolean, score: number, critique = correct ? "Looks right." : "Step 2 is wrong.") {
  return JSON.stringify({ critique, correct, score });
}

export function stepwise(verdicts: Array<"correct" | "wrong">, finalCorrect: boolean, score: number) {
  return JSON.stringify({
    steps: verdicts.map((verdict, i) => ({ verdict, score: verdict === "wrong" ? 2 : 9, why: `step ${i + 1} ${verdict}` })),
    finalCorrect,
    score,
    critique: finalCorrect ? "fine" : "fix the wrong step",
  });
}

export async function scriptedRun(options: {
  strategy: string;
  params?: Record<string, unknown>;
  actor: Script;
  critic?: Script;
  task?: Task;
  signal?: AbortSignal;
  maxTotalTokens?: number;
  parallel?: boolean;
  onEvent?: (event: RunEvent) => void;
  /** Sampling settings of both roles (max tokens, temperature), over the defaults. */
  sampling?: { maxTokens?: number; temperature?: number };
  /** The critic's own switches (reason first, meta-critique), over `sampling`. */
  criticSettings?: { reasonFirst?: boolean; metaCritique?: boolean };
  /** The context size the scripted critic reports (none by default). */
  criticContextSize?: number;
  /** The run seed (1 by default): it draws ties. */
  seed?: number;
  /** The context size the scripted actor reports (none by default). */
  actorContextSize?: number;
}) {
  const actor = new ScriptedBackend(options.actor, 4, options.actorContextSize);
  const critic = new ScriptedBackend(options.critic ?? (() => holistic(true, 10)), 4, options.criticContextSize);
  const outDir = mkdtempSync(join(tmpdir(), "refinery-scripted-"));
  const result = await executeRun(
    {
      strategy: options.strategy,
      params: options.params,
      actor: { path: "scripted-actor", ...(options.sampling ? { sampling: options.sampling } : {}) },
      critic: {
        path: "scripted-critic",
        ...(options.sampling || options.criticSettings ? { sampling: { ...options.sampling, ...options.criticSettings } } : {}),
      },
      task: options.task ?? { question: "What is 6 * 7?", reference: "42" },
      seed: options.seed ?? 1,
      outDir,
      runId: "test-run",
      parallel: options.parallel ?? false,
      maxTotalTokens: options.maxTotalTokens,
      signal: options.signal,
      onEvent: options.onEvent,
    },
    { backends: { actor, critic } },
  );
  const nodes = result.state.order.map((id) => result.state.nodes[id]!);
  return { ...result, actor, critic, nodes };
}
