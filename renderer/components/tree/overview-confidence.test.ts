// The overview's confidence strip: what paintConfidenceStrip asks a 2D context to paint, recorded on a context that
// keeps every call with the style in force. The bins are the card's (confidenceBins), as many as the box has screen
// pixels across; they tile the bottom of the box; the unsure stretch is outlined inside its own bin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeConfidence } from "../../../native/protocol/token-confidence.ts";
import { NODE_HEIGHT, NODE_WIDTH } from "../../layout/tree-layout.ts";
import { confidenceBins, confidenceColor } from "../confidence-strip.ts";
import { CARD_STRIP_BINS, paintConfidenceStrip, type StripCanvas } from "./overview-confidence.ts";

interface Call {
  op: "fillRect" | "strokeRect";
  x: number;
  y: number;
  w: number;
  h: number;
  style: string;
  lineWidth: number;
}

function recordingCanvas(): StripCanvas & { calls: Call[] } {
  const calls: Call[] = [];
  const canvas = {
    calls,
    fillStyle: "" as StripCanvas["fillStyle"],
    strokeStyle: "" as StripCanvas["strokeStyle"],
    lineWidth: 1,
    fillRect(x: number, y: number, w: number, h: number) {
      calls.push({ op: "fillRect", x, y, w, h, style: String(canvas.fillStyle), lineWidth: canvas.lineWidth });
    },
    strokeRect(x: number, y: number, w: number, h: number) {
      calls.push({ op: "strokeRect", x, y, w, h, style: String(canvas.strokeStyle), lineWidth: canvas.lineWidth });
    },
  };
  return canvas;
}

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} ≠ ${b}`);

// 480 tokens, sure (16) except tokens 200–239, where the model was unsure (1).
const values = Array.from({ length: 480 }, (_, i) => (i >= 200 && i < 240 ? 1 : 16));
const node = () => ({ confidence: encodeConfidence(values) });
const box = { x: 1000, y: 400 };

test("overview strip: the card's bins, one per screen pixel of the box, tiling its bottom in the card's colours", () => {
  for (const [k, bins] of [
    [1, CARD_STRIP_BINS],
    [0.1, 24],
    [0.05, 12],
  ] as const) {
    const canvas = recordingCanvas();
    assert.equal(paintConfidenceStrip(canvas, box, node(), k), true);
    const fills = canvas.calls.filter((c) => c.op === "fillRect");
    assert.equal(fills.length, bins, `zoom ${k}: ${bins} bins across a box ${NODE_WIDTH * k} pixels wide`);
    const expected = confidenceBins(encodeConfidence(values), bins)!.bins;
    assert.deepEqual(
      fills.map((f) => f.style),
      expected.map((bin) => confidenceColor(bin.mean)),
      "each bin in the card's colour for its mean",
    );
    close(fills[0]!.x, box.x, "the strip starts at the box's left edge");
    fills.slice(1).forEach((f, i) => close(f.x, fills[i]!.x + fills[i]!.w, `bin ${i + 1} starts where bin ${i} ends`));
    close(fills.at(-1)!.x + fills.at(-1)!.w, box.x + NODE_WIDTH, "the strip ends at the box's right edge");
    for (const f of fills) close(f.y + f.h, box.y + NODE_HEIGHT, "the strip sits on the box's bottom edge");
    assert.ok(fills[0]!.h * k >= 2, `zoom ${k}: at least two screen pixels tall`);
    assert.ok(fills[0]!.h <= NODE_HEIGHT / 2, "never more than half the box");
  }
});

test("overview strip: the unsure stretch is outlined inside its bin with a one-pixel line; a sure run outlines nothing", () => {
  const k = 0.1;
  const canvas = recordingCanvas();
  paintConfidenceStrip(canvas, box, node(), k);
  const outlines = canvas.calls.filter((c) => c.op === "strokeRect");
  // 24 bins of 20 tokens: tokens 200–239 are bins 10 and 11, the lowest tenth (two bins).
  assert.equal(outlines.length, 2);
  const tokenX = (token: number) => box.x + (token / values.length) * NODE_WIDTH;
  for (const [i, outline] of outlines.entries()) {
    const from = tokenX(200 + 20 * i);
    const to = tokenX(220 + 20 * i);
    assert.ok(outline.x > from && outline.x + outline.w < to, `outline ${i} inside tokens ${200 + 20 * i}–${219 + 20 * i}`);
    assert.equal(outline.style, "#000");
    close(outline.lineWidth * k, 1, "one screen pixel");
  }
  const sure = recordingCanvas();
  paintConfidenceStrip(sure, box, { confidence: encodeConfidence(Array(480).fill(12)) }, k);
  assert.equal(sure.calls.filter((c) => c.op === "strokeRect").length, 0);
});

test("overview strip: a node without confidence paints nothing, and a zoom change re-bins the same node", () => {
  const none = recordingCanvas();
  assert.equal(paintConfidenceStrip(none, box, {}, 1), false);
  assert.equal(paintConfidenceStrip(none, box, { confidence: "" }, 1), false);
  assert.equal(none.calls.length, 0);
  const same = node();
  const far = recordingCanvas();
  paintConfidenceStrip(far, box, same, 0.05);
  const near = recordingCanvas();
  paintConfidenceStrip(near, box, same, 1);
  assert.equal(far.calls.filter((c) => c.op === "fillRect").length, 12);
  assert.equal(near.calls.filter((c) => c.op === "fillRect").length, CARD_STRIP_BINS);
});
