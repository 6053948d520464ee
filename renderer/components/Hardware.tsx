// The hardware panel: the processor, every backend that was proven (or why not), the active one and its devices,
// VRAM and RAM, and the backend menu with only what this platform has.
import { useEffect } from "react";
import type { GpuChoice } from "../../native/protocol/contract.ts";
import { formatBytes } from "../../native/protocol/format.ts";
import { useAppState, useController } from "../store/context.tsx";

export function Hardware() {
  const controller = useController();
  const gpu = useAppState((s) => s.gpu);
  const requested = useAppState((s) => s.engine.info?.backend?.requested ?? "auto");
  // Memory is live: read again every few seconds while the panel is open.
  useEffect(() => {
    const timer = setInterval(() => void controller.refreshGpu(), 5000);
    return () => clearInterval(timer);
  }, [controller]);
  if (!gpu) return null;
  // A backend the engine was started with from outside the menu (--gpu metal on Linux) is still shown as chosen.
  const listed = gpu.backends ?? [];
  const options = listed.some((o) => o.backend === requested)
    ? listed
    : [...listed, { backend: requested as GpuChoice, available: false, reason: "not available on this platform" }];
  const unavailable = options.filter((o) => !o.available);
  return (
    <details className="hardware" data-testid="hardware">
      <summary data-testid="hardware-summary">
        {gpu.chosen}
        {gpu.devices?.length ? ` (${gpu.devices.join(", ")})` : ""} · RAM {formatBytes(gpu.memory.ramFree)} free of {formatBytes(gpu.memory.ramTotal)}
        {gpu.memory.vram && ` · VRAM ${formatBytes(gpu.memory.vram.free)} free of ${formatBytes(gpu.memory.vram.total)}`}
      </summary>
      {gpu.cpu && (
        <div className="hint" data-testid="hardware-cpu">
          CPU: {gpu.cpu.model} · {gpu.cpu.cores} cores
        </div>
      )}
      <ul>
        {gpu.results.map((result) => (
          <li key={result.backend} data-testid="backend" data-backend={result.backend} data-ok={String(result.ok)}>
            {result.ok ? "✓" : "✗"} {result.backend}
            {result.devices.length > 0 && ` (${result.devices.join(", ")})`}
            {result.vram && ` · VRAM ${formatBytes(result.vram.total)}`}
            {result.backend === gpu.chosen && " — active"}
            {!result.ok && result.reason && <div className="reason">{result.reason}</div>}
          </li>
        ))}
      </ul>
      <label className="override">
        backend{" "}
        <select data-testid="backend-override" value={requested} onChange={(e) => void controller.setBackend(e.target.value as GpuChoice)}>
          {options.map((option) => (
            <option key={option.backend} value={option.backend} disabled={!option.available && option.backend !== requested}>
              {option.backend}
              {option.available ? "" : " (unavailable)"}
            </option>
          ))}
        </select>
      </label>
      {unavailable.length > 0 && (
        <ul className="hint" data-testid="backend-unavailable">
          {unavailable.map((option) => (
            <li key={option.backend}>
              {option.backend}: {option.reason}
            </li>
          ))}
        </ul>
      )}
      <div className="hint">
        {gpu.fromCache ? `proven ${new Date(gpu.probedAt).toLocaleString()}` : "proven just now"} ·{" "}
        <button type="button" onClick={() => void controller.refreshGpu(true)}>
          prove again
        </button>
      </div>
    </details>
  );
}
