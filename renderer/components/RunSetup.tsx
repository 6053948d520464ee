// Run setup: actor and critic models (path field; a file picker in the desktop app), each model's metadata,
// the strategy and its parameters with the cards' defaults, a task typed or taken from a dataset, the seed.
import { useState } from "react";
import { useAppState, useAppStateShallow, useController } from "../store/context.tsx";
import { Errors } from "./Errors.tsx";
import { EndpointTest } from "./EndpointTest.tsx";
import { endpointSpecExamples, specKind } from "../../native/protocol/model-spec.ts";
import { MemoryBar } from "./MemoryBar.tsx";
import { ChooseModelButton, ModelChooserPanel } from "./ModelChooser.tsx";
import { DatasetPicker } from "./DatasetPicker.tsx";
import { formatBytes } from "../../native/protocol/format.ts";
import { defaultContextSize } from "../../native/protocol/defaults.ts";
import { fieldHelp, fieldLabel, paramLabel } from "../../native/protocol/field-labels.ts";

function ModelField({ role }: { role: "actor" | "critic" }) {
  const controller = useController();
  const path = useAppState((s) => (role === "actor" ? s.setup.actorPath : s.setup.criticPath));
  const update = useAppState((s) => s.updateSetup);
  const info = useAppState((s) => s.models[path.trim()]);
  const electron = useAppState((s) => s.engine.info?.mode === "electron");
  const [choosing, setChoosing] = useState(false);
  return (
    <div className="field model-field">
      <label
        htmlFor={`${role}-path`}
      >{`${fieldLabel(`${role}.path`)} (${role === "actor" ? "GGUF or endpoint" : "GGUF or endpoint, empty: same as actor"})`}</label>
      <div className="row">
        <input
          id={`${role}-path`}
          data-testid={`${role}-path`}
          value={path}
          placeholder={`/path/to/model.gguf or ${endpointSpecExamples()}`}
          onChange={(e) => update(role === "actor" ? { actorPath: e.target.value } : { criticPath: e.target.value })}
          onBlur={() => void controller.inspectModel(path)}
        />
        <ChooseModelButton role={role} open={choosing} onToggle={() => setChoosing(!choosing)} />
        {electron && (
          <button type="button" onClick={() => void controller.pickModel(role)}>
            Browse…
          </button>
        )}
      </div>
      {choosing && <ModelChooserPanel role={role} path={path} onClose={() => setChoosing(false)} />}
      {info && "error" in info && (
        <div className="error inline" data-testid={`${role}-model-error`}>
          {info.error}
        </div>
      )}
      {specKind(path.trim()).endpoint ? <EndpointTest role={role} spec={path} /> : <LoadSettingsFields role={role} />}
      {info && !("error" in info) && (
        <div className="model-meta" data-testid={`${role}-model-meta`}>
          {[
            info.architecture ?? "unknown architecture",
            // Many conversions name the model after its architecture: "llama · llama" says nothing twice.
            info.name && info.name !== info.architecture ? info.name : null,
            formatBytes(info.sizeBytes),
            info.layers ? `${info.layers} layers` : null,
            info.contextLength ? `context ${info.contextLength}` : null,
            info.chatTemplate ? "chat template" : "no chat template: uses a plain prompt",
          ]
            .filter(Boolean)
            .join(" · ")}
        </div>
      )}
    </div>
  );
}

/** GPU layers, context size and flash attention for one role; savable as the model's defaults. */
function LoadSettingsFields({ role }: { role: "actor" | "critic" }) {
  const controller = useController();
  const load = useAppState((s) => s.setup.load[role]);
  const setupLoad = useAppState((s) => s.setup.load);
  const update = useAppState((s) => s.updateSetup);
  // Empty means the default, which a model trained on less gets only up to its trained context.
  const trained = useAppState((s) => {
    const info = s.models[(role === "actor" ? s.setup.actorPath : s.setup.criticPath || s.setup.actorPath).trim()];
    return info && !("error" in info) ? info.contextLength : null;
  });
  const [saved, setSaved] = useState(false);
  const set = (patch: Partial<typeof load>) => {
    setSaved(false);
    update({ load: { ...setupLoad, [role]: { ...load, ...patch } } });
  };
  return (
    <details className="load-settings" data-testid={`${role}-load`}>
      <summary>load settings</summary>
      <div className="row small">
        <label>
          {fieldLabel(`${role}.load.gpuLayers`)}{" "}
          <input data-testid={`${role}-gpu-layers`} value={load.gpuLayers} onChange={(e) => set({ gpuLayers: e.target.value })} placeholder="auto" />
        </label>
        <label>
          {fieldLabel(`${role}.load.contextSize`)}{" "}
          <input
            data-testid={`${role}-context-size`}
            value={load.contextSize}
            onChange={(e) => set({ contextSize: e.target.value })}
            onBlur={() => void controller.planForSetup()}
            placeholder={String(defaultContextSize(trained))}
          />
        </label>
        <label title={fieldHelp(`${role}.load.flashAttention`)}>
          {fieldLabel(`${role}.load.flashAttention`)}{" "}
          <input
            type="checkbox"
            data-testid={`${role}-flash-attention`}
            checked={load.flashAttention}
            onChange={(e) => set({ flashAttention: e.target.checked })}
          />
        </label>
      </div>
      <button type="button" data-testid={`${role}-save-load`} onClick={async () => setSaved(await controller.saveLoadSettings(role))}>
        {saved ? "saved as this model's default" : `save as this model's ${role} default`}
      </button>
    </details>
  );
}

export function RunSetup() {
  const controller = useController();
  const setup = useAppState((s) => s.setup);
  const update = useAppState((s) => s.updateSetup);
  const strategies = useAppStateShallow((s) => s.strategies);
  const busy = useAppState((s) => s.busy);
  const running = useAppState((s) => (s.currentRunId ? s.runs[s.currentRunId]?.status === "running" : false));
  // Until the run this form started has ended (or failed to start), Start would start a duplicate.
  const formRunGoing = useAppState((s) => {
    if (!s.formRunId) return false;
    const status = s.runs[s.formRunId]?.status;
    return status === undefined || status === "empty" || status === "running";
  });
  const strategy = strategies.find((s) => s.name === setup.strategy);
  return (
    <form
      className="setup"
      data-testid="run-setup"
      onSubmit={(e) => {
        e.preventDefault();
        void controller.startRun();
      }}
    >
      <ModelField role="actor" />
      <ModelField role="critic" />
      <MemoryBar />
      <div className="field">
        <label htmlFor="strategy">{fieldLabel("strategy")}</label>
        <select id="strategy" data-testid="strategy-select" value={setup.strategy} onChange={(e) => update({ strategy: e.target.value, params: {} })}>
          {strategies.map((s) => (
            <option key={s.name} value={s.name}>
              {s.title}
            </option>
          ))}
        </select>
        {strategy && (
          <div className="hint">
            {strategy.summary} — {strategy.paper}
          </div>
        )}
      </div>
      {strategy && strategy.params.length > 0 && (
        <div className="params">
          {strategy.params.map((param) => (
            // biome-ignore lint/a11y/noLabelWithoutControl: each branch below puts its control inside the label
            <label key={param.name} title={`${param.name}: ${param.description}`}>
              {paramLabel(param.name)}
              {param.choices ? (
                <select
                  data-testid={`param-${param.name}`}
                  value={setup.params[param.name] ?? String(param.default)}
                  onChange={(e) => update({ params: { ...setup.params, [param.name]: e.target.value } })}
                >
                  {param.choices.map((choice) => (
                    <option key={choice}>{choice}</option>
                  ))}
                </select>
              ) : param.type === "boolean" ? (
                <input
                  type="checkbox"
                  data-testid={`param-${param.name}`}
                  checked={(setup.params[param.name] ?? String(param.default)) === "true"}
                  onChange={(e) => update({ params: { ...setup.params, [param.name]: String(e.target.checked) } })}
                />
              ) : (
                <input
                  data-testid={`param-${param.name}`}
                  value={setup.params[param.name] ?? String(param.default)}
                  onChange={(e) => update({ params: { ...setup.params, [param.name]: e.target.value } })}
                />
              )}
            </label>
          ))}
        </div>
      )}
      <div className="field">
        <label htmlFor="question">{fieldLabel("task.question")}</label>
        <textarea
          id="question"
          data-testid="question"
          rows={4}
          value={setup.question}
          onChange={(e) => update({ question: e.target.value, tests: undefined })}
        />
        {setup.tests && <div className="hint">code task: its tests run in the sandbox ({setup.tests.entryPoint ?? "asserts"})</div>}
      </div>
      <DatasetPicker />
      <div className="row small">
        <label>
          {fieldLabel("task.reference")} <input data-testid="reference" value={setup.reference} onChange={(e) => update({ reference: e.target.value })} />
        </label>
        <label>
          {fieldLabel("seed")} <input data-testid="seed" value={setup.seed} onChange={(e) => update({ seed: e.target.value })} />
        </label>
        <label title={fieldHelp("actor.sampling.maxTokens")}>
          {fieldLabel("actor.sampling.maxTokens")}{" "}
          <input data-testid="max-tokens" className="short" value={setup.maxTokens} onChange={(e) => update({ maxTokens: e.target.value })} />
        </label>
        <label title={fieldHelp("critic.sampling.maxTokens")}>
          {fieldLabel("critic.sampling.maxTokens")}{" "}
          <input
            data-testid="critic-max-tokens"
            className="short"
            value={setup.criticMaxTokens}
            onChange={(e) => update({ criticMaxTokens: e.target.value })}
          />
        </label>
        <label title={fieldHelp("actor.sampling.thinkingBudget")}>
          {fieldLabel("actor.sampling.thinkingBudget")}{" "}
          <input
            data-testid="thinking-budget"
            className="short"
            placeholder="default"
            value={setup.thinkingBudget}
            onChange={(e) => update({ thinkingBudget: e.target.value })}
          />
        </label>
        <label title={fieldHelp("critic.sampling.thinkingBudget")}>
          {fieldLabel("critic.sampling.thinkingBudget")}{" "}
          <input
            data-testid="critic-thinking-budget"
            className="short"
            placeholder="default"
            value={setup.criticThinkingBudget}
            onChange={(e) => update({ criticThinkingBudget: e.target.value })}
          />
        </label>
      </div>
      <Errors where="setup" />
      <div className="row">
        <button
          type="submit"
          data-testid="start-run"
          disabled={busy || formRunGoing}
          title={busy ? "starting the run…" : formRunGoing ? "the run started from this form is still going: wait, or cancel it" : undefined}
        >
          {busy ? "Starting…" : "Start"}
        </button>
        <button type="button" data-testid="cancel-run" disabled={!running} onClick={() => void controller.cancelRun()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
