// What the tree's frame shows and why, as a reducer (xyflow keeps its pan and zoom outside components the same
// way): the transform, and the modes that move it on their own — follow (the run's frontier stays in view while the
// run grows), fit (the whole tree stays fitted while the tree or the frame changes size), the one fit a settled run
// opens with, a jump that waits for its node to be laid out, and the node the arrow keys are on. Pure, so each
// decision is tested without a browser; use-viewport.ts feeds it the frame's events and the run's changes. The tree
// itself (its layout, its frontier) comes with every action rather than living in the state, so a run that grows
// without moving the view leaves the state as it was and costs no second render.
import type { RunStatus } from "../../../native/protocol/state.ts";
import type { LaidOutNode, TreeLayout } from "../../layout/tree-layout.ts";
import { followFrontier } from "./frontier.ts";
import { minimapCorner } from "./minimap-size.ts";
import { centredOn, fitView, isInView, MAX_ZOOM, MIN_ZOOM, nodeCentre, sameView, type Size, type View } from "./viewport.ts";

/** Where follow mode keeps the first layer while a run grows. */
export const FIRST_LAYER_TOP = 24;

/** The frame's size before it has been measured. */
const UNMEASURED: Size = { width: 800, height: 600 };

/** Growing: follow mode applies. Settled: the run has ended (however it ended) and opens fitted once. */
export type RunPhase = "growing" | "settled" | "waiting";

export function phaseOf(status: RunStatus | undefined): RunPhase {
  if (status === "running") return "growing";
  if (status === "finished" || status === "failed" || status === "cancelled") return "settled";
  return "waiting";
}

/** The tree as laid out now, given with every action. */
export interface Tree {
  layout: TreeLayout;
  /** The laid-out nodes generating now (the newest when none is). */
  frontier: readonly LaidOutNode[];
}

export interface ViewportState {
  transform: View;
  size: Size | null;
  /** The folded subtrees the layout was last made with: a change is the user folding, which ends fit mode. */
  collapsed: Readonly<Record<string, true>>;
  phase: RunPhase;
  /** The frontier stays in view while the run grows; moving the view by hand ends it. */
  follow: boolean;
  /** The whole tree stays fitted while sizes change; moving the view by hand ends it. */
  fitting: boolean;
  /** The settled run has had its one automatic fit. */
  fittedOnce: boolean;
  /** A node asked for that is not laid out yet (inside a folded subtree): centred when it appears. */
  pendingJump: string | null;
  /** The node the arrow keys move from. */
  focusedId: string | null;
  /** The node the last jump reached; a new object per jump, so the caller selects it once. */
  jumped: { id: string } | null;
  /** The background is held and dragged. */
  panning: boolean;
}

export type ViewportAction =
  | { type: "resized"; size: Size }
  | { type: "nodes-changed"; collapsed: Readonly<Record<string, true>> }
  | { type: "run-status"; status: RunStatus | undefined }
  | { type: "grab" }
  | { type: "pan"; dx: number; dy: number }
  | { type: "release" }
  /** `factor` above 1 zooms in; `at` (frame pixels) stays where it is on screen. */
  | { type: "zoom"; at: { x: number; y: number }; factor: number }
  | { type: "fit" }
  | { type: "follow" }
  /** The minimap: a layout point to the frame's centre. */
  | { type: "centre"; point: { x: number; y: number } }
  /** The arrow keys: the node into view (moved only if it is not) and focused. */
  | { type: "show"; id: string }
  | { type: "jump"; id: string }
  /** A node selected elsewhere (a link in the inspector) is brought into view. */
  | { type: "reveal"; id: string }
  | { type: "focus"; id: string | null };

export function initialViewport(init: Partial<Pick<ViewportState, "collapsed" | "phase">> = {}): ViewportState {
  return {
    transform: { x: 0, y: 0, k: 1 },
    size: null,
    collapsed: init.collapsed ?? {},
    phase: init.phase ?? "waiting",
    follow: true,
    fitting: false,
    fittedOnce: false,
    pendingJump: null,
    focusedId: null,
    jumped: null,
    panning: false,
  };
}

/** The view that shows the whole tree beside the minimap; null before the frame is measured or with no nodes. */
export function fittedTransform(layout: TreeLayout, size: Size | null): View | null {
  return size && layout.nodes.length > 0 ? fitView(layout, size, minimapCorner(layout)) : null;
}

export const frameSize = (state: ViewportState): Size => state.size ?? UNMEASURED;

/** The user moves the view: it no longer follows the run nor stays fitted. */
const takeOver = (state: ViewportState): ViewportState => ({ ...state, follow: false, fitting: false });

/** The wheel's zoom, clamped; a view fitted further out than the wheel's limit may zoom in but not further out. */
export function zoomAt(view: View, at: { x: number; y: number }, factor: number): View {
  const k = Math.min(MAX_ZOOM, Math.max(Math.min(MIN_ZOOM, view.k), view.k * factor));
  return { k, x: at.x - ((at.x - view.x) * k) / view.k, y: at.y - ((at.y - view.y) * k) / view.k };
}

function centreOnNode(state: ViewportState, layout: TreeLayout, id: string): ViewportState {
  const node = layout.byId.get(id)!;
  return { ...takeOver(state), transform: centredOn(nodeCentre(node), state.transform, frameSize(state)), focusedId: id, jumped: { id } };
}

/** What the modes do after anything changed: the settled run's one fit, follow mode, fit mode. */
function keepInView(state: ViewportState, tree: Tree): ViewportState {
  let next = state;
  if (next.phase === "settled" && next.size && tree.layout.nodes.length > 0 && !next.fittedOnce) {
    // A run that has ended (just now, or opened from the history) opens fitted, unless the user has moved the view.
    next = { ...next, fittedOnce: true, fitting: next.follow };
  }
  if (next.follow && next.phase === "growing" && next.size) {
    const transform = followFrontier(tree.frontier, next.transform, next.size, FIRST_LAYER_TOP);
    if (transform !== next.transform) next = { ...next, transform };
  }
  if (next.fitting) {
    const fitted = fittedTransform(tree.layout, next.size);
    if (fitted && !sameView(fitted, next.transform)) next = { ...next, transform: fitted };
  }
  return next;
}

/** An action with the tree as it is when it happens. */
export type ViewportInput = ViewportAction & { tree: Tree };

export function viewportReducer(state: ViewportState, input: ViewportInput): ViewportState {
  const { tree } = input;
  const { layout } = tree;
  switch (input.type) {
    case "resized":
      return keepInView({ ...state, size: input.size }, tree);
    case "nodes-changed": {
      let next = state;
      // Folding or unfolding a subtree is the user's doing: the view stays where it is (nothing moves under the
      // click) and fit mode ends; any other change of the tree keeps the modes.
      if (input.collapsed !== state.collapsed) next = { ...next, collapsed: input.collapsed, fitting: false };
      if (next.pendingJump !== null && layout.byId.has(next.pendingJump)) next = centreOnNode({ ...next, pendingJump: null }, layout, next.pendingJump);
      return keepInView(next, tree);
    }
    case "run-status": {
      const phase = phaseOf(input.status);
      return keepInView(phase === state.phase ? state : { ...state, phase }, tree);
    }
    case "grab":
      return { ...takeOver(state), panning: true };
    case "pan":
      if (!state.panning) return state;
      return { ...state, transform: { ...state.transform, x: state.transform.x + input.dx, y: state.transform.y + input.dy } };
    case "release":
      return state.panning ? { ...state, panning: false } : state;
    case "zoom":
      return { ...takeOver(state), transform: zoomAt(state.transform, input.at, input.factor) };
    case "fit": {
      const fitted = fittedTransform(layout, frameSize(state));
      return { ...state, follow: false, fitting: true, ...(fitted ? { transform: fitted } : {}) };
    }
    case "follow":
      // Fit mode would undo every step of follow mode: following replaces it.
      return keepInView({ ...state, follow: true, fitting: false }, tree);
    case "centre":
      return { ...takeOver(state), transform: centredOn(input.point, state.transform, frameSize(state)) };
    case "show": {
      const node = layout.byId.get(input.id);
      if (!node) return state;
      const size = frameSize(state);
      const transform = isInView(node, state.transform, size) ? state.transform : centredOn(nodeCentre(node), state.transform, size);
      return { ...takeOver(state), transform, focusedId: input.id };
    }
    case "jump":
      if (layout.byId.has(input.id)) return centreOnNode({ ...state, pendingJump: null }, layout, input.id);
      return { ...state, pendingJump: input.id };
    case "reveal": {
      const node = layout.byId.get(input.id);
      if (!node || !state.size || isInView(node, state.transform, state.size)) return state;
      return { ...state, fitting: false, transform: centredOn(nodeCentre(node), state.transform, state.size) };
    }
    case "focus":
      return state.focusedId === input.id ? state : { ...state, focusedId: input.id };
  }
}
