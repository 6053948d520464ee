// The model library: GGUFs already on the machine (Refinery's folder, LM Studio, Ollama, the Hugging Face
// cache, files added by path) and models on OpenAI-compatible endpoints, each usable as actor or critic;
// downloads with progress and cancel, and a curated list to download from on a first run.
import { useState } from "react";
import { endpointSpecExamples, specKind } from "../../native/protocol/model-spec.ts";
import { useAppStateShallow, useController } from "../store/context.tsx";
import { formatBytes as size } from "../../native/protocol/format.ts";
import { Errors } from "./Errors.tsx";
import { LibraryModelRow } from "./LibraryModelRow.tsx";
import { ModelCatalog } from "./ModelCatalog.tsx";

export function Library() {
  const controller = useController();
  const models = useAppStateShallow((s) => s.library);
  const downloads = useAppStateShallow((s) => Object.values(s.downloads));
  const [path, setPath] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [uri, setUri] = useState("");
  return (
    <details className="library" data-testid="library">
      <summary>Models ({models.length})</summary>
      <Errors where="library" />
      <ul>
        {models.map((model) => (
          <LibraryModelRow key={model.path} model={model} />
        ))}
      </ul>
      <div className="row">
        <input
          data-testid="library-add-path"
          placeholder={`add a GGUF by path, or ${endpointSpecExamples()}`}
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        {specKind(path.trim()).endpoint && (
          <input
            data-testid="library-add-key"
            type="password"
            autoComplete="off"
            placeholder="API key (optional)"
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
          />
        )}
        <button type="button" data-testid="library-add" onClick={() => void controller.addModel(path, apiKey || undefined)}>
          Add
        </button>
      </div>
      <div className="row">
        <input data-testid="download-uri" placeholder="hf:org/repo/file.gguf or https://…" value={uri} onChange={(e) => setUri(e.target.value)} />
        <button type="button" data-testid="download-start" onClick={() => void controller.startDownload(uri)}>
          Download
        </button>
      </div>
      <ModelCatalog />
      {downloads.map((d) => (
        <div key={d.downloadId} className={`download ${d.state}`} data-testid="download" data-state={d.state}>
          <div>
            {d.uri} — {d.state === "connecting" ? `connecting to ${d.host ?? "the server"}…` : d.state}
            {d.state === "running" && ` ${size(d.downloadedBytes)} of ${size(d.totalBytes)} · ${size(d.speed)}/s · ${Math.round(d.etaSeconds)} s left`}
            {d.error && (
              <div className="reason" data-testid="download-error">
                {d.error}
              </div>
            )}
          </div>
          {d.totalBytes > 0 && <progress max={d.totalBytes} value={d.downloadedBytes} />}
          {(d.state === "running" || d.state === "connecting") && (
            <button type="button" data-testid="download-cancel" onClick={() => void controller.cancelDownload(d.downloadId)}>
              Cancel
            </button>
          )}
        </div>
      ))}
    </details>
  );
}
