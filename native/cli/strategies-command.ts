// refinery strategies: each strategy with its paper and parameters (their defaults are the paper's).
import { flagOptions } from "../protocol/field-labels.ts";
import { COMMAND_FLAGS } from "./command-flags.ts";
import { strategies } from "../strategies/registry.ts";
import { parse } from "./args.ts";

export function commandStrategies(args: string[]): number {
  const { values } = parse(args, flagOptions(COMMAND_FLAGS.strategies));
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify(
        strategies.map(({ name, title, paper, summary, params }) => ({ name, title, paper, summary, params })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  for (const strategy of strategies) {
    process.stdout.write(`${strategy.name} — ${strategy.title}\n  ${strategy.summary}\n  paper: ${strategy.paper}\n`);
    for (const param of strategy.params) process.stdout.write(`    --param ${param.name}=${String(param.default)}  ${param.description}\n`);
  }
  return 0;
}
