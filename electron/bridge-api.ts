// Builds the object the preload exposes as window.refinery: one function per contract request and one event
// subscription, nothing else (never ipcRenderer itself). Kept free of Electron imports so it can be tested.
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, REQUEST_NAMES } from "../native/protocol/request-names.ts";

export interface IpcLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): void;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): void;
}

export function buildBridgeApi(ipc: IpcLike): Record<string, (arg: never) => unknown> {
  const api: Record<string, (arg: never) => unknown> = {};
  for (const name of REQUEST_NAMES) api[name] = (input: never) => ipc.invoke(IPC_REQUEST_CHANNEL, name, input);
  api.subscribe = ((listener: (event: unknown) => void) => {
    const relay = (_event: unknown, payload: unknown) => listener(payload);
    ipc.on(IPC_EVENT_CHANNEL, relay);
    return () => ipc.removeListener(IPC_EVENT_CHANNEL, relay);
  }) as (arg: never) => unknown;
  return Object.freeze(api);
}
