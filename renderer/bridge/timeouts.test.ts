import { test } from "node:test";
import assert from "node:assert/strict";
import type { Bridge } from "../../native/protocol/contract.ts";
import { timeoutFor, withTimeouts } from "./timeouts.ts";

test("a request the engine never answers resolves with a clear error at its limit; answered ones pass through", async () => {
  const never = new Promise<never>(() => undefined);
  const inner = new Proxy({ subscribe: () => () => undefined } as unknown as Bridge, {
    get: (target, name) => (name === "subscribe" ? target.subscribe : name === "listRuns" ? async () => ({ ok: true, value: [] }) : () => never),
  });
  const bridge = withTimeouts(inner, (name) => (name === "gpuReport" ? 30 : 1000));
  const started = Date.now();
  assert.deepEqual(await bridge.gpuReport({ refresh: true }), {
    ok: false,
    error: "no answer to gpuReport after 0 s: the engine may be stuck or busy; try again, or restart Refinery if it keeps happening",
  });
  assert.ok(Date.now() - started < 900, "settled at its own limit");
  assert.deepEqual(await bridge.listRuns({}), { ok: true, value: [] });
  assert.equal(typeof bridge.subscribe(() => undefined), "function");
  assert.ok(timeoutFor("gpuReport") > timeoutFor("listRuns"), "probing every backend gets longer than a listing");
  assert.ok(timeoutFor("listRuns") >= 60_000, "limits are generous");
});
