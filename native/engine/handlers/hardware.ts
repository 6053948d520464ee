// The machine and what it offers: the backend the engine runs on, the GPU probe report with free memory, the strategies.
import { freemem, totalmem } from "node:os";
import { resolve } from "node:path";
import type { EngineInfo, GpuReportInfo, StrategyInfo } from "../../protocol/contract.ts";
import { backendOptions, cpuFacts } from "../../llm/backend-options.ts";
import { probeBackends } from "../../llm/gpu-probe.ts";
import { strategies } from "../../strategies/registry.ts";
import { engineRuntime, type EngineContext, type Input } from "./context.ts";

export async function engineInfo(ctx: EngineContext, _input: Input<"engineInfo">): Promise<EngineInfo> {
  const runtime = await engineRuntime(ctx).catch(() => null);
  return { backend: runtime?.report ?? null, runsDir: resolve(ctx.options.runsDir), mode: ctx.options.mode, pid: process.pid };
}

export async function gpuReport(ctx: EngineContext, { refresh }: Input<"gpuReport">): Promise<GpuReportInfo> {
  const report = await probeBackends({ refresh, all: true });
  const runtime = await engineRuntime(ctx);
  const vram = runtime.report.active === "cpu" ? null : await runtime.llama.getVramState();
  return {
    ...report,
    memory: { ramFree: freemem(), ramTotal: totalmem(), vram: vram ? { total: vram.total, used: vram.used, free: vram.free } : null },
    backends: await backendOptions(report),
    cpu: cpuFacts(),
    devices: runtime.report.devices,
  };
}

export async function listStrategies(_ctx: EngineContext, _input: Input<"listStrategies">): Promise<StrategyInfo[]> {
  return strategies.map(({ name, title, paper, summary, params }) => ({ name, title, paper, summary, params }));
}
