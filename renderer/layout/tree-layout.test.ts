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
  assert.ok(y("c") > y("a") && y("v") > y("c"), "a join is drawn below its deepest parent");
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

test("joins sit below every parent, centred under them, with their own children below, and nothing overlaps", () => {
  // Best-of-N's shape: samples, a critique under each, a selection over the samples; then a refinement of the
  // winner (child of the selection) and a final vote over the selection's child and a critique.
  const dag = new Map<string, string[]>([
    ["s1", []],
    ["s2", []],
    ["s3", []],
    ["c1", ["s1"]],
    ["c2", ["s2"]],
    ["c3", ["s3"]],
    ["sel", ["s1", "s2", "s3"]],
    ["r", ["sel"]],
    ["v", ["c3", "r", "c1"]],
  ]);
  const order = [...dag.keys()];
  const layout = layoutRun(dag, order, {});
  const at = (id: string) => layout.byId.get(id)!;
  for (const id of ["sel", "v"]) for (const parent of dag.get(id)!) assert.ok(at(id).y > at(parent).y, `${id} below ${parent}`);
  assert.ok(at("sel").y > at("c1").y, "below the critiques that share the samples' columns");
  assert.ok(at("r").y > at("sel").y);
  assert.equal(at("sel").x, (at("s1").x + at("s2").x + at("s3").x) / 3, "centred under its parents");
  for (const a of layout.nodes)
    for (const b of layout.nodes) if (a !== b && a.y === b.y) assert.ok(Math.abs(a.x - b.x) >= NODE_WIDTH, `${a.id} and ${b.id} overlap`);
  assert.ok(Math.min(...layout.nodes.map((n) => n.x)) >= 0);
  assert.ok(Math.max(...layout.nodes.map((n) => n.x + NODE_WIDTH)) <= layout.width);
  assert.ok(Math.max(...layout.nodes.map((n) => n.y + NODE_HEIGHT)) <= layout.height);
  // Collapsing a sample hides the selection that hangs from it, and counts it.
  const folded = layoutRun(dag, order, { s1: true });
  assert.equal(folded.byId.has("sel"), false);
  assert.equal(folded.byId.get("s1")!.hiddenChildren, 3, "its critique, the selection and what follows the selection");
});

test("a node the caller does not count as a join (a refinement and its critique) stays under its first parent", () => {
  const dag = new Map<string, string[]>([
    ["d", []],
    ["c", ["d"]],
    ["r", ["d", "c"]],
  ]);
  const layout = layoutRun(dag, [...dag.keys()], {}, (id, parents) => parents.length > 1 && id !== "r");
  assert.equal(layout.byId.get("r")!.y, layout.byId.get("c")!.y, "a sibling of its critique, as before");
  assert.deepEqual(
    layout.edges.map((e) => [e.from, e.to, e.primary]),
    [
      ["d", "c", true],
      ["d", "r", true],
      ["c", "r", false],
    ],
  );
});
