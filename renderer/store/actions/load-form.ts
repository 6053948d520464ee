// The setup form's load fields ↔ contract load settings.
import type { LoadSettingsInfo } from "../../../native/protocol/contract.ts";
import { defaultLoad, type LoadForm } from "../store.ts";

/** The form's load fields as contract load settings; empty fields mean the engine's defaults. */
export function loadFromForm(form: LoadForm): LoadSettingsInfo | undefined {
  const load: LoadSettingsInfo = {};
  const layers = form.gpuLayers.trim();
  if (layers && layers !== "auto") load.gpuLayers = layers === "max" ? "max" : Number(layers);
  if (form.contextSize.trim()) load.contextSize = Number(form.contextSize);
  if (form.flashAttention) load.flashAttention = true;
  return Object.keys(load).length ? load : undefined;
}

export function formFromLoad(load: LoadSettingsInfo | undefined): LoadForm {
  if (!load) return defaultLoad;
  return {
    gpuLayers: load.gpuLayers === undefined ? "auto" : String(load.gpuLayers),
    contextSize: load.contextSize ? String(load.contextSize) : "",
    flashAttention: load.flashAttention === true,
  };
}
