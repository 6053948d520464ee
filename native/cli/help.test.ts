// `refinery <command> --help` as a user types it: that command's usage on stdout, exit 0, even when the
// command's required flags are missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { FIELDS, type FieldDefinition } from "../protocol/field-labels.ts";
import { commandUsage, USAGE } from "./main.ts";
import { COMMAND_FLAGS } from "./command-flags.ts";
import { runFlagOptions } from "./run-flags.ts";
import { settingsDoc } from "./settings-doc.ts";

const repo = resolve(import.meta.dirname, "../..");

function refinery(...args: string[]) {
  const result = spawnSync(process.execPath, [join(repo, "bin/refinery.mjs"), ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("grade --help and run -h print that command's usage and exit 0", () => {
  const grade = refinery("grade", "--help");
  assert.equal(grade.code, 0, grade.stderr);
  assert.equal(grade.stderr, "");
  assert.match(grade.stdout, /^usage:\n {2}refinery grade --dataset <file> --field response=<f>/);
  assert.doesNotMatch(grade.stdout, /refinery run /, "only the command asked about");
  const run = refinery("run", "-h");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^usage:\n {2}refinery run /);
  assert.match(run.stdout, /--force loads anyway/);
});

test("every command's usage is its own block; the run's notes come after all of its flags", () => {
  const serve = commandUsage("serve")!;
  assert.equal(serve.match(/^ {2}refinery serve/gm)?.length, 2, "both forms of serve");
  const run = commandUsage("run")!.split("\n");
  const lastFlags = run.findLastIndex((line) => /^\s+\[--/.test(line));
  const refused = run.findIndex((line) => line.includes("Refused before loading"));
  assert.ok(refused > lastFlags, `the note is below the last flags line:\n${run.join("\n")}`);
  for (const command of ["replay", "runs", "inspect", "strategies", "gpu", "plan", "models", "download", "experiment", "report", "critic-eval"])
    assert.match(commandUsage(command) ?? "", new RegExp(`^usage:\\n {2}refinery ${command}\\b`), command);
  assert.equal(commandUsage("frobnicate"), null);
});

const flagsIn = (text: string) => new Set(text.match(/--[a-z][a-z0-9-]*/g));

test("every flag the help names is a setting of the one table (protocol/field-labels.ts)", () => {
  const table = new Set(Object.values(FIELDS as Record<string, FieldDefinition>).map((field) => field.flag));
  assert.deepEqual(
    [...flagsIn(USAGE)].filter((flag) => !table.has(flag as `--${string}`)),
    [],
    "flags in the help with no entry in the table",
  );
});

test("refinery run parses exactly the flags its usage shows, as the table writes them", () => {
  const parsed = Object.keys(runFlagOptions).map((name) => `--${name}`);
  assert.deepEqual([...flagsIn(commandUsage("run")!)].sort(), parsed.sort());
  assert.match(commandUsage("run")!, /\[--max-tokens n\] /);
  assert.match(commandUsage("run")!, /\[--param name=value …\] /, "a flag given several times");
  assert.deepEqual(runFlagOptions["max-tokens"], { type: "string" });
  assert.deepEqual(runFlagOptions.force, { type: "boolean" }, "a switch takes no value");
});

test("docs/settings.md is the settings table as it stands", () => {
  const page = readFileSync(join(repo, "docs/settings.md"), "utf8");
  assert.equal(page, settingsDoc(), "the table changed: write the page again with `npx tsx scripts/settings-doc.ts`");
});

test("no command declares a flag of its own: every parser takes its flags from the table (flagOptions)", () => {
  const declared: string[] = [];
  for (const file of readdirSync(import.meta.dirname).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))) {
    const source = readFileSync(join(import.meta.dirname, file), "utf8");
    for (const match of source.matchAll(/["\w-]+: \{ type: "(string|boolean)"/g)) declared.push(`${file}: ${match[0]}`);
  }
  assert.deepEqual(declared, []);
});

test("each command's usage shows exactly the flags its parser takes", () => {
  const flagsOf = (keys: readonly string[]) => keys.map((key) => (FIELDS as Record<string, FieldDefinition>)[key]!.flag!);
  const differences: string[] = [];
  for (const [command, keys] of Object.entries(COMMAND_FLAGS)) {
    if (command === "serveOpenAI") continue;
    const parsed = new Set(flagsOf(command === "serve" ? [...keys, ...COMMAND_FLAGS.serveOpenAI] : keys));
    const shown = flagsIn(commandUsage(command) ?? "");
    // --json and --help are every command's (args.ts), shown where a command prints something worth it.
    for (const flag of parsed) if (!shown.has(flag) && flag !== "--json") differences.push(`${command}: parses ${flag}, its usage does not show it`);
    for (const flag of shown)
      if (!parsed.has(flag as `--${string}`) && flag !== "--json") differences.push(`${command}: shows ${flag}, which it does not parse`);
  }
  assert.deepEqual(differences, []);
});
