// The OpenAI-compatible server's HTTP layer under attack, over real sockets on 127.0.0.1, with a scripted backend
// behind it (the model is not what is tested): malformed targets and a raw-socket fuzz, client mistakes answered
// 400 in OpenAI's error shape, oversized bodies 413, client schemas bounded, slow headers cut.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScriptedBackend } from "../llm/scripted-backend.ts";
import { BAD_HEADERS, fuzz, generator, raw, rawRequest, TARGET_PIECES, type Rng } from "../../test/support/raw-http.ts";
import { checkClientSchema } from "./client-schema.ts";
import { servedModelIds, type ServedModels } from "./openai-models.ts";
import { serveOpenAI, type OpenAIServer } from "./openai-server.ts";

const CONTEXT = 4096;
const ACTOR = "/models/tiny-chat.gguf";

function scriptedModels(backend: ScriptedBackend): ServedModels {
  return {
    backend: async () => backend,
    runDeps: () => ({ backends: { actor: backend, critic: backend } }),
    tokenize: async (_path, text) => (text.match(/\S+/g) ?? []).map((_, i) => i),
    contextSize: () => CONTEXT,
    buildInfo: "scripted",
  };
}

async function withServer(body: (server: OpenAIServer, backend: ScriptedBackend) => Promise<void>): Promise<void> {
  const backend = new ScriptedBackend(() => "The answer is 4.", 4, CONTEXT);
  const options = { actor: ACTOR, runsDir: mkdtempSync(join(tmpdir(), "openai-server-runs-")), parallel: 2 };
  const server = await serveOpenAI(options, await servedModelIds(options), scriptedModels(backend));
  try {
    await body(server, backend);
  } finally {
    await server.close();
  }
}

interface Reply {
  status: number;
  body: string;
}

function call(server: OpenAIServer, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: server.port,
        path,
        method: body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json", ...headers },
      },
      (res) => {
        let data = "";
        res.on("data", (c) => (data += c));
        res.on("end", () => resolve({ status: res.statusCode!, body: data }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const chat = (server: OpenAIServer, fields: Record<string, unknown>) =>
  call(server, "/v1/chat/completions", { model: "tiny-chat", messages: [{ role: "user", content: "What is 2 + 2?" }], max_tokens: 16, ...fields });

/** The reply is OpenAI's error shape with this status, type invalid_request_error and the param named. */
function assertClientError(reply: Reply, status: number, param: string | null, message: RegExp): void {
  assert.equal(reply.status, status, reply.body);
  const { error } = JSON.parse(reply.body);
  assert.deepEqual(Object.keys(error).sort(), ["code", "message", "param", "type"]);
  assert.equal(error.type, "invalid_request_error");
  assert.equal(error.param, param);
  assert.match(error.message, message);
}

test("a request target that is not a URL gets a 400 and the server lives", async () => {
  await withServer(async (server) => {
    for (const target of ["http://[", "http://[::1", "//[", "/%"]) {
      const outcome = await raw(server.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${server.apiKey}\r\n\r\n`);
      if (target === "/%") assert.notEqual(outcome.kind, "hang");
      else assert.deepEqual(outcome, { kind: "status", status: 400 }, target);
    }
    const models = await call(server, "/v1/models");
    assert.equal(models.status, 200, "still serving");
  });
});

const OPENAI_PIECES = [...TARGET_PIECES, "/v1/models", "/v1/chat/completions", "/props", "/tokenize", "/v1/", "/v1/models/"];

/** Bodies from valid requests to each kind of client mistake, and bytes that are not JSON at all. */
const BODIES = [
  '{"model":"tiny-chat","messages":[{"role":"user","content":"hi"}],"max_tokens":4}',
  '{"model":"tiny-chat","messages":[{"role":"user","content":"hi"}],"stream":true,"max_tokens":4}',
  '{"model":"self-refine@tiny-chat+tiny-chat","messages":[{"role":"user","content":"hi"}],"max_tokens":4,"refinery":{"params":{"maxIterations":1}}}',
  '{"model":"tiny-chat","messages":[{"role":"user","content":"hi"}],"temperature":-1}',
  '{"model":"tiny-chat","messages":[{"role":"user","content":"hi"}],"max_tokens":1e9}',
  '{"model":"tiny-chat","messages":[{"role":"user","content":"hi"}],"top_k":-3}',
  '{"model":"tiny-chat","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"schema":"{"}}}',
  '{"model":"tiny-chat","messages":[{"role":"user","content":"hi"}],"refinery":{"criticMaxTokens":"many"}}',
  '{"model":"tiny-chat","messages":[null,7,"x"]}',
  '{"model":"nope","messages":[{"role":"user","content":"hi"}]}',
  '{"content":"a b c"}',
  '{"messages":{}}',
  "{",
  "null",
  "[]",
  '"\\u0000"',
  "x".repeat(1000),
];

const ROUTES = ["GET /v1/models", "GET /props", "POST /tokenize", "POST /v1/chat/completions", "POST /v1/chat/completions", "GET /v1/chat/completions"];

/** Half well-formed lines to the real routes (so the handlers see the bodies), half garbage request lines. */
function fuzzOpenAIRequest(rng: Rng, port: number, key: string): Buffer {
  const headers = [`Host: ${rng.next() < 0.8 ? `127.0.0.1:${port}` : rng.pick(["evil.example", "", "[::1]", "%"])}`];
  if (rng.next() < 0.8)
    headers.push(`Authorization: ${rng.pick([`Bearer ${key}`, `Bearer ${key}`, `Bearer ${key}`, "Bearer nope", "Basic x", "Bearer", `bearer  ${key} `])}`);
  let body = "";
  if (rng.next() < 0.7) {
    body = rng.pick(BODIES);
    headers.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  if (rng.next() < 0.1) {
    const header = rng.pick(BAD_HEADERS);
    headers.push(header);
    // A chunked request whose last chunk never comes is still being sent: the 60 s request timeout ends it.
    if (header.startsWith("Transfer-Encoding") && !body) body = "0\r\n\r\n";
  }
  if (rng.next() < 0.5) return Buffer.from(`${rng.pick(ROUTES)} HTTP/1.1\r\n${headers.join("\r\n")}\r\n\r\n${body}`, "utf8");
  return rawRequest(rng, OPENAI_PIECES, headers, body);
}

test("fuzzed raw requests to the OpenAI server: no 5xx, no hangs, no crash", async () => {
  await withServer(async (server) => {
    // FUZZ_SEED and FUZZ_REQUESTS widen the attack by hand; the suite runs the fixed 2,000.
    const rng = generator(Number(process.env.FUZZ_SEED ?? 20261207));
    const total = Number(process.env.FUZZ_REQUESTS ?? 2000);
    const { tally, failures } = await fuzz(server.port, total, () => fuzzOpenAIRequest(rng, server.port, server.apiKey));
    console.log(`openai fuzz: ${JSON.stringify(tally)}`);
    assert.equal(tally.tried, total);
    assert.deepEqual(failures, [], "5xx answers or hangs");
    assert.equal(tally.closed, 0, "every request got an answer");
    assert.ok(tally["2xx/3xx"] > 0 && tally["4xx"] > total / 2, `valid requests answered, garbage refused: ${JSON.stringify(tally)}`);
    const alive = await chat(server, {});
    assert.equal(alive.status, 200, "the server survived");
    assert.equal(JSON.parse(alive.body).choices[0].message.content, "The answer is 4.");
  });
});

test("client mistakes are 400 in OpenAI's error shape, naming the field and what it accepts", async () => {
  await withServer(async (server, backend) => {
    assertClientError(await chat(server, { max_tokens: 1e9 }), 400, "max_tokens", /'max_tokens' is 1000000000; this server generates at most 1048576 tokens/);
    assertClientError(await chat(server, { max_tokens: 8192 }), 400, "max_tokens", /'max_tokens' is 8192 but tiny-chat's context holds 4096 tokens/);
    assertClientError(await chat(server, { max_tokens: -5 }), 400, "max_tokens", /'max_tokens' must be a whole number of at least 1, got -5/);
    assertClientError(await chat(server, { max_tokens: 2.5 }), 400, "max_tokens", /whole number/);
    assertClientError(await chat(server, { temperature: -1 }), 400, "temperature", /'temperature' must be a number from 0 to 2, got -1/);
    assertClientError(await chat(server, { top_p: 1.5 }), 400, "top_p", /from 0 to 1/);
    assertClientError(await chat(server, { top_k: -3 }), 400, "top_k", /'top_k' must be a whole number of at least 0, got -3/);
    assertClientError(
      await chat(server, { model: "self-refine@tiny-chat+tiny-chat", refinery: { criticMaxTokens: "many" } }),
      400,
      "refinery.criticMaxTokens",
      /'refinery.criticMaxTokens' must be a whole number of at least 1, got "many"/,
    );
    assertClientError(await chat(server, { refinery: { params: [] } }), 400, "refinery.params", /must be an object/);
    const huge = "word ".repeat((1 << 20) / 5);
    assertClientError(await chat(server, { messages: [{ role: "user", content: huge }] }), 400, "messages", /more than 524288 characters/);
    const many = Array.from({ length: 10_000 }, () => ({ role: "user", content: "hi" }));
    assertClientError(await chat(server, { messages: many }), 400, "messages", /'messages' has 10000 messages; this server takes at most 2048/);
    assertClientError(await chat(server, { stream: "yes" }), 400, "stream", /'stream' must be true or false/);
    assertClientError(await call(server, "/tokenize", { content: huge }), 400, "content", /'content' holds more than 524288 characters/);
    assert.equal(backend.requests.length, 0, "nothing reached the model");
    const fine = await chat(server, { temperature: 0, top_k: 0, max_tokens: 64, refinery: { criticMaxTokens: 8 } });
    assert.equal(fine.status, 200, fine.body);
    assert.equal(backend.requests[0]!.temperature, 0);
    assert.equal(backend.requests[0]!.maxTokens, 64);
  });
});

test("client JSON schemas: unparsable or huge ones are 400, a usable one reaches the model", async () => {
  await withServer(async (server, backend) => {
    const withSchema = (schema: unknown) => chat(server, { response_format: { type: "json_schema", json_schema: { name: "x", schema } } });
    assertClientError(await withSchema("{not json"), 400, "response_format", /must be a JSON schema object/);
    assertClientError(await withSchema([1, 2]), 400, "response_format", /must be a JSON schema object/);
    assertClientError(await chat(server, { response_format: "json" }), 400, "response_format", /must be an object/);
    const enumOf40k = { type: "object", properties: { pick: { enum: Array.from({ length: 40_000 }, (_, i) => `value-${i}`) } } };
    assertClientError(await withSchema(enumOf40k), 400, "response_format", /the JSON schema is \d+ KiB; this server takes schemas up to 32 KiB/);
    assert.equal(backend.requests.length, 0);
    const usable = { type: "object", properties: { answer: { type: "number" } }, required: ["answer"] };
    const fine = await withSchema(usable);
    assert.equal(fine.status, 200, fine.body);
    assert.deepEqual(backend.requests[0]!.jsonSchema, usable);
  });
});

test("a schema that does not compile within the time limit is refused, in a worker, not on the event loop", async () => {
  const schema = { type: "object", properties: { slow: { enum: Array.from({ length: 500 }, (_, i) => `v${i}-${Date.now()}`) } } };
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 1);
  await assert.rejects(checkClientSchema(schema, { bytes: 32 << 10, grammarChars: 256 << 10, compileMs: 1 }), /takes longer than 0.001 s to compile/);
  await assert.rejects(
    checkClientSchema(schema, { bytes: 32 << 10, grammarChars: 100, compileMs: 3000 }),
    /compiles to a grammar of \d+ characters; this server takes up to 100/,
  );
  clearInterval(ticker);
  assert.ok(ticks > 0, "the event loop kept turning while the worker compiled");
});

test("a 5 MiB body gets 413 with the error body, not a reset", async () => {
  await withServer(async (server) => {
    const big = Buffer.alloc(5 << 20, 0x20);
    const reply = await call(server, "/v1/chat/completions", big);
    assert.equal(reply.status, 413);
    assert.match(JSON.parse(reply.body).error.message, /the request body is larger than 4 MiB/);
    assert.equal((await call(server, "/v1/models")).status, 200);
  });
});

test("a client that never finishes its headers is answered 408 and cut after 10 s", async () => {
  await withServer(async (server) => {
    assert.equal(server.server.headersTimeout, 10_000);
    assert.equal(server.server.requestTimeout, 60_000);
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect(server.port, "127.0.0.1");
      let data = "";
      socket.on("data", (chunk) => (data += chunk.toString("latin1")));
      socket.on("close", () => resolve(data));
      socket.write(`GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Slow: `);
      // The server's own timeout is what ends this; this guard only keeps a broken server from hanging the suite.
      setTimeout(() => socket.destroy(), 30_000).unref();
    });
    assert.match(outcome, /^HTTP\/1\.1 408/);
  });
});
