// `npm start`: the desktop app when Electron's binary and a display are available; otherwise it says why and
// serves the same UI on loopback (refinery serve), with the engine in a child process either way.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const web = args.includes("--web");

if (!existsSync(`${root}dist/renderer/index.html`) || !existsSync(`${root}dist/electron/main.mjs`)) {
  const built = spawnSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: "inherit", cwd: root });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

function electronBinary() {
  const hasDisplay = process.platform !== "linux" || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (!hasDisplay) return { reason: "no display (DISPLAY and WAYLAND_DISPLAY are unset)" };
  try {
    // Electron downloads its binary on first use; without network that fails and we fall back.
    const path = createRequire(import.meta.url)("electron");
    if (typeof path === "string" && existsSync(path)) return { path };
    return { reason: "Electron's binary is missing" };
  } catch (error) {
    return { reason: `Electron's binary is not installed and could not be downloaded (${String(error.message).split("\n")[0]})` };
  }
}

const electron = web ? { reason: "--web was given" } : electronBinary();
if (electron.path) {
  const child = spawn(electron.path, [root], { stdio: "inherit" });
  child.on("exit", (code) => process.exit(code ?? 0));
} else {
  process.stderr.write(`Desktop window unavailable: ${electron.reason}.\nServing the same UI on loopback instead.\n`);
  const child = spawn(process.execPath, [`${root}bin/refinery.mjs`, "serve", ...args.filter((a) => a !== "--web")], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code) => process.exit(code ?? 0));
}
