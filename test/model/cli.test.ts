// The CLI as a user runs it: real processes, real files, one-line errors and non-zero exits for bad input,
// and no run folder left behind for a run that never started.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { validateRequest } from "../../native/protocol/contract.ts";
import { repoRoot, testModel } from "../support/models.ts";

const bin = join(repoRoot, "bin/refinery.mjs");
const gsm8k = resolve(repoRoot, "../shared/data/tasks/gsm8k_test.jsonl");
let actor: string;
let critic: string;
const scratch = mkdtempSync(join(tmpdir(), "refinery-cli-"));

function refinery(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: scratch, timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

before(async () => {
  actor = await testModel("tinyChat");
  critic = await testModel("tinyCritic");
});

test("run self-refine, then replay shows drafts, critiques with scores and the selected answer", () => {
  const out = join(scratch, "runs");
  const run = refinery(
    "run",
    "--strategy",
    "self-refine",
    "--actor",
    actor,
    "--critic",
    critic,
    "--task",
    "What is 2 + 3?",
    "--out",
    out,
    "--max-tokens",
    "24",
    "--threads",
    "1",
    "--param",
    "feedbackModel=critic",
    "--param",
    "feedbackFormat=json",
    "--json",
  );
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.equal(summary.status, "finished");
  assert.match(run.stderr, /loading actor/);
  assert.match(run.stderr, /n1 draft\/draft \(actor\) done/);
  const replay = refinery("replay", summary.dir);
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, /^\* n1 draft\/draft #0 \(actor\)/m);
  assert.match(replay.stdout, /n2 critique\/feedback #0 \(critic\)/);
  // The verdict before the score: a high score on an answer judged wrong reads "✗ 10/10 incorrect".
  assert.match(replay.stdout, /\[critic ((✓|✗) \d+\/10 (correct|incorrect)|\d+\/10 unknown|: unparseable)\]/);
  assert.match(replay.stdout, /^selected n\d+: /m);
  assert.match(replay.stdout, /tokens: \d+ along the critical path to the selected node, \d+ in all/);
  const json = JSON.parse(refinery("replay", join(summary.dir, "events.jsonl"), "--json").stdout);
  assert.equal(json.status, "finished");
});

test("a dataset run takes the first items of a GSM8K file and checks answers against references", () => {
  const out = join(scratch, "dataset-runs");
  const run = refinery(
    "run",
    "--strategy",
    "single-pass",
    "--actor",
    actor,
    "--dataset",
    gsm8k,
    "--limit",
    "2",
    "--out",
    out,
    "--max-tokens",
    "16",
    "--threads",
    "1",
    "--json",
    "--quiet",
  );
  assert.equal(run.code, 0, run.stderr);
  const results = JSON.parse(run.stdout);
  assert.equal(results.length, 2);
  assert.ok(results.every((r: { correct: boolean | null }) => r.correct === false || r.correct === true));
  assert.equal(readdirSync(out).length, 2);
  const manifest = JSON.parse(readFileSync(join(results[0].dir, "manifest.json"), "utf8"));
  assert.match(manifest.task.reference, /#### 18$/);
});

function expectFailure(args: string[], message: RegExp) {
  const out = join(scratch, `bad-${Math.random().toString(36).slice(2)}`);
  const result = refinery(...args, "--out", out);
  assert.notEqual(result.code, 0);
  assert.equal(result.stdout, "");
  const lines = result.stderr
    .trim()
    .split("\n")
    .filter((l) => !l.startsWith("run `refinery help`"));
  assert.equal(lines.length, 1, `one clear line, got:\n${result.stderr}`);
  assert.match(lines[0]!, message);
  assert.ok(!existsSync(out), "no run folder for a run that never started");
}

test("bad input: missing, foreign and truncated model files, empty task, unknown strategy", () => {
  const base = ["run", "--strategy", "single-pass", "--task", "2+2?"];
  expectFailure([...base, "--actor", join(scratch, "nope.gguf")], /^refinery: --actor: model file not found: .*nope\.gguf$/);
  const text = join(scratch, "notes.gguf");
  writeFileSync(text, "these are not weights\n");
  expectFailure([...base, "--actor", text], /not a GGUF file/);
  const bytes = readFileSync(actor);
  const truncated = join(scratch, "truncated.gguf");
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  expectFailure([...base, "--actor", truncated], /GGUF file is truncated: tensor '[^']+' needs bytes up to \d+ but the file has \d+/);
  const headerOnly = join(scratch, "header-cut.gguf");
  writeFileSync(headerOnly, bytes.subarray(0, 200));
  expectFailure([...base, "--actor", headerOnly], /GGUF header is cut short/);
  expectFailure(["run", "--strategy", "single-pass", "--task", "   ", "--actor", actor], /the task is empty/);
  expectFailure(["run", "--strategy", "tree-of-magic", "--task", "2+2?", "--actor", actor], /unknown strategy 'tree-of-magic'/);
  expectFailure([...base, "--actor", actor, "--critic", text], /--critic: .*not a GGUF file/);
  expectFailure(["run", "--strategy", "single-pass", "--dataset", join(scratch, "missing.jsonl"), "--actor", actor], /dataset not found/);
  expectFailure(["frobnicate"], /unknown command 'frobnicate'/);
});

test("inspect shows GGUF metadata and a memory estimate", () => {
  const result = refinery("inspect", actor, "--json", "--context-size", "2048", "--sequences", "2");
  assert.equal(result.code, 0, result.stderr);
  const info = JSON.parse(result.stdout);
  assert.equal(info.architecture, "llama");
  assert.equal(info.chatTemplate, true);
  assert.equal(info.layers, 2);
  assert.ok(info.estimate.model.cpuRam > 0 && info.estimate.context.cpuRam > 0);
  assert.equal(info.estimate.sequences, 2);
  assert.deepEqual(info.chatFormat, { wrapper: "ChatML", thoughts: false, overridden: false });
  const text = refinery("inspect", actor);
  assert.match(text.stdout, /estimated memory at context \d+ × 1 sequence/);
  assert.match(text.stdout, /chat wrapper: ChatML \(resolved by node-llama-cpp\) · thought segments: no/);
});

test("inspect names a thinking model's chat wrapper and its thought segments, and takes an override", async () => {
  const thinking = await testModel("thinkingChat");
  const text = refinery("inspect", thinking);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /chat wrapper: JinjaTemplate \(resolved by node-llama-cpp\) · thought segments: yes/);
  const named = JSON.parse(refinery("inspect", thinking, "--chat-wrapper", "chatML", "--json").stdout);
  assert.deepEqual(named.chatFormat, { wrapper: "ChatML", thoughts: false, overridden: true });
  const wrong = refinery("inspect", thinking, "--chat-wrapper", "nope");
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /unknown chat wrapper 'nope' \(known: /);
});

test("strategies lists every strategy with parameters and defaults", () => {
  const result = refinery("strategies", "--json");
  const list = JSON.parse(result.stdout) as Array<{ name: string; params: Array<{ name: string; default: unknown }> }>;
  assert.deepEqual(
    list.map((s) => s.name),
    [
      "single-pass",
      "self-refine",
      "critic-guided",
      "best-of-n",
      "self-consistency",
      "weighted-best-of-n",
      "beam-search",
      "dvts",
      "deepconf",
      "step-critique",
      "magicore",
      "pdr",
      "sequential-refinement",
      "glore",
      "eigen-1",
      "gra",
      "mctsr",
      "cycle",
      "rlac",
      "checklist-refine",
      "progressive-refine",
      "keep-if-better",
      "review-revise",
      "pipeline",
    ],
  );
  assert.ok(list.every((s) => s.params.every((p) => p.default !== undefined)));
  assert.equal(list.find((s) => s.name === "self-refine")!.params.find((p) => p.name === "maxIterations")!.default, 4);
});

/** A self-consistency run long enough to be stopped part-way (six samples of up to 3,000 tokens, one at a time). */
const longRunArgs = (out: string) => [
  bin,
  "run",
  "--strategy",
  "self-consistency",
  "--param",
  "n=6",
  "--sequential",
  "--actor",
  actor,
  "--task",
  "Count to ten.",
  "--out",
  out,
  "--max-tokens",
  "3000",
  "--threads",
  "1",
];

test("a run killed mid-generation keeps every completed node; replay shows it unfinished", async () => {
  const { spawn } = await import("node:child_process");
  const out = join(scratch, "killed");
  const child = spawn(process.execPath, longRunArgs(out), { cwd: scratch, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  await new Promise<void>((resolveKill) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      // Kill while the third sample is generating: two nodes are complete, one is in flight.
      if ((stderr.match(/ done: /g) ?? []).length === 2) child.kill("SIGKILL");
    });
    child.on("exit", () => resolveKill());
  });
  const [runDir] = readdirSync(out);
  const replay = refinery("replay", join(out, runDir!));
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, /n1 draft\/sample/);
  assert.match(replay.stdout, /n2 draft\/sample/);
  assert.match(replay.stdout, /run incomplete: no run-finished event/);
  const manifest = JSON.parse(readFileSync(join(out, runDir!, "manifest.json"), "utf8"));
  assert.equal(manifest.status, "running", "a killed run never looks finished");
  // The next listing sees its writer is gone and settles it as interrupted, on disk too.
  const listed = refinery("runs", "--out", out, "--json");
  assert.equal(listed.code, 0, listed.stderr);
  const [summary] = JSON.parse(listed.stdout);
  assert.equal(summary.status, "failed");
  assert.match(summary.failure, /^interrupted: the process writing this run stopped/);
  assert.equal(JSON.parse(readFileSync(join(out, runDir!, "manifest.json"), "utf8")).status, "failed");
  assert.match(refinery("runs", "--out", out).stdout, /self-consistency {2}failed: interrupted/);
});

test("presets: a shipped pipeline runs with --preset, and --save-preset writes a file that runs the same", () => {
  const out = join(scratch, "preset-runs");
  const preset = join(repoRoot, "resources/presets/best-of-n-then-self-refine.json");
  const run = refinery(
    "run",
    "--preset",
    preset,
    "--param",
    `spec=${JSON.stringify({
      kind: "chain",
      steps: [
        { strategy: "best-of-n", params: { n: 2 } },
        { strategy: "self-refine", params: { maxIterations: 1, feedbackModel: "critic" } },
      ],
    })}`,
    "--actor",
    actor,
    "--critic",
    critic,
    "--task",
    "1+1?",
    "--out",
    out,
    "--max-tokens",
    "16",
    "--threads",
    "1",
    "--json",
    "--quiet",
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).status, "finished");
  const saved = join(scratch, "my-preset.json");
  const save = refinery(
    "run",
    "--strategy",
    "best-of-n",
    "--param",
    "n=2",
    "--save-preset",
    saved,
    "--actor",
    actor,
    "--critic",
    critic,
    "--task",
    "1+1?",
    "--out",
    out,
    "--max-tokens",
    "8",
    "--threads",
    "1",
    "--quiet",
  );
  assert.equal(save.code, 0, save.stderr);
  assert.deepEqual(JSON.parse(readFileSync(saved, "utf8")).pipeline, {
    strategy: "best-of-n",
    params: { n: 2, temperature: 0.8, threshold: 0, selectBy: "score", tieBreak: "seed" },
  });
  const again = refinery(
    "run",
    "--preset",
    saved,
    "--actor",
    actor,
    "--critic",
    critic,
    "--task",
    "1+1?",
    "--out",
    out,
    "--max-tokens",
    "8",
    "--threads",
    "1",
    "--quiet",
    "--json",
  );
  assert.equal(again.code, 0, again.stderr);
  const bad = join(scratch, "bad-preset.json");
  writeFileSync(bad, JSON.stringify({ name: "x", pipeline: { kind: "chain", steps: [] } }));
  const failed = refinery("run", "--preset", bad, "--actor", actor, "--task", "1+1?", "--out", out);
  assert.notEqual(failed.code, 0);
  assert.match(failed.stderr, /preset .*bad-preset\.json is invalid/);
});

test("flags are checked by the run form's schema: refused with the form's rule, named by the flag", () => {
  const base = ["run", "--strategy", "single-pass", "--task", "2+2?", "--actor", actor];
  const form = (input: Record<string, unknown>) => {
    const result = validateRequest("startRun", {
      strategy: "single-pass",
      actor: { path: actor },
      critic: { path: actor },
      task: { question: "2+2?" },
      ...input,
    });
    return result.ok ? "" : result.error;
  };
  // The same words the UI shows under its field, the label swapped for the flag.
  assert.equal(form({ actor: { path: actor, sampling: { maxTokens: 0 } } }), "Max tokens: at least 1");
  expectFailure([...base, "--max-tokens", "0"], /^refinery: --max-tokens: at least 1$/);
  assert.equal(form({ actor: { path: actor, sampling: { maxTokens: 99999999 } } }), "Max tokens: at most 32,768");
  expectFailure([...base, "--max-tokens", "99999999"], /^refinery: --max-tokens: at most 32,768$/);
  assert.equal(form({ actor: { path: actor, load: { contextSize: 99999999 } } }), "Actor context: at most 1,048,576");
  expectFailure([...base, "--context-size", "99999999"], /^refinery: --context-size: at most 1,048,576$/);
  expectFailure([...base, "--seed", "-1"], /^refinery: --seed: at least 0$/);
  expectFailure([...base, "--max-tokens", "lots"], /^refinery: --max-tokens: must be a number$/);
  expectFailure(
    ["run", "--strategy", "self-refine", "--task", "2+2?", "--actor", actor, "--param", "maxIterations=99"],
    /^refinery: --param maxIterations: must be a whole number from 0 to 16, got '99'$/,
  );
});

test("a run whose models will not fit the memory is refused before loading, saying what to change; --force loads anyway", () => {
  const out = join(scratch, "will-not-fit");
  const args = ["run", "--strategy", "single-pass", "--task", "2+2?", "--actor", actor, "--max-tokens", "8", "--threads", "1", "--ram", "64KiB", "--vram", "0"];
  expectFailure(
    args,
    /^refinery: the models will not fit in memory: needs .* RAM, .* available \(actor context \d+ × \d+ lanes, critic context \d+ × \d+ lanes on the actor's copy\)\. To make it fit: a smaller context.*; or, to load anyway, pass --force$/,
  );
  const forced = refinery(...args, "--force", "--out", out, "--json");
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(JSON.parse(forced.stdout).status, "finished");
});

test("Self-Refine's own feedback is credited to the actor that wrote it, in the progress lines and the replay", () => {
  const out = join(scratch, "own-feedback");
  const run = refinery(
    ...["run", "--strategy", "self-refine", "--actor", actor, "--critic", critic, "--task", "What is 2 + 3?", "--out", out],
    ...[
      "--max-tokens",
      "16",
      "--critic-max-tokens",
      "48",
      "--threads",
      "1",
      "--param",
      "feedbackModel=actor",
      "--param",
      "feedbackFormat=json",
      "--param",
      "maxIterations=0",
      "--json",
    ],
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /n1 scored .* by actor \(n2\)/);
  const replay = refinery("replay", JSON.parse(run.stdout).dir);
  assert.match(replay.stdout, /n2 critique\/feedback #0 \(actor\)/);
  assert.match(replay.stdout, /\[actor[: ]/);
  assert.doesNotMatch(replay.stdout, /\[critic[: ]/);
});

test("SIGTERM cancels a run like Ctrl-C: the log ends with the cancellation, the manifest says cancelled", async () => {
  const { spawn } = await import("node:child_process");
  const out = join(scratch, "terminated");
  const child = spawn(process.execPath, longRunArgs(out), { cwd: scratch, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolveExit) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if ((stderr.match(/ done: /g) ?? []).length === 1 && !child.killed) child.kill("SIGTERM");
    });
    child.on("exit", (exitCode) => resolveExit(exitCode));
  });
  assert.equal(code, 130, stderr);
  assert.match(stdout, /\n {2}cancelled\n/);
  const [runDir] = readdirSync(out);
  const manifest = JSON.parse(readFileSync(join(out, runDir!, "manifest.json"), "utf8"));
  assert.equal(manifest.status, "cancelled");
  assert.equal(manifest.writer, undefined, "the manifest was finished, not left to the next listing");
  const lastLine = readFileSync(join(out, runDir!, "events.jsonl"), "utf8")
    .trimEnd()
    .split("\n")
    .at(-1)!;
  assert.equal(JSON.parse(lastLine).code, "cancelled");
  const replay = refinery("replay", join(out, runDir!));
  assert.match(replay.stdout, /^run cancelled: cancelled by the user$/m);
  assert.match(refinery("runs", "--out", out).stdout, /self-consistency {2}cancelled\n/);
});

test("run self-refine with the actor's own feedback does not load the critic it never calls", () => {
  const out = join(scratch, "runs-own-feedback");
  const run = refinery(
    "run",
    "--strategy",
    "self-refine",
    "--actor",
    actor,
    "--critic",
    critic,
    "--task",
    "What is 2 + 3?",
    "--out",
    out,
    "--max-tokens",
    "8",
    "--critic-max-tokens",
    "16",
    "--threads",
    "1",
    "--param",
    "maxIterations=1",
    "--json",
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /the critic is not loaded: self-refine does not call it with these parameters/);
  assert.doesNotMatch(run.stderr, /loading critic/);
  const summary = JSON.parse(run.stdout);
  const manifest = JSON.parse(readFileSync(join(summary.dir, "manifest.json"), "utf8"));
  const roles = Object.fromEntries(manifest.models.map((m: { role: string; path: string; sampling: { maxTokens: number } }) => [m.role, m]));
  assert.equal(roles.critic.path, actor, "the critic role ran on the actor's copy");
  assert.equal(roles.critic.sampling.maxTokens, 16, "with the critic's own budget");
});
