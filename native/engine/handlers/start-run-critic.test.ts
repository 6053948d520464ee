// The app's Start loads only the models the strategy calls: Self-Refine with the actor's feedback never touches the
// critic's endpoint (as `refinery run` does), while with the critic's feedback it does. Real HTTP on loopback.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contentChunks, sse, startFakeServer } from "../../../test/support/fake-openai.ts";
import { forgetEndpoints } from "../../llm/openai-endpoint.ts";
import type { RunEvent } from "../../protocol/events.ts";
import { EventBatcher } from "../event-batcher.ts";
import { Jobs } from "../jobs.ts";
import type { EngineContext } from "./context.ts";
import { startRun } from "./runs.ts";

const reply = (text: string) => (_request: unknown, _call: number, response: Parameters<typeof sse>[0]) =>
  sse(response, contentChunks("llama-server", [text], { prompt_tokens: 10, completion_tokens: 5 }));
const actor = await startFakeServer({ routes: { "/props": { total_slots: 2 } }, chat: reply("2 + 2 = 4. It is correct. The answer is 4") });
const critic = await startFakeServer({ routes: { "/props": { total_slots: 2 } }, chat: reply("It is correct.") });
after(async () => {
  forgetEndpoints();
  await Promise.all([actor.close(), critic.close()]);
});

/** Starts a run through the engine's handler and waits for it to end; returns its events and its run folder. */
async function startAndWait(params: Record<string, string | number>) {
  const runsDir = mkdtempSync(join(tmpdir(), "refinery-start-critic-"));
  const events: RunEvent[] = [];
  let ended!: () => void;
  const done = new Promise<void>((resolve) => (ended = resolve));
  const batcher = new EventBatcher((_runId, batch) => {
    for (const event of batch) {
      events.push(event);
      if (event.type === "run-finished" || event.type === "run-failed") ended();
    }
  });
  const ctx = { options: { runsDir, gpu: "cpu" }, jobs: new Jobs(), batcher } as unknown as EngineContext;
  await startRun(ctx, {
    strategy: "self-refine",
    params: { maxIterations: 1, ...params },
    actor: { path: `openai:${actor.baseUrl}#actor-model` },
    critic: { path: `openai:${critic.baseUrl}#critic-model` },
    task: { question: "What is 2 + 2?", reference: "4" },
    seed: 1,
  });
  await done;
  const started = events.find((e) => e.type === "run-started");
  return { events, started };
}

test("Self-Refine with the actor's feedback: the critic's endpoint is never contacted and the run records the actor in its place", async () => {
  const { events, started } = await startAndWait({ feedbackModel: "actor" });
  assert.equal(
    events.find((e) => e.type === "run-failed"),
    undefined,
    JSON.stringify(events.find((e) => e.type === "run-failed")),
  );
  assert.ok(actor.chats.length >= 2, "the actor drafted and wrote the feedback");
  assert.deepEqual(
    critic.requests.map((r) => r.path),
    [],
    "no probe, no chat",
  );
  assert.equal(
    started?.type === "run-started" && started.models.critic.path,
    `openai:${actor.baseUrl}#actor-model`,
    "the critic role ran on the actor's model",
  );
});

test("Self-Refine with the critic's feedback: the critic writes it", async () => {
  const before = critic.chats.length;
  await startAndWait({ feedbackModel: "critic" });
  assert.ok(critic.chats.length > before, "the critic wrote the feedback");
});
