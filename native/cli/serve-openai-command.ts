// refinery serve --openai: strategies and models behind an OpenAI-compatible API, loopback unless --host says otherwise.
import type { GpuChoice } from "../llm/runtime.ts";
import { isEndpointSpec } from "../llm/model-spec.ts";
import { intOption, parse, UsageError } from "./args.ts";

export async function commandServeOpenAI(args: string[]): Promise<number> {
  const { values } = parse(args, {
    openai: { type: "boolean" },
    actor: { type: "string" },
    critic: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    runs: { type: "string" },
    preset: { type: "string", multiple: true },
    "api-key": { type: "string" },
    parallel: { type: "string" },
    "context-size": { type: "string" },
    "ui-url": { type: "string" },
    gpu: { type: "string" },
    threads: { type: "string" },
  });
  if (!values.actor) throw new UsageError("serve --openai needs --actor <gguf> (and optionally --critic <gguf>)");
  for (const [flag, path] of [
    ["actor", values.actor],
    ["critic", values.critic],
  ] as const) {
    if (path && isEndpointSpec(path)) throw new UsageError(`--${flag}: serve --openai serves local GGUF files; point clients at ${path.slice(7)} directly`);
  }
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
      port: intOption(values.port, "port"),
      ...(values.host ? { host: values.host } : {}),
      // A fixed key (for scripts that restart the server) or, by default, a fresh random one.
      apiKey: values["api-key"] ?? process.env.REFINERY_SERVE_KEY ?? undefined,
      presets: values.preset,
      ...(parallel ? { parallel } : {}),
      ...(contextSize ? { load: { contextSize } } : {}),
      ...(values["ui-url"] ? { uiUrl: values["ui-url"] } : {}),
      gpu: (values.gpu ?? "auto") as GpuChoice,
      threads: intOption(values.threads, "threads"),
    });
  } catch (error) {
    if (error instanceof ModelLoadError) throw new UsageError(error.message);
    throw error;
  }
  const exposed = values.host && !["127.0.0.1", "localhost", "::1"].includes(values.host);
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
