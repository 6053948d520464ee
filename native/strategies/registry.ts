import { bestOfN } from "./best-of-n.ts";
import { criticGuided } from "./critic-guided.ts";
import { selfConsistency } from "./self-consistency.ts";
import { selfRefine } from "./self-refine.ts";
import { singlePass } from "./single-pass.ts";
import { stepCritique } from "./step-critique.ts";
import { cycle } from "./cycle.ts";
import { eigen1 } from "./eigen1.ts";
import { glore } from "./glore.ts";
import { gra } from "./gra.ts";
import { magicore } from "./magicore.ts";
import { mctsr } from "./mctsr.ts";
import { parallelDistillRefine, sequentialRefinement } from "./pdr.ts";
import { rlac } from "./rlac.ts";
import { weightedBestOfN } from "./weighted-best-of-n.ts";
import { beamSearch } from "./beam-search.ts";
import { dvts } from "./dvts.ts";
import { deepconf } from "./deepconf.ts";
import { makePipelineStrategy } from "./pipeline.ts";
import { checklistRefine } from "./checklist-refine.ts";
import { progressiveRefine } from "./progressive-refine.ts";
import { keepIfBetter } from "./keep-if-better.ts";
import { reviewRevise } from "./review-revise.ts";
import { StrategyParamError, type StrategyDefinition } from "./types.ts";

export const strategies: readonly StrategyDefinition[] = [
  singlePass,
  selfRefine,
  criticGuided,
  bestOfN,
  selfConsistency,
  weightedBestOfN,
  beamSearch,
  dvts,
  deepconf,
  stepCritique,
  magicore,
  parallelDistillRefine,
  sequentialRefinement,
  glore,
  eigen1,
  gra,
  mctsr,
  cycle,
  rlac,
  checklistRefine,
  progressiveRefine,
  keepIfBetter,
  reviewRevise,
  makePipelineStrategy((name) => getStrategy(name)),
];

export function getStrategy(name: string): StrategyDefinition {
  const strategy = strategies.find((s) => s.name === name);
  if (!strategy) throw new StrategyParamError(`unknown strategy '${name}' (available: ${strategies.map((s) => s.name).join(", ")})`);
  return strategy;
}
