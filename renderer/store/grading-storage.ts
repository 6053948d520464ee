// The experiment form's Grading section kept across reloads, as the rest of the form is (experiment-form-storage.ts):
// checked field by field, so a grader this version does not know, or a value edited by hand, falls back to its
// default instead of starting a judged experiment the user did not choose.
import { z } from "zod";
import type { AppStore } from "./store.ts";
import { defaultGrading, GRADERS, type GradingForm, judgingStoreOf } from "./judging.ts";
import { readStoredJson, type SetupStorage } from "./setup-storage.ts";

export const GRADING_STORAGE_KEY = "refinery.grading";

const text = (fallback: string) => z.string().max(10_000).catch(fallback);

const storedGrading = z.object({
  grader: z.enum(GRADERS).catch(defaultGrading.grader),
  judges: z.array(z.string().max(10_000)).max(20).catch(defaultGrading.judges),
  baseline: text(defaultGrading.baseline),
  maxTokens: text(defaultGrading.maxTokens),
});

/** The saved Grading section, or the defaults (the checker, no judges) when there is none or it cannot be read. */
export function loadGrading(storage: SetupStorage | null): GradingForm {
  const raw = readStoredJson(storage, GRADING_STORAGE_KEY);
  if (raw === undefined) return defaultGrading;
  const parsed = storedGrading.safeParse(raw);
  return parsed.success ? { ...defaultGrading, ...parsed.data } : defaultGrading;
}

/** Puts the saved Grading section into the app's judging store, then writes it whenever it changes; returns the unsubscribe. */
export function persistGrading(app: AppStore, storage: SetupStorage): () => void {
  const judging = judgingStoreOf(app);
  judging.getState().updateGrading(loadGrading(storage));
  return judging.subscribe((state, previous) => {
    if (state.grading === previous.grading) return;
    try {
      storage.setItem(GRADING_STORAGE_KEY, JSON.stringify(state.grading));
    } catch {
      // Storage full or disabled (a private window): the section simply does not survive the reload.
    }
  });
}
