// Every request the UI makes gets an answer: a bridge call that outlives its limit (an engine stuck or gone
// without a word) resolves as an error the user can read, instead of a spinner that never stops.
import { requestNames, type Bridge, type RequestName, type Result } from "../../native/protocol/contract.ts";

/** Generous: the slowest honest calls (probing every GPU backend, scanning model folders, loading a runtime). */
export const DEFAULT_TIMEOUT_MS = 3 * 60_000;
export const SLOW_TIMEOUT_MS = 10 * 60_000;
const SLOW: ReadonlySet<RequestName> = new Set<RequestName>([
  "gpuReport",
  "listModels",
  "addModel",
  "planMemory",
  "startExperiment",
  "startCriticEval",
  "pickModelFile",
]);

export function timeoutFor(name: RequestName): number {
  return SLOW.has(name) ? SLOW_TIMEOUT_MS : DEFAULT_TIMEOUT_MS;
}

export function withTimeouts(bridge: Bridge, limit: (name: RequestName) => number = timeoutFor): Bridge {
  const wrapped = { subscribe: bridge.subscribe.bind(bridge), ...(bridge.downloadUrl ? { downloadUrl: bridge.downloadUrl.bind(bridge) } : {}) } as Record<
    string,
    unknown
  >;
  for (const name of requestNames) {
    const call = (bridge as unknown as Record<string, (input: unknown) => Promise<Result<unknown>>>)[name]!;
    wrapped[name] = (input: unknown) => {
      const ms = limit(name);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<Result<unknown>>((resolve) => {
        timer = setTimeout(
          () =>
            resolve({
              ok: false,
              error: `no answer to ${name} after ${Math.round(ms / 1000)} s: the engine may be stuck or busy; try again, or restart Refinery if it keeps happening`,
            }),
          ms,
        );
      });
      return Promise.race([call.call(bridge, input), late]).finally(() => clearTimeout(timer));
    };
  }
  return wrapped as unknown as Bridge;
}
