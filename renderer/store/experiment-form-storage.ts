// The compare tab's experiment form kept across reloads, as the run setup is (setup-storage.ts): checked field by
// field, so a value written by an older version or edited by hand falls back to its default, and a field this
// version does not know is dropped.
import { z } from "zod";
import { readStoredJson, type SetupStorage } from "./setup-storage.ts";
import { type AppStore, defaultExperimentForm, type ExperimentForm } from "./store.ts";

export const EXPERIMENT_FORM_STORAGE_KEY = "refinery.experimentForm";

const text = (fallback: string) => z.string().max(100_000).catch(fallback);

const roleModel = z.object({
  path: z.string().max(10_000),
  sampling: z.object({ maxTokens: z.number().int().min(1) }).optional(),
  load: z
    .object({
      contextSize: z.number().int().min(1).optional(),
      gpuLayers: z.union([z.literal("auto"), z.literal("max"), z.number().int().min(0)]).optional(),
      flashAttention: z.boolean().optional(),
    })
    .optional(),
});

const storedForm = z.object({
  dataset: text(defaultExperimentForm.dataset),
  limit: text(defaultExperimentForm.limit),
  strategies: z.array(z.string().min(1).max(200)).max(200).catch(defaultExperimentForm.strategies),
  specs: text(defaultExperimentForm.specs),
  fields: text(defaultExperimentForm.fields),
  pairs: z
    .array(z.object({ actor: roleModel, critic: roleModel }))
    .max(100)
    .catch(defaultExperimentForm.pairs),
  out: text(defaultExperimentForm.out),
  concurrency: text(defaultExperimentForm.concurrency),
  budget: text(defaultExperimentForm.budget),
  maxTokens: text(defaultExperimentForm.maxTokens),
  criticMaxTokens: text(defaultExperimentForm.criticMaxTokens),
  sampling: text(defaultExperimentForm.sampling),
  skipMalformed: z.boolean().catch(defaultExperimentForm.skipMalformed),
});

/** The saved experiment form, or the defaults when there is none or it cannot be read. */
export function loadExperimentForm(storage: SetupStorage | null): ExperimentForm {
  const raw = readStoredJson(storage, EXPERIMENT_FORM_STORAGE_KEY);
  if (raw === undefined) return defaultExperimentForm;
  const parsed = storedForm.safeParse(raw);
  return parsed.success ? ({ ...defaultExperimentForm, ...parsed.data } as ExperimentForm) : defaultExperimentForm;
}

/** Writes the form whenever it changes; returns the unsubscribe. */
export function persistExperimentForm(store: AppStore, storage: SetupStorage): () => void {
  return store.subscribe((state, previous) => {
    if (state.experimentForm === previous.experimentForm) return;
    try {
      storage.setItem(EXPERIMENT_FORM_STORAGE_KEY, JSON.stringify(state.experimentForm));
    } catch {
      // Storage full or disabled (a private window): the form simply does not survive the reload.
    }
  });
}
