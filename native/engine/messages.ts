// Messages between the supervising process (Electron main or the web server) and the engine process.
import type { EngineEvent, RequestName, Result } from "../protocol/contract.ts";

/** The answer to a file dialog asked of a process that has none (the web server, the CLI). */
export const NO_FILE_DIALOG = "file dialogs are only available in the desktop app; type the model's path";

export type ToEngine = { kind: "request"; id: number; method: RequestName; input: unknown };
export type FromEngine = { kind: "response"; id: number; result: Result<unknown> } | { kind: "event"; event: EngineEvent } | { kind: "ready"; pid: number };

/** The engine process's end of the channel: Node's fork IPC, or Electron's utilityProcess parentPort. */
export interface EnginePort {
  send(message: FromEngine): void;
  onMessage(listener: (message: ToEngine) => void): void;
}
