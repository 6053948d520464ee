// Follow mode's target while a run grows: its frontier, the nodes being generated now. A multi-branch run (Best-of-N,
// a beam search) grows several siblings at once; centring on the newest card scrolled the earlier ones off the frame.
import { NODE_HEIGHT, NODE_WIDTH, type LaidOutNode } from "../../layout/tree-layout.ts";
import { isInView, MIN_ZOOM, type Size, type View } from "./viewport.ts";

const PADDING = 16;

/** The nodes generating now, in the run's order; when none is (between steps), the newest. */
export function frontierIds(order: readonly string[], isRunning: (id: string) => boolean): string[] {
  const running = order.filter(isRunning);
  return running.length > 0 ? running : order.slice(-1);
}

/**
 * The view that keeps the frontier in the frame: unchanged while every frontier card is in view; else centred on
 * the frontier's box, zoomed out only as far as that box needs (never in, never past the wheel's limit), with the
 * first layer kept at `top` at most so the upper frame does not stay empty.
 */
export function followFrontier(frontier: readonly LaidOutNode[], view: View, size: Size, top: number): View {
  if (frontier.length === 0 || frontier.every((node) => isInView(node, view, size))) return view;
  const left = Math.min(...frontier.map((n) => n.x));
  const right = Math.max(...frontier.map((n) => n.x + NODE_WIDTH));
  const upper = Math.min(...frontier.map((n) => n.y));
  const lower = Math.max(...frontier.map((n) => n.y + NODE_HEIGHT));
  const fits = Math.min((size.width - 2 * PADDING) / (right - left), (size.height - 2 * PADDING) / (lower - upper));
  const k = Math.max(Math.min(view.k, MIN_ZOOM), Math.min(view.k, fits));
  return { k, x: size.width / 2 - ((left + right) / 2) * k, y: Math.min(top, size.height / 2 - ((upper + lower) / 2) * k) };
}
