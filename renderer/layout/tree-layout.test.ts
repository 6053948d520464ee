import { test } from "node:test";
import assert from "node:assert/strict";
import { layoutRun, NODE_HEIGHT, NODE_WIDTH, visibleNodes } from "./tree-layout.ts";

const parents = new Map<string, string[]>([
  ["a", []],
  ["b", []],
  ["c", ["a"]],
  ["d", ["a"]],
  ["v", ["a", "b", "c"]],
]);

test("lays out primary-parent trees top-down and keeps extra parents as edges", () => {
  const layout = layoutRun(parents, ["a", "b", "c", "d", "v"], {});
  const y = (id: string) => layout.byId.get(id)!.y;
  assert.equal(y("a"), 0);
  assert.equal(y("b"), 0);
  assert.ok(y("c") > y("a") && y("v") === y("c"));
  assert.deepEqual(
    layout.edges.filter((e) => e.to === "v").map((e) => [e.from, e.primary]),
    [
      ["a", true],
      ["b", false],
      ["c", false],
    ],
  );
  const xs = layout.nodes
    .filter((n) => n.y === 0)
    .map((n) => n.x)
    .sort((p, q) => p - q);
  assert.ok(xs[1]! - xs[0]! >= NODE_WIDTH, "siblings do not overlap");
  assert.ok(Math.min(...layout.nodes.map((n) => n.x)) >= 0);
});

test("a collapsed node hides its subtree and counts what it hides", () => {
  const layout = layoutRun(parents, ["a", "b", "c", "d", "v"], { a: true });
  assert.deepEqual(layout.nodes.map((n) => n.id).sort(), ["a", "b"]);
  assert.equal(layout.byId.get("a")!.hiddenChildren, 3);
  assert.ok(layout.edges.every((e) => layout.byId.has(e.from) && layout.byId.has(e.to)));
});

test("only nodes in the viewport are drawn for large trees, in linear time", () => {
  const big = new Map<string, string[]>();
  const order: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const id = `n${i}`;
    big.set(id, i === 0 ? [] : [`n${Math.floor((i - 1) / 3)}`]);
    order.push(id);
  }
  const started = performance.now();
  const layout = layoutRun(big, order, {});
  assert.equal(layout.nodes.length, 5000);
  const root = layout.byId.get("n0")!;
  const view = { x: root.x - 600, y: 0, width: 1200, height: 800 };
  const visible = visibleNodes(layout, view, 0);
  assert.ok(visible.some((n) => n.id === "n0") && visible.length < 100, `${visible.length} drawn`);
  assert.ok(visible.every((n) => n.x < view.x + 1200 && n.y < 800 && n.x + NODE_WIDTH >= view.x && n.y + NODE_HEIGHT >= 0));
  assert.ok(performance.now() - started < 5000);
});
