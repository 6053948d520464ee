// The engine behind the bridge: answers contract requests in-process through the handlers by domain
// (native/engine/handlers/) and pushes run events in batches. It runs inside the engine process that Electron's
// main process or the web server supervises; the CLI and tests can also use it directly.
import type { RequestName, Result } from "../protocol/contract.ts";
import { EventBatcher } from "./event-batcher.ts";
import type { EngineContext, EngineServiceOptions } from "./handlers/context.ts";
import { handlers, isEngineRequest } from "./handlers/index.ts";
import { Jobs } from "./jobs.ts";
import { NO_FILE_DIALOG } from "./messages.ts";

export type { EngineServiceOptions } from "./handlers/context.ts";
export { listRuns } from "./handlers/runs.ts";

export class EngineService {
  private readonly context: EngineContext;

  constructor(options: EngineServiceOptions) {
    this.context = {
      options,
      jobs: new Jobs(),
      batcher: new EventBatcher((runId, events) => options.emit({ type: "run-events", runId, events })),
      experiments: new Map(),
      datasetFieldCache: new Map(),
      experimentViews: new WeakMap(),
      downloadCounter: 0,
    };
  }

  async handle(name: RequestName, input: unknown): Promise<Result<unknown>> {
    if (name === "pickModelFile") return { ok: false, error: NO_FILE_DIALOG };
    if (name === "setBackend") return { ok: false, error: "the backend is chosen by the supervisor that starts the engine" };
    if (!isEngineRequest(name)) return { ok: false, error: `unknown request '${String(name)}'` };
    try {
      const handler = handlers[name] as (context: EngineContext, input: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(this.context, input) };
    } catch (error) {
      // An error about one field says which (its contract path), so the form can clear it once that field changes.
      const field = (error as { field?: unknown }).field;
      return { ok: false, error: (error as Error).message, ...(typeof field === "string" ? { field } : {}) };
    }
  }

  get activeRunIds(): string[] {
    return this.context.jobs.ids("run");
  }
}
