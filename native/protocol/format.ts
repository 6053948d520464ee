// Number formatting and series colours shared by the HTML report, the CLI and the compare view. Pure, so the
// renderer bundles it. NaN (no paired items yet) arrives in the renderer as null: both print as "–".
export const pct = (value: number | null) => (value !== null && Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : "–");
export const fixed = (value: number | null, digits = 0) => (value !== null && Number.isFinite(value) ? value.toFixed(digits) : "–");
export const PALETTE = ["#2f6fde", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c2255c", "#5c940d"];
