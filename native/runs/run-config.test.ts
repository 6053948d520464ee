// One run asked through each front door (`refinery run`'s flags, the engine's startRun, a strategy model of
// `serve --openai`) becomes one RunConfig, and a bad field is refused with one message (said by flag in the CLI).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GgmlType, GgufValueType } from "../llm/gguf/format.ts";
import { writeGguf } from "../llm/gguf/writer.ts";
import { parseRunFlags } from "../cli/run-command.ts";
import { engineRunPlace } from "../engine/handlers/runs.ts";
import type { EngineContext } from "../engine/handlers/context.ts";
import { relabel } from "../protocol/field-labels.ts";
import { strategyRunRequest } from "../server/openai-server.ts";
import { parseChatRequest } from "../server/openai-wire.ts";
import { buildRunConfig, parseRunRequest, runConfigFrom } from "./run-config.ts";
import { RunInputError, type RunConfig } from "./runner.ts";

const scratch = mkdtempSync(join(tmpdir(), "run-config-"));
const runsDir = join(scratch, "runs");
const question = "What is 2+2?";

/** A model file whose header reads (the CLI checks a critic it will not load). */
async function modelFile(name: string): Promise<string> {
  const path = join(scratch, name);
  await writeGguf(
    path,
    new Map([
      ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
      ["llama.context_length", { type: GgufValueType.UINT32, value: 4096 }],
    ]),
    [{ name: "a", dims: [8], type: GgmlType.F32, fill: (b) => b.fill(1) }],
  );
  return path;
}
const actorModel = await modelFile("a.gguf");
const criticModel = await modelFile("b.gguf");

interface Asked {
  strategy: string;
  params: Record<string, number | string>;
  actor: string;
  critic: string;
  seed: number;
  actorMaxTokens: number;
  temperature: number;
  criticMaxTokens: number;
}

const asked: Asked = {
  strategy: "self-refine",
  params: { maxIterations: 2, feedbackModel: "critic" },
  actor: actorModel,
  critic: criticModel,
  seed: 7,
  actorMaxTokens: 100,
  temperature: 0.5,
  criticMaxTokens: 50,
};

async function throughCli(run: Asked): Promise<RunConfig> {
  const { request, place } = await parseRunFlags([
    ...["--strategy", run.strategy, "--actor", run.actor, "--critic", run.critic, "--task", question, "--out", runsDir],
    ...Object.entries(run.params).flatMap(([name, value]) => ["--param", `${name}=${value}`]),
    ...["--seed", String(run.seed), "--max-tokens", String(run.actorMaxTokens), "--temperature", String(run.temperature)],
    ...["--critic-max-tokens", String(run.criticMaxTokens), "--quiet"],
  ]);
  return runConfigFrom({ ...request, task: { question } }, place);
}

function throughEngine(run: Asked): RunConfig {
  // What the run form sends for these settings (renderer/store/actions/runs.ts).
  const input = {
    strategy: run.strategy,
    params: run.params,
    actor: { path: run.actor, sampling: { maxTokens: run.actorMaxTokens, temperature: run.temperature }, load: {} },
    critic: { path: run.critic, sampling: { maxTokens: run.criticMaxTokens }, load: {} },
    task: { question },
    seed: run.seed,
  };
  const ctx = { options: { runsDir, gpu: "auto" } } as unknown as EngineContext;
  return runConfigFrom(parseRunRequest(input, "ui"), engineRunPlace(ctx));
}

function throughOpenAI(run: Asked): RunConfig {
  const chat = parseChatRequest({
    model: `${run.strategy}@a+b`,
    messages: [{ role: "user", content: question }],
    max_tokens: run.actorMaxTokens,
    temperature: run.temperature,
    seed: run.seed,
    refinery: { params: run.params, criticMaxTokens: run.criticMaxTokens },
  });
  const request = strategyRunRequest(chat, { name: run.strategy, params: {} }, question, { actor: run.actor, critic: run.critic });
  return buildRunConfig(request, { outDir: runsDir, gpu: "auto" }, "ui");
}

test("the same run through the CLI's flags, the engine's startRun and serve --openai is one RunConfig", async () => {
  const cli = await throughCli(asked);
  assert.deepEqual(throughEngine(asked), cli);
  assert.deepEqual(throughOpenAI(asked), cli);
  assert.deepEqual(cli, {
    strategy: "self-refine",
    params: { maxIterations: 2, feedbackModel: "critic" },
    actor: { path: actorModel, sampling: { maxTokens: 100, temperature: 0.5 } },
    critic: { path: criticModel, sampling: { maxTokens: 50 } },
    task: { question },
    seed: 7,
    parallel: true,
    outDir: runsDir,
    gpu: "auto",
  });
});

test("a strategy that never calls the critic runs it on the actor's model through every front door", async () => {
  const unused = { ...asked, params: { maxIterations: 2, feedbackModel: "actor" } };
  const configs = [await throughCli(unused), throughEngine(unused), throughOpenAI(unused)];
  for (const config of configs) assert.deepEqual(config.critic, { path: actorModel, sampling: { maxTokens: 50 } });
  assert.deepEqual(configs[1], configs[0]);
  assert.deepEqual(configs[2], configs[0]);
});

async function refusal(make: () => unknown): Promise<RunInputError> {
  try {
    await make();
  } catch (error) {
    assert.ok(error instanceof RunInputError, `refused as wrong input, not ${(error as Error).name}: ${(error as Error).message}`);
    return error;
  }
  assert.fail("the run was not refused");
}

test("a strategy parameter out of range is refused with one message and field through every front door", async () => {
  const bad = { ...asked, params: { ...asked.params, maxIterations: 99 } };
  const [cli, engine, openai] = await Promise.all([refusal(() => throughCli(bad)), refusal(() => throughEngine(bad)), refusal(() => throughOpenAI(bad))]);
  assert.match(engine.message, /maxIterations|Max iterations/);
  assert.equal(engine.field, "params.maxIterations");
  for (const other of [cli, openai]) assert.deepEqual({ message: other.message, field: other.field }, { message: engine.message, field: engine.field });
});

test("a field out of range is said by the run form's label in the app and by its flag in the CLI", async () => {
  const bad = { ...asked, actorMaxTokens: 40000 };
  const cli = await refusal(() => throughCli(bad));
  const engine = await refusal(() => throughEngine(bad));
  assert.equal(engine.field, "actor.sampling.maxTokens");
  assert.equal(cli.field, engine.field);
  assert.equal(engine.message, "Max tokens: at most 32,768");
  assert.equal(cli.message, relabel(engine.message, engine.field, "cli"));
  assert.equal(cli.message, "--max-tokens: at most 32,768");
});
