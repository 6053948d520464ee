// One control group per sandbox call, so memory and processes are bounded for the whole call (every process it
// starts, nested namespaces included) and one call's fork bomb cannot use up a neighbour's processes, which
// RLIMIT_NPROC — counted per user, and every sandbox runs as the same user — cannot promise. cgroup v2 is used
// where it delegates the memory and pids controllers to Refinery's own group (or to REFINERY_SANDBOX_CGROUP, a
// delegated group), v1 where its memory and pids hierarchies are mounted and writable; otherwise the calls run
// without these bounds and `unavailableReason` says why.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface CallCgroup {
  /** The files a process writes its pid to, to join the group (every controller's). */
  readonly procsFiles: string[];
  /** "cgroup v2" or "cgroup v1". */
  readonly version: string;
  /** Whether the kernel killed a process of the call for exceeding the memory bound. */
  oomKilled(): boolean;
  /** Kills every process left in the group and removes it. */
  remove(): Promise<void>;
}

export interface CallBounds {
  memoryBytes: number;
  processes: number;
}

interface V2Parent {
  version: 2;
  dir: string;
}

interface V1Parents {
  version: 1;
  memory: string;
  pids: string;
}

type Parents = V2Parent | V1Parents;

const ENV = "REFINERY_SANDBOX_CGROUP";
let sequence = 0;
let probed: { parents: Parents | null; reason: string } | null = null;

interface Mount {
  /** The folder of the hierarchy mounted here ("/" unless only a subtree is, as in some containers). */
  root: string;
  point: string;
  type: string;
  options: string[];
}

function mounts(): Mount[] {
  try {
    return readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [before, after] = line.split(" - ");
        const fields = before!.split(" ");
        const [type, , superOptions] = after!.split(" ");
        return { root: fields[3]!, point: fields[4]!, type: type!, options: superOptions?.split(",") ?? [] };
      });
  } catch {
    return [];
  }
}

/** This process's group per hierarchy: "" for v2, the controller names for v1. */
function ownGroups(): Map<string, string> {
  const groups = new Map<string, string>();
  try {
    for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
      const match = /^\d+:([^:]*):(.*)$/.exec(line);
      if (match) for (const controller of match[1]!.split(",")) groups.set(controller, match[2]!);
    }
  } catch {
    // no /proc: not Linux
  }
  return groups;
}

/** Where a group of a hierarchy appears under the mount point of that hierarchy. */
function groupDir(mount: Mount, group: string): string {
  const inside = mount.root !== "/" && (group === mount.root || group.startsWith(`${mount.root}/`)) ? group.slice(mount.root.length) : group;
  return join(mount.point, inside);
}

const readText = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};

/** A child group can be made and limited under dir: tried for real, since permissions and delegation decide. */
function writable(dir: string, limitFile: string, value: string): string | null {
  const probe = join(dir, `refinery-probe-${process.pid}-${sequence++}`);
  try {
    mkdirSync(probe);
    try {
      writeFileSync(join(probe, limitFile), value);
    } finally {
      rmdirSync(probe);
    }
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

function v2Parent(dir: string): V2Parent | string {
  const controllers = readText(join(dir, "cgroup.controllers")).split(/\s+/);
  const missing = ["memory", "pids"].filter((name) => !controllers.includes(name));
  if (missing.length) return `cgroup v2 at ${dir} does not offer the ${missing.join(" and ")} controller${missing.length > 1 ? "s" : ""}`;
  const enabled = readText(join(dir, "cgroup.subtree_control")).split(/\s+/);
  if (!enabled.includes("memory") || !enabled.includes("pids")) {
    try {
      writeFileSync(join(dir, "cgroup.subtree_control"), "+memory +pids");
    } catch (error) {
      return `cgroup v2 at ${dir} does not delegate memory and pids to child groups (${(error as NodeJS.ErrnoException).code}); set ${ENV} to a delegated group`;
    }
  }
  const failure = writable(dir, "pids.max", "8");
  return failure ? `cannot create groups in ${dir} (${failure})` : { version: 2, dir };
}

function probeParents(): { parents: Parents | null; reason: string } {
  if (process.platform !== "linux") return { parents: null, reason: "control groups are Linux's" };
  const delegated = process.env[ENV];
  if (delegated) {
    const parent = v2Parent(delegated);
    return typeof parent === "string" ? { parents: null, reason: `${ENV}: ${parent}` } : { parents: parent, reason: "" };
  }
  const all = mounts();
  const own = ownGroups();
  const reasons: string[] = [];
  const unified = all.find((mount) => mount.type === "cgroup2");
  if (unified && own.has("")) {
    const parent = v2Parent(groupDir(unified, own.get("")!));
    if (typeof parent !== "string") return { parents: parent, reason: "" };
    reasons.push(parent);
  }
  const v1 = (controller: string) => {
    const mount = all.find((m) => m.type === "cgroup" && m.options.includes(controller));
    return mount && own.has(controller) ? groupDir(mount, own.get(controller)!) : null;
  };
  const memory = v1("memory");
  const pids = v1("pids");
  if (memory && pids) {
    const failure = writable(memory, "memory.limit_in_bytes", String(64 * 1024 * 1024)) ?? writable(pids, "pids.max", "8");
    if (!failure) return { parents: { version: 1, memory, pids }, reason: "" };
    reasons.push(`cannot create cgroup v1 groups under ${memory} and ${pids} (${failure})`);
  } else if (!unified) {
    reasons.push("no cgroup v2, and no cgroup v1 memory and pids hierarchies are mounted");
  }
  return { parents: null, reason: reasons.join("; ") };
}

function parents(): { parents: Parents | null; reason: string } {
  probed ??= probeParents();
  return probed;
}

/** Why calls run without a whole-call memory and process bound, or null when they have one. */
export function unavailableReason(): string | null {
  const found = parents();
  return found.parents ? null : found.reason;
}

/** "cgroup v2" or "cgroup v1" where calls are bounded by one, else null. */
export function cgroupVersion(): string | null {
  const found = parents().parents;
  return found ? `cgroup v${found.version}` : null;
}

/** Forgets what was found, so a changed REFINERY_SANDBOX_CGROUP is looked at again. */
export function resetCgroupProbe(): void {
  probed = null;
}

const pidsIn = (dir: string) => readText(join(dir, "cgroup.procs")).split("\n").filter(Boolean).map(Number);

function killAll(dirs: string[], v2: boolean): void {
  if (v2 && existsSync(join(dirs[0]!, "cgroup.kill"))) {
    try {
      writeFileSync(join(dirs[0]!, "cgroup.kill"), "1");
      return;
    } catch {
      // fall through to signalling each process
    }
  }
  for (const dir of dirs)
    for (const pid of pidsIn(dir)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
}

/** Removes the groups: killed processes take a moment to leave, so removal is retried for up to a second. */
async function removeDirs(dirs: string[], v2: boolean): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    killAll(dirs, v2);
    const left = dirs.filter((dir) => {
      try {
        rmdirSync(dir);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code !== "ENOENT";
      }
    });
    if (!left.length || attempt >= 50) return;
    dirs = left;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Groups left by an engine that died mid-call: empty ones whose owner is gone are removed. */
function removeStale(dir: string): void {
  for (const name of readdirSync(dir)) {
    const owner = /^refinery-call-(\d+)-/.exec(name)?.[1];
    if (!owner || Number(owner) === process.pid) continue;
    try {
      process.kill(Number(owner), 0);
    } catch {
      try {
        rmdirSync(join(dir, name));
      } catch {
        // still has processes, or not ours to remove
      }
    }
  }
}

let staleRemoved = false;

/** A fresh group for one call with its bounds set, or null (with `unavailableReason`) where none can be made. */
export function createCallCgroup(bounds: CallBounds): CallCgroup | null {
  const found = parents().parents;
  if (!found) return null;
  const dirsOf = found.version === 2 ? [found.dir] : [found.memory, found.pids];
  if (!staleRemoved) {
    staleRemoved = true;
    for (const dir of dirsOf) removeStale(dir);
  }
  const name = `refinery-call-${process.pid}-${sequence++}`;
  const dirs = dirsOf.map((parent) => join(parent, name));
  const made: string[] = [];
  try {
    for (const dir of dirs) {
      mkdirSync(dir);
      made.push(dir);
    }
    const memory = String(bounds.memoryBytes);
    if (found.version === 2) {
      writeFileSync(join(dirs[0]!, "memory.max"), memory);
      if (existsSync(join(dirs[0]!, "memory.swap.max"))) writeFileSync(join(dirs[0]!, "memory.swap.max"), "0");
      writeFileSync(join(dirs[0]!, "pids.max"), String(bounds.processes));
    } else {
      writeFileSync(join(dirs[0]!, "memory.limit_in_bytes"), memory);
      // Swap counted with memory, where the kernel accounts it: the bound is on both together.
      if (existsSync(join(dirs[0]!, "memory.memsw.limit_in_bytes"))) writeFileSync(join(dirs[0]!, "memory.memsw.limit_in_bytes"), memory);
      writeFileSync(join(dirs[1]!, "pids.max"), String(bounds.processes));
    }
  } catch (error) {
    for (const dir of made.reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // nothing joined it yet, so this only fails if it is already gone
      }
    }
    throw new Error(`could not set up the sandbox's control group ${name}: ${(error as Error).message}`);
  }
  const v2 = found.version === 2;
  const memoryDir = dirs[0]!;
  return {
    procsFiles: dirs.map((dir) => join(dir, "cgroup.procs")),
    version: v2 ? "cgroup v2" : "cgroup v1",
    oomKilled: () => {
      const events = readText(join(memoryDir, v2 ? "memory.events" : "memory.oom_control"));
      return Number(/^oom_kill (\d+)$/m.exec(events)?.[1] ?? 0) > 0;
    },
    remove: () => removeDirs(dirs, v2),
  };
}
