// The plots' geometry: labels that do not cover one another, points in their column's colour, ticks on both axes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PALETTE } from "./format.ts";
import { costPlot, type PlotFrame } from "./plot-geometry.ts";

const frame: PlotFrame = { width: 350, height: 220, left: 40, right: 20, top: 20, bottom: 30 };

test("columns at the same accuracy and similar tokens get labels that do not overlap, each point in its column's colour", () => {
  const columns = [
    { id: "best-of-n", tokens: 410, accuracy: 0 },
    { id: "self-refine", tokens: 400, accuracy: 0 },
    { id: "single-pass", tokens: 10, accuracy: 0 },
    { id: "self-consistency", tokens: 405, accuracy: 0.6 },
  ];
  const plot = costPlot(columns, ["single-pass"], frame);
  const boxes = plot.points.map((p) => p.label.box);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i]!, boxes[j]!];
      assert.ok(
        !(a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom),
        `${plot.points[i]!.label.text} covers ${plot.points[j]!.label.text}`,
      );
    }
  }
  for (const box of boxes) assert.ok(box.top >= 0 && box.bottom <= frame.height, "labels stay inside the plot");
  assert.deepEqual(
    plot.points.map((p) => p.colour),
    PALETTE.slice(0, 4),
  );
  assert.deepEqual(
    plot.points.map((p) => p.label.text),
    ["best-of-n 0.0%", "self-refine 0.0%", "single-pass 0.0%", "self-consistency 60.0%"],
  );
  // The lone label far from the others stays where a label goes: just above its point.
  const single = plot.points[2]!;
  assert.equal(single.label.y, single.y - 6);
});

test("both axes carry tick values", () => {
  const plot = costPlot([{ id: "a", tokens: 180, accuracy: 0.5 }], [], frame);
  assert.deepEqual(
    plot.axes.xTicks.map((t) => t.label),
    ["0", "50", "100", "150"],
  );
  assert.deepEqual(
    plot.axes.yTicks.map((t) => t.label),
    ["0%", "50%", "100%"],
  );
});

test("with a sampling frontier the token axis is logarithmic, pass@k is labelled an oracle, points carry their intervals", () => {
  const points = [1, 2, 4, 8].map((k) => ({ k, meanTokens: 100 * k, passAtK: 0.3 + 0.05 * k, majAtK: 0.3 + 0.02 * k }));
  const plot = costPlot(
    [
      { id: "self-refine", tokens: 250, accuracy: 0.4, interval: [0.3, 0.5] },
      { id: "sc", tokens: 800, accuracy: 0.46, interval: [0.36, 0.56] },
    ],
    [],
    frame,
    [{ column: "sc", points }],
  );
  assert.equal(plot.logScale, true);
  assert.deepEqual(
    plot.curves.map((c) => [c.label, c.colour]),
    [
      ["sc pass@k (oracle)", PALETTE[1]],
      ["sc maj@k", PALETTE[1]],
    ],
  );
  // k doubles at equal steps on a log axis.
  const xs = plot.curves[1]!.points.map((p) => p.x);
  assert.ok(Math.abs(xs[1]! - xs[0]! - (xs[2]! - xs[1]!)) < 1e-9 && Math.abs(xs[3]! - xs[2]! - (xs[2]! - xs[1]!)) < 1e-9);
  const refine = plot.points[0]!;
  assert.ok(refine.whisker!.top < refine.y && refine.y < refine.whisker!.bottom, "the interval spans the point");
  assert.ok(plot.axes.xTicks.map((t) => t.label).includes("100"), `ticks ${plot.axes.xTicks.map((t) => t.label)}`);
  assert.equal(costPlot([{ id: "a", tokens: 180, accuracy: 0.5 }], [], frame).logScale, false, "no frontier: the linear axis as before");
});
