import { test } from "node:test";
import assert from "node:assert/strict";
import { layoutRun, type TreeLayout } from "../../layout/tree-layout.ts";
import { fittedTransform, initialViewport, phaseOf, viewportReducer, zoomAt, type ViewportAction, type ViewportState } from "./viewport-state.ts";
import { isInView, MAX_ZOOM, MIN_ZOOM, nodeCentre, sameView } from "./viewport.ts";

const FRAME = { width: 800, height: 600 };
/** Nothing folded: one object, as the store keeps it until a fold replaces it. */
const UNFOLDED: Record<string, true> = {};

/** A chain n1 → n2 → … → n{length}, laid out as the tree view lays it out: one layer per node, down the page. */
function chain(length: number, collapsed: Record<string, true> = UNFOLDED): TreeLayout {
  const ids = Array.from({ length }, (_, i) => `n${i + 1}`);
  return layoutRun(new Map(ids.map((id, i) => [id, i === 0 ? [] : [ids[i - 1]!]] as const)), ids, collapsed);
}

const run = (state: ViewportState, ...actions: ViewportAction[]) => actions.reduce(viewportReducer, state);
const grown = (layout: TreeLayout, collapsed: Record<string, true> = UNFOLDED): ViewportAction => ({
  type: "nodes-changed",
  layout,
  collapsed,
  frontier: layout.nodes.slice(-1),
});
/** A frame measured, holding a run of `length` nodes with the given status. */
function opened(length: number, status: "running" | "finished" | "failed" | "cancelled", collapsed: Record<string, true> = UNFOLDED) {
  return run(initialViewport({ collapsed }), { type: "resized", size: FRAME }, { type: "run-status", status }, grown(chain(length, collapsed), collapsed));
}

test("a run that has ended opens fitted however it ended, cancelled included; a running or empty one does not", () => {
  assert.equal(phaseOf("cancelled"), "settled");
  assert.equal(phaseOf("failed"), "settled");
  assert.equal(phaseOf("finished"), "settled");
  assert.equal(phaseOf("running"), "growing");
  assert.equal(phaseOf("empty"), "waiting");
  for (const status of ["finished", "failed", "cancelled"] as const) {
    const state = opened(12, status);
    assert.ok(sameView(state.transform, fittedTransform(state.layout, FRAME)!), `a ${status} run opens fitted`);
    assert.equal(state.fittedOnce, true);
  }
  const growing = opened(12, "running");
  assert.equal(sameView(growing.transform, fittedTransform(growing.layout, FRAME)!), false);
  assert.equal(growing.fittedOnce, false);
});

test("the fit waits for the frame's size and the run's nodes, whichever comes last", () => {
  const layout = chain(12);
  let state = run(initialViewport({ collapsed: UNFOLDED }), { type: "run-status", status: "cancelled" }, grown(layout));
  assert.equal(state.fittedOnce, false, "no frame measured yet");
  state = run(state, { type: "resized", size: FRAME });
  assert.ok(sameView(state.transform, fittedTransform(layout, FRAME)!));
});

test("a run stopped while it streams is fitted when it settles, unless the user moved the view meanwhile", () => {
  const stopped = run(opened(12, "running"), { type: "run-status", status: "cancelled" });
  assert.ok(sameView(stopped.transform, fittedTransform(stopped.layout, FRAME)!));

  const moved = run(opened(12, "running"), { type: "grab" }, { type: "pan", dx: 30, dy: 0 }, { type: "release" }, { type: "run-status", status: "cancelled" });
  assert.equal(sameView(moved.transform, fittedTransform(moved.layout, FRAME)!), false, "the user's view stays");
  assert.equal(moved.fittedOnce, true, "and the one fit is spent");
});

test("the fit is made once: a resize keeps it fitted, the user's pan ends it, and later changes do not fit again", () => {
  let state = opened(12, "finished");
  state = run(state, { type: "resized", size: { width: 1200, height: 900 } });
  assert.ok(sameView(state.transform, fittedTransform(state.layout, { width: 1200, height: 900 })!), "fit mode follows the frame's size");
  state = run(state, { type: "grab" }, { type: "pan", dx: 40, dy: -25 }, { type: "release" });
  const panned = state.transform;
  state = run(state, { type: "resized", size: FRAME }, grown(chain(14)));
  assert.deepEqual(state.transform, panned);
});

test("follow mode keeps the newest node in view while the run grows; a pan by hand turns it off; follow turns it on again", () => {
  let state = opened(1, "running");
  for (let length = 2; length <= 10; length++) {
    state = run(state, grown(chain(length)));
    const newest = state.layout.byId.get(`n${length}`)!;
    assert.ok(isInView(newest, state.transform, FRAME), `n${length} is in view`);
  }
  state = run(state, { type: "grab" }, { type: "pan", dx: 0, dy: 200 }, { type: "release" });
  assert.equal(state.follow, false);
  const panned = state.transform;
  state = run(state, grown(chain(14)));
  assert.deepEqual(state.transform, panned, "the run grows without moving the view");
  assert.equal(isInView(state.layout.byId.get("n14")!, state.transform, FRAME), false);
  state = run(state, { type: "follow" });
  assert.ok(isInView(state.layout.byId.get("n14")!, state.transform, FRAME));
});

test("zooming by hand turns follow mode off too", () => {
  const state = run(opened(3, "running"), { type: "zoom", at: { x: 10, y: 10 }, factor: 1.2 });
  assert.equal(state.follow, false);
});

test("a jump into a folded subtree waits for its node, then centres, focuses and selects it", () => {
  const folded = { n2: true } as const;
  let state = opened(6, "finished", folded);
  const before = state.transform;
  state = run(state, { type: "jump", id: "n5" });
  assert.equal(state.pendingJump, "n5");
  assert.deepEqual(state.transform, before, "nothing moves before the node is laid out");
  assert.equal(state.jumped, null);

  state = run(state, grown(chain(6)));
  const target = state.layout.byId.get("n5")!;
  const centre = nodeCentre(target);
  assert.equal(state.pendingJump, null);
  assert.equal(state.focusedId, "n5");
  assert.deepEqual(state.jumped, { id: "n5" });
  assert.ok(Math.abs(centre.x * state.transform.k + state.transform.x - FRAME.width / 2) < 0.01);
  assert.ok(Math.abs(centre.y * state.transform.k + state.transform.y - FRAME.height / 2) < 0.01);
  assert.equal(state.fitting, false);
});

test("a jump to a node already drawn centres it at once; each jump is a new one to select", () => {
  const state = run(opened(6, "finished"), { type: "jump", id: "n3" });
  const again = run(state, { type: "jump", id: "n3" });
  assert.deepEqual(state.jumped, { id: "n3" });
  assert.notEqual(again.jumped, state.jumped);
  assert.equal(state.pendingJump, null);
});

test("folding a subtree keeps the view where it is and ends fit mode; a run that grows keeps it", () => {
  let state = opened(12, "finished");
  assert.equal(state.fitting, true);
  const fitted = state.transform;
  state = run(state, grown(chain(12, { n4: true }), { n4: true }));
  assert.deepEqual(state.transform, fitted);
  assert.equal(state.fitting, false);

  const refit = run(opened(12, "finished"), grown(chain(20)));
  assert.ok(sameView(refit.transform, fittedTransform(refit.layout, FRAME)!), "a larger tree is fitted again");
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
  let state = opened(12, "running");
  state = run(state, { type: "grab" }, { type: "release" });
  const inView = state.layout.nodes.find((node) => isInView(node, state.transform, FRAME))!;
  const outOfView = state.layout.nodes.find((node) => !isInView(node, state.transform, FRAME))!;
  assert.equal(run(state, { type: "reveal", id: inView.id }), state);
  const revealed = run(state, { type: "reveal", id: outOfView.id });
  assert.ok(isInView(outOfView, revealed.transform, FRAME));
});

test("the arrow keys' node comes into view and takes the focus; a pan moves only while the background is held", () => {
  let state = opened(12, "finished");
  state = run(state, { type: "show", id: "n12" });
  assert.equal(state.focusedId, "n12");
  assert.ok(isInView(state.layout.byId.get("n12")!, state.transform, FRAME));
  const shown = state.transform;
  assert.deepEqual(run(state, { type: "show", id: "n12" }).transform, shown, "a node in view does not move");
  assert.equal(run(state, { type: "pan", dx: 50, dy: 50 }), state, "no pan without a press");
  const fit = run(state, { type: "fit" });
  assert.ok(sameView(fit.transform, fittedTransform(fit.layout, FRAME)!));
  assert.equal(fit.fitting, true);
  assert.equal(fit.follow, false);
});
