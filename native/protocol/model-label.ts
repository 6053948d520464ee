// A model named where space is short (the run list, the run header): a file by its file name, an endpoint by
// its served model and host, so two runs on one question tell their models apart at a glance.

import { isOpenAISpec } from "./model-spec.ts";

/** "qwen.gguf" for /models/qwen.gguf; "llama3 @ host:8000" for openai:http://host:8000/v1#llama3. */
export function modelLabel(spec: string): string {
  if (isOpenAISpec(spec)) {
    const [url = "", model = ""] = spec.slice(spec.indexOf(":") + 1).split("#");
    let host = url;
    try {
      host = new URL(url).host;
    } catch {
      // a spec the engine refuses still gets a label: the text as written
    }
    return model ? `${model} @ ${host}` : host;
  }
  return spec.split(/[\\/]/).at(-1) || spec;
}
