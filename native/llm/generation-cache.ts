// A disk cache of generations keyed by everything that determines them: the model (file hash and load options),
// the prompt, the sampling settings, the seed and the grammar. Experiments share one across cells, so the first
// draft that several strategies generate with the same prompt and seed is generated once, and a cell cut short by
// a crash gets back the generations it had finished. Only finished generations are stored (never aborted ones).
import { createHash } from "node:crypto";
import { JsonlAppender, readJsonlFile, type RecordCheck } from "../util/jsonl.ts";
import { withGenerate, type GenerateRequest, type GenerateResult, type ModelBackend } from "./backend.ts";

interface Entry {
  key: string;
  result: GenerateResult;
}

const isEntry: RecordCheck = (value) =>
  typeof (value as Entry).key === "string" && typeof (value as Entry).result === "object" && (value as Entry).result !== null ? null : "not a cache entry";

export class GenerationCache {
  private readonly entries = new Map<string, GenerateResult>();
  private file: JsonlAppender | null = null;
  hits = 0;

  /** With a path the cache persists (append-only JSONL); without one it lives for the process. */
  constructor(private readonly path?: string) {
    // A line cut by a crash or damaged: that generation is simply not cached.
    if (path) for (const entry of readJsonlFile<Entry>(path, isEntry).records) this.entries.set(entry.key, entry.result);
  }

  get size(): number {
    return this.entries.size;
  }

  static keyOf(model: string, request: GenerateRequest): string {
    const { messages, maxTokens, temperature, topP, topK, seed, jsonSchema, thinkingBudget, reasonBeforeJson, stop, continueAnswer, confidence } = request;
    // Thinking settings, stop strings and continuation change what is generated; they join the key only when set,
    // so older entries still match.
    const thinking = { ...(thinkingBudget !== undefined ? { thinkingBudget } : {}), ...(reasonBeforeJson ? { reasonBeforeJson } : {}) };
    // An entry made without confidence has none to replay, and an online stop changes the text.
    const steps = { ...(stop?.length ? { stop } : {}), ...(continueAnswer ? { continueAnswer } : {}), ...(confidence ? { confidence } : {}) };
    return createHash("sha256")
      .update(JSON.stringify({ model, messages, maxTokens, temperature, topP, topK, seed, jsonSchema, ...thinking, ...steps }))
      .digest("hex");
  }

  get(key: string): GenerateResult | undefined {
    return this.entries.get(key);
  }

  put(key: string, result: GenerateResult): void {
    this.entries.set(key, result);
    if (!this.path) return;
    this.file ??= new JsonlAppender(this.path, isEntry);
    // A lost entry costs a generation again, never a wrong answer: the flush runs behind the next token.
    this.file.append({ key, result } satisfies Entry, "background");
  }

  close(): void {
    this.file?.close();
    this.file = null;
  }

  /** The backend with this cache in front; `model` identifies the weights and load options behind it. */
  wrap(backend: ModelBackend, model: string): ModelBackend {
    return withGenerate(backend, async (request) => {
      const key = GenerationCache.keyOf(model, request);
      const hit = this.get(key);
      if (hit) {
        this.hits++;
        if (hit.thought) request.onThought?.(hit.thought);
        request.onText?.(hit.text);
        // The original generation's counts are kept: a replayed node costs what it cost when generated, so
        // budgets and experiments do not depend on what happened to be cached.
        return { ...hit, firstTokenMs: 0, cached: true };
      }
      const result = await backend.generate(request);
      if (result.stopReason !== "aborted" && !request.signal?.aborted) this.put(key, result);
      return result;
    });
  }
}
