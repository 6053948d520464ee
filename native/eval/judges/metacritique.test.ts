// MetaCritique's scores on scripted models, worked out by hand: the judge splits the critic's critique into
// claims, checks each for truth (Meta-Precision) and checks the reference critique's claims for entailment by it
// (Meta-Recall); Meta-F1 per item, all averaged over items; an unreadable extraction scores nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenerateRequest } from "../../llm/backend.ts";
import { ScriptedBackend } from "../../llm/scripted-backend.ts";
import { describeMetaCritique, evaluateMetaCritique, readMetaCritique } from "./metacritique.ts";

const user = (r: GenerateRequest) => r.messages.at(-1)!.content;
const system = (r: GenerateRequest) => r.messages[0]!.content;
const listed = (r: GenerateRequest) => [...user(r).matchAll(/^\d+\. (.*)$/gm)].map((m) => m[1]!);

test("Meta-Precision, Meta-Recall and Meta-F1 from the judge's claims and verdicts", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "metacritique-")), "benchmark_data.json");
  const item = (index: number, question: string, aius: string[]) => ({
    index,
    question,
    response: "cut it with a vise grip",
    gpt4_answer: "A towel dries hands.",
    gpt4_critique: { critique: aius.join(" "), aius },
  });
  writeFileSync(
    path,
    JSON.stringify([item(0, "kitchen towel", ["The answer is wrong.", "A towel dries hands.", "Ask for clarification."]), item(1, "paper towel", ["X is y."])]),
  );
  const items = await readMetaCritique(path);
  assert.deepEqual(
    items.map((i) => [i.id, i.referenceClaims.length]),
    [
      ["0", 3],
      ["1", 1],
    ],
  );
  const critic = new ScriptedBackend((r) => (user(r).includes("kitchen towel") ? "The answer is wrong. Scissors cut towels." : "Nothing to add."));
  const judge = new ScriptedBackend((r) => {
    if (/check-worthy claims/.test(system(r)))
      return user(r).includes("Scissors") ? JSON.stringify({ claims: ["The answer is wrong.", "Scissors cut towels.", "Towels are blue."] }) : "oops";
    if (/<input question>/.test(user(r)))
      return JSON.stringify({ claims: listed(r).map((c) => ({ reasoning: "r", verdict: /wrong|Scissors/.test(c) ? "true" : "false" })) });
    const critique = /<reference text>\n([\s\S]*?)\n\n<claims>/.exec(user(r))![1]!;
    return JSON.stringify({ claims: listed(r).map((c) => ({ reasoning: "r", verdict: critique.includes(c) ? "true" : "false" })) });
  });
  const result = await evaluateMetaCritique(items, critic, { label: "judge", backend: judge });
  // Item 0: claims true 2 of 3, reference claims entailed 1 of 3, F1 = 2·(2/3)(1/3)/(2/3 + 1/3) = 4/9.
  // Item 1: the extraction is unreadable: no claims, precision 0; its one reference claim is not entailed.
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);
  close(result.rows[0]!.precision, 2 / 3);
  close(result.rows[0]!.recallScore, 1 / 3);
  close(result.rows[0]!.f1, 4 / 9);
  close(result.metaPrecision, 1 / 3);
  close(result.metaRecall, 1 / 6);
  close(result.metaF1, 2 / 9);
  assert.equal(result.unreadable, 1);
  assert.deepEqual(result.rows[0]!.aius[2], { claim: "Towels are blue.", true: false });
  assert.match(describeMetaCritique("critic", "judge", result), /Meta-Precision 33\.3 · Meta-Recall 16\.7 · Meta-F1 22\.2 \(1 unreadable/);
  await assert.rejects(readMetaCritique(join(tmpdir(), "absent-metacritique.json")), /dataset not found/);
});
