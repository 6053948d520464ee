// "choose…" beside a model field: the library's models, each usable for this role, and in web mode a browser of
// the server machine's folders (one folder at a time, only subfolders and .gguf files); the desktop app has its
// native file dialog for that.
import { useEffect, useState } from "react";
import type { ModelFolderInfo } from "../../native/protocol/contract.ts";
import { formatBytes } from "../../native/protocol/format.ts";
import { useAppState, useAppStateShallow, useController } from "../store/context.tsx";
import { LibraryModelRow } from "./LibraryModelRow.tsx";

type Role = "actor" | "critic";

function FolderBrowser({ role, start, onChosen }: { role: Role; start: string | undefined; onChosen: () => void }) {
  const controller = useController();
  const [folder, setFolder] = useState<ModelFolderInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = async (path?: string) => {
    const result = await controller.listModelFolder(path);
    if (result.ok) {
      setFolder(result.value);
      setError(null);
    } else setError(result.error);
  };
  // Starts where the field's file is (or where the user last browsed, else the server's home folder).
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, when the browser opens
  useEffect(() => {
    void open(start);
  }, []);
  return (
    <div className="folder-browser" data-testid={`${role}-folder-browser`}>
      <div className="hint">Files on the machine running Refinery</div>
      {error && (
        <div className="error inline" data-testid={`${role}-folder-error`}>
          {error}
        </div>
      )}
      {folder && (
        <>
          <div className="folder-path" data-testid={`${role}-folder-path`}>
            {folder.path}
          </div>
          <ul>
            {folder.parent && (
              <li>
                <button type="button" className="link" data-testid="folder-up" onClick={() => void open(folder.parent ?? undefined)}>
                  ↑ up
                </button>
              </li>
            )}
            {folder.folders.map((name) => (
              <li key={`d:${name}`}>
                <button
                  type="button"
                  className="link"
                  data-testid="folder-entry"
                  data-name={name}
                  onClick={() => void open(`${folder.path.replace(/\/$/, "")}/${name}`)}
                >
                  📁 {name}
                </button>
              </li>
            ))}
            {folder.files.map((file) => (
              <li key={`f:${file.name}`}>
                <button
                  type="button"
                  className="link"
                  data-testid="folder-file"
                  data-name={file.name}
                  onClick={() => {
                    onChosen();
                    void controller.chooseBrowsedModel(role, file.path);
                  }}
                >
                  {file.name}
                </button>{" "}
                <span className="hint">{formatBytes(file.sizeBytes)}</span>
              </li>
            ))}
            {folder.folders.length === 0 && folder.files.length === 0 && <li className="hint">no subfolders or .gguf files here</li>}
          </ul>
        </>
      )}
    </div>
  );
}

/** The "choose…" button; the list opens below the field (ModelChooserPanel), not squeezed beside it. */
export function ChooseModelButton({ role, open, onToggle }: { role: Role; open: boolean; onToggle: () => void }) {
  return (
    <button type="button" data-testid={`${role}-choose`} aria-expanded={open} onClick={onToggle}>
      choose…
    </button>
  );
}

export function ModelChooserPanel({ role, path, onClose }: { role: Role; path: string; onClose: () => void }) {
  const models = useAppStateShallow((s) => s.library);
  const web = useAppState((s) => s.engine.info?.mode !== "electron");
  const start = path.trim().startsWith("/") ? path.trim().replace(/\/[^/]*$/, "") || "/" : undefined;
  return (
    <div className="model-chooser" data-testid={`${role}-chooser`}>
      <div className="chooser-title">
        Models in the library ({models.length}){" "}
        <button type="button" className="link" onClick={onClose}>
          close
        </button>
      </div>
      {models.length === 0 && <div className="hint">none found yet: add a file below Start, download one, or browse</div>}
      <ul>
        {models.map((model) => (
          <LibraryModelRow key={model.path} model={model} role={role} onChosen={onClose} />
        ))}
      </ul>
      {web && <FolderBrowser role={role} start={start} onChosen={onClose} />}
    </div>
  );
}
