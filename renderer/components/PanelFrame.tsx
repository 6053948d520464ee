// A side panel that folds to a strip and a handle that resizes it (drag, or arrow keys when focused). Folded,
// its contents stay mounted, hidden, so nothing typed in them is lost.
import type { PointerEvent as ReactPointerEvent, ReactNode } from "react";
import type { Panel } from "./panels.ts";

export function PanelFrame({ panel, side, label, children }: { panel: Panel; side: "left" | "right"; label: string; children: ReactNode }) {
  const arrow = (side === "left") === panel.collapsed ? "»" : "«";
  return (
    <aside className={`${side} ${panel.collapsed ? "collapsed" : ""}`} data-testid={`panel-${side}`} data-collapsed={panel.collapsed}>
      <button
        type="button"
        className="panel-toggle"
        data-testid={`panel-${side}-toggle`}
        title={panel.collapsed ? `show the ${label}` : `fold the ${label} away`}
        aria-expanded={!panel.collapsed}
        onClick={() => panel.update({ collapsed: !panel.collapsed })}
      >
        {arrow}
      </button>
      <div className="panel-body" hidden={panel.collapsed}>
        {children}
      </div>
    </aside>
  );
}

export function PanelResizer({ panel, side, label }: { panel: Panel; side: "left" | "right"; label: string }) {
  // The left panel grows as the handle moves right; the right panel as it moves left.
  const direction = side === "left" ? 1 : -1;
  const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (panel.collapsed) return;
    const startX = event.clientX;
    const startWidth = panel.width;
    const handle = event.currentTarget;
    handle.setPointerCapture(event.pointerId);
    const move = (e: PointerEvent) => panel.update({ width: startWidth + direction * (e.clientX - startX) });
    const up = () => {
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", up);
    };
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", up);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a separator that moves is the ARIA pattern for a splitter; <hr> cannot take focus or pointer drags
    <div
      className="panel-resizer"
      data-testid={`panel-${side}-resizer`}
      role="separator"
      aria-orientation="vertical"
      aria-label={`resize the ${label}`}
      aria-valuenow={panel.width}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onDoubleClick={() => panel.update({ collapsed: !panel.collapsed })}
      onKeyDown={(event) => {
        if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
          event.preventDefault();
          panel.update({ width: panel.width + (event.key === "ArrowRight" ? 20 : -20) * direction });
        }
      }}
    />
  );
}
