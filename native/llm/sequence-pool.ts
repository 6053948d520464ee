// Hands out a context's sequences to lanes. A lane keeps its sequence while it is idle, so the next request on
// that lane (a refinement turn extending the same conversation) finds its prefix already evaluated. Requests on
// one lane run in order; requests on different lanes run in parallel up to the number of sequences.
import { waitInLine } from "../util/wait-line.ts";
import { LlamaChat, type ChatWrapper, type LlamaContext, type LlamaContextSequence } from "node-llama-cpp";

interface Slot {
  sequence: LlamaContextSequence;
  chat: LlamaChat;
  lane: string | null;
  busy: boolean;
  lastUsed: number;
}

export interface Lease {
  sequence: LlamaContextSequence;
  chat: LlamaChat;
  release(): void;
}

export class SequencePool {
  private readonly slots: Slot[] = [];
  private readonly waiters: Array<() => void> = [];
  private clock = 0;

  constructor(
    private readonly context: LlamaContext,
    /** The chat format resolved (or chosen) for the model: every sequence formats conversations the same way. */
    private readonly chatWrapper?: ChatWrapper,
  ) {}

  get size(): number {
    return this.context.totalSequences;
  }

  async acquire(lane: string, signal?: AbortSignal): Promise<Lease> {
    for (;;) {
      signal?.throwIfAborted();
      const slot = this.pick(lane);
      if (slot) {
        slot.busy = true;
        slot.lane = lane;
        return {
          sequence: slot.sequence,
          chat: slot.chat,
          release: () => {
            slot.busy = false;
            slot.lastUsed = ++this.clock;
            this.waiters.splice(0).forEach((wake) => wake());
          },
        };
      }
      await this.waitForRelease(signal);
    }
  }

  /** Until a sequence is released or the signal aborts. */
  private waitForRelease(signal?: AbortSignal): Promise<void> {
    return waitInLine(this.waiters, signal);
  }

  private pick(lane: string): Slot | undefined {
    const own = this.slots.find((slot) => slot.lane === lane);
    if (own) return own.busy ? undefined : own;
    if (this.context.sequencesLeft > 0) {
      const sequence = this.context.getSequence();
      const slot: Slot = {
        sequence,
        chat: new LlamaChat({ contextSequence: sequence, ...(this.chatWrapper ? { chatWrapper: this.chatWrapper } : {}) }),
        lane,
        busy: false,
        lastUsed: 0,
      };
      this.slots.push(slot);
      return slot;
    }
    // Reuse the least recently used idle sequence; its new lane will share whatever prefix matches.
    return this.slots.filter((slot) => !slot.busy).sort((a, b) => a.lastUsed - b.lastUsed)[0];
  }
}
