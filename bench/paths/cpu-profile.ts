// Where a process's main thread spent a run's window, from `node --cpu-prof`: llama.cpp decodes on its own threads,
// so the main thread is "(idle)" while it waits for a token; everything else in the window (our JavaScript,
// node-llama-cpp's JavaScript, Node's internals, garbage collection) is what the path adds per token.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time inside the window, ms. */
  windowMs: number;
  /** Main thread idle: waiting for llama.cpp (or for a child, a socket). */
  idleMs: number;
  gcMs: number;
  /** Self time by owner: refinery's code, node-llama-cpp's JavaScript, Node's internals, V8 not attributed. */
  byOwner: Record<Owner, number>;
  /** The functions with the most self time outside "(idle)", ms. */
  top: Array<{ name: string; owner: Owner; ms: number }>;
  /** False when the window could not be placed on the profile's clock and the whole profile was summed instead. */
  windowed: boolean;
}

type Owner = "refinery" | "node-llama-cpp" | "node" | "other packages" | "V8 (program)" | "garbage collector";

/**
 * The profile's clock (V8's monotonic microseconds) against the wall clock the run log's `at` uses: both
 * processes run on this machine, so the offset measured here holds for the child's profile too.
 */
export function wallToMonotonicOffsetUs(): number {
  return Date.now() * 1000 - Number(process.hrtime.bigint() / 1000n);
}

/** The main thread's profile of one process: node-llama-cpp's binary check runs a child that writes its own. */
export function mainThreadProfile(dir: string, pid: number): string {
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile") && f.includes(`.${pid}.0.`));
  if (!file) throw new Error(`${dir}: node --cpu-prof wrote no profile for process ${pid} (did it exit normally?)`);
  return join(dir, file);
}

/** Self time inside the windows (wall-clock ms, as the run log's `at`); null windows: the whole profile. */
export function summarizeProfile(file: string, windows: Array<{ fromMs: number; toMs: number }> | null, offsetUs: number): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const spans = windows?.map((w) => ({ from: w.fromMs * 1000 - offsetUs, to: w.toMs * 1000 - offsetUs }));
  const self = new Map<number, number>();
  let t = profile.startTime;
  let inWindow = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (spans && !spans.some((s) => t >= s.from && t <= s.to)) continue;
    inWindow++;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + delta);
  }
  if (windows && inWindow === 0) return { ...summarizeProfile(file, null, offsetUs), windowed: false };
  const byOwner: Record<Owner, number> = { refinery: 0, "node-llama-cpp": 0, node: 0, "other packages": 0, "V8 (program)": 0, "garbage collector": 0 };
  const byFunction = new Map<string, { name: string; owner: Owner; ms: number }>();
  let idleMs = 0;
  let windowMs = 0;
  for (const [id, us] of self) {
    const ms = us / 1000;
    windowMs += ms;
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === "(idle)") {
      idleMs += ms;
      continue;
    }
    const owner = ownerOf(frame);
    byOwner[owner] += ms;
    const name = frame.url ? `${frame.functionName || "(anonymous)"} ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : frame.functionName;
    const entry = byFunction.get(name) ?? { name, owner, ms: 0 };
    entry.ms += ms;
    byFunction.set(name, entry);
  }
  const top = [...byFunction.values()].sort((a, b) => b.ms - a.ms).slice(0, 10);
  return { windowMs, idleMs, gcMs: byOwner["garbage collector"], byOwner, top, windowed: windows !== null };
}

function ownerOf(frame: ProfileNode["callFrame"]): Owner {
  if (frame.functionName === "(garbage collector)") return "garbage collector";
  if (!frame.url) return frame.functionName === "(program)" || frame.functionName === "(root)" ? "V8 (program)" : "node";
  if (frame.url.includes("/node_modules/node-llama-cpp/")) return "node-llama-cpp";
  if (frame.url.includes("/node_modules/")) return "other packages";
  if (frame.url.startsWith("node:")) return "node";
  return "refinery";
}

function shortUrl(url: string): string {
  const packaged = /\/node_modules\/(.*)$/.exec(url);
  if (packaged) return packaged[1]!;
  const ours = /\/(native|bench|bin|dist)\/(.*)$/.exec(url);
  return ours ? `${ours[1]}/${ours[2]}` : url.replace(/^file:\/\//, "");
}

/** One line per owner and the top functions, for the results file. */
export function profileLines(summary: ProfileSummary, tokens: number): string[] {
  const perToken = (ms: number) => `${((ms * 1000) / Math.max(1, tokens)).toFixed(0)} µs/token`;
  const busy = summary.windowMs - summary.idleMs;
  const owners = Object.entries(summary.byOwner)
    .filter(([, ms]) => ms >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([owner, ms]) => `${owner} ${ms.toFixed(1)} ms (${perToken(ms)})`)
    .join("; ");
  return [
    `main thread over ${summary.windowed ? "the runs' windows" : "the whole process (the windows did not fall on the profile's clock)"}: ${summary.windowMs.toFixed(0)} ms sampled, idle (waiting for llama.cpp's decode) ${summary.idleMs.toFixed(0)} ms, busy ${busy.toFixed(1)} ms = ${perToken(busy)} over ${tokens} tokens`,
    `busy by owner: ${owners}`,
    "top self time outside llama.cpp:",
    ...summary.top.map((f) => `  - ${f.ms.toFixed(1)} ms  ${f.name} (${f.owner})`),
  ];
}
