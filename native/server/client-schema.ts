// A client's JSON schema (response_format) is compiled to a grammar before any model sees it, in a worker thread
// with a size cap and a time limit: a schema with tens of thousands of enum values, or one the grammar builder
// cannot read, is the client's mistake (400), and compiling it never holds up other requests on the event loop.
import { Worker } from "node:worker_threads";
import type { JsonSchema } from "../llm/backend.ts";
import { WireError } from "./openai-wire.ts";

export interface SchemaLimits {
  bytes: number;
  grammarChars: number;
  compileMs: number;
}

export const SCHEMA_LIMITS = {
  /** The schema as JSON: room for any hand-written schema, far below a 40k-value enum. */
  bytes: 32 << 10,
  /** The grammar it compiles to (node-llama-cpp's GBNF). */
  grammarChars: 256 << 10,
  /** Compiling in the worker, start-up included. */
  compileMs: 3_000,
} as const;
/** Compilations at once; more wait their turn. */
const CONCURRENT_COMPILES = 2;

// node-llama-cpp 3.21 (pinned) does not export its schema→GBNF converter; the file is pure JS, so a worker imports
// it by path. The same converter runs in `createGrammarForJsonSchema`, so what passes here compiles there.
const converterUrl = new URL("./utils/gbnfJson/getGbnfGrammarForGbnfJsonSchema.js", import.meta.resolve("node-llama-cpp")).href;

// The converter's warnings (an unknown $ref becomes "any") would print on the server's console for each request.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
console.warn = () => {};
import(workerData.converterUrl)
  .then(({ getGbnfGrammarForGbnfJsonSchema }) => {
    const grammar = getGbnfGrammarForGbnfJsonSchema(JSON.parse(workerData.schema));
    parentPort.postMessage({ ok: true, grammarChars: grammar.length });
  })
  .catch((error) => parentPort.postMessage({ ok: false, message: String(error && error.message ? error.message : error) }));
`;

type Outcome = { ok: true; grammarChars: number } | { ok: false; message: string };

const refuse = (message: string) => new WireError(400, message, "invalid_request_error", "response_format");

function compileInWorker(schemaJson: string, compileMs: number): Promise<Outcome> {
  return new Promise((resolveOutcome) => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { converterUrl, schema: schemaJson },
      // A schema that expands without end runs out of this heap instead of the server's.
      resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 },
      // The server's own flags (a TypeScript loader in tests) are not the worker's business.
      execArgv: [],
    });
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolveOutcome(outcome);
    };
    const timer = setTimeout(
      () => settle({ ok: false, message: `it takes longer than ${compileMs / 1000} s to compile into a grammar; simplify it` }),
      compileMs,
    );
    worker.on("message", (outcome: Outcome) => settle(outcome));
    worker.on("error", (error) =>
      settle({ ok: false, message: /heap|memory/i.test(error.message) ? "its grammar grows too large to compile; simplify it" : error.message }),
    );
    worker.on("exit", () => settle({ ok: false, message: "the grammar compiler stopped without an answer" }));
  });
}

/** Schemas that compiled, by their JSON, so a client that sends the same schema each time pays once. */
const accepted = new Map<string, true>();
const ACCEPTED_KEPT = 256;
let running = 0;
const waiting: Array<() => void> = [];

async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= CONCURRENT_COMPILES) await new Promise<void>((resolveSlot) => waiting.push(resolveSlot));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** The schema when it compiles within the limits; a 400 saying why otherwise. */
export async function checkClientSchema(schema: JsonSchema, limits: SchemaLimits = SCHEMA_LIMITS): Promise<JsonSchema> {
  const json = JSON.stringify(schema);
  const bytes = Buffer.byteLength(json);
  if (bytes > limits.bytes) throw refuse(`the JSON schema is ${Math.ceil(bytes / 1024)} KiB; this server takes schemas up to ${limits.bytes >> 10} KiB`);
  if (accepted.has(json)) return schema;
  const outcome = await withSlot(() => compileInWorker(json, limits.compileMs));
  if (!outcome.ok) throw refuse(`the JSON schema cannot be used: ${outcome.message.slice(0, 300)}`);
  if (outcome.grammarChars > limits.grammarChars)
    throw refuse(`the JSON schema compiles to a grammar of ${outcome.grammarChars} characters; this server takes up to ${limits.grammarChars}`);
  if (accepted.size >= ACCEPTED_KEPT) accepted.delete(accepted.keys().next().value!);
  accepted.set(json, true);
  return schema;
}
