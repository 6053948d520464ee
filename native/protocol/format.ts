// Number formatting and series colours shared by the HTML report, the CLI and the compare view. Pure, so the
// renderer bundles it. NaN (no paired items yet) arrives in the renderer as null: both print as "–".
export const pct = (value: number | null) => (value !== null && Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : "–");
export const fixed = (value: number | null, digits = 0) => (value !== null && Number.isFinite(value) ? value.toFixed(digits) : "–");
export const PALETTE = ["#2f6fde", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c2255c", "#5c940d"];

/**
 * A size in the unit that reads best (B, KiB, MiB, GiB): a 1.1 MiB model printed in GiB reads "0.00 GiB", which
 * says nothing. One place, so the library, the memory bar, downloads and the CLI agree.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "–";
  if (Math.round(bytes) < 1024) return `${Math.round(bytes)} B`;
  // The unit is chosen after rounding, so 1,048,575 bytes reads "1.0 MiB", not "1024.0 KiB".
  const kib = (bytes / 1024).toFixed(1);
  if (Number(kib) < 1024) return `${kib} KiB`;
  const mib = (bytes / 2 ** 20).toFixed(1);
  if (Number(mib) < 1024) return `${mib} MiB`;
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/**
 * A duration in the unit that reads best: "850 ms", "12.4 s", "7 min 39 s", "2 h 05 min". "458522 ms" makes the
 * reader divide; the run list, the run header and the CLI print the same words.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
