// The endpoint's concurrency gate: a cancelled waiter leaves the line, so the next free place goes to the one
// behind it, and no wait leaves a listener on a signal that many requests share.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { OpenAIEndpoint } from "./openai-endpoint.ts";

test("a waiter cancelled in line gives up its turn to the next, and takes its abort listener along", async () => {
  const { gate } = new OpenAIEndpoint("http://127.0.0.1:9/v1", { concurrency: 1 });
  const leaveFirst = await gate.enter();
  const cancelled = new AbortController();
  const waiting = gate.enter(cancelled.signal);
  const next = gate.enter();
  cancelled.abort();
  await assert.rejects(waiting, { name: "AbortError" });
  leaveFirst();
  // The place freed goes to the waiter still in line (before, it woke the cancelled one and this one waited on).
  const leaveNext = await next;
  leaveNext();

  const shared = new AbortController();
  const holder = await gate.enter();
  const waits = Array.from({ length: 12 }, () => gate.enter(shared.signal));
  holder();
  for (const wait of waits) (await wait)();
  assert.equal(getEventListeners(shared.signal, "abort").length, 0, "every wait removed its listener");
});
