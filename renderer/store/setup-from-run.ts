// "Run again with these settings": a run's own record (its run-started event, folded into RunState) turned back
// into the setup form, load settings included where the run recorded them. Only on request: opening a run to look
// at it leaves the form as the user left it.
import type { RunState } from "../../native/protocol/state.ts";
import { formFromLoad } from "./actions/load-form.ts";
import type { SetupForm } from "./store.ts";

export function setupFromRun(run: RunState, current: SetupForm): SetupForm | null {
  if (!run.strategy || !run.models || !run.task) return null;
  const { actor, critic } = run.models;
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(run.params)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") params[name] = String(value);
  }
  const budget = (value: number | undefined) => (value === undefined ? "" : String(value));
  const { tests: _tests, ...rest } = current;
  return {
    ...rest,
    actorPath: actor.path,
    // One file for both roles is written as an empty critic field, as the user would have left it.
    criticPath: critic.path === actor.path ? "" : critic.path,
    strategy: run.strategy,
    params,
    question: run.task.question,
    reference: run.task.reference ?? "",
    ...(run.task.tests ? { tests: run.task.tests } : {}),
    seed: String(run.seed ?? 0),
    maxTokens: String(actor.sampling.maxTokens),
    criticMaxTokens: String(critic.sampling.maxTokens),
    thinkingBudget: budget(actor.sampling.thinkingBudget),
    criticThinkingBudget: budget(critic.sampling.thinkingBudget),
    // Runs recorded before load settings were kept leave the form's as they are.
    load: {
      actor: actor.load ? formFromLoad(actor.load) : current.load.actor,
      critic: critic.load ? formFromLoad(critic.load) : current.load.critic,
    },
  };
}
