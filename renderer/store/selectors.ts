// Values derived from the store in one place, so a rule ("the critic is the actor's file unless another is
// chosen") is written once.
import type { ExperimentProgressEvent } from "../../native/protocol/contract.ts";
import type { AppState, SetupForm } from "./store.ts";

export const actorPath = (setup: SetupForm): string => setup.actorPath.trim();

/** The critic's file: the one chosen, or the actor's. */
export const criticPath = (setup: SetupForm): string => (setup.criticPath || setup.actorPath).trim();

/** The open experiment's progress, when this engine runs (or ran) it. */
export const openExperimentProgress = (state: AppState): ExperimentProgressEvent | undefined =>
  state.experiment ? state.experimentProgress[state.experiment.path] : undefined;
