// Spreads an experiment's cells over several endpoints serving the same model: each cell runs on the
// endpoint with the most room, never more cells on one than it takes requests at once; an endpoint that stops
// answering leaves the rotation and its cell goes back in the queue for the others; it is asked again after a backoff
// that doubles, and rejoins once it answers. Cells are runs with one request at a time (experiments run sequentially
// within a cell), so cells in flight are requests in flight.
import { parseModelSpec, type EndpointSpec } from "../protocol/model-spec.ts";
import { sourceFor } from "../llm/sources/registry.ts";
import { openEndpoint, type OpenAIEndpoint } from "../llm/openai-endpoint.ts";
import type { ModelConfig } from "../runs/runner.ts";

export interface EndpointStats {
  endpoint: string;
  model: string;
  done: number;
  running: number;
  tokens: number;
  tokensPerSecond: number;
  /** Why it left the rotation, when it did. */
  down: string | null;
}

interface Member {
  spec: string;
  parsed: EndpointSpec;
  endpoint: OpenAIEndpoint;
  running: number;
  done: number;
  tokens: number;
  down: string | null;
  /** When it left the rotation (performance.now()), while it is out. */
  downSince: number | null;
  /** The next time it is asked whether it answers again. */
  reprobe: ReturnType<typeof setTimeout> | null;
}

/** How a dead endpoint is asked again, and how long cells wait when every endpoint of a role is out. */
export const rejoinTiming = {
  /** First wait before asking again; doubles each time up to maxMs. */
  firstMs: 1000,
  maxMs: 30_000,
  /** Every endpoint of a role out this long: the experiment stops with the reasons (finished cells are kept). */
  patienceMs: 120_000,
};

export interface PoolColumn {
  name: string;
  actor: ModelConfig;
  critic: ModelConfig;
}

export interface EndpointLease {
  /** The column's models with the chosen replica in place of each pooled role. */
  actor: ModelConfig;
  critic: ModelConfig;
  /** The endpoints this cell used stopped answering: the cell should move to another one. */
  endpointFailed(): boolean;
  release(tokens: number, finished: boolean): void;
}

/** The replicas of a role: its `replicas` list, or only its own spec. */
export const replicasOf = (model: ModelConfig): string[] => (model.replicas?.length ? model.replicas : [model.path]);

/** A role the pool schedules: one endpoint or several replicas (files are scheduled by the experiment's concurrency). */
const pooled = (model: ModelConfig) => replicasOf(model).some((spec) => sourceFor(spec).pooled);

export class EndpointPoolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExperimentError";
  }
}

export class EndpointPool {
  private readonly members = new Map<string, Member>();
  private readonly waiters: Array<() => void> = [];
  private readonly started = performance.now();
  private closed = false;

  private constructor(specs: string[]) {
    for (const spec of specs) {
      if (this.members.has(spec)) continue;
      const parsed = parseModelSpec(spec) as EndpointSpec;
      this.members.set(spec, {
        spec,
        parsed,
        endpoint: openEndpoint(parsed.baseUrl),
        running: 0,
        done: 0,
        tokens: 0,
        down: null,
        downSince: null,
        reprobe: null,
      });
    }
  }

  /** A pool when some column's model is on endpoints; null for local models only (nothing changes then). */
  static async forColumns(columns: readonly PoolColumn[]): Promise<EndpointPool | null> {
    const remote = columns.flatMap((c) => [c.actor, c.critic]).filter(pooled);
    if (!remote.length) return null;
    for (const model of remote) {
      const bad = replicasOf(model).find((spec) => !sourceFor(spec).pooled);
      if (bad) throw new EndpointPoolError(`only endpoints can be pooled, '${bad}' is a file`);
      const names = new Set(replicasOf(model).map((spec) => (parseModelSpec(spec) as EndpointSpec).model));
      if (names.size > 1) throw new EndpointPoolError(`a pool serves one model, got ${[...names].join(", ")}`);
    }
    const pool = new EndpointPool(remote.flatMap(replicasOf));
    await Promise.all([...pool.members.values()].map((m) => m.endpoint.probe()));
    return pool;
  }

  /** Cells at once: the sum of what the endpoints take. */
  get slots(): number {
    return [...this.members.values()].reduce((sum, m) => sum + m.endpoint.gate.limit, 0);
  }

  private pick(model: ModelConfig): Member | null | "none-left" {
    const replicas = replicasOf(model).map((spec) => this.members.get(spec)!);
    const candidates = replicas.filter((m) => !m.down);
    if (!candidates.length) {
      const outFor = performance.now() - Math.max(...replicas.map((m) => m.downSince ?? 0));
      // Every replica is out: wait for one to rejoin, up to the patience.
      return outFor >= rejoinTiming.patienceMs ? "none-left" : null;
    }
    const free = candidates.filter((m) => m.running < m.endpoint.gate.limit);
    if (!free.length) return null;
    return free.sort((a, b) => a.running / a.endpoint.gate.limit - b.running / b.endpoint.gate.limit)[0]!;
  }

  /** Waits for room on an endpoint of each pooled role of the column. */
  async acquire(column: PoolColumn, signal?: AbortSignal): Promise<EndpointLease> {
    const pooledActor = pooled(column.actor);
    // A critic naming the actor's pool runs on the actor's replica: one endpoint per cell.
    const criticFollows = pooledActor && column.critic.path === column.actor.path;
    const pooledCritic = !criticFollows && pooled(column.critic);
    for (;;) {
      signal?.throwIfAborted();
      const actor = pooledActor ? this.pick(column.actor) : undefined;
      const critic = pooledCritic ? this.pick(column.critic) : undefined;
      for (const [role, picked] of [
        ["actor", actor],
        ["critic", critic],
      ] as const) {
        if (picked === "none-left") {
          const model = role === "actor" ? column.actor : column.critic;
          const reasons = replicasOf(model).map((spec) => `${this.members.get(spec)!.parsed.baseUrl}: ${this.members.get(spec)!.down}`);
          throw new EndpointPoolError(`every endpoint of the ${role} is unreachable (${reasons.join("; ")}); finished cells are kept, run again to resume`);
        }
      }
      if (actor !== null && critic !== null) return this.lease(column, actor as Member | undefined, critic as Member | undefined, criticFollows);
      await this.nextChange(signal);
    }
  }

  /**
   * Resolves when a lease is released, an endpoint rejoins, the patience for endpoints all out may have run out, or
   * the signal aborts. The abort listener goes with it: waits repeat once per release, and a listener left on the
   * experiment's signal each time piled up past Node's warning limit.
   */
  private nextChange(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const patience = setTimeout(wake, rejoinTiming.patienceMs);
      function wake() {
        clearTimeout(patience);
        signal?.removeEventListener("abort", wake);
        resolve();
      }
      this.waiters.push(wake);
      signal?.addEventListener("abort", wake, { once: true });
    });
  }

  private wakeWaiters(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private leaveRotation(m: Member, reason: string): void {
    if (m.down !== null) return;
    m.down = reason;
    m.downSince = performance.now();
    this.scheduleReprobe(m, rejoinTiming.firstMs);
  }

  private scheduleReprobe(m: Member, waitMs: number): void {
    if (this.closed) return;
    m.reprobe = setTimeout(async () => {
      m.reprobe = null;
      if (this.closed) return;
      if (await answers(m)) {
        m.down = null;
        m.downSince = null;
        m.endpoint.down = null;
        this.wakeWaiters();
      } else this.scheduleReprobe(m, Math.min(waitMs * 2, rejoinTiming.maxMs));
    }, waitMs);
    // A pending re-probe never keeps the process alive by itself.
    m.reprobe.unref();
  }

  /** Stops asking dead endpoints again (the experiment is over). */
  close(): void {
    this.closed = true;
    for (const m of this.members.values()) if (m.reprobe) clearTimeout(m.reprobe);
    this.wakeWaiters();
  }

  private lease(column: PoolColumn, actor: Member | undefined, critic: Member | undefined, criticFollows: boolean): EndpointLease {
    const used = [actor, critic].filter((m): m is Member => m !== undefined);
    for (const m of used) m.running++;
    const strip = ({ replicas: _r, ...model }: ModelConfig, spec: string): ModelConfig => ({ ...model, path: spec });
    let released = false;
    return {
      actor: actor ? strip(column.actor, actor.spec) : column.actor,
      critic: critic ? strip(column.critic, critic.spec) : criticFollows && actor ? strip(column.critic, actor.spec) : column.critic,
      endpointFailed: () => {
        const failed = used.filter((m) => m.endpoint.down !== null);
        for (const m of failed) this.leaveRotation(m, m.endpoint.down!);
        return failed.length > 0;
      },
      release: (tokens, finished) => {
        if (released) return;
        released = true;
        for (const m of used) {
          m.running--;
          if (finished) {
            m.done++;
            m.tokens += tokens;
          }
        }
        this.wakeWaiters();
      },
    };
  }

  stats(): EndpointStats[] {
    const seconds = Math.max(1e-3, (performance.now() - this.started) / 1000);
    return [...this.members.values()].map((m) => ({
      endpoint: m.parsed.baseUrl,
      model: m.parsed.model,
      done: m.done,
      running: m.running,
      tokens: m.tokens,
      tokensPerSecond: m.tokens / seconds,
      down: m.down,
    }));
  }
}

/** Whether the server answers HTTP at all again (any status: it is up; its model is checked by the next cell). */
async function answers(m: Member): Promise<boolean> {
  try {
    const response = await fetch(`${m.parsed.baseUrl}/models`, { headers: m.endpoint.headers(), signal: AbortSignal.timeout(5000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}
