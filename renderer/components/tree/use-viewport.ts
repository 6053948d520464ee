// The tree frame's viewport as a hook: viewport-state.ts decides, this feeds it the frame's size, the wheel, the
// pointer, the keys and the run's changes, and carries out what it cannot do itself (selecting a node, unfolding
// the subtree a jump leads into, moving keyboard focus onto a card).
import {
  useCallback,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  type KeyboardEvent as ReactKeyboardEvent,
  type MouseEvent as ReactMouseEvent,
  type PointerEvent as ReactPointerEvent,
  type RefObject,
} from "react";
import { visibleNodes, type LaidOutNode, type TreeLayout } from "../../layout/tree-layout.ts";
import { useAppState, useAppStore } from "../../store/context.tsx";
import { frontierIds } from "./frontier.ts";
import { isTreeKey, neighbour } from "./tree-keys.ts";
import { MAX_CARDS, nodeAt } from "./TreeOverview.tsx";
import { fittedTransform, frameSize, initialViewport, phaseOf, type Tree, type ViewportAction, viewportReducer } from "./viewport-state.ts";
import { sameView, type Size, type View, viewRect } from "./viewport.ts";

/** How far a press may move and still be a click (in the overview, a click on the node drawn there). */
const CLICK_SLOP = 4;
const WHEEL_ZOOM_RATE = 0.0015;

export interface Viewport {
  frame: RefObject<HTMLDivElement | null>;
  view: View;
  size: Size;
  follow: boolean;
  panning: boolean;
  /** The frame shows the fitted tree: said on the frame, so a test waits for the fit itself, not for time. */
  showsFit: boolean;
  focusedId: string | null;
  /** The laid-out nodes inside the frame (with a margin): the only ones drawn. */
  visible: LaidOutNode[];
  /** Too many nodes in view for cards: one canvas draws them. */
  overview: boolean;
  frameHandlers: {
    onPointerDown(event: ReactPointerEvent): void;
    onPointerMove(event: ReactPointerEvent): void;
    onPointerUp(event: ReactPointerEvent): void;
    onPointerCancel(event: ReactPointerEvent): void;
    onMouseDown(event: ReactMouseEvent): void;
    onKeyDown(event: ReactKeyboardEvent): void;
  };
  fit(): void;
  followRun(): void;
  /** Centres and selects a node of the run, unfolding the subtree it is hidden in first. */
  jumpTo(id: string): void;
  focus(id: string): void;
  centre(point: { x: number; y: number }): void;
}

/** A press on a card, a control or the minimap is theirs; a press on the background pans. */
const interactive = (target: EventTarget) => (target as HTMLElement).closest("[data-node-id], button, input, .tree-minimap");

export function useViewport({
  runId,
  layout,
  collapsed,
  order,
}: {
  runId: string;
  layout: TreeLayout;
  collapsed: Readonly<Record<string, true>>;
  order: readonly string[] | undefined;
}): Viewport {
  const store = useAppStore();
  const status = useAppState((s) => s.runs[runId]?.status);
  const selectedId = useAppState((s) => s.selectedNodeId);
  const selectNode = useAppState((s) => s.selectNode);
  const [state, dispatch] = useReducer(viewportReducer, { collapsed, phase: phaseOf(status) }, initialViewport);
  // The tree as last laid out, given with every action (the reducer keeps no copy of it).
  const tree = useRef<Tree>({ layout, frontier: [] });
  const act = useCallback((action: ViewportAction) => dispatch({ ...action, tree: tree.current }), []);
  const frame = useRef<HTMLDivElement>(null);
  const press = useRef<{ x: number; y: number; lastX: number; lastY: number } | null>(null);

  useEffect(() => {
    const nodes = store.getState().runs[runId]?.nodes ?? {};
    const frontier = frontierIds(order ?? [], (id) => nodes[id]?.status === "running")
      .map((id) => layout.byId.get(id))
      .filter((node) => node !== undefined);
    tree.current = { layout, frontier };
    act({ type: "nodes-changed", collapsed });
  }, [layout, collapsed, order, store, runId, act]);

  useEffect(() => act({ type: "run-status", status }), [status, act]);

  useEffect(() => {
    if (selectedId) act({ type: "reveal", id: selectedId });
  }, [selectedId, act]);

  useEffect(() => {
    if (state.jumped) selectNode(state.jumped.id);
  }, [state.jumped, selectNode]);

  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => act({ type: "resized", size: { width: entry!.contentRect.width, height: entry!.contentRect.height } }));
    observer.observe(element);
    // The wheel listener is not passive, so the page does not scroll while the tree zooms.
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const rect = element.getBoundingClientRect();
      act({ type: "zoom", at: { x: event.clientX - rect.left, y: event.clientY - rect.top }, factor: Math.exp(-event.deltaY * WHEEL_ZOOM_RATE) });
    };
    element.addEventListener("wheel", onWheel, { passive: false });
    return () => {
      observer.disconnect();
      element.removeEventListener("wheel", onWheel);
    };
  }, [act]);

  // Keyboard focus follows the arrow keys onto the card (rendered once it is in view); focus elsewhere (a panel's
  // resize handle, the run list's search) stays where the user put it.
  useEffect(() => {
    const { focusedId } = state;
    if (!focusedId || !frame.current?.contains(document.activeElement)) return;
    const card = frame.current.querySelector<HTMLElement>(`[data-node-id="${focusedId}"]`);
    if (card && document.activeElement !== card) card.focus({ preventScroll: true });
  });

  const size = frameSize(state);
  const view = state.transform;
  const fitted = useMemo(() => fittedTransform(layout, state.size), [layout, state.size]);
  const visible = visibleNodes(layout, viewRect(view, size));
  const overview = visible.length > MAX_CARDS;

  const jumpTo = useCallback(
    (id: string) => {
      act({ type: "jump", id });
      if (tree.current.layout.byId.has(id)) return;
      const state = store.getState();
      const nodes = state.runs[runId]?.nodes ?? {};
      for (let parent = nodes[id]?.parents[0]; parent; parent = nodes[parent]?.parents[0]) if (state.collapsed[parent]) state.toggleCollapsed(parent);
    },
    [store, runId, act],
  );

  const focus = useCallback((id: string) => act({ type: "focus", id }), [act]);

  const onKeyDown = (event: ReactKeyboardEvent) => {
    if ((event.target as HTMLElement).closest("input, button, textarea, select")) return;
    const from = state.focusedId ?? selectedId ?? order?.[0];
    if (!from) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      selectNode(from);
      act({ type: "focus", id: from });
      return;
    }
    const run = store.getState().runs[runId];
    if (!isTreeKey(event.key) || !run) return;
    event.preventDefault();
    const start = layout.byId.has(from) ? from : order?.[0];
    if (!start) return;
    // The first key press lands on the first node; later ones move from the focused (or selected) one.
    const next =
      state.focusedId === null && selectedId === null
        ? start
        : neighbour(
            layout,
            (id) => run.nodes[id]?.parents ?? [],
            (id) => run.children[id] ?? [],
            start,
            event.key,
          );
    if (next) act({ type: "show", id: next });
  };

  const release = (event: ReactPointerEvent) => {
    const start = press.current;
    press.current = null;
    act({ type: "release" });
    // In the overview a press that did not move is a click on whatever node is drawn there.
    if (!start || !overview || Math.hypot(event.clientX - start.x, event.clientY - start.y) > CLICK_SLOP) return;
    const rect = frame.current!.getBoundingClientRect();
    const hit = nodeAt(visible, view, { x: event.clientX - rect.left, y: event.clientY - rect.top });
    if (hit) {
      act({ type: "focus", id: hit.id });
      selectNode(hit.id);
    }
  };

  return {
    frame,
    view,
    size,
    follow: state.follow,
    panning: state.panning,
    showsFit: fitted !== null && sameView(view, fitted),
    focusedId: state.focusedId,
    visible,
    overview,
    frameHandlers: {
      onPointerDown: (event) => {
        if (interactive(event.target)) return;
        press.current = { x: event.clientX, y: event.clientY, lastX: event.clientX, lastY: event.clientY };
        act({ type: "grab" });
        window.getSelection()?.removeAllRanges();
        (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
      },
      onPointerMove: (event) => {
        const held = press.current;
        if (!held) return;
        act({ type: "pan", dx: event.clientX - held.lastX, dy: event.clientY - held.lastY });
        held.lastX = event.clientX;
        held.lastY = event.clientY;
      },
      onPointerUp: release,
      onPointerCancel: release,
      onMouseDown: (event) => {
        // Starting a text selection is the browser's default for a press on the background: a drag pans instead.
        if (!interactive(event.target)) {
          event.preventDefault();
          frame.current?.focus({ preventScroll: true });
        }
      },
      onKeyDown,
    },
    fit: () => act({ type: "fit" }),
    followRun: () => act({ type: "follow" }),
    jumpTo,
    focus,
    centre: (point) => act({ type: "centre", point }),
  };
}
