// The joint memory plan of the chosen actor and critic, before anything loads: a stacked bar per memory
// (actor weights, actor context, critic weights, critic context, free), the verdict, and what would help.
import { useAppState } from "../store/context.tsx";

const MiB = (bytes: number) => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
const COLORS: Record<string, string> = {
  "actor weights": "#2f6fde",
  "actor context": "#8fb3f0",
  "critic weights": "#c77d1a",
  "critic context": "#f0c98a",
  free: "#e5e8ee",
};

export function MemoryBar() {
  const plan = useAppState((s) => s.plan);
  if (!plan) return null;
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
                    title={`${segment.label}: ${MiB(segment.bytes)}`}
                    style={{ width: `${(segment.bytes / total) * 100}%`, background: COLORS[segment.label.replace(" (shared with actor)", "")] ?? "#bbb" }}
                  />
                ) : null,
              )}
            </div>
          </div>
        );
      })}
      <div className="legend">
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
