import { bestOfN } from "./best-of-n.ts";
import { criticGuided } from "./critic-guided.ts";
import { selfConsistency } from "./self-consistency.ts";
import { selfRefine } from "./self-refine.ts";
import { singlePass } from "./single-pass.ts";
import { stepCritique } from "./step-critique.ts";
import { StrategyParamError, type StrategyDefinition } from "./types.ts";

export const strategies: readonly StrategyDefinition[] = [singlePass, selfRefine, criticGuided, bestOfN, selfConsistency, stepCritique];

export function getStrategy(name: string): StrategyDefinition {
  const strategy = strategies.find((s) => s.name === name);
  if (!strategy) throw new StrategyParamError(`unknown strategy '${name}' (available: ${strategies.map((s) => s.name).join(", ")})`);
  return strategy;
}
