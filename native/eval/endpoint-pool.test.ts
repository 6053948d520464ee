// An experiment spread over two endpoints serving one model (replayed OpenAI-compatible servers on 127.0.0.1):
// cells go to both within each one's concurrency; one killed midway hands its cells to the other, the
// checkpoint holds every cell once, and no finished generation is generated again (the cache replays them). Deaths
// are scripted at a chosen request, after a chosen event, so which cell is in flight where is fixed, not timed.
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contentChunks, sse, startFakeServer, type FakeServer, type RecordedRequest } from "../../test/support/fake-openai.ts";
import { defaultEndpointOptions, forgetEndpoints, openEndpoint } from "../llm/openai-endpoint.ts";
import { columnsFor, runExperiment, type ExperimentConfig, type ExperimentProgress } from "./experiment.ts";
import { EndpointPool, rejoinTiming } from "./endpoint-pool.ts";
import { replayRunLog } from "../runs/run-log.ts";

const servers: FakeServer[] = [];
// Workers wait for a free endpoint many times over: nothing may pile up listeners (Node warns past 10 on one emitter).
const warnings: Error[] = [];
process.on("warning", (warning) => warnings.push(warning));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close().catch(() => {})));
  forgetEndpoints();
  await new Promise((resolve) => setImmediate(resolve));
  const seen = warnings.splice(0);
  assert.deepEqual(
    seen.map((w) => w.name),
    [],
    seen.map((w) => w.message).join("\n"),
  );
});

const scratch = mkdtempSync(join(tmpdir(), "refinery-pool-"));
const dataset = join(scratch, "tasks.jsonl");
writeFileSync(dataset, Array.from({ length: 10 }, (_, i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));

/** Answers like a model: drafts and refinements give the sum, critiques (asked for a schema) a JSON verdict. */
function answer(request: RecordedRequest): string {
  if (request.body.response_format) return JSON.stringify({ critique: "Check the sum once more.", correct: false, score: 4 });
  const messages = request.body.messages as Array<{ content: string }>;
  const n = Number(/What is (\d+)/.exec(messages.map((m) => m.content).join("\n"))?.[1] ?? 0);
  return `Adding gives ${2 * n}. The answer is \\boxed{${2 * n}}.`;
}

async function replica(
  options: { killAt?: number; slots?: number; dieAt?: { chat: number; when?: () => Promise<unknown> }; before?: () => Promise<unknown> } = {},
): Promise<FakeServer & { ok: number }> {
  const state = { ok: 0 };
  let self: FakeServer;
  self = await startFakeServer({
    routes: { "/props": { total_slots: options.slots ?? 2, build_info: "b4384-7c0e2858" } },
    ...(options.dieAt ? { dieAt: options.dieAt } : {}),
    chat: async (request, call, response) => {
      await options.before?.();
      if (options.killAt !== undefined && call >= options.killAt) {
        // The server dies: this stream drops and nothing answers afterwards.
        response.socket?.destroy();
        void self.close();
        return;
      }
      await new Promise((r) => setTimeout(r, 15));
      sse(response, contentChunks("llama-server", [answer(request)], { prompt_tokens: 30, completion_tokens: 12 }));
      state.ok++;
    },
  });
  servers.push(self);
  return Object.defineProperty(self, "ok", { get: () => state.ok }) as FakeServer & { ok: number };
}

function experiment(a: FakeServer, b?: FakeServer, strategy: "self-refine" | "single-pass" = "self-refine", items = dataset): ExperimentConfig {
  const specs = (b ? [a, b] : [a]).map((s) => `openai:${s.baseUrl}#qwen2.5-7b`);
  return {
    dataset: items,
    columns: columnsFor(
      [
        strategy === "self-refine"
          ? { name: "self-refine", strategy: "self-refine", params: { maxIterations: 1 } }
          : { name: "single-pass", strategy: "single-pass", params: {} },
      ],
      [{ actor: { path: specs[0]!, replicas: specs }, critic: { path: specs[0]!, replicas: specs } }],
    ),
    seed: 1,
  };
}

test("cells spread over two endpoints within each one's slots; throughput is reported per endpoint", async () => {
  const a = await replica();
  const b = await replica();
  const config = experiment(a, b);
  const pool = await EndpointPool.forColumns(config.columns);
  assert.equal(pool?.slots, 4, "two slots each, from llama-server's /props");
  let last: ExperimentProgress | undefined;
  const dir = join(scratch, "spread");
  const results = await runExperiment(dir, config, { onProgress: (p) => (last = p) });
  assert.equal(results.length, 10);
  assert.ok(results.every((r) => r.status === "finished" && r.correct === true));
  const stats = last!.endpoints!;
  assert.deepEqual(stats.map((s) => s.endpoint).sort(), [a.baseUrl, b.baseUrl].sort());
  assert.equal(
    stats.reduce((sum, s) => sum + s.done, 0),
    10,
  );
  assert.ok(
    stats.every((s) => s.done > 0 && s.tokensPerSecond > 0 && s.down === null),
    JSON.stringify(stats),
  );
  assert.equal(config.columns[0]!.name, "self-refine");
});

test("one endpoint killed midway: its cells move to the other, every cell is checkpointed once, nothing finished is generated again", async () => {
  defaultEndpointOptions.backoffMs = 5;
  defaultEndpointOptions.retries = 2;
  try {
    const a = await replica({ killAt: 5 });
    const b = await replica();
    const dir = join(scratch, "killed");
    let last: ExperimentProgress | undefined;
    const results = await runExperiment(dir, experiment(a, b), { onProgress: (p) => (last = p) });
    assert.equal(results.length, 10);
    assert.equal(new Set(results.map((r) => `${r.item}|${r.column}`)).size, 10, "no cell twice in the checkpoint");
    assert.ok(
      results.every((r) => r.status === "finished" && r.correct === true),
      JSON.stringify(results.map((r) => r.failure)),
    );
    const stats = Object.fromEntries(last!.endpoints!.map((s) => [s.endpoint, s]));
    assert.match(stats[a.baseUrl]!.down ?? "", /unreachable|mid-stream|ECONNREFUSED|lost/);
    assert.equal(stats[b.baseUrl]!.down, null);
    assert.ok(stats[b.baseUrl]!.done > stats[a.baseUrl]!.done);
    // Every generation in the final runs was received exactly once: from the server that finished the cell, or
    // from the killed one before it died, then replayed from the experiment's cache.
    let generations = 0;
    let cached = 0;
    for (const result of results) {
      const { state } = await replayRunLog(join(dir, "runs", result.runId, "events.jsonl"));
      for (const node of Object.values(state.nodes))
        if (node.model) {
          generations++;
          if (node.cached) cached++;
        }
    }
    const received = openEndpoint(a.baseUrl).requests + openEndpoint(b.baseUrl).requests;
    assert.ok(cached >= 1, "the moved cells got their finished generations back");
    assert.equal(received, generations, `no finished generation was redone (${received} received, ${cached} of ${generations} replayed)`);
  } finally {
    delete defaultEndpointOptions.backoffMs;
    delete defaultEndpointOptions.retries;
  }
});

test("a pool serves one model and only endpoints", async () => {
  await assert.rejects(
    EndpointPool.forColumns([
      {
        name: "x",
        actor: { path: "openai:http://127.0.0.1:1/v1#a", replicas: ["openai:http://127.0.0.1:1/v1#a", "openai:http://127.0.0.1:2/v1#b"] },
        critic: { path: "c.gguf" },
      },
    ]),
    /serves one model/,
  );
  await assert.rejects(
    EndpointPool.forColumns([{ name: "x", actor: { path: "a.gguf", replicas: ["a.gguf", "openai:http://127.0.0.1:2/v1#a"] }, critic: { path: "c.gguf" } }]),
    /only endpoints/,
  );
  assert.equal(await EndpointPool.forColumns([{ name: "x", actor: { path: "a.gguf" }, critic: { path: "c.gguf" } }]), null);
});

/** A dataset of `n` sums, for experiments whose cells are counted one by one. */
function sums(name: string, n: number): string {
  const path = join(scratch, `${name}.jsonl`);
  writeFileSync(path, Array.from({ length: n }, (_, i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));
  return path;
}

/** Fails fast instead of retrying: a refused or dropped request marks its endpoint down at once. */
async function withoutRetries<T>(body: () => Promise<T>): Promise<T> {
  defaultEndpointOptions.retries = 0;
  defaultEndpointOptions.backoffMs = 1;
  try {
    return await body();
  } finally {
    delete defaultEndpointOptions.retries;
    delete defaultEndpointOptions.backoffMs;
  }
}

test("a cell that comes back after the other worker found the queue empty still runs: every cell is accounted for", async () => {
  await withoutRetries(async () => {
    // One slot each: cell 0 goes to A, cell 1 to B. A dies on its first request, but only once B's cell is done,
    // so B's worker has already looked for another cell and found none when A's cell comes back.
    let firstDone!: () => void;
    const oneDone = new Promise<void>((resolve) => (firstDone = resolve));
    const a = await replica({ slots: 1, dieAt: { chat: 0, when: () => oneDone } });
    const b = await replica({ slots: 1 });
    const dir = join(scratch, "put-back");
    const results = await runExperiment(dir, experiment(a, b, "single-pass", sums("two", 2)), {
      onProgress: (p) => {
        if (p.done === 1) firstDone();
      },
    });
    await a.died;
    assert.deepEqual(results.map((r) => `${r.item}:${r.status}`).sort(), ["0:finished", "1:finished"]);
    assert.equal(b.ok, 2, "the dead endpoint's cell ran on the other one");
  });
});

test("every endpoint gone: the experiment fails with the reasons and the count of cells that did not run", async () => {
  const patience = rejoinTiming.patienceMs;
  rejoinTiming.patienceMs = 50;
  try {
    await withoutRetries(async () => {
      const a = await replica({ slots: 1, dieAt: { chat: 1 } });
      const dir = join(scratch, "all-gone");
      await assert.rejects(runExperiment(dir, experiment(a, undefined, "single-pass", sums("three", 3))), (error: Error) => {
        assert.equal(error.name, "ExperimentError");
        assert.match(error.message, /every endpoint of the actor is unreachable/);
        assert.match(error.message, /1 of 3 cells done; 2 not run/);
        return true;
      });
    });
  } finally {
    rejoinTiming.patienceMs = patience;
  }
});

test("a dead endpoint is asked again with backoff and rejoins: it takes cells again once it answers", { timeout: 30_000 }, async () => {
  const first = rejoinTiming.firstMs;
  rejoinTiming.firstMs = 10;
  try {
    await withoutRetries(async () => {
      // B holds its slot until A has answered a cell after its restart: the experiment finishes only if A rejoins.
      let aServed!: () => void;
      const aBack = new Promise<void>((resolve) => (aServed = resolve));
      const a = await replica({ slots: 1, dieAt: { chat: 0 }, before: async () => aServed() });
      const b = await replica({ slots: 1, before: () => aBack });
      const restarted = a.died.then(() => a.restart());
      const dir = join(scratch, "rejoin");
      let last: ExperimentProgress | undefined;
      const results = await runExperiment(dir, experiment(a, b, "single-pass", sums("four", 4)), { onProgress: (p) => (last = p) });
      await restarted;
      assert.equal(results.length, 4);
      assert.ok(results.every((r) => r.status === "finished"));
      const stats = Object.fromEntries(last!.endpoints!.map((s) => [s.endpoint, s]));
      assert.equal(stats[a.baseUrl]!.down, null, "back in the rotation");
      assert.ok(stats[a.baseUrl]!.done >= 1, JSON.stringify(stats));
    });
  } finally {
    rejoinTiming.firstMs = first;
  }
});

test("refinery experiment ends non-zero, with the count of cells that did not run, when its endpoints are gone", async () => {
  const patience = rejoinTiming.patienceMs;
  rejoinTiming.patienceMs = 50;
  const { main } = await import("../cli/main.ts");
  const written: string[] = [];
  const write = process.stderr.write;
  try {
    await withoutRetries(async () => {
      const a = await replica({ slots: 1, dieAt: { chat: 2 } });
      process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
      const code = await main([
        ...["experiment", "--dataset", sums("five", 5), "--actor", `openai:${a.baseUrl}#qwen2.5-7b`, "--strategy", "single-pass"],
        ...["--out", join(scratch, "cli-gone"), "--quiet"],
      ]);
      process.stderr.write = write;
      assert.equal(code, 2, written.join(""));
      assert.match(written.join(""), /refinery: every endpoint of the actor is unreachable .*\(2 of 5 cells done; 3 not run\. Run again to resume them\.\)/);
    });
  } finally {
    process.stderr.write = write;
    rejoinTiming.patienceMs = patience;
  }
});

test("an endpoint killed at any request: every cell ends finished, none lost, none twice", { timeout: 120_000 }, async () => {
  const items = sums("sweep", 12);
  const outcomes: string[] = [];
  for (const chat of [0, 1, 2, 3, 5, 8, 11]) {
    await withoutRetries(async () => {
      const a = await replica({ dieAt: { chat } });
      const b = await replica();
      const dir = join(scratch, `sweep-${chat}`);
      const results = await runExperiment(dir, experiment(a, b, "self-refine", items));
      const cells = new Set(results.map((r) => `${r.item}|${r.column}`));
      outcomes.push(`killed at request ${chat}: ${results.filter((r) => r.status === "finished").length}/12 finished, ${cells.size} distinct`);
      await Promise.all(servers.splice(0).map((s) => s.close().catch(() => {})));
      forgetEndpoints();
    });
  }
  assert.deepEqual(
    outcomes,
    [0, 1, 2, 3, 5, 8, 11].map((chat) => `killed at request ${chat}: 12/12 finished, 12 distinct`),
  );
});
