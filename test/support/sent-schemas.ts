// Every JSON schema Refinery sends a critic, collected by running every registered strategy on scripted backends
// (and critic evaluation's correction schema, which no strategy sends): what the schema checks and the grammar
// test walk, so a schema added to a strategy is covered without being listed anywhere.
import type { GenerateRequest, JsonSchema } from "../../native/llm/backend.ts";
import { correctionSchema } from "../../native/eval/critic-eval.ts";
import type { Task } from "../../native/protocol/events.ts";
import { strategies } from "../../native/strategies/registry.ts";
import { MAX_STEPS, stepwiseSchema } from "../../native/strategies/verdicts.ts";
import { scriptedRun } from "./scripted-run.ts";

const mathTask: Task = { question: "What is 6 * 7?", reference: "42" };
const codeTask: Task = {
  question: 'def square(x):\n    """Return x squared.\n    >>> square(3)\n    9\n    """\n',
  tests: { language: "python", code: "def check(f):\n    assert f(3) == 9", entryPoint: "square" },
};

/** A value the schema accepts; `pick` varies enums and booleans between calls so gates go both ways. */
function instanceOf(schema: Record<string, unknown>, pick: number): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[pick % schema.enum.length];
  if (schema.type === "boolean") return pick % 2 === 0;
  if (schema.type === "string") return "square(3)";
  if (schema.type === "array") {
    const items = schema.items as Record<string, unknown>;
    return Array.from({ length: (schema.minItems as number | undefined) ?? 1 }, (_, i) => instanceOf(items, pick + i));
  }
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.fromEntries(Object.entries(properties).map(([name, property], i) => [name, instanceOf(property, pick * 7 + i * 3)]));
}

function answer(task: Task) {
  return (request: GenerateRequest, call: number): string => {
    if (request.jsonSchema) return JSON.stringify(instanceOf(request.jsonSchema, call));
    return task.tests ? "```python\ndef square(x):\n    return x * x\n```" : "Step 1: 6 * 7 = 42.\nStep 2: check it.\nThe answer is 42.";
  };
}

/** name ("strategy/step") → each distinct schema sent under it. */
export async function sentSchemas(): Promise<Map<string, JsonSchema[]>> {
  const sent = new Map<string, JsonSchema[]>();
  const add = (name: string, schema: JsonSchema) => {
    const known = sent.get(name) ?? [];
    if (!known.some((s) => JSON.stringify(s) === JSON.stringify(schema))) known.push(schema);
    sent.set(name, known);
  };
  for (const strategy of strategies) {
    if (strategy.name === "pipeline") continue;
    for (const task of strategy.name === "cycle" ? [codeTask] : strategy.name === "rlac" ? [mathTask, codeTask] : [mathTask]) {
      const run = await scriptedRun({ strategy: strategy.name, task, actor: answer(task), critic: answer(task) });
      for (const backend of [run.actor, run.critic]) {
        for (const request of backend.requests) {
          if (!request.jsonSchema) continue;
          const node = run.nodes.find((n) => JSON.stringify(n.prompt) === JSON.stringify(request.messages));
          add(`${strategy.name}/${node?.step ?? "?"}`, request.jsonSchema);
        }
      }
    }
  }
  // Stepwise verdicts come in one shape per step count; a scripted solution only shows a few of them.
  for (let n = 1; n <= MAX_STEPS; n++) add("stepwise", stepwiseSchema(n));
  add("critic-eval/correction", correctionSchema);
  return sent;
}

/** What a schema breaks of standard JSON Schema's strict reading: paths of objects missing required or additionalProperties. */
export function strictnessProblems(schema: unknown, path = "$"): string[] {
  if (typeof schema !== "object" || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const problems: string[] = [];
  if (node.type === "object" || node.properties !== undefined) {
    const names = Object.keys((node.properties ?? {}) as object);
    const required = Array.isArray(node.required) ? (node.required as string[]) : [];
    const missing = names.filter((name) => !required.includes(name));
    if (node.type !== "object") problems.push(`${path}: properties without type "object"`);
    if (missing.length) problems.push(`${path}: not in required: ${missing.join(", ")}`);
    if (required.some((name) => !names.includes(name))) problems.push(`${path}: required names an unknown property`);
    if (node.additionalProperties !== false) problems.push(`${path}: additionalProperties is not false`);
  }
  for (const [name, property] of Object.entries((node.properties ?? {}) as Record<string, unknown>))
    problems.push(...strictnessProblems(property, `${path}.${name}`));
  if (node.items) problems.push(...strictnessProblems(node.items, `${path}[]`));
  return problems;
}
