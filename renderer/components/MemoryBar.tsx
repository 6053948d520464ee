// The joint memory plan of the chosen actor and critic, before anything loads: a stacked bar per memory
// (actor weights, actor context, critic weights, critic context, free), the verdict, and what would help.
import { formatBytes } from "../../native/protocol/format.ts";
import { useAppState } from "../store/context.tsx";
import { actorPath, criticPath } from "../store/selectors.ts";

/** Below this a small model's weights would not be drawn at all next to gigabytes of free RAM. */
const MIN_SEGMENT_PX = 4;
const COLORS: Record<string, string> = {
  "actor weights": "#2f6fde",
  "actor context": "#8fb3f0",
  "critic weights": "#c77d1a",
  "critic context": "#f0c98a",
  free: "#e5e8ee",
};

export function MemoryBar() {
  const plan = useAppState((s) => s.plan);
  // A plan is for the files it was made for: once either path changes it no longer describes the setup.
  const current = useAppState((s) => `${actorPath(s.setup)}|${criticPath(s.setup)}|`);
  if (!plan?.key.startsWith(current)) return null;
  if (plan.error)
    return (
      <div className="error inline" data-testid="memory-plan-error">
        memory plan: {plan.error}
      </div>
    );
  if (!plan.value) return <div className="hint">planning memory…</div>;
  const { value } = plan;
  return (
    <div className={`memory-plan verdict-${value.verdict}`} data-testid="memory-plan" data-verdict={value.verdict}>
      <div className="verdict" data-testid="memory-verdict">
        {value.summary}
      </div>
      {(["vram", "ram"] as const).map((memory) => {
        const segments = value.bar.filter((s) => s.memory === memory);
        if (segments.length === 0) return null;
        const total = Math.max(
          1,
          segments.reduce((sum, s) => sum + s.bytes, 0),
        );
        const used = segments.filter((s) => s.label !== "free").reduce((sum, s) => sum + s.bytes, 0);
        return (
          <div key={memory} className="bar-row">
            <span className="bar-label">{memory.toUpperCase()}</span>
            <div className="bar" data-testid={`memory-bar-${memory}`}>
              {segments.map((segment) =>
                segment.bytes > 0 ? (
                  <span
                    key={segment.label}
                    className="segment"
                    data-label={segment.label}
                    title={`${segment.label}: ${formatBytes(segment.bytes)}`}
                    style={{
                      width: `${(segment.bytes / total) * 100}%`,
                      // Used memory keeps a visible sliver; the free part gives way.
                      ...(segment.label === "free" ? { flexShrink: 1 } : { minWidth: MIN_SEGMENT_PX, flexShrink: 0 }),
                      background: COLORS[segment.label.replace(" (shared with actor)", "")] ?? "#bbb",
                    }}
                  />
                ) : null,
              )}
            </div>
            <span className="bar-amount" data-testid={`memory-used-${memory}`}>
              {formatBytes(used)} of {formatBytes(total)}
            </span>
          </div>
        );
      })}
      <div className="legend">
        <span data-testid="memory-segments">
          {value.bar
            .filter((s) => s.label !== "free" && s.bytes > 0)
            .map((s) => `${s.label} ${formatBytes(s.bytes)}${s.memory === "vram" ? " VRAM" : ""}`)
            .join(" · ")}
        </span>
        {value.roles.map((role) => (
          <span key={role.role}>
            {role.role}: {role.gpuLayers}/{role.totalLayers} GPU layers, context {role.contextSize}
            {role.sharedWithActor ? " (one copy with the actor)" : ""}
          </span>
        ))}
      </div>
      {value.suggestions.length > 0 && (
        <ul className="suggestions" data-testid="memory-suggestions">
          {value.suggestions.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
