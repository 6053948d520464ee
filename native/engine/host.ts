// Supervises the engine process for Electron's main process and the web server: validates every request
// against the contract, starts the engine on demand, relays events, and when the engine dies (a llama.cpp
// abort, a kill) fails its runs in their logs and in the UI; the next request starts a fresh engine.
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateRequest, type EngineEvent, type RequestName, type Result } from "../protocol/contract.ts";
import { JOB_KIND_NAMES, JOB_KINDS, jobKind, jobOfEvent, jobStartedBy, type JobKind } from "../protocol/job-kinds.ts";
import type { RunEvent } from "../protocol/events.ts";
import { readManifest, writeManifest } from "../runs/manifest.ts";
import { runDir } from "../runs/paths.ts";
import { RunLogWriter } from "../runs/run-log.ts";
import { NO_FILE_DIALOG, type FromEngine, type ToEngine } from "./messages.ts";
import { StderrTail, typescriptEntry } from "../util/child-process.ts";
import { lastModelFolder, rememberModelFolder } from "../llm/browse-memory.ts";

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
  /** The native file dialog, opened at `defaultPath` (the folder a model was last picked from) when there is one. */
  pickModelFile?: (defaultPath?: string) => Promise<string | null>;
  /** settings.json, where the folder last picked from is kept (default: ~/.refinery or $REFINERY_HOME). */
  settingsPath?: string;
}

/** A request waiting for its engine's answer; it settles with a reason if that engine goes away first. */
interface Pending {
  engine: EngineProcess;
  resolve: (result: Result<unknown>) => void;
}

export class EngineHost {
  private engine: EngineProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  /** Each job in flight by kind, with its last report (null before the first), to fail it if its engine dies. */
  private readonly active = new Map<JobKind, Map<string, EngineEvent | null>>(JOB_KIND_NAMES.map((kind) => [kind, new Map()]));
  private disposed = false;
  private gpu = "auto";

  constructor(private readonly options: EngineHostOptions) {}

  /** The dialog opens where the last model was picked, and the folder of this pick is remembered for the next. */
  private async pickModelFile(dialog: NonNullable<EngineHostOptions["pickModelFile"]>): Promise<string | null> {
    const settings = this.options.settingsPath;
    const picked = await dialog((await lastModelFolder(settings)) ?? undefined);
    if (picked) await rememberModelFolder(dirname(picked), settings);
    return picked;
  }

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
    if (method === "setBackend") return this.setBackend((valid.value as { gpu: string }).gpu);
    if (method === "pickModelFile") {
      if (!this.options.pickModelFile) return { ok: false, error: NO_FILE_DIALOG };
      return { ok: true, value: { path: await this.pickModelFile(this.options.pickModelFile) } };
    }
    const engine = this.ensureEngine();
    const id = this.nextId++;
    const result = await new Promise<Result<unknown>>((resolve) => {
      this.pending.set(id, { engine, resolve });
      engine.send({ kind: "request", id, method: method as RequestName, input: valid.value });
    });
    if (result.ok) this.trackStartedJob(method, result.value);
    return result;
  }

  /** What keeps the engine busy: switching the backend restarts it, which would kill these. */
  private busyWith(): string | null {
    const kind = JOB_KIND_NAMES.find((k) => this.active.get(k)!.size > 0);
    return kind ? JOB_KINDS[kind].busy : null;
  }

  private setBackend(gpu: string): Result<unknown> {
    const busy = this.busyWith();
    if (busy) return { ok: false, error: busy };
    this.gpu = gpu;
    // The next request starts a fresh engine with the chosen backend; what the old one was still answering
    // (a GPU probe, a model scan) is answered now rather than never.
    const engine = this.engine;
    this.engine = null;
    if (engine) {
      this.settlePending(engine, `cancelled: the engine was restarted to switch the backend to ${gpu}; try again`);
      engine.kill();
    }
    return { ok: true, value: { gpu } };
  }

  private trackStartedJob(method: string, value: unknown): void {
    const kind = jobStartedBy(method);
    if (!kind) return;
    const id = jobKind(kind).idOfStart(value);
    const jobs = this.active.get(kind)!;
    if (!jobs.has(id) && !this.endedJobs.has(id)) jobs.set(id, null);
  }

  /** Jobs whose end event arrived before the call that started them answered (a run or download that fails at once). */
  private readonly endedJobs = new Set<string>();

  private trackEvent(event: EngineEvent): void {
    const job = jobOfEvent(event);
    if (!job) return;
    const jobs = this.active.get(job.kind)!;
    if (!job.ended) jobs.set(job.id, event);
    else {
      if (!jobs.delete(job.id)) this.endedJobs.add(job.id);
      if (this.endedJobs.size > 1000) this.endedJobs.clear();
    }
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
        const pending = this.pending.get(message.id);
        if (pending?.engine !== engine) return;
        this.pending.delete(message.id);
        pending.resolve(message.result);
      } else if (this.engine !== engine) {
        // An engine being replaced says nothing more to the UI.
      } else if (message.kind === "ready") {
        this.emit({ type: "engine-status", status: "ready" });
      } else if (message.kind === "event") {
        this.trackEvent(message.event);
        this.emit(message.event);
      }
    });
    engine.onExit((description) => {
      const reason = `the engine process stopped (${description})`;
      // Requests sent to this engine settle whether or not it is still the current one.
      this.settlePending(engine, reason);
      if (this.engine !== engine) return;
      this.engine = null;
      if (this.disposed) return;
      this.failEverythingInFlight(reason);
    });
    return engine;
  }

  private settlePending(engine: EngineProcess, reason: string): void {
    for (const [id, pending] of this.pending) {
      if (pending.engine !== engine) continue;
      this.pending.delete(id);
      pending.resolve({ ok: false, error: reason });
    }
  }

  private failEverythingInFlight(reason: string): void {
    const at = Date.now();
    for (const kind of JOB_KIND_NAMES) {
      const jobs = this.active.get(kind)!;
      for (const [id, last] of jobs) {
        const failed = jobKind(kind).failedWhenEngineDies(id, last, reason, at);
        if (!failed) this.endedJobs.add(id);
        else {
          if (failed.type === "run-events") this.failRunOnDisk(id, failed.events[0]!, reason);
          this.emit(failed);
        }
      }
      jobs.clear();
    }
    this.emit({ type: "engine-status", status: "crashed", detail: reason });
  }

  /** The log keeps every node the engine completed; it gains the failure so replay shows why it ended. */
  private failRunOnDisk(runId: string, event: RunEvent, reason: string): void {
    let dir: string;
    try {
      dir = runDir(this.options.runsDir, runId);
    } catch {
      return;
    }
    if (!existsSync(join(dir, "events.jsonl"))) return;
    try {
      const log = new RunLogWriter(join(dir, "events.jsonl"));
      log.append(event);
      log.close();
    } catch {
      // a full or read-only disk: listing the run marks it interrupted instead
    }
    void readManifest(join(dir, "manifest.json"))
      .then((manifest) => writeManifest(join(dir, "manifest.json"), { ...manifest, status: "failed", endedAt: new Date().toISOString(), failure: reason }))
      .catch(() => undefined);
  }

  dispose(): void {
    this.disposed = true;
    for (const engine of new Set([...this.pending.values()].map((p) => p.engine))) this.settlePending(engine, "the engine host is shut down");
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
        REFINERY_GPU: settings.gpu !== "auto" ? settings.gpu : (env.gpu ?? "auto"),
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
      onExit: (listener) =>
        child.on("close", (code, signal) => listener(`${signal ? `killed by ${signal}` : `exit code ${code}`}${stderr.reason ? `: ${stderr.reason}` : ""}`)),
      kill: () => child.kill(),
    };
  };
}
