// Follow mode on a multi-branch run: every sibling being generated stays in the frame, not only the newest.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NODE_WIDTH, type LaidOutNode } from "../../layout/tree-layout.ts";
import { followFrontier, frontierIds } from "./frontier.ts";
import { isInView } from "./viewport.ts";

const node = (id: string, x: number, y: number): LaidOutNode => ({ id, x, y, hiddenChildren: 0 });
const size = { width: 800, height: 600 };

test("the frontier is what is generating now; between steps, the newest node", () => {
  const running = new Set(["n2", "n3", "n4"]);
  assert.deepEqual(
    frontierIds(["n1", "n2", "n3", "n4"], (id) => running.has(id)),
    ["n2", "n3", "n4"],
  );
  assert.deepEqual(
    frontierIds(["n1", "n2"], () => false),
    ["n2"],
  );
});

test("four samples generating side by side all stay in view as the fourth appears off the frame", () => {
  const gap = NODE_WIDTH + 40;
  const samples = [0, 1, 2, 3].map((i) => node(`n${i + 2}`, 20 + i * gap, 200));
  const start = { x: 0, y: 0, k: 1 };
  assert.equal(isInView(samples[3]!, start, size), false, "the fourth sample starts outside an 800 px frame");
  const view = followFrontier(samples, start, size, 24);
  for (const sample of samples) assert.ok(isInView(sample, view, size), `${sample.id} in view`);
  assert.ok(view.k < 1 && view.k >= (size.width - 32) / (3 * gap + NODE_WIDTH) - 1e-9, "zoomed out just enough");
});

test("a frontier already in view leaves the view alone; the view never zooms in to follow", () => {
  const one = [node("n1", 100, 100)];
  const view = { x: 0, y: 0, k: 0.5 };
  assert.equal(followFrontier(one, view, size, 24), view);
  const far = [node("n9", 5000, 3000)];
  const moved = followFrontier(far, view, size, 24);
  assert.equal(moved.k, 0.5);
  assert.ok(isInView(far[0]!, moved, size));
});
