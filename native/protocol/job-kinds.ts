// Everything the engine runs in the background, one kind a row: the request that starts one and the id its answer
// names, the request that cancels it, the event that reports it and when that event is its end, and what it says
// when its engine dies under it. The engine's registry, the supervisor (which fails the jobs of a dead engine and
// refuses a restart while one runs) and the UI's controller all read this table, so a job ends once in every layer.
import type { CriticEvalEvent, EngineEvent, ExperimentProgressEvent, RequestName } from "./contract.ts";
import type { JudgeEvalEvent } from "./judge-agreement.ts";

export type DownloadEvent = Extract<EngineEvent, { type: "download" }>;
export type RunEventsEvent = Extract<EngineEvent, { type: "run-events" }>;

interface JobKindDefinition<E extends EngineEvent> {
  /** The request that starts one; its answer names the job. */
  start: RequestName;
  idOfStart(answer: unknown): string;
  /** The request that ends one early (an experiment stops at its checkpoint and resumes from it). */
  cancel: RequestName;
  /** The event that reports one, and the job it reports. */
  event: E["type"];
  idOf(event: E): string;
  /** This report is its last: finished, failed, cancelled or stopped. */
  ends(event: E): boolean;
  /**
   * The report that fails it when its engine process dies, made from its last report; null when there is nothing
   * to say (no report arrived, so the UI shows nothing of it).
   */
  failedWhenEngineDies(id: string, last: E | null, reason: string, at: number): E | null;
  /** Why the engine cannot restart while one runs (switching the backend kills the process). */
  busy: string;
}

const run: JobKindDefinition<RunEventsEvent> = {
  start: "startRun",
  idOfStart: (answer) => (answer as { runId: string }).runId,
  cancel: "cancelRun",
  event: "run-events",
  idOf: (event) => event.runId,
  ends: (event) => event.events.some((e) => e.type === "run-finished" || e.type === "run-failed"),
  // A run is known from its start, so it fails even before its first event: its log and the UI both say why.
  failedWhenEngineDies: (runId, _last, reason, at) => ({ type: "run-events", runId, events: [{ type: "run-failed", at, reason, code: "engine-crashed" }] }),
  busy: "wait for the running runs to finish (or cancel them) before switching the backend",
};

const experiment: JobKindDefinition<ExperimentProgressEvent> = {
  start: "startExperiment",
  idOfStart: (answer) => (answer as { path: string }).path,
  cancel: "controlExperiment",
  event: "experiment-progress",
  idOf: (event) => event.path,
  ends: (event) => event.state !== "running" && event.state !== "paused",
  // Its checkpoint keeps every finished cell: starting it again resumes it.
  failedWhenEngineDies: (_path, last) =>
    last && { ...last, state: "failed", running: 0, error: "the engine process stopped; start the experiment again to resume it" },
  busy: "stop the running experiment before switching the backend (it resumes from its checkpoint)",
};

const criticEval: JobKindDefinition<CriticEvalEvent> = {
  start: "startCriticEval",
  idOfStart: (answer) => (answer as { evalId: string }).evalId,
  cancel: "cancelCriticEval",
  event: "critic-eval",
  idOf: (event) => event.evalId,
  ends: (event) => event.state !== "running",
  failedWhenEngineDies: (_id, last, reason) => last && { ...last, state: "failed", error: reason },
  busy: "wait for the critic evaluation to finish (or cancel it) before switching the backend",
};

const judgeEval: JobKindDefinition<JudgeEvalEvent> = {
  start: "startJudgeEval",
  idOfStart: (answer) => (answer as { evalId: string }).evalId,
  cancel: "cancelJudgeEval",
  event: "judge-eval",
  idOf: (event) => event.evalId,
  ends: (event) => event.state !== "running",
  failedWhenEngineDies: (_id, last, reason) => last && { ...last, state: "failed", error: reason },
  busy: "wait for the judge evaluation to finish (or cancel it) before switching the backend",
};

const download: JobKindDefinition<DownloadEvent> = {
  start: "startDownload",
  idOfStart: (answer) => (answer as { downloadId: string }).downloadId,
  cancel: "cancelDownload",
  event: "download",
  idOf: (event) => event.downloadId,
  ends: (event) => event.state === "done" || event.state === "failed" || event.state === "cancelled",
  failedWhenEngineDies: (_id, last, reason) => last && { ...last, state: "failed", error: `${reason}; start the download again to resume it` },
  busy: "wait for the download to finish (or cancel it) before switching the backend",
};

export const JOB_KINDS = { run, experiment, "critic-eval": criticEval, "judge-eval": judgeEval, download } as const;
export type JobKind = keyof typeof JOB_KINDS;
export const JOB_KIND_NAMES = Object.keys(JOB_KINDS) as JobKind[];

/** The table's row for a kind, typed loosely enough to walk every kind alike. */
export function jobKind(kind: JobKind): JobKindDefinition<EngineEvent> {
  return JOB_KINDS[kind] as unknown as JobKindDefinition<EngineEvent>;
}

/** The job an event reports, and whether it is that job's last report; null for an event about no job. */
export function jobOfEvent(event: EngineEvent): { kind: JobKind; id: string; ended: boolean } | null {
  for (const kind of JOB_KIND_NAMES) {
    const definition = jobKind(kind);
    if (definition.event === event.type) return { kind, id: definition.idOf(event), ended: definition.ends(event) };
  }
  return null;
}

/** The kind a request starts, if it starts one. */
export function jobStartedBy(request: string): JobKind | null {
  return JOB_KIND_NAMES.find((kind) => JOB_KINDS[kind].start === request) ?? null;
}
