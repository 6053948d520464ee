// Picks the run setup's task from a dataset file: all its items counted, a search over their text (question,
// reference, id), the chosen one's question, reference and tests copied into the setup.
import { useMemo, useState } from "react";
import { BUNDLED_LABEL } from "../../native/protocol/bundled-demo.ts";
import type { Task } from "../../native/protocol/events.ts";
import { useAppState, useController } from "../store/context.tsx";

/** The items whose question, reference or id contain every word of the search, as indexes into `items`. */
export function searchItems(items: readonly Task[], search: string): number[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const matches: number[] = [];
  items.forEach((item, index) => {
    const text = `${item.id ?? ""} ${item.question} ${item.reference ?? ""}`.toLowerCase();
    if (words.every((w) => text.includes(w))) matches.push(index);
  });
  return matches;
}

export function DatasetPicker() {
  const controller = useController();
  const update = useAppState((s) => s.updateSetup);
  const [path, setPath] = useState("");
  const [skipMalformed, setSkipMalformed] = useState(false);
  const [items, setItems] = useState<Task[]>([]);
  const [search, setSearch] = useState("");
  const [chosen, setChosen] = useState("");
  const shown = useMemo(() => searchItems(items, search), [items, search]);
  const demoDataset = useAppState((s) => s.library.find((model) => model.demoDataset)?.demoDataset);
  const load = async (file = path) => {
    setItems(await controller.loadDataset(file, skipMalformed));
    setChosen("");
  };
  return (
    <details className="dataset">
      <summary>Pick a task from a dataset file</summary>
      <div className="row small">
        <label>
          dataset file (.jsonl / .json)
          <input
            data-testid="dataset-path"
            value={path}
            placeholder="/path/to/tasks.jsonl"
            onChange={(e) => {
              // What was said about the file named before is not about this one.
              controller.forgetDatasetErrors(path);
              setPath(e.target.value);
            }}
            // Enter loads the file: in the run form it would otherwise start a run.
            onKeyDown={(e) => {
              if (e.key !== "Enter") return;
              e.preventDefault();
              void load();
            }}
          />
        </label>
        <button type="button" data-testid="dataset-load" onClick={() => void load()}>
          Load
        </button>
        {demoDataset && (
          <button
            type="button"
            data-testid="dataset-demo"
            title={`${demoDataset}: the arithmetic world the ${BUNDLED_LABEL} were trained on`}
            onClick={() => {
              setPath(demoDataset);
              void load(demoDataset);
            }}
          >
            demo arithmetic dataset
          </button>
        )}
        <label className="inline">
          <input type="checkbox" data-testid="dataset-skip-malformed" checked={skipMalformed} onChange={(e) => setSkipMalformed(e.target.checked)} /> skip
          malformed records
        </label>
      </div>
      {items.length > 0 && (
        <>
          <div className="row small">
            <label>
              search the items
              <input
                data-testid="dataset-search"
                type="search"
                placeholder="words in the question, reference or id"
                value={search}
                onChange={(e) => setSearch(e.target.value)}
              />
            </label>
          </div>
          <div className="row small">
            <label>
              <span data-testid="dataset-count">{search.trim() ? `${shown.length} of ${items.length} items match` : `${items.length} items`}</span>
              <select
                data-testid="dataset-item"
                onChange={(e) => {
                  setChosen(e.target.value);
                  const item = items[Number(e.target.value)];
                  if (item) update({ question: item.question, reference: item.reference ?? "", tests: item.tests });
                }}
                value={shown.includes(Number(chosen)) ? chosen : ""}
              >
                <option value="" disabled>
                  choose an item ({shown.length})
                </option>
                {shown.map((index) => (
                  <option key={index} value={index}>
                    {items[index]!.id ?? index}: {items[index]!.question.slice(0, 80)}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </>
      )}
    </details>
  );
}
