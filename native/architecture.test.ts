// The layering rules of docs/ARCHITECTURE.md, checked over the import graph of the source tree: the renderer
// reaches the engine only through native/protocol/, native/ never imports electron, the protocol stays pure
// (no Node, no DOM), and no module imports itself back through others.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const SOURCE_DIRS = ["native", "renderer", "electron", "test", "bench", "scripts"];
const SKIP = new Set(["node_modules", "dist", ".cache"]);

function sourceFiles(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|tsx|mts|mjs)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** Every module specifier a file imports or re-exports (static, dynamic and type-only alike). */
export function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const text = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  for (const pattern of [/\b(?:import|export)\s[^;'"]*?\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\bimport\(\s*["']([^"']+)["']\s*\)/g]) {
    for (const match of text.matchAll(pattern)) specifiers.push(match[1]!);
  }
  return specifiers;
}

interface Graph {
  files: string[];
  /** Relative imports resolved to repository paths, per file. */
  local: Map<string, string[]>;
  /** Package and builtin specifiers, per file. */
  external: Map<string, string[]>;
}

function buildGraph(): Graph {
  const files = SOURCE_DIRS.flatMap((dir) => sourceFiles(join(root, dir))).map((f) => relative(root, f));
  const local = new Map<string, string[]>();
  const external = new Map<string, string[]>();
  for (const file of files) {
    const specifiers = importsOf(readFileSync(join(root, file), "utf8"));
    local.set(
      file,
      specifiers.filter((s) => s.startsWith(".")).map((s) => relative(root, resolve(root, dirname(file), s))),
    );
    external.set(
      file,
      specifiers.filter((s) => !s.startsWith(".")),
    );
  }
  return { files, local, external };
}

const graph = buildGraph();
const isNodeBuiltin = (specifier: string) => specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0]!);
const DOM_PACKAGES = new Set(["react", "react-dom", "react-dom/client", "zustand", "d3-hierarchy"]);

function violations(filter: (file: string) => boolean, bad: (file: string, specifier: string, target?: string) => boolean): string[] {
  const found: string[] = [];
  for (const file of graph.files.filter(filter)) {
    for (const target of graph.local.get(file)!) if (bad(file, target, target)) found.push(`${file} → ${target}`);
    for (const specifier of graph.external.get(file)!) if (bad(file, specifier)) found.push(`${file} → ${specifier}`);
  }
  return found;
}

test("the source tree is found and its imports are read", () => {
  assert.ok(graph.files.length > 50, `found ${graph.files.length} files`);
  assert.deepEqual(importsOf(`import type { A } from "./a.ts";\nexport * from "../b.ts";\nconst c = await import("./c.ts");\nimport "./d.css";`), [
    "./a.ts",
    "../b.ts",
    "./d.css",
    "./c.ts",
  ]);
});

test("the renderer imports only itself, native/protocol/ and browser packages", () => {
  const bad = violations(
    (f) => f.startsWith("renderer/") && !f.endsWith(".test.ts"),
    (_file, specifier, target) =>
      target !== undefined ? !target.startsWith("renderer/") && !target.startsWith("native/protocol/") : isNodeBuiltin(specifier) || specifier === "electron",
  );
  assert.deepEqual(bad, []);
});

test("native/ never imports electron", () => {
  assert.deepEqual(
    violations(
      (f) => f.startsWith("native/"),
      (_file, specifier, target) => target === undefined && (specifier === "electron" || specifier.startsWith("electron/")),
    ),
    [],
  );
});

test("native/protocol/ is pure: no Node, no DOM, nothing else of native/", () => {
  const bad = violations(
    (f) => f.startsWith("native/protocol/") && !f.endsWith(".test.ts"),
    (_file, specifier, target) =>
      target !== undefined ? !target.startsWith("native/protocol/") : isNodeBuiltin(specifier) || DOM_PACKAGES.has(specifier) || specifier === "electron",
  );
  assert.deepEqual(bad, []);
});

test("electron/ reaches native/ only through the protocol, the supervisor and the CSP", () => {
  const allowed = ["native/protocol/", "native/engine/host.ts", "native/engine/messages.ts", "native/server/security.ts"];
  const bad = violations(
    (f) => f.startsWith("electron/") && !f.endsWith(".test.ts"),
    (_file, _specifier, target) => target?.startsWith("native/") === true && !allowed.some((a) => target.startsWith(a)),
  );
  assert.deepEqual(bad, []);
});

/** Import cycles among the repository's modules (Tarjan's strongly connected components larger than one file). */
export function cycles(edges: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (edges.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}

test("the cycle finder finds a cycle", () => {
  assert.deepEqual(
    cycles(
      new Map([
        ["a", ["b"]],
        ["b", ["c"]],
        ["c", ["a"]],
        ["d", ["a"]],
      ]),
    ),
    [["a", "b", "c"]],
  );
});

test("no import cycles", () => {
  assert.deepEqual(cycles(graph.local), []);
});

/** The classes that implement ModelBackend, by name, from the files' text. */
export function backendClasses(sources: Map<string, string>): string[] {
  const names: string[] = [];
  for (const text of sources.values()) for (const match of text.matchAll(/\bclass\s+(\w+)\s+implements\s+[^{]*\bModelBackend\b/g)) names.push(match[1]!);
  return names;
}

/** Files outside native/llm/sources/ that construct a backend: a source opens backends, nothing else does. */
export function backendsBuiltOutsideSources(sources: Map<string, string>, classes: string[]): string[] {
  if (!classes.length) return [];
  const construction = new RegExp(`\\bnew\\s+(${classes.join("|")})\\s*\\(`);
  return [...sources].filter(([file, text]) => !file.startsWith("native/llm/sources/") && construction.test(text)).map(([file]) => file);
}

const engineSources = new Map(
  graph.files.filter((f) => f.startsWith("native/") && !f.endsWith(".test.ts")).map((f) => [f, readFileSync(join(root, f), "utf8")] as const),
);

test("the backend rule finds a backend built outside llm/sources/", () => {
  const files = new Map([
    ["native/llm/x-backend.ts", "export class XBackend implements ModelBackend {}"],
    ["native/llm/sources/x.ts", "open: () => new XBackend()"],
    ["native/runs/runner.ts", "const b = new XBackend(spec);"],
  ]);
  assert.deepEqual(backendClasses(files), ["XBackend"]);
  assert.deepEqual(backendsBuiltOutsideSources(files, backendClasses(files)), ["native/runs/runner.ts"]);
});

test("only native/llm/sources/ constructs backends (tests bring their own)", () => {
  const classes = backendClasses(engineSources);
  assert.ok(classes.includes("LlamaBackend") && classes.includes("OpenAIBackend"), classes.join(", "));
  assert.deepEqual(backendsBuiltOutsideSources(engineSources, classes), []);
});

test('"openai:" and instanceof OpenAIBackend appear only in the spec parser and the OpenAI source', () => {
  const allowed = new Set(["native/protocol/model-spec.ts", "native/llm/sources/openai.ts"]);
  const bad = graph.files
    .filter((f) => /^(native|renderer|electron)\//.test(f) && !f.endsWith(".test.ts") && !allowed.has(f))
    .filter((f) => /["'`]openai:["'`]|instanceof\s+OpenAIBackend\b/.test(readFileSync(join(root, f), "utf8")));
  assert.deepEqual(bad, []);
});

test("the renderer and Electron ask the protocol what a spec is (specKind), never test for the OpenAI prefix", () => {
  const bad = graph.files
    .filter((f) => /^(renderer|electron)\//.test(f) && !f.endsWith(".test.ts"))
    .filter((f) => /openai:|\bisOpenAISpec\b/.test(readFileSync(join(root, f), "utf8")));
  assert.deepEqual(bad, []);
});

/**
 * The folders of native/, lowest first: a module imports only its own folder and the folders below it, so the
 * folder graph is a DAG and each layer can be read, tested and replaced without the ones above it.
 */
export const LAYERS = ["protocol", "util", "llm", "grading", "strategies", "runs", "eval", "engine", "server", "cli"];

/** The imports that reach a folder at or above the importer's own layer (tests may import anything). */
export function upwardEdges(local: Map<string, string[]>, layers: readonly string[]): string[] {
  const folderOf = (file: string) => (file.startsWith("native/") ? (file.split("/").length > 2 ? file.split("/")[1]! : null) : null);
  const found: string[] = [];
  for (const [file, targets] of local) {
    const from = folderOf(file);
    if (from === null || file.endsWith(".test.ts")) continue;
    if (!layers.includes(from)) {
      found.push(`${file}: native/${from}/ is in no layer`);
      continue;
    }
    for (const target of targets) {
      const to = folderOf(target);
      if (to === null || to === from) continue;
      if (!layers.includes(to) || layers.indexOf(to) > layers.indexOf(from)) found.push(`${file} → ${target} (${from} may not import ${to})`);
    }
  }
  return found;
}

test("the layer rule finds an import of a higher folder and a folder in no layer", () => {
  const local = new Map([
    ["native/llm/cache.ts", ["native/util/jsonl.ts", "native/runs/runner.ts"]],
    ["native/llm/cache.test.ts", ["native/runs/runner.ts"]],
    ["native/runs/runner.ts", ["native/llm/cache.ts", "native/runs/paths.ts"]],
    ["native/extra/x.ts", []],
  ]);
  assert.deepEqual(upwardEdges(local, ["util", "llm", "runs"]), [
    "native/llm/cache.ts → native/runs/runner.ts (llm may not import runs)",
    "native/extra/x.ts: native/extra/ is in no layer",
  ]);
});

test("folders inside native/ import only the layers below them", () => {
  assert.deepEqual(upwardEdges(graph.local, LAYERS), []);
});
