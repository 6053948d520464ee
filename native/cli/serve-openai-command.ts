// refinery serve --openai: strategies and models behind an OpenAI-compatible API, loopback unless --host says otherwise.
import { flagOptions } from "../protocol/field-labels.ts";
import { COMMAND_FLAGS } from "./command-flags.ts";
import type { GpuChoice } from "../llm/runtime.ts";
import { sourceFor } from "../llm/sources/registry.ts";
import { redactSpec } from "../protocol/model-spec.ts";
import { isIP } from "node:net";
import { intOption, parse, portOption, threadsOption, UsageError } from "./args.ts";

export async function commandServeOpenAI(args: string[]): Promise<number> {
  const { values } = parse(args, flagOptions(COMMAND_FLAGS.serveOpenAI));
  if (!values.actor) throw new UsageError("serve --openai needs --actor <gguf> (and optionally --critic <gguf>)");
  for (const [flag, path] of [
    ["actor", values.actor],
    ["critic", values.critic],
  ] as const) {
    if (path && !sourceFor(path).loadsLocally)
      throw new UsageError(
        `--${flag}: serve --openai serves local GGUF files, and ${redactSpec(path)} is ${sourceFor(path).name}: point clients at it directly`,
      );
  }
  const port = portOption(values.port);
  const threads = threadsOption(values.threads);
  const { startOpenAIServer } = await import("../server/openai-server.ts");
  const { ModelLoadError } = await import("../llm/runtime.ts");
  const parallel = intOption(values.parallel, "parallel");
  const contextSize = intOption(values["context-size"], "context-size");
  let server;
  try {
    server = await startOpenAIServer({
      actor: values.actor,
      ...(values.critic ? { critic: values.critic } : {}),
      runsDir: values.runs ?? "runs",
      port,
      ...(values.host ? { host: values.host } : {}),
      // A fixed key (for scripts that restart the server) or, by default, a fresh random one.
      apiKey: values["api-key"] ?? process.env.REFINERY_SERVE_KEY ?? undefined,
      presets: values.preset,
      ...(parallel ? { parallel } : {}),
      ...(contextSize ? { load: { contextSize } } : {}),
      ...(values["ui-url"] ? { uiUrl: values["ui-url"] } : {}),
      gpu: (values.gpu ?? "auto") as GpuChoice,
      threads,
    });
  } catch (error) {
    if (error instanceof ModelLoadError) throw new UsageError(error.message);
    throw error;
  }
  const exposed = values.host !== undefined && !isLoopbackHost(values.host);
  if (exposed)
    process.stderr.write(
      `WARNING: listening on ${values.host}: anyone who can reach this machine and has the key can run models on it. Keep the key secret; prefer an SSH tunnel or a reverse proxy with TLS.\n`,
    );
  process.stdout.write(
    `Refinery's OpenAI-compatible API is serving${exposed ? "" : " on loopback only"}.\n` +
      `  base URL: ${server.baseUrl}\n  API key:  ${server.apiKey}   (send it as Authorization: Bearer <key>)\n` +
      `  models:   ${server.models.length} (GET ${server.baseUrl}/models), e.g. ${server.models.slice(0, 3).join(", ")}\n`,
  );
  await new Promise<void>((resolveStop) => {
    process.once("SIGINT", resolveStop);
    process.once("SIGTERM", resolveStop);
  });
  await server.close();
  return 0;
}

/** Whether an address only this machine can reach: localhost, all of 127.0.0.0/8, ::1 (and its IPv4-mapped forms). */
export function isLoopbackHost(host: string): boolean {
  const address = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (address === "localhost") return true;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith("127.");
  if (isIP(address) === 6) return /^(0{0,4}:){2,7}0{0,3}1$/.test(address);
  return false;
}
