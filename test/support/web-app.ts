// Starts the real thing for UI tests: the engine in a child process under its supervisor, the loopback
// server with the built renderer, and headless Debian Chromium driven by playwright-core.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { EngineHost, forkEngine } from "../../native/engine/host.ts";
import { startWebServer, type WebServer } from "../../native/server/server.ts";
import { repoRoot } from "./models.ts";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const artifactsDir = join(repoRoot, "test-artifacts");

export interface WebApp {
  host: EngineHost;
  server: WebServer;
  browser: Browser;
  page: Page;
  runsDir: string;
  /** Console errors a test causes on purpose (a dropped connection); any other fails the file at close. */
  expectedPageErrors: RegExp[];
  close(): Promise<void>;
}

/** bundledModels: the library lists the bundled demo pair, and a fresh setup starts from it, as a fresh install does. */
export async function startWebApp(options: { bundledModels?: boolean } = {}): Promise<WebApp> {
  const runsDir = mkdtempSync(join(tmpdir(), "refinery-ui-runs-"));
  // Most pages these tests drive start from an empty setup: the bundled demo pair would fill it.
  if (options.bundledModels) delete process.env.REFINERY_BUNDLED_MODELS;
  else process.env.REFINERY_BUNDLED_MODELS = "off";
  const host = new EngineHost({ spawn: forkEngine({ runsDir, threads: 1 }), runsDir });
  const server = await startWebServer({ host, staticDir: join(repoRoot, "dist/renderer") });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(message.text());
  });
  await page.goto(server.url);
  // Tests start from the restored first screen. On a fresh machine the engine first proves its backends (one
  // process each), which took 47 s on a busy two-core machine.
  await page.waitForSelector('[data-testid="app"][data-restored="true"]', { timeout: 180_000 });
  const expectedPageErrors: RegExp[] = [];
  return {
    host,
    server,
    browser,
    page,
    runsDir,
    expectedPageErrors,
    close: async () => {
      await browser.close();
      host.dispose();
      await server.close();
      const unexpected = pageErrors.filter((error) => !expectedPageErrors.some((expected) => expected.test(error)));
      if (unexpected.length) throw new Error(`the page reported errors:\n${unexpected.join("\n")}`);
    },
  };
}

/** Reloads the page and waits until it has restored what it restores (setup, history, the run its address links to). */
export async function reloadPage(page: Page) {
  await page.reload();
  await page.waitForSelector('[data-testid="app"][data-restored="true"]');
}

/** Opens a run from the history list as a user does, and waits until that run, not the one before it, is shown. */
export async function openFromHistory(page: Page, runId: string, status = "finished") {
  await page.click(`[data-testid="history-item"][data-run-id="${runId}"]`);
  await page.waitForSelector(`[data-testid="run-header"][data-status="${status}"][data-run-id="${runId}"]`);
}
