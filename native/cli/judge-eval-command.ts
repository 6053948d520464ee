// `refinery judge-eval`: a judge model measured against human labels (LLMBar, PandaLM, FED ratings or a plain
// labelled file) before its verdicts are trusted in experiments.
import { flagOptions } from "../protocol/field-labels.ts";
import { COMMAND_FLAGS } from "./command-flags.ts";
import { specLabel } from "../protocol/model-spec.ts";
import type { GpuChoice } from "../llm/runtime.ts";
import { intOption, parse, threadsOption, UsageError } from "./args.ts";
import { applyEndpointFlags } from "./endpoint-flags.ts";

export async function commandJudgeEval(args: string[]): Promise<number> {
  const { values } = parse(args, flagOptions(COMMAND_FLAGS["judge-eval"]));
  if (!values.dataset || !values.judge) throw new UsageError("judge-eval needs --dataset <human-labelled file> and --judge <model>");
  if (values.mode !== undefined && values.mode !== "pairwise" && values.mode !== "score" && values.mode !== "claims")
    throw new UsageError(`--mode takes pairwise, score or claims, got '${values.mode}'`);
  const [judgeSpec] = applyEndpointFlags(values, { actor: [], critic: [values.judge] }).critic;
  const { runJudgeEval, describeJudgeAgreement } = await import("../eval/judges/judge-eval.ts");
  const { openModelBackend } = await import("../runs/open-model.ts");
  const label = specLabel(judgeSpec!);
  const result = await runJudgeEval(
    {
      dataset: values.dataset,
      ...(values.mode ? { mode: values.mode as "pairwise" | "score" | "claims" } : {}),
      limit: intOption(values.limit, "limit", 1),
      seed: intOption(values.seed, "seed"),
      maxTokens: intOption(values["max-tokens"], "max-tokens", 1),
    },
    async () => ({
      label,
      backend: await openModelBackend(
        { path: values.judge! },
        { gpu: values.gpu as GpuChoice | undefined, threads: threadsOption(values.threads), laneScope: "judge-eval" },
      ),
    }),
    { onProgress: (done, total) => values.quiet || process.stderr.write(`\rjudged ${done}/${total}   `) },
  );
  if (!values.quiet) process.stderr.write("\n");
  if (values.json) process.stdout.write(`${JSON.stringify({ judge: label, ...result }, null, 2)}\n`);
  else process.stdout.write(`${describeJudgeAgreement(label, result)}\n`);
  return 0;
}
