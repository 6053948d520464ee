// The run setup kept across reloads in the browser's storage. What comes back is checked field by field: a value
// written by an older version, edited by hand or cut short falls back to its default instead of breaking the page.
import { z } from "zod";
import { type AppStore, defaultLoad, defaultSetup, type LoadForm, type SetupForm } from "./store.ts";

export const SETUP_STORAGE_KEY = "refinery.setup";

/** The part of Web Storage this needs (localStorage in the page). */
export interface SetupStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const text = (fallback: string) => z.string().max(100_000).catch(fallback);

const loadForm = z
  .object({
    gpuLayers: text(defaultLoad.gpuLayers),
    contextSize: text(defaultLoad.contextSize),
    flashAttention: z.boolean().catch(defaultLoad.flashAttention),
  })
  .catch(defaultLoad as LoadForm);

const storedSetup = z.object({
  actorPath: text(defaultSetup.actorPath),
  criticPath: text(defaultSetup.criticPath),
  strategy: z.string().min(1).max(200).catch(defaultSetup.strategy),
  params: z.record(z.string(), z.string().max(10_000)).catch({}),
  question: text(defaultSetup.question),
  reference: text(defaultSetup.reference),
  tests: z
    .object({ language: z.literal("python"), code: z.string(), entryPoint: z.string().optional() })
    .optional()
    .catch(undefined),
  seed: text(defaultSetup.seed),
  maxTokens: text(defaultSetup.maxTokens),
  criticMaxTokens: text(defaultSetup.criticMaxTokens),
  thinkingBudget: text(defaultSetup.thinkingBudget),
  criticThinkingBudget: text(defaultSetup.criticThinkingBudget),
  load: z.object({ actor: loadForm, critic: loadForm }).catch(defaultSetup.load),
});

/** What is saved under a key, parsed; undefined when nothing is, it is not JSON, or storage refuses to be read. */
export function readStoredJson(storage: SetupStorage | null, key: string): unknown {
  try {
    const json = storage?.getItem(key);
    return json ? JSON.parse(json) : undefined;
  } catch {
    return undefined;
  }
}

/** The saved setup, or the defaults when there is none or it cannot be read. */
export function loadSetup(storage: SetupStorage | null): SetupForm {
  const raw = readStoredJson(storage, SETUP_STORAGE_KEY);
  if (raw === undefined) return defaultSetup;
  const parsed = storedSetup.safeParse(raw);
  if (!parsed.success) return defaultSetup;
  const { tests, ...rest } = parsed.data;
  return { ...rest, ...(tests ? { tests } : {}) };
}

export function saveSetup(storage: SetupStorage, setup: SetupForm): void {
  try {
    storage.setItem(SETUP_STORAGE_KEY, JSON.stringify(setup));
  } catch {
    // Storage full or disabled (a private window): the setup simply does not survive the reload.
  }
}

/** Writes the setup whenever it changes; returns the unsubscribe. */
export function persistSetup(store: AppStore, storage: SetupStorage): () => void {
  return store.subscribe((state, previous) => {
    if (state.setup !== previous.setup) saveSetup(storage, state.setup);
  });
}
