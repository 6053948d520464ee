// Experiments: start or resume one from the compare form, pause/resume/stop it, the list of experiment folders,
// loading one (reloaded as its cells finish) and opening a cell's run.
import type { ExportedFile, ExportFormat } from "../../../native/protocol/contract.ts";
import { parseStrategySpecs } from "../../../native/protocol/strategy-spec.ts";
import { actorPath, criticPath } from "../selectors.ts";
import type { ExperimentForm } from "../store.ts";
import { stateOf, type ActionContext } from "./context.ts";
import { loadFromForm } from "./load-form.ts";
import { judgingRequest, judgingStoreOf, type GradingForm } from "../judging.ts";

/** The Grading section's judges and grader, as a field of startExperiment (none for the checker). */
function judgingOf(grading: GradingForm) {
  const judging = judgingRequest(grading);
  return judging ? { judging } : {};
}

export type ExperimentPairForm = ExperimentForm["pairs"][number];

/** The compare view reloads the open experiment at most this often while its cells finish. */
const RELOAD_INTERVAL_MS = 250;

/** "question=problem, reference=gold" → a field mapping; throws on an entry that is not name=field. */
function parseFieldMapping(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const entry of text
    .split(/[,;\n]/)
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [name, source] = entry.split("=").map((part) => part.trim());
    if (!name || !source) throw new Error(`field mapping entries are name=field (question, reference, choices, id, tests, entryPoint), got '${entry}'`);
    fields[name] = source;
  }
  return fields;
}

export function createExperimentActions(ctx: ActionContext) {
  const state = () => stateOf(ctx);

  /** The run setup's actor and critic (with their load settings) as a model pair for an experiment. */
  function setupPair(): ExperimentPairForm {
    const { setup } = state();
    const actorLoad = loadFromForm(setup.load.actor);
    const criticLoad = loadFromForm(setup.load.critic);
    return {
      actor: { path: actorPath(setup), ...(actorLoad ? { load: actorLoad } : {}) },
      critic: { path: criticPath(setup), ...(criticLoad ? { load: criticLoad } : {}) },
    };
  }

  /** The compare form's max tokens (actor and critic) on every pair: fields of the experiment, not the run tab's. */
  function withFormMaxTokens(pair: ExperimentPairForm, form: ExperimentForm): ExperimentPairForm {
    const actor = Number(form.maxTokens) || undefined;
    const critic = Number(form.criticMaxTokens) || undefined;
    const { sampling: _actorSampling, ...actorModel } = pair.actor;
    const { sampling: _criticSampling, ...criticModel } = pair.critic;
    return {
      actor: { ...actorModel, ...(actor ? { sampling: { maxTokens: actor } } : {}) },
      critic: { ...criticModel, ...(critic ? { sampling: { maxTokens: critic } } : {}) },
    };
  }

  async function refreshExperiments() {
    const result = await ctx.bridge.listExperiments({});
    if (result.ok) state().setExperiments(result.value);
    else state().pushError("compare", result.error);
  }

  let experimentRequests = 0;
  async function loadExperiment(path: string, baseline?: string) {
    state().clearErrors("compare");
    // Reloads overlap while an experiment runs; only the newest answer may land, or a stale grid could win.
    const request = ++experimentRequests;
    const result = await ctx.bridge.loadExperiment({ path: path.trim(), ...(baseline ? { baseline } : {}) });
    if (request !== experimentRequests) return;
    if (!result.ok) {
      state().pushError("compare", result.error);
      return;
    }
    state().setExperiment(result.value);
  }

  let reloadTimer: ReturnType<typeof setTimeout> | null = null;
  function scheduleExperimentReload() {
    if (reloadTimer) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      const experiment = state().experiment;
      if (experiment) void loadExperiment(experiment.path, experiment.summary.baseline);
    }, RELOAD_INTERVAL_MS);
  }

  /**
   * Starts an experiment: the chosen strategies (default parameters) × the model pairs (the run setup's when none
   * were added) over a dataset slice. With only a folder, resumes the experiment stopped there.
   */
  async function startExperiment(form: ExperimentForm) {
    state().clearErrors("compare");
    const { setup } = state();
    const resume = !form.dataset.trim() && form.out.trim();
    const pairs = (form.pairs.length ? form.pairs : [setupPair()]).map((pair) => withFormMaxTokens(pair, form));
    let specs;
    let fields: Record<string, string>;
    try {
      specs = parseStrategySpecs(form.specs);
      fields = parseFieldMapping(form.fields);
    } catch (error) {
      state().pushError("compare", (error as Error).message);
      return;
    }
    const result = await ctx.bridge.startExperiment(
      resume
        ? { out: form.out.trim() }
        : {
            ...(form.out.trim() ? { out: form.out.trim() } : {}),
            dataset: form.dataset.trim(),
            ...(Number(form.limit) > 0 ? { limit: Number(form.limit) } : {}),
            columns: [...form.strategies.map((strategy) => ({ strategy })), ...specs],
            ...(Object.keys(fields).length ? { fields } : {}),
            pairs,
            seed: Number(setup.seed) || 0,
            // Sent as typed (a word becomes NaN): the contract refuses it in the field's own words.
            ...(form.repeats.trim() ? { repeats: Number(form.repeats.trim()) } : {}),
            ...(form.frontier.trim() ? { frontier: Number(form.frontier.trim()) } : {}),
            ...(Number(form.concurrency) > 0 ? { concurrency: Number(form.concurrency) } : {}),
            ...(Number(form.budget) > 0 ? { maxTotalTokens: Number(form.budget) } : {}),
            ...(form.sampling.trim() && form.sampling.trim() !== "paper" ? { sampling: form.sampling.trim() } : {}),
            ...(form.skipMalformed ? { skipMalformed: true } : {}),
            ...judgingOf(judgingStoreOf(ctx.store).getState().grading),
          },
    );
    if (!result.ok) {
      state().pushError("compare", result.error);
      return;
    }
    await loadExperiment(result.value.path);
    void refreshExperiments();
  }

  async function controlExperiment(action: "pause" | "resume" | "stop") {
    const experiment = state().experiment;
    if (!experiment) return;
    const result = await ctx.bridge.controlExperiment({ path: experiment.path, action });
    if (!result.ok) state().pushError("compare", result.error);
  }

  /** Writes the open experiment's report files next to it; their paths come back, or null after an error shown on the tab. */
  async function exportExperiment(formats: ExportFormat[]): Promise<ExportedFile[] | null> {
    const experiment = state().experiment;
    if (!experiment) return null;
    state().clearErrors("compare");
    const result = await ctx.bridge.exportExperiment({ path: experiment.path, baseline: experiment.summary.baseline, formats });
    if (!result.ok) {
      state().pushError("compare", result.error);
      return null;
    }
    return result.value.files;
  }

  /** Opens one cell of the compare grid: that run's tree, replayed from the experiment's run log. */
  async function openExperimentRun(runId: string, ticket = ctx.views.request(), path = state().experiment?.path) {
    if (!path) return;
    const result = await ctx.bridge.loadRun({ runId, experiment: path });
    if (!ctx.views.isLatest(ticket)) return;
    if (!result.ok) {
      state().pushError("compare", result.error);
      return;
    }
    state().replaceRun(runId, result.value);
    state().showRun(runId, path);
    state().setView("run");
  }

  return { setupPair, refreshExperiments, loadExperiment, scheduleExperimentReload, startExperiment, controlExperiment, exportExperiment, openExperimentRun };
}
