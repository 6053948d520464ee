// The hardware panel: every backend that was proven (or why not), the active one, devices, VRAM and RAM.
import { useEffect } from "react";
import { useAppState, useController } from "../store/context.tsx";

const GiB = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

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
  return (
    <details className="hardware" data-testid="hardware">
      <summary data-testid="hardware-summary">
        {gpu.chosen} · RAM {GiB(gpu.memory.ramFree)} free of {GiB(gpu.memory.ramTotal)}
        {gpu.memory.vram && ` · VRAM ${GiB(gpu.memory.vram.free)} free of ${GiB(gpu.memory.vram.total)}`}
      </summary>
      <ul>
        {gpu.results.map((result) => (
          <li key={result.backend} data-testid="backend" data-backend={result.backend} data-ok={String(result.ok)}>
            {result.ok ? "✓" : "✗"} {result.backend}
            {result.devices.length > 0 && ` (${result.devices.join(", ")})`}
            {result.backend === gpu.chosen && " — active"}
            {!result.ok && result.reason && <div className="reason">{result.reason}</div>}
          </li>
        ))}
      </ul>
      <label className="override">
        backend{" "}
        <select data-testid="backend-override" value={requested} onChange={(e) => void controller.setBackend(e.target.value as "auto")}>
          {["auto", "cpu", "cuda", "vulkan", "metal"].map((b) => (
            <option key={b}>{b}</option>
          ))}
        </select>
      </label>
      <div className="hint">
        {gpu.fromCache ? `proven ${new Date(gpu.probedAt).toLocaleString()}` : "proven just now"} ·{" "}
        <button type="button" onClick={() => void controller.refreshGpu(true)}>
          prove again
        </button>
      </div>
    </details>
  );
}
