// "Test connection" for a model on an OpenAI-compatible server: an optional API key (kept by the engine, in the
// desktop app encrypted with the OS keychain; never in a run's files) and the server's models, or why not.
import { useState } from "react";
import type { EndpointTestInfo, Result } from "../../native/protocol/contract.ts";
import { useController } from "../store/context.tsx";

export function EndpointTest({ role, spec }: { role: "actor" | "critic"; spec: string }) {
  const controller = useController();
  const [apiKey, setApiKey] = useState("");
  const [result, setResult] = useState<Result<EndpointTestInfo> | null>(null);
  const [testing, setTesting] = useState(false);
  const test = async () => {
    setTesting(true);
    setResult(await controller.testEndpoint(spec, apiKey || undefined));
    setTesting(false);
  };
  return (
    <div className="endpoint-test" data-testid={`${role}-endpoint`}>
      <div className="row small">
        <input
          type="password"
          data-testid={`${role}-api-key`}
          value={apiKey}
          placeholder="API key (if the server needs one)"
          autoComplete="off"
          onChange={(e) => setApiKey(e.target.value)}
        />
        <button type="button" data-testid={`${role}-test-endpoint`} disabled={testing} onClick={() => void test()}>
          {testing ? "Testing…" : "Test connection"}
        </button>
      </div>
      {result && !result.ok && (
        <div className="error inline" data-testid={`${role}-endpoint-error`}>
          {result.error}
        </div>
      )}
      {result?.ok && (
        <div className="model-meta" data-testid={`${role}-endpoint-models`}>
          {result.value.kind}
          {result.value.version ? ` ${result.value.version}` : ""} · {result.value.concurrency} at once ·{" "}
          {result.value.modelListed
            ? `serves ${result.value.model}`
            : `does not list ${result.value.model}; it serves: ${result.value.models.join(", ") || "(none listed)"}`}
        </div>
      )}
    </div>
  );
}
