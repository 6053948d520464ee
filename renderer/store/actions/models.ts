// Model files and the hardware: inspecting a file, its saved load settings, the memory plan, the library and
// downloads, the GPU report and the backend choice.
import { BUNDLED_SOURCE } from "../../../native/protocol/bundled-demo.ts";
import type { GpuChoice, LibraryModelInfo } from "../../../native/protocol/contract.ts";
import { specKind } from "../../../native/protocol/model-spec.ts";
import { actorPath, criticPath } from "../selectors.ts";
import { stateOf, type ActionContext } from "./context.ts";
import { formFromLoad, loadFromForm } from "./load-form.ts";

const LIST_FAILED = "cannot list the models";

export function createModelActions(ctx: ActionContext) {
  const state = () => stateOf(ctx);

  async function refreshLibrary() {
    const result = await ctx.bridge.listModels({});
    if (!result.ok) {
      state().pushError("library", `${LIST_FAILED}: ${result.error}`);
      return;
    }
    state().setLibrary(result.value);
    await preselectBundled(result.value);
    // The list came back: an earlier failure to list (an engine replaced while it listed) is over.
    for (const error of state().errors) if (error.where === "library" && error.message.startsWith(LIST_FAILED)) state().dismissError(error.id);
  }

  /**
   * A fresh setup (no model in either field) starts from the bundled demo pair and, with no task yet, the first
   * item of its dataset, so the first Start runs a real refinement; a setup the user filled is never touched.
   */
  async function preselectBundled(library: LibraryModelInfo[]) {
    const bundled = library.filter((model) => model.source === BUNDLED_SOURCE && !model.error);
    // The demo actor; the demo critic where one is shipped, else the actor plays both roles.
    const demo = bundled.find((model) => model.demoRole === "actor") ?? bundled.find((model) => model.demoRole !== "critic");
    const critic = bundled.find((model) => model.demoRole === "critic") ?? demo;
    const { setup } = state();
    if (!demo || !critic || actorPath(setup) || criticPath(setup)) return;
    state().updateSetup({ actorPath: demo.path, criticPath: critic.path });
    await inspectModel(demo.path);
    if (critic !== demo) await inspectModel(critic.path);
    if (!demo.demoDataset || state().setup.question.trim()) return;
    const items = await ctx.bridge.readDataset({ path: demo.demoDataset });
    const first = items.ok ? items.value[0] : undefined;
    if (first && !state().setup.question.trim()) state().updateSetup({ question: first.question, reference: first.reference ?? "" });
  }

  async function refreshGpu(refresh = false) {
    const result = await ctx.bridge.gpuReport({ refresh });
    if (result.ok) state().setGpu(result.value);
    else state().pushError("engine", `cannot read the hardware: ${result.error}`);
  }

  /** The joint memory plan for the models in the form, recomputed when either changes. */
  async function planForSetup() {
    const { setup } = state();
    const actor = actorPath(setup);
    const critic = criticPath(setup);
    // Nothing to plan for a model on a server.
    if (!actor || specKind(actor).endpoint || specKind(critic).endpoint) return;
    const contextSize = Number(setup.load.actor.contextSize) || undefined;
    const files = `${actor}|${critic}|`;
    const key = `${files}${contextSize ?? ""}`;
    const previous = state().plan;
    if (previous?.key === key) return;
    // Only the context changed: the last plan stays on screen until the new one comes, so nothing below it moves
    // (a click on Start that blurred the context field would otherwise land on whatever slid under the pointer).
    const kept = previous?.key.startsWith(files) ? previous.value : undefined;
    state().setPlan(kept ? { key, value: kept } : { key });
    const result = await ctx.bridge.planMemory({ actor, critic, ...(contextSize ? { contextSize } : {}) });
    if (state().plan?.key !== key) return;
    state().setPlan(result.ok ? { key, value: result.value } : { key, error: result.error });
  }

  /** The file whose saved load settings each role's form last started from: leaving the field again keeps the edits. */
  const startedFrom: Partial<Record<"actor" | "critic", string>> = {};

  /** keepLoad: the form's load settings stay (a setup restored or loaded from a run already has its own). */
  async function inspectModel(path: string, options: { keepLoad?: boolean } = {}) {
    const file = path.trim();
    if (!file || specKind(file).endpoint) return;
    // Load settings as they stand now: what the user edits while the file is read is not replaced below.
    const loadBefore = state().setup.load;
    const result = await ctx.bridge.inspectModel({ path: file });
    state().setModel(file, result.ok ? result.value : { error: result.error });
    if (!result.ok) {
      // The file's error is shown by its field; a plan made for the previous file would contradict it.
      state().setPlan(null);
      return;
    }
    // The model's saved load settings become the form's starting point for the role(s) it fills, once per file
    // chosen: the same file inspected again (the field left once more) keeps what the user has edited since.
    const fills = (role: "actor" | "critic") => (role === "actor" ? actorPath(state().setup) : criticPath(state().setup)) === file;
    const fresh = (role: "actor" | "critic") => fills(role) && startedFrom[role] !== file;
    const saved = options.keepLoad || !(fresh("actor") || fresh("critic")) ? null : await ctx.bridge.getLoadSettings({ path: file });
    if (saved?.ok) {
      const { setup } = state();
      const load = { ...setup.load };
      if (fresh("actor") && setup.load.actor === loadBefore.actor) load.actor = formFromLoad(saved.value.actor);
      if (fresh("critic") && setup.load.critic === loadBefore.critic) load.critic = formFromLoad(saved.value.critic ?? saved.value.actor);
      state().updateSetup({ load });
    }
    for (const role of ["actor", "critic"] as const) if (fills(role)) startedFrom[role] = file;
    void planForSetup();
  }

  async function pickModel(role: "actor" | "critic") {
    const result = await ctx.bridge.pickModelFile({});
    if (!result.ok) {
      state().pushError("setup", result.error);
      return;
    }
    if (!result.value.path) return;
    await chooseBrowsedModel(role, result.value.path);
  }

  /** A file found by browsing (the desktop dialog, web mode's folder browser) fills the role and joins the library. */
  async function chooseBrowsedModel(role: "actor" | "critic", path: string) {
    state().updateSetup(role === "actor" ? { actorPath: path } : { criticPath: path });
    // A file that is no model is refused by its field (inspectModel says why); the library just leaves it out.
    const [added] = await Promise.all([ctx.bridge.addModel({ path }), inspectModel(path)]);
    if (added.ok) await refreshLibrary();
  }

  async function assignModel(role: "actor" | "critic", path: string) {
    state().updateSetup(role === "actor" ? { actorPath: path } : { criticPath: path });
    await inspectModel(path);
  }

  /** A GGUF path or an endpoint spec; an endpoint's key goes to the engine (and the desktop app's keychain) only. */
  async function addModel(path: string, apiKey?: string) {
    const spec = path.trim();
    const result = await ctx.bridge.addModel({ path: spec, ...(apiKey && specKind(spec).endpoint ? { apiKey } : {}) });
    if (!result.ok) state().pushError("library", result.error);
    else await refreshLibrary();
  }

  async function startDownload(uri: string, sha256?: string) {
    const result = await ctx.bridge.startDownload({ uri: uri.trim(), ...(sha256?.trim() ? { sha256: sha256.trim() } : {}) });
    if (!result.ok) state().pushError("library", result.error);
  }

  async function cancelDownload(downloadId: string) {
    await ctx.bridge.cancelDownload({ downloadId });
  }

  async function setBackend(gpu: GpuChoice) {
    const result = await ctx.bridge.setBackend({ gpu });
    if (!result.ok) {
      state().pushError("engine", result.error);
      return;
    }
    const info = await ctx.bridge.engineInfo({});
    if (info.ok) state().setEngine({ info: info.value });
    // A request the old engine was answering ended with it: what the new one knows is asked again.
    await Promise.all([refreshGpu(), refreshLibrary()]);
  }

  async function saveLoadSettings(role: "actor" | "critic") {
    const { setup } = state();
    const path = role === "actor" ? actorPath(setup) : criticPath(setup);
    const result = await ctx.bridge.saveLoadSettings({ path, role, load: loadFromForm(setup.load[role]) ?? {} });
    if (!result.ok) state().pushError("setup", result.error);
    return result.ok;
  }

  /** One folder on the engine's machine, for web mode's file browser (the desktop app has a native dialog). */
  const listModelFolder = (path?: string) => ctx.bridge.listModelFolder(path ? { path } : {});

  /** Probes an endpoint spec and lists the server's models; the key is kept by the engine. */
  const testEndpoint = (spec: string, apiKey?: string) => ctx.bridge.testEndpoint({ spec: spec.trim(), ...(apiKey ? { apiKey } : {}) });

  return {
    refreshLibrary,
    refreshGpu,
    planForSetup,
    inspectModel,
    pickModel,
    chooseBrowsedModel,
    assignModel,
    addModel,
    startDownload,
    cancelDownload,
    setBackend,
    saveLoadSettings,
    testEndpoint,
    listModelFolder,
  };
}
