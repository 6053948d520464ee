// The joint memory plan's verdicts on generated models of known sizes against given budgets.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { openRuntime } from "../../native/llm/runtime.ts";
import { parseBytes, planMemory } from "../../native/llm/memory-plan.ts";
import { testModel } from "../support/models.ts";

let big: string;
let small: string;
const MiB = 2 ** 20;

before(async () => {
  big = await testModel("bench100M");
  small = await testModel("tinyChat");
});

async function plan(actor: string, critic: string, budget: { vram?: number; ram?: number }, sequences = 1) {
  const runtime = await openRuntime({ gpu: "cpu", threads: 1 });
  return planMemory({
    llama: runtime.llama,
    actor: { path: actor, contextSize: 4096, sequences },
    critic: { path: critic, contextSize: 4096, sequences: 1 },
    ...budget,
  });
}

test("both models on the GPU when the budget allows; the bar adds up to the budget", async () => {
  const result = await plan(big, small, { vram: 1024 * MiB, ram: 8192 * MiB });
  assert.equal(result.verdict, "fits-gpu");
  assert.deepEqual(
    result.roles.map((r) => r.gpuLayers === r.totalLayers),
    [true, true],
  );
  const vram = result.bar.filter((s) => s.memory === "vram");
  assert.deepEqual(
    vram.map((s) => s.label),
    ["actor weights", "actor context", "critic weights", "critic context", "free"],
  );
  assert.equal(Math.round(vram.reduce((sum, s) => sum + s.bytes, 0)), 1024 * MiB);
  assert.ok(result.used.vram > 100 * MiB && result.used.vram < 1024 * MiB);
});

test("a tight VRAM budget gives a partial offload and says which knobs would help", async () => {
  const result = await plan(big, small, { vram: 300 * MiB, ram: 8192 * MiB }, 4);
  assert.equal(result.verdict, "partial-offload");
  const actor = result.roles[0]!;
  assert.ok(actor.gpuLayers > 0 && actor.gpuLayers < actor.totalLayers, `${actor.gpuLayers} of ${actor.totalLayers}`);
  assert.equal(result.roles[1]!.gpuLayers, 0, "the critic moved to the CPU first");
  assert.ok(result.used.vram <= 300 * MiB);
  assert.ok(result.suggestions.some((s) => /fewer parallel sequences \(now 4 actor/.test(s)));
  assert.ok(result.suggestions.some((s) => /smaller context/.test(s)));
});

test("the same file for both roles is one copy", async () => {
  const separate = await plan(big, big.replace("bench100M", "bench100M"), { vram: 0, ram: 8192 * MiB });
  assert.equal(separate.roles[1]!.sharedWithActor, true);
  assert.equal(separate.roles[1]!.weights.ram, 0);
  assert.equal(separate.verdict, "fits-ram");
});

test("too little memory: will not fit, with the knob that would make it fit", async () => {
  const result = await plan(big, small, { vram: 0, ram: 100 * MiB });
  assert.equal(result.verdict, "will-not-fit");
  assert.match(result.summary, /^will not fit: needs \d+\.\d MiB RAM/);
  assert.ok(result.suggestions[0]!.startsWith("a smaller context"));
  const smaller = await planMemory({
    llama: (await openRuntime({ gpu: "cpu", threads: 1 })).llama,
    actor: { path: big, contextSize: 256, sequences: 1 },
    critic: { path: small, contextSize: 256, sequences: 1 },
    vram: 0,
    ram: 200 * MiB,
  });
  assert.equal(smaller.verdict, "fits-ram", "following the advice makes it fit");
  assert.equal(parseBytes("8GiB"), 8 * 2 ** 30);
  assert.equal(parseBytes("512 MiB"), 512 * MiB);
  assert.throws(() => parseBytes("lots"), /not a memory size/);
});
