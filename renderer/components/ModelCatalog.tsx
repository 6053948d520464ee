// "Get a model": the curated list of small GGUFs a first run can fetch, each with what it suits and where it comes
// from; a download goes through the library's downloader and shows in the downloads below.
import { catalogPage, catalogUri, formatParameters, inLibrary, MODEL_CATALOG } from "../../native/protocol/model-catalog.ts";
import { formatBytes } from "../../native/protocol/format.ts";
import { useAppStateShallow, useController } from "../store/context.tsx";

export function ModelCatalog() {
  const controller = useController();
  const paths = useAppStateShallow((s) => s.library.map((model) => model.path));
  const downloading = useAppStateShallow((s) =>
    Object.values(s.downloads)
      .filter((d) => d.state === "running" || d.state === "connecting")
      .map((d) => d.uri),
  );
  return (
    <details className="model-catalog" data-testid="model-catalog">
      <summary>Get a model ({MODEL_CATALOG.length} small GGUFs from Hugging Face)</summary>
      <ul>
        {MODEL_CATALOG.map((model) => {
          const uri = catalogUri(model);
          const have = inLibrary(model, paths);
          return (
            <li key={model.id} data-testid="catalog-model" data-id={model.id} data-in-library={have}>
              <div className="library-name">{model.name}</div>
              <div className="hint" data-testid="catalog-facts">
                {formatParameters(model.parameters)} parameters · {model.quantisation} · about {formatBytes(model.sizeBytes)} · suits {model.roles.join(", ")} ·{" "}
                {model.licence}
              </div>
              <div className="hint">
                {model.note} ·{" "}
                <a href={catalogPage(model)} target="_blank" rel="noreferrer" data-testid="catalog-source">
                  {model.repo}/{model.file}
                </a>
              </div>
              <div className="row">
                {have ? (
                  <span className="hint" data-testid="catalog-have">
                    in the library
                  </span>
                ) : (
                  <button type="button" data-testid="catalog-download" disabled={downloading.includes(uri)} onClick={() => void controller.startDownload(uri)}>
                    {downloading.includes(uri) ? "downloading…" : "Download"}
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </details>
  );
}
