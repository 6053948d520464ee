// What every area's actions share: the bridge, the store, the address bar, and the other areas' refreshes.
import type { Bridge } from "../../../native/protocol/contract.ts";
import type { AppStore } from "../store.ts";

export interface ActionContext {
  bridge: Bridge;
  store: AppStore;
  location: { hash: string; setHash(hash: string): void };
}

export const stateOf = (ctx: ActionContext) => ctx.store.getState();
