import { test } from "node:test";
import assert from "node:assert/strict";
import { layoutRun, type TreeLayout } from "../../layout/tree-layout.ts";
import { fittedTransform, initialViewport, phaseOf, type Tree, viewportReducer, zoomAt, type ViewportAction, type ViewportState } from "./viewport-state.ts";
import { isInView, MAX_ZOOM, MIN_ZOOM, nodeCentre, sameView } from "./viewport.ts";

const FRAME = { width: 800, height: 600 };
/** Nothing folded: one object, as the store keeps it until a fold replaces it. */
const UNFOLDED: Record<string, true> = {};

/** A chain n1 → n2 → … → n{length}, laid out as the tree view lays it out: one layer per node, down the page. */
function chain(length: number, collapsed: Record<string, true> = UNFOLDED): TreeLayout {
  const ids = Array.from({ length }, (_, i) => `n${i + 1}`);
  return layoutRun(new Map(ids.map((id, i) => [id, i === 0 ? [] : [ids[i - 1]!]] as const)), ids, collapsed);
}

/** The tree as the hook gives it: the layout, and its newest node as the frontier. */
const treeOf = (layout: TreeLayout): Tree => ({ layout, frontier: layout.nodes.slice(-1) });
/** Actions on one tree, in order. */
const run = (state: ViewportState, tree: Tree, ...actions: ViewportAction[]) => actions.reduce((s, action) => viewportReducer(s, { ...action, tree }), state);
/** The tree laid out again (grown, or folded: `collapsed` is then a new object). */
const relaidOut = (state: ViewportState, layout: TreeLayout, collapsed: Record<string, true> = UNFOLDED) =>
  run(state, treeOf(layout), { type: "nodes-changed", collapsed });

interface Opened {
  state: ViewportState;
  tree: Tree;
}
/** A frame measured, holding a run of `length` nodes with the given status. */
function opened(length: number, status: "running" | "finished" | "failed" | "cancelled", collapsed: Record<string, true> = UNFOLDED): Opened {
  const tree = treeOf(chain(length, collapsed));
  const state = run(
    initialViewport({ collapsed }),
    tree,
    { type: "resized", size: FRAME },
    { type: "run-status", status },
    { type: "nodes-changed", collapsed },
  );
  return { state, tree };
}
const isFitted = ({ state, tree }: Opened, size = FRAME) => sameView(state.transform, fittedTransform(tree.layout, size)!);

test("a run that has ended opens fitted however it ended, cancelled included; a running or empty one does not", () => {
  assert.equal(phaseOf("cancelled"), "settled");
  assert.equal(phaseOf("failed"), "settled");
  assert.equal(phaseOf("finished"), "settled");
  assert.equal(phaseOf("running"), "growing");
  assert.equal(phaseOf("empty"), "waiting");
  for (const status of ["finished", "failed", "cancelled"] as const) {
    const view = opened(12, status);
    assert.ok(isFitted(view), `a ${status} run opens fitted`);
    assert.equal(view.state.fittedOnce, true);
  }
  const growing = opened(12, "running");
  assert.equal(isFitted(growing), false);
  assert.equal(growing.state.fittedOnce, false);
});

test("the fit waits for the frame's size and the run's nodes, whichever comes last", () => {
  const tree = treeOf(chain(12));
  let state = run(initialViewport({ collapsed: UNFOLDED }), tree, { type: "run-status", status: "cancelled" }, { type: "nodes-changed", collapsed: UNFOLDED });
  assert.equal(state.fittedOnce, false, "no frame measured yet");
  state = run(state, tree, { type: "resized", size: FRAME });
  assert.ok(isFitted({ state, tree }));
});

test("a run stopped while it streams is fitted when it settles, unless the user moved the view meanwhile", () => {
  const streaming = opened(12, "running");
  const stopped = { ...streaming, state: run(streaming.state, streaming.tree, { type: "run-status", status: "cancelled" }) };
  assert.ok(isFitted(stopped));

  const moved = {
    ...streaming,
    state: run(
      streaming.state,
      streaming.tree,
      { type: "grab" },
      { type: "pan", dx: 30, dy: 0 },
      { type: "release" },
      { type: "run-status", status: "cancelled" },
    ),
  };
  assert.equal(isFitted(moved), false, "the user's view stays");
  assert.equal(moved.state.fittedOnce, true, "and the one fit is spent");
});

test("the fit is made once: a resize keeps it fitted, the user's pan ends it, and later changes do not fit again", () => {
  const { tree, state: fitted } = opened(12, "finished");
  const larger = { width: 1200, height: 900 };
  let state = run(fitted, tree, { type: "resized", size: larger });
  assert.ok(isFitted({ state, tree }, larger), "fit mode follows the frame's size");
  state = run(state, tree, { type: "grab" }, { type: "pan", dx: 40, dy: -25 }, { type: "release" });
  const panned = state.transform;
  state = relaidOut(run(state, tree, { type: "resized", size: FRAME }), chain(14));
  assert.deepEqual(state.transform, panned);
});

test("follow mode keeps the newest node in view while the run grows; a pan by hand turns it off; follow turns it on again", () => {
  let { state } = opened(1, "running");
  for (let length = 2; length <= 10; length++) {
    const layout = chain(length);
    state = relaidOut(state, layout);
    assert.ok(isInView(layout.byId.get(`n${length}`)!, state.transform, FRAME), `n${length} is in view`);
  }
  state = run(state, treeOf(chain(10)), { type: "grab" }, { type: "pan", dx: 0, dy: 200 }, { type: "release" });
  assert.equal(state.follow, false);
  const panned = state.transform;
  const longer = chain(14);
  state = relaidOut(state, longer);
  assert.deepEqual(state.transform, panned, "the run grows without moving the view");
  assert.equal(isInView(longer.byId.get("n14")!, state.transform, FRAME), false);
  state = run(state, treeOf(longer), { type: "follow" });
  assert.ok(isInView(longer.byId.get("n14")!, state.transform, FRAME));
});

test("a run that grows inside the frame leaves the state as it was (no render for nothing)", () => {
  const { state } = opened(2, "running");
  assert.equal(relaidOut(state, chain(3)), state);
});

test("zooming by hand turns follow mode off too", () => {
  const { state, tree } = opened(3, "running");
  assert.equal(run(state, tree, { type: "zoom", at: { x: 10, y: 10 }, factor: 1.2 }).follow, false);
});

test("a jump into a folded subtree waits for its node, then centres, focuses and selects it", () => {
  const { state: folded, tree } = opened(6, "finished", { n2: true });
  let state = run(folded, tree, { type: "jump", id: "n5" });
  assert.equal(state.pendingJump, "n5");
  assert.deepEqual(state.transform, folded.transform, "nothing moves before the node is laid out");
  assert.equal(state.jumped, null);

  const unfolded = chain(6);
  state = relaidOut(state, unfolded);
  const centre = nodeCentre(unfolded.byId.get("n5")!);
  assert.equal(state.pendingJump, null);
  assert.equal(state.focusedId, "n5");
  assert.deepEqual(state.jumped, { id: "n5" });
  assert.ok(Math.abs(centre.x * state.transform.k + state.transform.x - FRAME.width / 2) < 0.01);
  assert.ok(Math.abs(centre.y * state.transform.k + state.transform.y - FRAME.height / 2) < 0.01);
  assert.equal(state.fitting, false);
});

test("a jump to a node already drawn centres it at once; each jump is a new one to select", () => {
  const { state: start, tree } = opened(6, "finished");
  const state = run(start, tree, { type: "jump", id: "n3" });
  const again = run(state, tree, { type: "jump", id: "n3" });
  assert.deepEqual(state.jumped, { id: "n3" });
  assert.notEqual(again.jumped, state.jumped);
  assert.equal(state.pendingJump, null);
});

test("folding a subtree keeps the view where it is and ends fit mode; a run that grows keeps it", () => {
  const fitted = opened(12, "finished");
  assert.equal(fitted.state.fitting, true);
  const state = relaidOut(fitted.state, chain(12, { n4: true }), { n4: true });
  assert.deepEqual(state.transform, fitted.state.transform);
  assert.equal(state.fitting, false);

  const larger = chain(20);
  assert.ok(isFitted({ state: relaidOut(fitted.state, larger), tree: treeOf(larger) }), "a larger tree is fitted again");
});

test("zoom at a point keeps that point where it is on screen", () => {
  const view = { x: 120, y: -40, k: 0.8 };
  const at = { x: 300, y: 250 };
  const under = { x: (at.x - view.x) / view.k, y: (at.y - view.y) / view.k };
  for (const factor of [1.3, 0.7]) {
    const zoomed = zoomAt(view, at, factor);
    assert.ok(Math.abs(zoomed.k - view.k * factor) < 1e-9);
    assert.ok(Math.abs(under.x * zoomed.k + zoomed.x - at.x) < 1e-9);
    assert.ok(Math.abs(under.y * zoomed.k + zoomed.y - at.y) < 1e-9);
  }
});

test("the wheel stops at its limits; a view fitted further out may zoom in but not further out", () => {
  const at = { x: 0, y: 0 };
  assert.equal(zoomAt({ x: 0, y: 0, k: 2 }, at, 10).k, MAX_ZOOM);
  assert.equal(zoomAt({ x: 0, y: 0, k: 0.3 }, at, 0.01).k, MIN_ZOOM);
  assert.equal(zoomAt({ x: 0, y: 0, k: 0.05 }, at, 0.5).k, 0.05);
  assert.ok(Math.abs(zoomAt({ x: 0, y: 0, k: 0.05 }, at, 2).k - 0.1) < 1e-12);
});

test("a node selected elsewhere is brought into view only when it is out of it", () => {
  const { state: start, tree } = opened(12, "running");
  const state = run(start, tree, { type: "grab" }, { type: "release" });
  const inView = tree.layout.nodes.find((node) => isInView(node, state.transform, FRAME))!;
  const outOfView = tree.layout.nodes.find((node) => !isInView(node, state.transform, FRAME))!;
  assert.equal(run(state, tree, { type: "reveal", id: inView.id }), state);
  const revealed = run(state, tree, { type: "reveal", id: outOfView.id });
  assert.ok(isInView(outOfView, revealed.transform, FRAME));
});

test("the arrow keys' node comes into view and takes the focus; a pan moves only while the background is held", () => {
  const { state: start, tree } = opened(12, "finished");
  const state = run(start, tree, { type: "show", id: "n12" });
  assert.equal(state.focusedId, "n12");
  assert.ok(isInView(tree.layout.byId.get("n12")!, state.transform, FRAME));
  assert.deepEqual(run(state, tree, { type: "show", id: "n12" }).transform, state.transform, "a node in view does not move");
  assert.equal(run(state, tree, { type: "pan", dx: 50, dy: 50 }), state, "no pan without a press");
  const fit = run(state, tree, { type: "fit" });
  assert.ok(isFitted({ state: fit, tree }));
  assert.equal(fit.fitting, true);
  assert.equal(fit.follow, false);
});
