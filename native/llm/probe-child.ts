// Proves one GPU backend in a throwaway process: load node-llama-cpp with it, load a tiny model fully
// offloaded, decode a few tokens. A backend that aborts (as node-llama-cpp 3.21.1's CUDA build does at the
// first decode on driver 580) takes down only this process. Prints one JSON line.
import { getLlama, LlamaCompletion, LlamaLogLevel } from "node-llama-cpp";
import type { GPU_BACKENDS } from "../protocol/contract.ts";

type GpuBackend = (typeof GPU_BACKENDS)[number];

const [gpu, modelPath] = process.argv.slice(2);
const started = performance.now();
try {
  const llama = await getLlama({
    gpu: gpu === "cpu" ? false : (gpu as GpuBackend),
    build: "never",
    logLevel: LlamaLogLevel.error,
    progressLogs: false,
    maxThreads: 1,
  });
  const active = llama.gpu === false ? "cpu" : llama.gpu;
  if (active !== gpu) throw new Error(`node-llama-cpp loaded ${active} instead of ${gpu}`);
  const devices = active === "cpu" ? [] : await llama.getGpuDeviceNames();
  const vram = active === "cpu" ? null : await llama.getVramState();
  const model = await llama.loadModel({ modelPath: modelPath!, gpuLayers: "max" });
  const context = await model.createContext({ contextSize: 256, threads: 1 });
  const decodeStart = performance.now();
  const text = await new LlamaCompletion({ contextSequence: context.getSequence() }).generateCompletion("a the", { maxTokens: 8, temperature: 0 });
  const decodeMs = performance.now() - decodeStart;
  process.stdout.write(
    `${JSON.stringify({ ok: true, gpu: active, devices, vram, decodedChars: text.length, decodeMs, totalMs: performance.now() - started })}\n`,
  );
  await context.dispose();
  await model.dispose();
  process.exit(0);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ ok: false, gpu, error: (error as Error).message.split("\n")[0] })}\n`);
  process.exit(0);
}
