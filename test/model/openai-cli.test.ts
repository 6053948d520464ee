// The command line against Refinery's own `serve --openai`, as users run them: real processes, a run with a
// remote actor and critic (key from the variable --api-key-env names), an experiment over two endpoints with
// per-endpoint progress, clear errors, and the key in no file.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, testModel } from "../support/models.ts";

const bin = join(repoRoot, "bin/refinery.mjs");
const scratch = mkdtempSync(join(tmpdir(), "refinery-openai-cli-"));
const children: ChildProcess[] = [];
let servers: Array<{ baseUrl: string; apiKey: string }> = [];

/** Starts `refinery serve --openai` and reads its base URL and key from what it prints. */
function serveOpenAI(actor: string, critic: string, runs: string): Promise<{ baseUrl: string; apiKey: string }> {
  const child = spawn(process.execPath, [bin, "serve", "--openai", "--actor", actor, "--critic", critic, "--runs", runs, "--threads", "1", "--parallel", "2"], {
    cwd: scratch,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const baseUrl = /base URL: (\S+)/.exec(out)?.[1];
      const apiKey = /API key:\s+(\S+)/.exec(out)?.[1];
      if (baseUrl && apiKey) resolve({ baseUrl, apiKey });
    });
    child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`serve --openai exited with ${code}: ${err}`)));
  });
}

function refinery(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: scratch, timeout: 300_000, env: { ...process.env, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

before(async () => {
  const actor = await testModel("tinyChat");
  const critic = await testModel("tinyCritic");
  servers = await Promise.all([serveOpenAI(actor, critic, join(scratch, "served-a")), serveOpenAI(actor, critic, join(scratch, "served-b"))]);
});

after(() => {
  for (const child of children) child.kill("SIGTERM");
});

test("refinery run --actor openai:… works against refinery serve --openai, the key read from --api-key-env", () => {
  const [a] = servers;
  const out = join(scratch, "runs");
  const run = refinery(
    { RFY_KEY: a!.apiKey, OPENAI_API_KEY: "" },
    "run",
    "--strategy",
    "self-refine",
    "--param",
    "maxIterations=1",
    "--actor",
    `openai:${a!.baseUrl}#tinyChat`,
    "--critic",
    `openai:${a!.baseUrl}#tinyCritic`,
    "--task",
    "What is 2 + 3?",
    "--out",
    out,
    "--max-tokens",
    "16",
    "--critic-max-tokens",
    "48",
    "--api-key-env",
    "RFY_KEY",
    "--json",
  );
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.equal(summary.status, "finished");
  const manifest = JSON.parse(readFileSync(join(summary.dir, "manifest.json"), "utf8"));
  assert.equal(manifest.models[0].path, `openai:${a!.baseUrl}#tinyChat`);
  assert.equal(manifest.models[0].remote.kind, "refinery");
  const unauthorised = refinery(
    { OPENAI_API_KEY: "wrong-key" },
    "run",
    "--strategy",
    "single-pass",
    "--actor",
    `openai:${a!.baseUrl}#tinyChat`,
    "--task",
    "x",
    "--out",
    out,
    "--json",
  );
  assert.equal(unauthorised.code, 1);
  assert.match(JSON.parse(unauthorised.stdout).failure.reason, /401: missing or wrong API key/);
  const unset = refinery(
    {},
    "run",
    "--strategy",
    "single-pass",
    "--actor",
    `openai:${a!.baseUrl}#tinyChat`,
    "--task",
    "x",
    "--api-key-env",
    "NO_SUCH_VARIABLE_HERE",
  );
  assert.equal(unset.code, 2);
  assert.match(unset.stderr, /--api-key-env NO_SUCH_VARIABLE_HERE: that environment variable is not set/);
  const malformed = refinery({}, "run", "--strategy", "single-pass", "--actor", "openai:http://127.0.0.1:1/v1", "--task", "x");
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /names no model/);
});

test("refinery experiment over two endpoints spreads the cells and shows throughput per endpoint", () => {
  const [a, b] = servers;
  const dataset = join(scratch, "items.jsonl");
  writeFileSync(dataset, Array.from({ length: 6 }, (_, i) => JSON.stringify({ question: `What is ${i} + 1?`, answer: `#### ${i + 1}` })).join("\n"));
  const out = join(scratch, "experiment");
  // The same key on both servers' variable is not needed: each endpoint takes the key of its role's variable,
  // so both servers get the key here through the URL, which is never written down.
  const withKey = (s: { baseUrl: string; apiKey: string }) => `openai:${s.baseUrl.replace("http://", `http://:${s.apiKey}@`)}#tinyChat`;
  const run = refinery(
    {},
    "experiment",
    "--dataset",
    dataset,
    "--strategy",
    "single-pass",
    "--actor",
    withKey(a!),
    "--actor",
    withKey(b!),
    "--out",
    out,
    "--max-tokens",
    "12",
    "--json",
  );
  assert.equal(run.code, 0, run.stderr);
  const results = readFileSync(join(out, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(results.length, 6);
  assert.match(run.stderr, new RegExp(`${a!.baseUrl.replace(/[/.]/g, "\\$&")}: \\d+ done`));
  assert.match(run.stderr, new RegExp(`${b!.baseUrl.replace(/[/.]/g, "\\$&")}: \\d+ done`));
  const config = JSON.parse(readFileSync(join(out, "experiment.json"), "utf8"));
  assert.deepEqual(config.columns[0].actor.replicas, [`openai:${a!.baseUrl}#tinyChat`, `openai:${b!.baseUrl}#tinyChat`]);
  const served = (dir: string) => (existsSync(join(scratch, dir)) ? readdirSync(join(scratch, dir)).length : 0);
  assert.equal(served("served-a") + served("served-b"), 0, "plain models do not log runs on the server");
});

test("no file written by either side holds a key", () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
  for (const file of files(scratch)) {
    const text = readFileSync(file, "utf8");
    for (const { apiKey } of servers) assert.ok(!text.includes(apiKey), file);
  }
});
