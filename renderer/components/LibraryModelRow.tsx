// One library model: its facts in a line, why a role suits it less, and buttons that put it into the setup.
import type { LibraryModelInfo } from "../../native/protocol/contract.ts";
import { librarySourceLabel } from "../../native/protocol/bundled-demo.ts";
import { formatBytes } from "../../native/protocol/format.ts";
import { useController } from "../store/context.tsx";

/** Its facts, each once: a file named after its architecture ("llama · llama") shows the name only in the title. */
export function modelFactsLine(model: LibraryModelInfo): string {
  if (model.error) return `unreadable: ${model.error}`;
  if (model.endpoint) return `served by ${model.endpoint}`;
  return [
    model.architecture ?? "unknown architecture",
    model.parameters ? `${model.parameters} parameters` : null,
    model.quantization ?? "unknown quantisation",
    formatBytes(model.sizeBytes),
    model.contextLength ? `context ${model.contextLength}` : null,
    model.layers ? `${model.layers} layers` : null,
    model.chatTemplate ? "chat template" : null,
    // As `refinery inspect` says it: the chat wrapper node-llama-cpp resolves, and whether the model thinks first.
    model.chatFormat ? `${model.chatFormat.wrapper} wrapper` : null,
    model.chatFormat ? `thought segments: ${model.chatFormat.thoughts ? "yes" : "no"}` : null,
  ]
    .filter(Boolean)
    .join(" · ");
}

/** Without a role: buttons for both (the library panel); with one: a single "use" for that field (its chooser). */
export function LibraryModelRow({ model, role, onChosen }: { model: LibraryModelInfo; role?: "actor" | "critic"; onChosen?: () => void }) {
  const controller = useController();
  const use = (role: "actor" | "critic") => {
    onChosen?.();
    void controller.assignModel(role, model.path);
  };
  return (
    <li data-testid="library-model" data-name={model.name}>
      <div className="library-name" title={model.path}>
        [{librarySourceLabel(model.source)}] {model.name}
      </div>
      <div className="hint" data-testid="library-facts">
        {modelFactsLine(model)}
      </div>
      {model.roleNote && (
        <div className="hint role-note" data-testid="library-role-note">
          {model.roleNote} — suits the critic best; as actor it continues the text rather than chatting
        </div>
      )}
      {!model.error && role && (
        <div className="row">
          <button type="button" data-testid="choose-model" onClick={() => use(role)}>
            use as {role}
          </button>
        </div>
      )}
      {!model.error && !role && (
        <div className="row">
          <button type="button" data-testid="use-actor" onClick={() => use("actor")}>
            as actor
          </button>
          <button type="button" data-testid="use-critic" onClick={() => use("critic")}>
            as critic
          </button>
        </div>
      )}
    </li>
  );
}
