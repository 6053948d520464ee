// Supervises the engine process for Electron's main process and the web server: validates every request
// against the contract, starts the engine on demand, relays events, and when the engine dies (a llama.cpp
// abort, a kill) fails its runs in their logs and in the UI; the next request starts a fresh engine.
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateRequest, type CriticEvalEvent, type EngineEvent, type RequestName, type Result } from "../protocol/contract.ts";
import type { JudgeEvalEvent } from "../protocol/judge-agreement.ts";
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

type DownloadEvent = Extract<EngineEvent, { type: "download" }>;

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
  private readonly activeRuns = new Set<string>();
  private readonly activeExperiments = new Set<string>();
  /** The last event of each critic evaluation and download in flight, to fail it if its engine dies. */
  private readonly activeCriticEvals = new Map<string, CriticEvalEvent | null>();
  private readonly activeJudgeEvals = new Map<string, JudgeEvalEvent | null>();
  private readonly activeDownloads = new Map<string, DownloadEvent | null>();
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
    if (this.activeRuns.size > 0) return "wait for the running runs to finish (or cancel them) before switching the backend";
    if (this.activeExperiments.size > 0) return "stop the running experiment before switching the backend (it resumes from its checkpoint)";
    if (this.activeCriticEvals.size > 0) return "wait for the critic evaluation to finish (or cancel it) before switching the backend";
    if (this.activeJudgeEvals.size > 0) return "wait for the judge evaluation to finish (or cancel it) before switching the backend";
    if (this.activeDownloads.size > 0) return "wait for the download to finish (or cancel it) before switching the backend";
    return null;
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
    if (method === "startRun") {
      const { runId } = value as { runId: string };
      if (!this.endedJobs.has(runId)) this.activeRuns.add(runId);
    } else if (method === "startCriticEval" || method === "startJudgeEval") {
      const { evalId } = value as { evalId: string };
      const active = method === "startCriticEval" ? this.activeCriticEvals : this.activeJudgeEvals;
      if (!active.has(evalId) && !this.endedJobs.has(evalId)) active.set(evalId, null);
    } else if (method === "startDownload") {
      const { downloadId } = value as { downloadId: string };
      if (!this.activeDownloads.has(downloadId) && !this.endedJobs.has(downloadId)) this.activeDownloads.set(downloadId, null);
    }
  }

  /** Jobs whose end event arrived before the call that started them answered (a run or download that fails at once). */
  private readonly endedJobs = new Set<string>();

  private trackEvent(event: EngineEvent): void {
    if (event.type === "run-events") {
      if (event.events.some((e) => e.type === "run-finished" || e.type === "run-failed")) this.endJob(this.activeRuns, event.runId);
    } else if (event.type === "experiment-progress") {
      if (event.state === "running" || event.state === "paused") this.activeExperiments.add(event.path);
      else this.activeExperiments.delete(event.path);
    } else if (event.type === "critic-eval") {
      if (event.state === "running") this.activeCriticEvals.set(event.evalId, event);
      else this.endJob(this.activeCriticEvals, event.evalId);
    } else if (event.type === "judge-eval") {
      if (event.state === "running") this.activeJudgeEvals.set(event.evalId, event);
      else this.endJob(this.activeJudgeEvals, event.evalId);
    } else if (event.type === "download") {
      if (event.state === "running") this.activeDownloads.set(event.downloadId, event);
      else this.endJob(this.activeDownloads, event.downloadId);
    }
  }

  private endJob(jobs: { delete(id: string): boolean }, id: string): void {
    if (!jobs.delete(id)) this.endedJobs.add(id);
    if (this.endedJobs.size > 1000) this.endedJobs.clear();
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
    for (const runId of this.activeRuns) {
      const event: RunEvent = { type: "run-failed", at: Date.now(), reason, code: "engine-crashed" };
      this.failRunOnDisk(runId, event, reason);
      this.emit({ type: "run-events", runId, events: [event] });
    }
    this.activeRuns.clear();
    // Experiments keep their checkpoint; starting one again resumes it.
    this.activeExperiments.clear();
    for (const evaluations of [this.activeCriticEvals, this.activeJudgeEvals]) {
      for (const [evalId, last] of evaluations) {
        if (last) this.emit({ ...last, state: "failed", error: reason });
        else this.endedJobs.add(evalId);
      }
      evaluations.clear();
    }
    for (const [downloadId, last] of this.activeDownloads) {
      if (last) this.emit({ ...last, state: "failed", error: `${reason}; start the download again to resume it` });
      else this.endedJobs.add(downloadId);
    }
    this.activeDownloads.clear();
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
