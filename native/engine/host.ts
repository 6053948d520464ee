// Supervises the engine process for Electron's main process and the web server: validates every request
// against the contract, starts the engine on demand, relays events, and when the engine dies (a llama.cpp
// abort, a kill) fails its runs in their logs and in the UI; the next request starts a fresh engine.
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateRequest, type EngineEvent, type RequestName, type Result } from "../protocol/contract.ts";
import type { RunEvent } from "../protocol/events.ts";
import { readManifest, writeManifest } from "../runs/manifest.ts";
import { RunLogWriter } from "../runs/run-log.ts";
import type { FromEngine, ToEngine } from "./messages.ts";
import { StderrTail, typescriptEntry } from "../util/child-process.ts";

export interface EngineProcess {
  readonly pid: number | undefined;
  send(message: ToEngine): void;
  onMessage(listener: (message: FromEngine) => void): void;
  onExit(listener: (description: string) => void): void;
  kill(): void;
}

export interface EngineHostOptions {
  /** Starts an engine process; `gpu` is the backend the user chose ("auto" unless overridden). */
  spawn: (settings: { gpu: string }) => EngineProcess;
  runsDir: string;
  pickModelFile?: () => Promise<string | null>;
}

export class EngineHost {
  private engine: EngineProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (result: Result<unknown>) => void>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly activeRuns = new Set<string>();
  private readonly activeExperiments = new Set<string>();
  private disposed = false;
  private gpu = "auto";

  constructor(private readonly options: EngineHostOptions) {}

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get enginePid(): number | undefined {
    return this.engine?.pid;
  }

  async request(method: RequestName | string, input: unknown): Promise<Result<unknown>> {
    if (this.disposed) return { ok: false, error: "the engine host is shut down" };
    const valid = validateRequest(method as RequestName, input);
    if (!valid.ok) return valid;
    if (method === "setBackend") {
      if (this.activeRuns.size > 0) return { ok: false, error: "wait for the running runs to finish (or cancel them) before switching the backend" };
      if (this.activeExperiments.size > 0) return { ok: false, error: "stop the running experiment before switching the backend (it resumes from its checkpoint)" };
      this.gpu = (valid.value as { gpu: string }).gpu;
      // The next request starts a fresh engine with the chosen backend.
      const engine = this.engine;
      this.engine = null;
      engine?.kill();
      return { ok: true, value: { gpu: this.gpu } };
    }
    if (method === "pickModelFile") {
      if (!this.options.pickModelFile) return { ok: false, error: "file dialogs are only available in the desktop app; type the model's path" };
      return { ok: true, value: { path: await this.options.pickModelFile() } };
    }
    const engine = this.ensureEngine();
    const id = this.nextId++;
    const result = await new Promise<Result<unknown>>((resolve) => {
      this.pending.set(id, resolve);
      engine.send({ kind: "request", id, method: method as RequestName, input: valid.value });
    });
    if (method === "startRun" && result.ok) this.activeRuns.add((result.value as { runId: string }).runId);
    return result;
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private ensureEngine(): EngineProcess {
    if (this.engine) return this.engine;
    const engine = this.options.spawn({ gpu: this.gpu });
    this.engine = engine;
    this.emit({ type: "engine-status", status: "starting" });
    engine.onMessage((message) => {
      if (message.kind === "response") {
        this.pending.get(message.id)?.(message.result);
        this.pending.delete(message.id);
      } else if (message.kind === "ready") {
        this.emit({ type: "engine-status", status: "ready" });
      } else if (message.kind === "event") {
        if (message.event.type === "run-events") {
          const ended = message.event.events.some((e) => e.type === "run-finished" || e.type === "run-failed");
          if (ended) this.activeRuns.delete(message.event.runId);
        } else if (message.event.type === "experiment-progress") {
          if (message.event.state === "running" || message.event.state === "paused") this.activeExperiments.add(message.event.path);
          else this.activeExperiments.delete(message.event.path);
        }
        this.emit(message.event);
      }
    });
    engine.onExit((description) => {
      if (this.engine !== engine) return;
      this.engine = null;
      if (this.disposed) return;
      this.failEverythingInFlight(`the engine process stopped (${description})`);
    });
    return engine;
  }

  private failEverythingInFlight(reason: string): void {
    for (const resolve of this.pending.values()) resolve({ ok: false, error: reason });
    this.pending.clear();
    for (const runId of this.activeRuns) {
      const event: RunEvent = { type: "run-failed", at: Date.now(), reason, code: "engine-crashed" };
      const dir = join(this.options.runsDir, runId);
      // The log keeps every node the engine completed; it gains the failure so replay shows why it ended.
      if (existsSync(join(dir, "events.jsonl"))) {
        const log = new RunLogWriter(join(dir, "events.jsonl"));
        log.append(event);
        log.close();
        void readManifest(join(dir, "manifest.json"))
          .then((manifest) => writeManifest(join(dir, "manifest.json"), { ...manifest, status: "failed", endedAt: new Date().toISOString(), failure: reason }))
          .catch(() => undefined);
      }
      this.emit({ type: "run-events", runId, events: [event] });
    }
    this.activeRuns.clear();
    // Experiments keep their checkpoint; starting one again resumes it.
    this.activeExperiments.clear();
    this.emit({ type: "engine-status", status: "crashed", detail: reason });
  }

  dispose(): void {
    this.disposed = true;
    this.engine?.kill();
    this.engine = null;
  }
}

/** Bundled (dist/cli), the built engine.mjs sits next to this code; from the sources, child.ts runs through tsx. */
function engineEntry(): { entry: string; execArgv: string[] } {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, "engine.mjs");
  if (existsSync(built)) return { entry: built, execArgv: [] };
  const [loader, loaderPath, source] = typescriptEntry(join(here, "child.ts"));
  return { entry: source!, execArgv: [loader!, loaderPath!] };
}

/** The engine as a Node child process (web mode, tests), running the TypeScript sources through tsx from any folder. */
export function forkEngine(env: { runsDir: string; gpu?: string; threads?: number }): EngineHostOptions["spawn"] {
  const { entry, execArgv } = engineEntry();
  return (settings) => {
    const stderr = new StderrTail();
    const child = fork(entry, [], {
      execArgv,
      env: {
        ...process.env,
        REFINERY_RUNS_DIR: env.runsDir,
        REFINERY_GPU: settings.gpu !== "auto" ? settings.gpu : env.gpu ?? "auto",
        ...(env.threads ? { REFINERY_THREADS: String(env.threads) } : {}),
        REFINERY_MODE: "web",
      },
      // stderr is passed through and its end kept: an engine that dies before reporting says why.
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderr.push(chunk);
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on("message", (message) => listener(message as FromEngine)),
      // "close", not "exit": by then stderr has been read to its end.
      onExit: (listener) => child.on("close", (code, signal) => listener(`${signal ? `killed by ${signal}` : `exit code ${code}`}${stderr.reason ? `: ${stderr.reason}` : ""}`)),
      kill: () => child.kill(),
    };
  };
}
