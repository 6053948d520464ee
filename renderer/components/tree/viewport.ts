// The pan and zoom of the tree: a translation and a scale from layout pixels to the frame's pixels.
import { NODE_HEIGHT, NODE_WIDTH, type LaidOutNode, type TreeLayout } from "../../layout/tree-layout.ts";

export interface View {
  x: number;
  y: number;
  k: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Zoom limits for the wheel; fitting may go further out, so that any tree fits. */
export const MIN_ZOOM = 0.15;
export const MAX_ZOOM = 2.5;
const FIT_PADDING = 16;

/**
 * The whole layout inside the frame, centred, never enlarged past 1:1. `corner` is what covers the frame's
 * bottom-right corner (the minimap): when the fitted tree would reach under it, the tree fits beside or above it.
 */
/** Views equal to within a hundredth of a pixel (and of a zoom step): the same picture on screen. */
export const sameView = (a: View, b: View) => Math.abs(a.x - b.x) < 0.01 && Math.abs(a.y - b.y) < 0.01 && Math.abs(a.k - b.k) < 1e-4;

export function fitView(layout: TreeLayout, size: Size, corner: Size = { width: 0, height: 0 }): View {
  if (layout.nodes.length === 0) return { x: 0, y: 0, k: 1 };
  const box = {
    left: Math.min(...layout.nodes.map((n) => n.x)),
    top: Math.min(...layout.nodes.map((n) => n.y)),
    right: Math.max(...layout.nodes.map((n) => n.x + NODE_WIDTH)),
    bottom: Math.max(...layout.nodes.map((n) => n.y + NODE_HEIGHT)),
  };
  const whole = fitInto(box, size.width, size.height, size.width);
  if (!reachesCorner(layout, whole, size, corner)) return whole;
  const above = fitInto(box, size.width, size.height - corner.height - FIT_PADDING, size.width);
  const beside = fitInto(box, size.width - corner.width - FIT_PADDING, size.height, size.width - corner.width - FIT_PADDING);
  return above.k >= beside.k ? above : beside;
}

function fitInto(box: { left: number; top: number; right: number; bottom: number }, width: number, height: number, centreWidth: number): View {
  const w = box.right - box.left;
  const h = box.bottom - box.top;
  const k = Math.max(0.001, Math.min(1, (width - 2 * FIT_PADDING) / w, (height - 2 * FIT_PADDING) / h));
  return { k, x: (centreWidth - w * k) / 2 - box.left * k, y: Math.max(FIT_PADDING, (height - h * k) / 2) - box.top * k };
}

function reachesCorner(layout: TreeLayout, view: View, size: Size, corner: Size): boolean {
  if (corner.width === 0 || corner.height === 0) return false;
  const left = size.width - corner.width - FIT_PADDING / 2;
  const top = size.height - corner.height - FIT_PADDING / 2;
  return layout.nodes.some((n) => (n.x + NODE_WIDTH) * view.k + view.x > left && (n.y + NODE_HEIGHT) * view.k + view.y > top);
}

/** The view that puts a layout point at the frame's centre, at the same zoom. */
export function centredOn(point: { x: number; y: number }, view: View, size: Size): View {
  return { k: view.k, x: size.width / 2 - point.x * view.k, y: size.height / 2 - point.y * view.k };
}

export const nodeCentre = (node: LaidOutNode) => ({ x: node.x + NODE_WIDTH / 2, y: node.y + NODE_HEIGHT / 2 });

/** Whether the node's whole box is inside the frame. */
export function isInView(node: LaidOutNode, view: View, size: Size): boolean {
  const left = node.x * view.k + view.x;
  const top = node.y * view.k + view.y;
  return left >= 0 && top >= 0 && left + NODE_WIDTH * view.k <= size.width && top + NODE_HEIGHT * view.k <= size.height;
}

/** The frame's rectangle in layout pixels. */
export const viewRect = (view: View, size: Size) => ({ x: -view.x / view.k, y: -view.y / view.k, width: size.width / view.k, height: size.height / view.k });
