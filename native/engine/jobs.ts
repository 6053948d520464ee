// Everything the engine starts in the background and can cancel (the kinds of protocol/job-kinds.ts) is registered
// here under its id, so there is one cancel path and one answer to "what is running".
import type { JobKind } from "../protocol/job-kinds.ts";

export type { JobKind };

interface Job {
  kind: JobKind;
  cancel: () => void;
}

export class Jobs {
  private readonly running = new Map<string, Job>();

  /** Registers a job cancelled through an AbortController and returns its signal. */
  start(kind: JobKind, id: string): AbortSignal {
    const controller = new AbortController();
    this.add(kind, id, () => controller.abort());
    return controller.signal;
  }

  /** Registers a job that cancels itself some other way (an experiment stops at its checkpoint). */
  add(kind: JobKind, id: string, cancel: () => void): void {
    this.running.set(id, { kind, cancel });
  }

  finish(id: string): void {
    this.running.delete(id);
  }

  /** Cancels a running job; false when no job of that kind has that id (finished, or never started). */
  cancel(kind: JobKind, id: string): boolean {
    const job = this.running.get(id);
    if (!job || job.kind !== kind) return false;
    job.cancel();
    return true;
  }

  ids(kind: JobKind): string[] {
    return [...this.running].filter(([, job]) => job.kind === kind).map(([id]) => id);
  }
}
