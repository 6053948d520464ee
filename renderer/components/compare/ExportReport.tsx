// "Export report": the open experiment's standalone HTML report, its cells as CSV and JSONL, and preference pairs
// for critic training, written into the experiment's exports/ folder by the engine (the desktop app and the web
// UI alike: the files are where the experiment is); the tab lists what was written where, and in web mode offers
// each as a download (the HTML report also in a new tab).
import { useState } from "react";
import { EXPORT_FORMATS, type ExportedFile, type ExportFormat } from "../../../native/protocol/contract.ts";
import { formatBytes as size } from "../../../native/protocol/format.ts";
import { useController } from "../../store/context.tsx";

const FORMAT_NAMES: Record<ExportFormat, string> = {
  html: "HTML report",
  csv: "CSV (one cell a row)",
  jsonl: "JSONL (one cell a line)",
  pairs: "preference pairs (JSONL)",
};

const rowsText = (file: ExportedFile) =>
  file.format === "html"
    ? ""
    : file.format === "pairs"
      ? ` · ${file.rows} pair${file.rows === 1 ? "" : "s"}`
      : ` · ${file.rows} line${file.rows === 1 ? "" : "s"}`;

export function ExportReport() {
  const controller = useController();
  const [formats, setFormats] = useState<ExportFormat[]>([...EXPORT_FORMATS]);
  const [files, setFiles] = useState<ExportedFile[] | null>(null);
  const [busy, setBusy] = useState(false);
  const toggle = (format: ExportFormat) =>
    setFormats(formats.includes(format) ? formats.filter((f) => f !== format) : EXPORT_FORMATS.filter((f) => f === format || formats.includes(f)));
  return (
    <div className="export-report" data-testid="export-report">
      <div className="row small">
        {EXPORT_FORMATS.map((format) => (
          <label key={format} className="inline">
            <input type="checkbox" data-testid={`export-${format}`} checked={formats.includes(format)} onChange={() => toggle(format)} /> {FORMAT_NAMES[format]}
          </label>
        ))}
        <button
          type="button"
          data-testid="export-start"
          disabled={busy || formats.length === 0}
          onClick={async () => {
            setBusy(true);
            setFiles(null);
            setFiles(await controller.exportExperiment(formats));
            setBusy(false);
          }}
        >
          {busy ? "Exporting…" : "Export report"}
        </button>
      </div>
      {files && (
        <ul className="small exported" data-testid="export-files">
          {files.map((file) => (
            <li key={file.format} data-testid="export-file" data-format={file.format}>
              {FORMAT_NAMES[file.format]}: <code data-testid="export-path">{file.path}</code> ({size(file.bytes)}
              {rowsText(file)}) <FileLinks path={file.path} html={file.format === "html"} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Web mode: download the file (and open the HTML report in a new tab); nothing in the desktop app. */
export function FileLinks({ path, html = false }: { path: string; html?: boolean }) {
  const controller = useController();
  const download = controller.downloadUrl(path);
  if (!download) return null;
  return (
    <>
      {html && (
        <>
          <a className="file-link" data-testid="file-open" href={controller.downloadUrl(path, { open: true })!} target="_blank" rel="noopener noreferrer">
            open in a new tab
          </a>{" "}
        </>
      )}
      <a className="file-link" data-testid="file-download" href={download} download>
        download
      </a>
    </>
  );
}
