// What every area's actions share: the bridge, the store, the address bar, the other areas' refreshes, and which
// run the user asked to see last.
import type { Bridge } from "../../../native/protocol/contract.ts";
import type { AppStore } from "../store.ts";

export interface ActionContext {
  bridge: Bridge;
  store: AppStore;
  location: AddressBar;
  views: ViewRequests;
}

/** The page's address: read, and written either as a new history entry ("push") or in place ("replace"). */
export interface AddressBar {
  readonly hash: string;
  setHash(hash: string, mode: "push" | "replace"): void;
}

export const stateOf = (ctx: ActionContext) => ctx.store.getState();

/**
 * Opening a run waits on the engine, so two opens can come back in either order. The last one asked for wins: an
 * answer that arrives after a later request (a click in the history while the linked run still loads, a new run
 * started meanwhile) is dropped instead of replacing what the user now looks at.
 */
export interface ViewRequests {
  /** Takes a ticket for a view about to be shown. */
  request(): number;
  /** Whether no view was asked for since this ticket. */
  isLatest(ticket: number): boolean;
}

export function createViewRequests(): ViewRequests {
  let latest = 0;
  return {
    request: () => ++latest,
    isLatest: (ticket) => ticket === latest,
  };
}
