// The whole tree in a corner, with the frame's rectangle on it: a click or a drag there moves the view.
import { memo, useRef, type PointerEvent as ReactPointerEvent } from "react";
import { NODE_HEIGHT, NODE_WIDTH, type TreeLayout } from "../../layout/tree-layout.ts";
import { INSET, minimapSize } from "./minimap-size.ts";
import { viewRect, type Size, type View } from "./viewport.ts";

export function Minimap({
  layout,
  view,
  size,
  selectedId,
  onCentre,
}: {
  layout: TreeLayout;
  view: View;
  size: Size;
  selectedId: string | null;
  onCentre: (point: { x: number; y: number }) => void;
}) {
  const svg = useRef<SVGSVGElement>(null);
  const dragging = useRef(false);
  if (layout.nodes.length === 0) return null;
  const { width, height } = minimapSize(layout);
  const frame = viewRect(view, size);
  const toLayout = (event: ReactPointerEvent) => {
    const rect = svg.current!.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) / rect.width) * layout.width, y: ((event.clientY - rect.top) / rect.height) * layout.height };
  };
  return (
    <svg
      ref={svg}
      className="tree-minimap"
      data-testid="tree-minimap"
      width={width}
      height={height}
      style={{ right: INSET, bottom: INSET }}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      preserveAspectRatio="none"
      onPointerDown={(event) => {
        event.stopPropagation();
        dragging.current = true;
        event.currentTarget.setPointerCapture(event.pointerId);
        onCentre(toLayout(event));
      }}
      onPointerMove={(event) => {
        if (dragging.current) onCentre(toLayout(event));
      }}
      onPointerUp={() => {
        dragging.current = false;
      }}
    >
      <title>Overview: click or drag to move the view</title>
      <MinimapNodes layout={layout} selectedId={selectedId} />
      <rect className="minimap-view" data-testid="minimap-view" x={frame.x} y={frame.y} width={frame.width} height={frame.height} />
    </svg>
  );
}

/** The nodes change with the layout, not with every step of a pan; all of them are one path, so a tree of
 * thousands of nodes is one element here, not thousands. */
const MinimapNodes = memo(function MinimapNodes({ layout, selectedId }: { layout: TreeLayout; selectedId: string | null }) {
  const boxes = layout.nodes.map((node) => `M${node.x},${node.y}h${NODE_WIDTH}v${NODE_HEIGHT}h${-NODE_WIDTH}z`).join("");
  const selected = selectedId ? layout.byId.get(selectedId) : undefined;
  return (
    <>
      <path className="minimap-nodes" d={boxes} />
      {selected && <rect className="selected" x={selected.x} y={selected.y} width={NODE_WIDTH} height={NODE_HEIGHT} />}
    </>
  );
});
