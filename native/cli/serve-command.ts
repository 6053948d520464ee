// refinery serve: the UI on loopback with the engine in a child process (or, with --openai, strategies as models
// behind an OpenAI-compatible API).
import { flagOptions } from "../protocol/field-labels.ts";
import { COMMAND_FLAGS } from "./command-flags.ts";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EngineHost, forkEngine } from "../engine/host.ts";
import { startWebServer } from "../server/server.ts";
import { parse, portOption, threadsOption, UsageError } from "./args.ts";
import { commandServeOpenAI } from "./serve-openai-command.ts";

export async function commandServe(args: string[]): Promise<number> {
  if (args.includes("--openai")) return commandServeOpenAI(args);
  const { values } = parse(args, flagOptions(COMMAND_FLAGS.serve));
  const port = portOption(values.port);
  const threads = threadsOption(values.threads);
  const staticDir = fileURLToPath(new URL("../../dist/renderer", import.meta.url));
  if (!existsSync(join(staticDir, "index.html"))) throw new UsageError(`the UI is not built (${staticDir} is missing): run \`npm run build\` first`);
  const runsDir = values.runs ?? "runs";
  const host = new EngineHost({ spawn: forkEngine({ runsDir, gpu: values.gpu, threads }), runsDir });
  let server;
  try {
    server = await startWebServer({ host, staticDir, port });
  } catch (error) {
    host.dispose();
    throw error;
  }
  process.stdout.write(`Refinery is serving on loopback only. Open:\n  ${server.url}\n`);
  await new Promise<void>((resolveStop) => {
    process.once("SIGINT", resolveStop);
    process.once("SIGTERM", resolveStop);
  });
  host.dispose();
  await server.close();
  return 0;
}
