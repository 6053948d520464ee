// The confidence strip on the overview's boxes: the same bins and colours as a card's strip (confidence-strip.ts),
// painted along the bottom of the box. The overview shows boxes a few pixels wide, so the strip takes only as many
// bins as the box has screen pixels across and never gets thinner than two screen pixels: a bin narrower than a
// pixel would blend into its neighbours and hide the unsure stretch the strip is there to show.
import { NODE_HEIGHT, NODE_WIDTH } from "../../layout/tree-layout.ts";
import { type ConfidenceSummary, confidenceBins, confidenceColor } from "../confidence-strip.ts";

/** The bins of a card's strip (TreeView's node card). */
export const CARD_STRIP_BINS = 48;
/** The strip's least height on screen, in pixels. */
const MIN_STRIP_PIXELS = 2;
/** The outline of a low bin, as the card's inset outline. */
const LOW_OUTLINE = "#000";

export type StripCanvas = Pick<CanvasRenderingContext2D, "fillStyle" | "strokeStyle" | "lineWidth" | "fillRect" | "strokeRect">;

/** Bins a box's strip shows at zoom `k`: one per screen pixel of the box's width at most, never more than a card's. */
export function overviewStripBins(k: number): number {
  return Math.max(1, Math.min(CARD_STRIP_BINS, Math.floor(NODE_WIDTH * k)));
}

/** The strip's height in layout pixels: a sixth of the box, or two screen pixels when that is less, at most half. */
export function overviewStripHeight(k: number): number {
  return Math.min(NODE_HEIGHT / 2, Math.max(NODE_HEIGHT / 6, MIN_STRIP_PIXELS / k));
}

// Decoding every node's confidence on every repaint would cost thousands of decodes a frame; a node object is
// replaced when it changes, so its bins stay valid for as long as the object lives.
const binned = new WeakMap<object, { bins: number; strip: ConfidenceSummary | null }>();

function stripOf(node: { confidence?: string }, bins: number): ConfidenceSummary | null {
  const cached = binned.get(node);
  if (cached && cached.bins === bins) return cached.strip;
  const strip = node.confidence ? confidenceBins(node.confidence, bins) : null;
  binned.set(node, { bins, strip });
  return strip;
}

/**
 * Paints `node`'s confidence strip along the bottom of its box at (x, y) in layout pixels, the context already
 * transformed to zoom `k`. Each bin spans its share of the generation's tokens; the lowest bins are outlined.
 * Returns whether anything was painted (a node without confidence has no strip).
 */
export function paintConfidenceStrip(context: StripCanvas, box: { x: number; y: number }, node: { confidence?: string }, k: number): boolean {
  const strip = stripOf(node, overviewStripBins(k));
  if (!strip) return false;
  const height = overviewStripHeight(k);
  const top = box.y + NODE_HEIGHT - height;
  const left = (token: number) => box.x + (token / strip.tokens) * NODE_WIDTH;
  for (const bin of strip.bins) {
    context.fillStyle = confidenceColor(bin.mean);
    context.fillRect(left(bin.from), top, left(bin.to) - left(bin.from), height);
  }
  const low = strip.bins.filter((bin) => bin.low);
  if (low.length) {
    const line = 1 / k;
    context.strokeStyle = LOW_OUTLINE;
    context.lineWidth = line;
    // Inset by half the line, so the outline stays inside its bin as the card's inset shadow does.
    for (const bin of low) context.strokeRect(left(bin.from) + line / 2, top + line / 2, left(bin.to) - left(bin.from) - line, height - line);
  }
  return true;
}
