// Coalesces a run's events into about one batch per frame: consecutive token deltas of one node are merged,
// order is kept, and nothing waits longer than one interval.
import type { RunEvent } from "../protocol/events.ts";

export class EventBatcher {
  private readonly pending = new Map<string, RunEvent[]>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (runId: string, events: RunEvent[]) => void,
    private readonly intervalMs = 16,
  ) {}

  push(runId: string, event: RunEvent): void {
    let queue = this.pending.get(runId);
    if (!queue) {
      queue = [];
      this.pending.set(runId, queue);
    }
    const last = queue.at(-1);
    if (event.type === "token-delta" && last?.type === "token-delta" && last.nodeId === event.nodeId && last.segment === event.segment) {
      // The first delta's time is kept: it is when these tokens began to come.
      queue[queue.length - 1] = { ...last, text: last.text + event.text, tokens: (last.tokens ?? 1) + (event.tokens ?? 1) };
    } else {
      queue.push(event);
    }
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batches = [...this.pending.entries()];
    this.pending.clear();
    for (const [runId, events] of batches) if (events.length > 0) this.send(runId, events);
  }
}
