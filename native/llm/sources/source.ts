// What one kind of model (a GGUF file, a model on an OpenAI-compatible server) tells the rest of the engine: the
// runner, the generation cache, the memory plan and the endpoint pool ask a spec's source instead of reading the
// spec themselves, so a new kind is its own file plus one entry in registry.ts.
import type { ModelBackend } from "../backend.ts";
import type { ModelFileSummary } from "../gguf-check.ts";
import type { LlamaRuntime, LoadedModel, ModelLoadOptions } from "../runtime.ts";
import type { EndpointInfo } from "../openai-endpoint.ts";

/** What a source's backends can honour; a request for anything else comes back with a warning on its node. */
export interface SourceCapabilities {
  /** Ends a thought after `thinkingBudget` tokens (or has the model not think at all for 0). */
  thinkingBudget: boolean;
  /** Constrains output to a JSON schema (a grammar or a server's structured output). */
  jsonSchema: boolean;
}

/** A model this process loaded into its llama.cpp runtime, and the lane name a role's requests run on. */
export interface LocalModel {
  runtime: LlamaRuntime;
  model: LoadedModel;
  lane: string;
}

/** The manifest's record of a model served elsewhere: the server as probed, the served model, the caveat. */
export interface RemoteModelRecord extends EndpointInfo {
  model: string;
  reproducibility: string;
}

/** How a role's model is written in the run record. */
export interface SourceRecord {
  /** The spec as it may be written down: a file's absolute path, an endpoint without credentials. */
  path: string;
  /** A better name than the file's, when the source knows one (the served model). */
  name?: string;
  /** What the manifest says about a model served elsewhere (server version, structured-output form). */
  remote?: RemoteModelRecord;
}

export interface ModelSource {
  /** Named in messages, e.g. "a model file", "an OpenAI-compatible endpoint". */
  readonly name: string;
  /** Whether the spec is this source's (the file source takes whatever no other source claims). */
  claims(spec: string): boolean;
  /**
   * Checks the spec before anything loads; throws ModelSpecError or ModelFileError in the user's words. A file's
   * facts (trained context, size, architecture) come back for the context check and the manifest.
   */
  check(spec: string): Promise<ModelFileSummary | null>;
  /**
   * Loaded into this process's llama.cpp runtime: the role takes part in the memory plan, gets sequences for its
   * lanes, and shares one copy with the other role when both name the same file. `open` then gets the loaded model.
   */
  readonly loadsLocally: boolean;
  /** Experiments may spread cells over several replicas of this source (an endpoint pool). */
  readonly pooled: boolean;
  readonly capabilities: SourceCapabilities;
  /** Said in the manifest when a run uses this source: how far the run can be reproduced from its record. */
  readonly reproducibility?: string;
  /** The role's backend: on the model the runner loaded for a local source, on the spec alone otherwise. */
  open(spec: string, local?: LocalModel): ModelBackend;
  /** What identifies the generations the spec's model makes, for the generation cache. */
  cacheIdentity(spec: string, load: Omit<ModelLoadOptions, "sequences"> | undefined): Promise<string>;
  /** How the role's model is written in the run record; `backend` is the one `open` returned (or the caller's). */
  describe(spec: string, backend: ModelBackend): SourceRecord;
}
