// Preload (sandboxed, so CommonJS and bundled): exposes the contract's functions, built from one list.
import { contextBridge, ipcRenderer } from "electron";
import { buildBridgeApi } from "./bridge-api.ts";

contextBridge.exposeInMainWorld("refinery", buildBridgeApi(ipcRenderer));
