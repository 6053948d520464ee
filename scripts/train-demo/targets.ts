// The targets for the demo pair, checked against the figures bench/demo-bench.ts measured.

const shortPath = (path: string) => path.replace(/^.*\/resources\//, "resources/");

export interface ColumnFigures {
  column: string;
  accuracy: number;
  interval: [number, number];
  failed: number;
  meanTotalTokens: number;
  /** Share of items whose final answer Refinery could extract (the model kept the answer format). */
  answered: number;
  difference?: number;
  pValue?: number;
  wins?: number;
  losses?: number;
  harmRate?: number;
  fixRate?: number;
}

export interface DemoFigures {
  model: string;
  /** The critic's GGUF (the actor's when one model plays both roles). */
  criticModel?: string;
  items: number;
  columns: ColumnFigures[];
  critic: {
    items: number;
    stepAccuracy: number;
    allCorrectBaseline: number;
    steps: number;
    f1: number;
    erroneousAccuracy: number;
    correctAccuracy: number;
    unparseable: number;
  };
  seconds: number;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const points = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)} points`;

function column(figures: DemoFigures, name: string): ColumnFigures {
  const found = figures.columns.find((c) => c.column === name);
  if (!found) throw new Error(`the demo figures have no '${name}' column`);
  return found;
}

export function checkTargets(figures: DemoFigures): TargetCheck[] {
  const single = column(figures, "single-pass");
  const vote = column(figures, "self-consistency(n=8)");
  const guided = column(figures, "critic-guided");
  const steps = column(figures, "step-critique");
  const gain = (c: ColumnFigures) => `${points(c.difference ?? 0)}, McNemar p=${(c.pValue ?? 1).toPrecision(2)}, harm ${pct(c.harmRate ?? 0)}`;
  return [
    { target: "single-pass greedy accuracy 35–75%", measured: pct(single.accuracy), met: single.accuracy >= 0.35 && single.accuracy <= 0.75 },
    {
      target: "self-consistency n=8 ≥ single-pass + 10 points, p < 0.01",
      measured: gain(vote),
      met: (vote.difference ?? 0) >= 0.1 && (vote.pValue ?? 1) < 0.01,
    },
    { target: "critic-guided ≥ single-pass + 5 points", measured: gain(guided), met: (guided.difference ?? 0) >= 0.05 },
    { target: "step-critique ≥ single-pass + 5 points", measured: gain(steps), met: (steps.difference ?? 0) >= 0.05 },
    // Most steps are right, so calling every step correct already scores high: the critic must also beat that.
    {
      target: "critic step verdict accuracy ≥ 85% (and above calling every step correct)",
      measured: `${pct(figures.critic.stepAccuracy)} (every step called correct: ${pct(figures.critic.allCorrectBaseline)})`,
      met: figures.critic.stepAccuracy >= 0.85 && figures.critic.stepAccuracy > figures.critic.allCorrectBaseline,
    },
    { target: "critic first-error-step F1 ≥ 0.7", measured: figures.critic.f1.toFixed(3), met: figures.critic.f1 >= 0.7 },
  ];
}

export function demoTable(figures: DemoFigures): string {
  const rows = figures.columns.map(
    (c) =>
      `| ${c.column} | ${pct(c.accuracy)} (${pct(c.interval[0])}–${pct(c.interval[1])}) | ${pct(c.answered)} | ${c.difference === undefined ? "baseline" : points(c.difference)} | ${c.pValue === undefined ? "" : c.pValue.toPrecision(2)} | ${c.wins ?? ""}/${c.losses ?? ""} | ${c.harmRate === undefined ? "" : pct(c.harmRate)} | ${c.fixRate === undefined ? "" : pct(c.fixRate)} | ${Math.round(c.meanTotalTokens)} | ${c.failed} |`,
  );
  const complete = ["single-pass", "self-consistency(n=8)", "critic-guided", "step-critique"].every((name) => figures.columns.some((c) => c.column === name));
  const checks = complete
    ? [
        "| target (issue 30) | measured | |",
        "|---|---|---|",
        ...checkTargets(figures).map((t) => `| ${t.target} | ${t.measured} | ${t.met ? "met" : "not met"} |`),
      ]
    : ["(Not every column was run: no target is checked.)"];
  const critic = figures.critic;
  return [
    "# Demo pair through Refinery",
    "",
    figures.criticModel && figures.criticModel !== figures.model
      ? `Actor \`${shortPath(figures.model)}\`, critic \`${shortPath(figures.criticModel)}\`, ${figures.items} items of the demo test split`
      : `Model \`${shortPath(figures.model)}\` as actor and critic, ${figures.items} items of the demo test split`,
    "(`resources/datasets/demo-arithmetic.jsonl`), seed 1, one item at a time on the CPU. Actor greedy (self-consistency",
    `samples at 0.8), critic greedy. Written by \`npm run bench:demo\` in ${figures.seconds} s.`,
    "",
    "| column | accuracy (95% CI) | answer stated | vs single-pass | McNemar p | wins/losses | harm (right → wrong) | fixed (wrong → right) | tokens per item | failed |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `Critic on the ProcessBench-layout export (\`resources/datasets/demo-processbench.json\`, ${critic.items} solutions, about half with one wrong step):`,
    `step verdict accuracy ${pct(critic.stepAccuracy)} over ${critic.steps} steps (calling every step correct scores ${pct(critic.allCorrectBaseline)}); first-error F1 ${critic.f1.toFixed(3)}`,
    `(erroneous ${pct(critic.erroneousAccuracy)}, correct ${pct(critic.correctAccuracy)}, ${critic.unparseable} unparseable).`,
    "",
    ...checks,
    "",
  ].join("\n");
}
