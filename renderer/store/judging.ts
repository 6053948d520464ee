// The compare tab's judging state beside the app store: the experiment form's Grading section and the "Evaluate a
// judge" panel with the evaluations of this session. It is one small store per app store (made on first use), so
// each app and each test gets its own, as with the app store itself.
import { createStore, type StoreApi } from "zustand/vanilla";
import type { RequestInput } from "../../native/protocol/contract.ts";
import type { JudgeEvalEvent, JudgeEvalMode } from "../../native/protocol/judge-agreement.ts";
import type { AppStore } from "./store.ts";

/** checker: answers graded against the reference or tests (no judges); the others grade with judge models. */
export const GRADERS = ["checker", "checklist", "rubric", "pairwise"] as const;
export type GraderChoice = (typeof GRADERS)[number];

export interface GradingForm {
  grader: GraderChoice;
  /** Judge models (files or endpoint specs), one per line of the jury. */
  judges: string[];
  /** Pairwise: a column's name, or "reference"; empty: the first column. */
  baseline: string;
  maxTokens: string;
}

export interface JudgeEvalForm {
  dataset: string;
  judge: string;
  /** Empty: the file says what its labels are. */
  mode: JudgeEvalMode | "";
  limit: string;
  maxTokens: string;
}

export interface JudgingState {
  grading: GradingForm;
  judgeEvalForm: JudgeEvalForm;
  /** Judge evaluations of this session, by id, in the order they started. */
  judgeEvals: Record<string, JudgeEvalEvent>;
  updateGrading(patch: Partial<GradingForm>): void;
  updateJudgeEvalForm(patch: Partial<JudgeEvalForm>): void;
  setJudgeEval(event: JudgeEvalEvent): void;
}

export const defaultGrading: GradingForm = { grader: "checker", judges: [], baseline: "", maxTokens: "" };
export const defaultJudgeEvalForm: JudgeEvalForm = { dataset: "", judge: "", mode: "", limit: "20", maxTokens: "" };

export type JudgingStore = StoreApi<JudgingState>;

const stores = new WeakMap<AppStore, JudgingStore>();

export function judgingStoreOf(app: AppStore): JudgingStore {
  let store = stores.get(app);
  if (!store) {
    store = createStore<JudgingState>()((set) => ({
      grading: defaultGrading,
      judgeEvalForm: defaultJudgeEvalForm,
      judgeEvals: {},
      updateGrading: (patch) => set((s) => ({ grading: { ...s.grading, ...patch } })),
      updateJudgeEvalForm: (patch) => set((s) => ({ judgeEvalForm: { ...s.judgeEvalForm, ...patch } })),
      setJudgeEval: (event) => set((s) => ({ judgeEvals: { ...s.judgeEvals, [event.evalId]: event } })),
    }));
    stores.set(app, store);
  }
  return store;
}

type Judging = NonNullable<RequestInput<"startExperiment">["judging"]>;

/**
 * What the Grading section adds to startExperiment, as the CLI's --grader/--judge/--baseline/--judge-max-tokens
 * send it: nothing for the checker. A grader without judges is sent as it is, so the engine refuses it in the
 * contract's words ("choose a judge model"); a max tokens typed as a word goes as NaN for the same reason.
 */
export function judgingRequest(form: GradingForm): Judging | undefined {
  if (form.grader === "checker") return undefined;
  const judges = form.judges.map((j) => j.trim()).filter(Boolean);
  const baseline = form.baseline.trim();
  const maxTokens = form.maxTokens.trim();
  return {
    grader: form.grader,
    judges,
    ...(form.grader === "pairwise" && baseline ? { baseline } : {}),
    ...(maxTokens ? { maxTokens: Number(maxTokens) } : {}),
  };
}
