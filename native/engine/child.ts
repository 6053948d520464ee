// Entry point of the engine process. node-llama-cpp lives here, never in the UI process, so a llama.cpp
// abort takes down only this process; the supervisor reports it and starts a fresh one for the next run.
import type { GpuChoice } from "../llm/runtime.ts";
import { EngineService } from "./service.ts";
import { loadEndpointKeysFromEnv } from "../llm/endpoint-keys.ts";
import type { EnginePort, FromEngine, ToEngine } from "./messages.ts";

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: "message", listener: (event: { data: unknown }) => void): void;
}

function openPort(): EnginePort {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on("message", (event) => listener(event.data as ToEngine)),
    };
  }
  if (!process.send) throw new Error("the engine process must be started by a supervisor (no IPC channel)");
  return {
    send: (message: FromEngine) => process.send!(message),
    onMessage: (listener) => process.on("message", (message) => listener(message as ToEngine)),
  };
}

// Endpoint keys the supervisor kept (the desktop app's safeStorage) arrive once, in memory only.
loadEndpointKeysFromEnv();
const port = openPort();
const service = new EngineService({
  runsDir: process.env.REFINERY_RUNS_DIR ?? "runs",
  gpu: (process.env.REFINERY_GPU as GpuChoice | undefined) ?? "auto",
  threads: process.env.REFINERY_THREADS ? Number(process.env.REFINERY_THREADS) : undefined,
  mode: process.env.REFINERY_MODE === "electron" ? "electron" : "web",
  emit: (event) => port.send({ kind: "event", event }),
});

port.onMessage(async (message) => {
  if (message.kind !== "request") return;
  const result = await service.handle(message.method, message.input);
  port.send({ kind: "response", id: message.id, result });
});
port.send({ kind: "ready", pid: process.pid });
// The supervisor going away (its IPC channel closing) ends the engine too.
process.on("disconnect", () => process.exit(0));
