// A model spec names either a GGUF file or a model served by an OpenAI-compatible endpoint:
// `openai:http://host:8000/v1#Qwen2.5-7B-Instruct`. Credentials in the URL are split off here so nothing
// downstream (logs, manifests, column names) ever sees them. Pure, so the engine, the renderer and Electron
// read specs the same way; which backend a spec opens is native/llm/sources/'s business.

/**
 * A model as a person names it, before parsing: a GGUF file's path or an endpoint spec
 * (`openai:<base URL>#<served model>`). Held in fields named `path` (see ModelConfig in native/runs/runner.ts).
 */
export type ModelSpecText = string;

export interface EndpointSpec {
  kind: "endpoint";
  /** Base URL without credentials and without a trailing slash, e.g. http://127.0.0.1:8000/v1. */
  baseUrl: string;
  /** The served model name sent as `model`. */
  model: string;
  /** A key given in the URL (https://:key@host/v1); never recorded. */
  urlKey?: string;
}

export interface FileSpec {
  kind: "file";
  path: string;
}

export type ModelSpec = EndpointSpec | FileSpec;

export class ModelSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelSpecError";
  }
}

const PREFIX = "openai:";

/**
 * What the UI needs to know of a spec before anything opens it: the kind of source it names and whether that is a
 * server. The renderer and Electron ask this, never a prefix, so a new kind of source is classified here alone.
 */
export interface SpecKind {
  /** The source kind the spec's prefix names; a spec without one is a file path. */
  kind: "file" | "openai";
  /**
   * Served by a server over HTTP: there is no file to inspect and nothing to plan memory or load settings for; its
   * connection can be tested, and it may need an API key.
   */
  endpoint: boolean;
}

/** The kinds a spec can name by prefix, each with how its spec is written (for placeholders and help). */
const PREFIXED_KINDS: ReadonlyArray<SpecKind & { prefix: string; example: string }> = [
  { kind: "openai", endpoint: true, prefix: PREFIX, example: `${PREFIX}http://host:8000/v1#model` },
];

export function specKind(spec: string): SpecKind {
  const found = PREFIXED_KINDS.find((kind) => spec.startsWith(kind.prefix));
  return found ? { kind: found.kind, endpoint: found.endpoint } : { kind: "file", endpoint: false };
}

/** How a spec for an endpoint is written, e.g. for a field's placeholder: "openai:http://host:8000/v1#model". */
export const endpointSpecExamples = (): string =>
  PREFIXED_KINDS.filter((kind) => kind.endpoint)
    .map((kind) => kind.example)
    .join(" or ");

/** The spec names a model on an OpenAI-compatible server (not a file). */
export function isOpenAISpec(spec: string): boolean {
  return spec.startsWith(PREFIX);
}

export function parseModelSpec(spec: string): ModelSpec {
  if (!isOpenAISpec(spec)) return { kind: "file", path: spec };
  const rest = spec.slice(PREFIX.length);
  const hash = rest.lastIndexOf("#");
  if (hash < 0 || hash === rest.length - 1) {
    throw new ModelSpecError(
      `'${redactSpec(spec)}' names no model: write openai:<base URL>#<served model name>, e.g. openai:http://127.0.0.1:8000/v1#Qwen2.5-7B-Instruct`,
    );
  }
  let url: URL;
  try {
    url = new URL(rest.slice(0, hash));
  } catch {
    throw new ModelSpecError(`'${redactSpec(spec)}' has no valid base URL: write openai:http://host:port/v1#model`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ModelSpecError(`endpoint URLs are http:// or https://, got ${url.protocol}`);
  const urlKey = decodeURIComponent(url.password || url.username) || undefined;
  url.username = "";
  url.password = "";
  url.hash = "";
  return { kind: "endpoint", baseUrl: url.toString().replace(/\/+$/, ""), model: rest.slice(hash + 1), ...(urlKey ? { urlKey } : {}) };
}

/** The spec as it may be written down: the endpoint without credentials, or the file path. */
export function redactSpec(spec: string): string {
  if (!isOpenAISpec(spec)) return spec;
  return spec.replace(/^(openai:https?:\/\/)[^/@#]*@/, "$1");
}

/** What the spec is called in names and tables: the served model, or the file's name. */
export function specLabel(spec: string): string {
  if (isOpenAISpec(spec)) {
    const parsed = parseModelSpec(spec) as EndpointSpec;
    return parsed.model;
  }
  return spec.replace(/^.*[/\\]/, "").replace(/\.gguf$/i, "");
}
