// Single runs: start, cancel, the history list, opening a past run.
import { actorPath, criticPath } from "../selectors.ts";
import { stateOf, type ActionContext } from "./context.ts";
import { type RequestInput, validateRequest } from "../../../native/protocol/contract.ts";
import { formKeyOf } from "../store.ts";
import { loadFromForm } from "./load-form.ts";

const OPEN_FAILED = "cannot open run";

export function createRunActions(ctx: ActionContext) {
  const state = () => stateOf(ctx);

  async function refreshHistory() {
    const result = await ctx.bridge.listRuns({});
    if (!result.ok) {
      state().pushError("history", result.error);
      return;
    }
    // The list came back: an earlier failure to list is over (a run that would not open still will not).
    for (const error of state().errors) if (error.where === "history" && !error.message.startsWith(OPEN_FAILED)) state().dismissError(error.id);
    state().setHistory(result.value);
  }

  async function openRun(runId: string, ticket = ctx.views.request()) {
    const result = await ctx.bridge.loadRun({ runId });
    if (!ctx.views.isLatest(ticket)) return;
    if (!result.ok) {
      state().pushError("history", `${OPEN_FAILED} ${runId}: ${result.error}`);
      return;
    }
    state().clearErrors("history");
    state().replaceRun(runId, result.value);
    state().showRun(runId);
  }

  /** Moves a run to the runs folder's trash; the run shown, if it was that one, leaves the view. */
  async function deleteRun(runId: string) {
    const result = await ctx.bridge.deleteRun({ runId });
    if (!result.ok) {
      state().pushError("history", result.error);
      return false;
    }
    if (state().currentRunId === runId) {
      ctx.views.request();
      state().showRun(null);
    }
    await refreshHistory();
    return true;
  }

  /** The setup form's strategy parameters, typed as the strategy declares them; empty fields keep the defaults. */
  function setupParams(): Record<string, number | boolean | string> {
    const { setup, strategies } = state();
    const strategy = strategies.find((s) => s.name === setup.strategy);
    const params: Record<string, number | boolean | string> = {};
    for (const spec of strategy?.params ?? []) {
      const raw = setup.params[spec.name];
      if (raw === undefined || raw === "") continue;
      // Text that is not a number goes as typed, so the engine's refusal quotes what the user wrote.
      const number = Number(raw);
      params[spec.name] = spec.type === "boolean" ? raw === "true" : spec.type === "string" || !Number.isFinite(number) ? raw : number;
    }
    return params;
  }

  /** A number field as typed: empty leaves the default; anything else goes to the contract's check (0, 1e9, "abc" are refused there). */
  const typed = (text: string) => (text.trim() === "" ? undefined : Number(text));

  async function startRun(options: { force?: boolean } = {}) {
    const { setup } = state();
    state().clearErrors("setup");
    const maxTokens = typed(setup.maxTokens);
    const thinking = (text: string) => (typed(text) === undefined ? {} : { thinkingBudget: typed(text)! });
    const actorSampling = { ...(maxTokens !== undefined ? { maxTokens } : {}), ...thinking(setup.thinkingBudget) };
    const criticMaxTokens = typed(setup.criticMaxTokens);
    const criticSampling = { ...(criticMaxTokens !== undefined ? { maxTokens: criticMaxTokens } : {}), ...thinking(setup.criticThinkingBudget) };
    const request: RequestInput<"startRun"> = {
      strategy: setup.strategy,
      params: setupParams(),
      actor: { path: actorPath(setup), sampling: Object.keys(actorSampling).length ? actorSampling : undefined, load: loadFromForm(setup.load.actor) },
      critic: { path: criticPath(setup), ...(Object.keys(criticSampling).length ? { sampling: criticSampling } : {}), load: loadFromForm(setup.load.critic) },
      task: {
        question: setup.question,
        ...(setup.reference.trim() ? { reference: setup.reference.trim() } : {}),
        ...(setup.tests ? { tests: setup.tests } : {}),
      },
      seed: typed(setup.seed) ?? 0,
      ...(options.force ? { force: true } : {}),
    };
    // The engine checks the same schema; checking here too says what is wrong at once, without a round trip.
    const checked = validateRequest("startRun", request);
    if (!checked.ok) {
      state().pushError("setup", checked.error, formKeyOf(checked.field));
      return null;
    }
    state().setBusy(true);
    const ticket = ctx.views.request();
    const result = await ctx.bridge.startRun(request);
    state().setBusy(false);
    if (!result.ok) {
      state().pushError("setup", result.error, formKeyOf(result.field));
      return null;
    }
    const { runId } = result.value;
    state().setFormRun(runId);
    // A run opened while this one started stays in view; the new run is in the history.
    if (ctx.views.isLatest(ticket)) state().showRun(runId);
    void refreshHistory();
    return runId;
  }

  async function cancelRun() {
    const runId = state().currentRunId;
    if (!runId) return;
    const result = await ctx.bridge.cancelRun({ runId });
    if (!result.ok) state().pushError("run", result.error);
  }

  async function loadDataset(path: string, skipMalformed = false) {
    // All items: the picker counts and searches the whole file, not a preview.
    const result = await ctx.bridge.readDataset({ path, ...(skipMalformed ? { skipMalformed } : {}) });
    if (!result.ok) {
      state().pushError("setup", result.error);
      return [];
    }
    // The file reads now: what was said about it earlier no longer holds.
    forgetDatasetErrors(path);
    return result.value;
  }

  /** Drops what was said about a dataset file (each such message names its path). */
  function forgetDatasetErrors(path: string) {
    if (!path.trim()) return;
    for (const error of state().errors) if (error.where === "setup" && error.message.includes(path)) state().dismissError(error.id);
  }

  return { refreshHistory, openRun, deleteRun, startRun, cancelRun, loadDataset, forgetDatasetErrors };
}
