// How large the minimap is drawn, and the corner of the frame it covers: the fit keeps nodes out of that corner.
import type { TreeLayout } from "../../layout/tree-layout.ts";
import type { Size } from "./viewport.ts";

const MAX_WIDTH = 160;
const MAX_HEIGHT = 100;
const MAX_SCALE = 0.12;
/** Where the minimap sits from the frame's corner (its CSS right and bottom). */
export const INSET = 8;

export function minimapSize(layout: TreeLayout): Size {
  if (layout.nodes.length === 0) return { width: 0, height: 0 };
  // Small trees get a small map, not a magnified one.
  const scale = Math.min(MAX_WIDTH / layout.width, MAX_HEIGHT / layout.height, MAX_SCALE);
  return { width: Math.max(40, layout.width * scale), height: Math.max(24, layout.height * scale) };
}

/** The part of the frame's bottom-right corner the minimap covers, inset included: fitting keeps nodes out of it. */
export function minimapCorner(layout: TreeLayout): Size {
  const map = minimapSize(layout);
  return map.width === 0 ? map : { width: map.width + INSET, height: map.height + INSET };
}
