// Real llama-server processes for tests: the binary built by scripts/llama-server.mjs from the llama.cpp that
// node-llama-cpp binds, started on a loopback port the test picks and stopped by the test.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { repoRoot } from "./models.ts";

/** The built binary; a missing one fails the test with the command that builds it, never a skip. */
export function llamaServerBinary(): string {
  const check = spawnSync(process.execPath, [join(repoRoot, "scripts", "llama-server.mjs"), "--check"], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(check.stderr.trim() || "scripts/llama-server.mjs --check failed");
  return check.stdout.trim();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface LlamaServer {
  port: number;
  /** The OpenAI base URL, as Refinery's endpoint specs take it. */
  baseUrl: string;
  /** The server's root, where /health, /slots and /tokenize live. */
  root: string;
  process: ChildProcess;
  /** What the server printed last, for failure messages. */
  log(): string;
  /** SIGKILL, as a crash would; resolves once the process is gone. */
  kill(): Promise<void>;
}

export interface LlamaServerOptions {
  model: string;
  /** Context per server (all slots together). */
  context?: number;
  slots?: number;
  /** Decode and batch threads (default 1: tests share the machine). */
  threads?: number;
  extraArgs?: string[];
  port?: number;
}

/** Starts llama-server and waits until /health says the model is loaded. */
export async function startLlamaServer(options: LlamaServerOptions): Promise<LlamaServer> {
  const binary = llamaServerBinary();
  const port = options.port ?? (await freePort());
  const args = [
    ["-m", options.model],
    ["--host", "127.0.0.1", "--port", String(port)],
    ["-c", String(options.context ?? 512), "-np", String(options.slots ?? 1)],
    ["-t", String(options.threads ?? 1), "-tb", String(options.threads ?? 1)],
    ["--slots"],
    options.extraArgs ?? [],
  ].flat();
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-6000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const root = `http://127.0.0.1:${port}`;
  const server: LlamaServer = {
    port,
    baseUrl: `${root}/v1`,
    root,
    process: child,
    log: () => tail,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`llama-server ${args.join(" ")} exited early:\n${tail}`);
    const ok = await fetch(`${root}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return server;
    if (Date.now() > deadline) {
      await server.kill();
      throw new Error(`llama-server on port ${port} was not healthy within 180 s:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface SlotState {
  id: number;
  is_processing: boolean;
}

export async function slots(server: LlamaServer): Promise<SlotState[]> {
  const response = await fetch(`${server.root}/slots`);
  if (!response.ok) throw new Error(`/slots answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as SlotState[];
}
