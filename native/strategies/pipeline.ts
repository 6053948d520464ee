// Composition as data: strategies chained (each step starts from the previous step's selected answer, e.g.
// Best-of-N feeding Self-Refine) or run side by side with a final selection (one holistic critique of every
// branch's answer, so all are judged by the same rubric, or a majority vote).
// A preset is a JSON file holding one strategy with its parameters or such a pipeline; users share the file.
import { readFile, writeFile } from "node:fs/promises";
import { z } from "zod";
import type { RunContext } from "./context.ts";
import { selectByScoreSeeded, voteSeeded } from "./seeded-select.ts";
import { type ContextBudgets, defineStrategy, MAX_LANES, resolveParams, StrategyParamError, type Selection, type StrategyDefinition } from "./types.ts";
import { judging } from "./context-need.ts";

export type PipelineSpec =
  | { strategy: string; params?: Record<string, number | boolean | string> }
  | { kind: "chain"; steps: PipelineSpec[] }
  | { kind: "parallel"; branches: PipelineSpec[]; select?: "critic" | "vote" };

const param = z.union([z.number(), z.boolean(), z.string()]);
const spec: z.ZodType<PipelineSpec> = z.lazy(() =>
  z.union([
    z.object({ strategy: z.string().min(1), params: z.record(z.string(), param).optional() }).strict(),
    z.object({ kind: z.literal("chain"), steps: z.array(spec).min(1) }).strict(),
    z.object({ kind: z.literal("parallel"), branches: z.array(spec).min(2), select: z.enum(["critic", "vote"]).optional() }).strict(),
  ]),
);

export const presetSchema = z.object({ name: z.string().min(1), description: z.string().optional(), pipeline: spec }).strict();
export type Preset = z.infer<typeof presetSchema>;

export function parsePipeline(json: string): PipelineSpec {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new StrategyParamError(`pipeline spec is not JSON: ${(error as Error).message}`);
  }
  const parsed = spec.safeParse(value);
  if (!parsed.success)
    throw new StrategyParamError(`pipeline spec is invalid: ${parsed.error.issues[0]!.message} at ${parsed.error.issues[0]!.path.join(".") || "the top"}`);
  return parsed.data;
}

export async function readPreset(path: string): Promise<Preset> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new StrategyParamError(
      `cannot read preset ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StrategyParamError(`preset ${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = presetSchema.safeParse(value);
  if (!parsed.success)
    throw new StrategyParamError(`preset ${path} is invalid: ${parsed.error.issues[0]!.message} at ${parsed.error.issues[0]!.path.join(".") || "the top"}`);
  return parsed.data;
}

export async function writePreset(path: string, preset: Preset): Promise<void> {
  presetSchema.parse(preset);
  await writeFile(path, `${JSON.stringify(preset, null, 2)}\n`);
}

/** A preset as the runner's (strategy, params): a lone strategy as itself, a composition as the pipeline strategy. */
export function presetToRun(preset: Preset): { strategy: string; params: Record<string, number | boolean | string> } {
  const p = preset.pipeline;
  if ("strategy" in p) return { strategy: p.strategy, params: p.params ?? {} };
  return { strategy: "pipeline", params: { spec: JSON.stringify(p) } };
}

type Lookup = (name: string) => StrategyDefinition;

/** Checks every nested strategy name and parameter before anything runs. */
export function validatePipeline(pipeline: PipelineSpec, lookup: Lookup, depth = 0): void {
  if (depth > 4) throw new StrategyParamError("pipelines nest at most 4 deep");
  if ("strategy" in pipeline) {
    if (pipeline.strategy === "pipeline") throw new StrategyParamError("nest pipelines as specs, not as the pipeline strategy");
    resolveParams(lookup(pipeline.strategy), pipeline.params ?? {});
  } else for (const child of "steps" in pipeline ? pipeline.steps : pipeline.branches) validatePipeline(child, lookup, depth + 1);
}

async function runSpec(ctx: RunContext, pipeline: PipelineSpec, lookup: Lookup, startFrom: string | null): Promise<Selection> {
  if ("strategy" in pipeline) {
    const strategy = lookup(pipeline.strategy);
    ctx.seedNextDraft(startFrom);
    return strategy.run(ctx, resolveParams(strategy, pipeline.params ?? {}));
  }
  if (pipeline.kind === "chain") {
    let selection: Selection | null = null;
    for (const step of pipeline.steps) selection = await runSpec(ctx, step, lookup, selection?.nodeId ?? startFrom);
    return selection!;
  }
  // Branches share the context but run one after another, so each branch's first draft is its own.
  const selections: Selection[] = [];
  for (const branch of pipeline.branches) selections.push(await runSpec(ctx, branch, lookup, startFrom));
  const ids = [...new Set(selections.map((s) => s.nodeId))];
  if (pipeline.select === "vote") return { nodeId: voteSeeded(ctx, ids, 99).winnerId };
  // One rubric for every branch: the branches' own scores come from different scales (a holistic 0–10, Eigen-1's
  // quality, GRA's reviews, an adjudicator's 10/0), so each branch's answer is critiqued afresh the same way.
  await ctx.map(ids, (id, i) => ctx.critique(id, { mode: "holistic", iteration: 99, lane: `critic-${i % MAX_LANES}`, step: "final-check" }));
  return { nodeId: selectByScoreSeeded(ctx, ids, 99, "final-select").id };
}

/** The largest context any nested strategy needs with its own parameters. */
export function pipelineContextNeeded(pipeline: PipelineSpec, lookup: Lookup, budgets: ContextBudgets): number {
  if ("strategy" in pipeline) {
    const strategy = lookup(pipeline.strategy);
    return strategy.contextNeeded(resolveParams(strategy, pipeline.params ?? {}), budgets);
  }
  return Math.max(0, ...("steps" in pipeline ? pipeline.steps : pipeline.branches).map((child) => pipelineContextNeeded(child, lookup, budgets)));
}

/** Whether any strategy in the pipeline runs with an oracle switch (reference answers or grading tests). */
export function pipelineUsesOracle(pipeline: PipelineSpec, lookup: Lookup): boolean {
  if ("strategy" in pipeline) {
    const strategy = lookup(pipeline.strategy);
    const params = resolveParams(strategy, pipeline.params ?? {});
    return params.oracle === true || strategy.usesOracle?.(params) === true;
  }
  return ("steps" in pipeline ? pipeline.steps : pipeline.branches).some((child) => pipelineUsesOracle(child, lookup));
}

/** Whether any strategy in the pipeline has its reference-answer oracle on (the run then needs a reference). */
export function pipelineNeedsReference(pipeline: PipelineSpec, lookup: Lookup): boolean {
  if ("strategy" in pipeline) {
    const strategy = lookup(pipeline.strategy);
    const params = resolveParams(strategy, pipeline.params ?? {});
    return params.oracle === true || strategy.needsReference?.(params) === true;
  }
  return ("steps" in pipeline ? pipeline.steps : pipeline.branches).some((child) => pipelineNeedsReference(child, lookup));
}

export function makePipelineStrategy(lookup: Lookup): StrategyDefinition {
  return defineStrategy({
    name: "pipeline",
    title: "Pipeline (composition)",
    paper: "composition of the strategies above",
    summary: "Chains strategies (each starts from the previous answer) or runs them side by side and selects one.",
    params: [
      {
        name: "spec",
        type: "string",
        default: '{"kind":"chain","steps":[{"strategy":"best-of-n","params":{"n":4}},{"strategy":"self-refine","params":{"maxIterations":2}}]}',
        description: "the pipeline as JSON (or use --preset <file>)",
      },
    ],
    actorLanes: () => 4,
    // The longest conversation of any stage, or the final check of the branches' answers.
    contextNeeded: (params, budgets) => Math.max(judging(budgets), pipelineContextNeeded(parsePipeline(params.spec), lookup, budgets)),
    validate(params) {
      validatePipeline(parsePipeline(params.spec), lookup);
    },
    usesOracle: (params) => pipelineUsesOracle(parsePipeline(params.spec), lookup),
    needsReference: (params) => pipelineNeedsReference(parsePipeline(params.spec), lookup),
    async run(ctx, params) {
      const pipeline = parsePipeline(params.spec);
      validatePipeline(pipeline, lookup);
      return runSpec(ctx, pipeline, lookup, null);
    },
  });
}
