// "Get a model": a short curated list of well-known small GGUFs for a first run, as LM Studio's first screen has.
// Each is one file of a public Hugging Face repository, fetched with the library's downloader as hf:<repo>/<file>
// (node-llama-cpp honours MODEL_ENDPOINT and HF_ENDPOINT, so a mirror, or a test's loopback server, can serve it).
// Sizes are approximate, as the repositories list them; the downloader reports the real size once it connects.

/** What a model suits in Refinery: drafting, critiquing, judging experiments, or reasoning in thought segments. */
export type CatalogRole = "actor" | "critic" | "judge" | "thinking";

export interface CatalogModel {
  id: string;
  name: string;
  /** Parameters, as the model card counts them. */
  parameters: number;
  quantisation: string;
  /** About this many bytes to download. */
  sizeBytes: number;
  roles: CatalogRole[];
  /** Hugging Face repository (owner/name) and the GGUF file in it. */
  repo: string;
  file: string;
  licence: string;
  /** Why it is on the list, in a few words. */
  note: string;
}

export const MODEL_CATALOG: readonly CatalogModel[] = [
  {
    id: "qwen2.5-0.5b-instruct",
    name: "Qwen2.5 0.5B Instruct",
    parameters: 494_000_000,
    quantisation: "Q4_K_M",
    sizeBytes: 491_000_000,
    roles: ["actor"],
    repo: "Qwen/Qwen2.5-0.5B-Instruct-GGUF",
    file: "qwen2.5-0.5b-instruct-q4_k_m.gguf",
    licence: "Apache-2.0",
    note: "the smallest useful chat model; fast on any CPU",
  },
  {
    id: "qwen2.5-1.5b-instruct",
    name: "Qwen2.5 1.5B Instruct",
    parameters: 1_540_000_000,
    quantisation: "Q4_K_M",
    sizeBytes: 1_120_000_000,
    roles: ["actor", "critic"],
    repo: "Qwen/Qwen2.5-1.5B-Instruct-GGUF",
    file: "qwen2.5-1.5b-instruct-q4_k_m.gguf",
    licence: "Apache-2.0",
    note: "good at grade-school maths for its size; follows the verdict grammar",
  },
  {
    id: "llama-3.2-1b-instruct",
    name: "Llama 3.2 1B Instruct",
    parameters: 1_240_000_000,
    quantisation: "Q4_K_M",
    sizeBytes: 808_000_000,
    roles: ["actor"],
    repo: "bartowski/Llama-3.2-1B-Instruct-GGUF",
    file: "Llama-3.2-1B-Instruct-Q4_K_M.gguf",
    licence: "Llama 3.2 Community License",
    note: "a second small actor family, for pairs that do not share a model",
  },
  {
    id: "llama-3.2-3b-instruct",
    name: "Llama 3.2 3B Instruct",
    parameters: 3_210_000_000,
    quantisation: "Q4_K_M",
    sizeBytes: 2_020_000_000,
    roles: ["actor", "critic", "judge"],
    repo: "bartowski/Llama-3.2-3B-Instruct-GGUF",
    file: "Llama-3.2-3B-Instruct-Q4_K_M.gguf",
    licence: "Llama 3.2 Community License",
    note: "a stronger critic or judge for the 0.5–1.5B actors",
  },
  {
    id: "gemma-2-2b-it",
    name: "Gemma 2 2B Instruct",
    parameters: 2_610_000_000,
    quantisation: "Q4_K_M",
    sizeBytes: 1_710_000_000,
    roles: ["critic", "judge"],
    repo: "bartowski/gemma-2-2b-it-GGUF",
    file: "gemma-2-2b-it-Q4_K_M.gguf",
    licence: "Gemma Terms of Use",
    note: "a critic from another family than the Qwen and Llama actors",
  },
  {
    id: "qwen3-1.7b",
    name: "Qwen3 1.7B (thinking)",
    parameters: 1_720_000_000,
    quantisation: "Q8_0",
    sizeBytes: 1_830_000_000,
    roles: ["thinking", "actor", "critic"],
    repo: "Qwen/Qwen3-1.7B-GGUF",
    file: "Qwen3-1.7B-Q8_0.gguf",
    licence: "Apache-2.0",
    note: "thinks in <think> segments before it answers; the thinking strategies' small model",
  },
  {
    id: "deepseek-r1-distill-qwen-1.5b",
    name: "DeepSeek R1 Distill Qwen 1.5B (thinking)",
    parameters: 1_780_000_000,
    quantisation: "Q4_K_M",
    sizeBytes: 1_120_000_000,
    roles: ["thinking", "actor"],
    repo: "bartowski/DeepSeek-R1-Distill-Qwen-1.5B-GGUF",
    file: "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf",
    licence: "MIT",
    note: "long reasoning traces from a 1.5B model",
  },
];

/** The reference the downloader takes: one file of a Hugging Face repository. */
export function catalogUri(model: CatalogModel): string {
  return `hf:${model.repo}/${model.file}`;
}

/** Where a person can read about it (the model card), or fetch the file by hand. */
export function catalogPage(model: CatalogModel): string {
  return `https://huggingface.co/${model.repo}`;
}

export function catalogFileUrl(model: CatalogModel): string {
  return `https://huggingface.co/${model.repo}/resolve/main/${model.file}`;
}

/**
 * Whether the library already holds the file: the downloader names it after the repository and the file
 * ("hf_<owner>_<file>"), and a file fetched by hand keeps its own name, so the name's end is what both share.
 */
export function inLibrary(model: CatalogModel, libraryPaths: readonly string[]): boolean {
  const file = model.file.toLowerCase();
  return libraryPaths.some((path) => {
    const name = path.split(/[\\/]/).pop()!.toLowerCase();
    return name === file || name.endsWith(`_${file}`);
  });
}

/** "1.5B parameters" style: the size people compare models by. */
export function formatParameters(parameters: number): string {
  return parameters >= 1e9 ? `${(parameters / 1e9).toFixed(1)}B` : `${Math.round(parameters / 1e6)}M`;
}
