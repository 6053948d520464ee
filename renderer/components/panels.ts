// The side panels' widths and whether they are folded, kept in localStorage so the tree keeps the room the user
// gave it. Storage can be refused: the panels then keep their state only as long as the page.
import { useCallback, useState } from "react";

export interface PanelState {
  width: number;
  collapsed: boolean;
}

export const PANEL_LIMITS = { min: 200, max: 720 } as const;
export const COLLAPSED_WIDTH = 28;

const storageKey = (name: string) => `refinery.panel.${name}`;

function stored(name: string, fallback: PanelState): PanelState {
  try {
    const value = JSON.parse(window.localStorage.getItem(storageKey(name)) ?? "null") as Partial<PanelState> | null;
    if (!value) return fallback;
    return {
      width: typeof value.width === "number" ? clampWidth(value.width) : fallback.width,
      collapsed: value.collapsed === true,
    };
  } catch {
    return fallback;
  }
}

export const clampWidth = (width: number) => Math.round(Math.max(PANEL_LIMITS.min, Math.min(PANEL_LIMITS.max, width)));

export function usePanel(name: string, defaultWidth: number) {
  const [state, setState] = useState(() => stored(name, { width: defaultWidth, collapsed: false }));
  const update = useCallback(
    (patch: Partial<PanelState>) =>
      setState((current) => {
        const next = { ...current, ...patch, ...(patch.width !== undefined ? { width: clampWidth(patch.width) } : {}) };
        try {
          window.localStorage.setItem(storageKey(name), JSON.stringify(next));
        } catch {
          // storage refused: the state lasts as long as the page
        }
        return next;
      }),
    [name],
  );
  return { ...state, shownWidth: state.collapsed ? COLLAPSED_WIDTH : state.width, update };
}

export type Panel = ReturnType<typeof usePanel>;
