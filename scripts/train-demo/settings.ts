// The demo pipeline's fixed choices: seeds, sizes and where each stage writes.
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DemoShape } from "./model-file.ts";

export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** Intermediate files (token ids, checkpoints): rebuilt by the scripts, never committed. */
export const workDir = join(repoRoot, ".cache/train-demo");
export const DATASET_PATH = join(repoRoot, "resources/datasets/demo-arithmetic.jsonl");
export const MODEL_DIR = join(repoRoot, "resources/models");
/** The demo actor shipped before run 7 (digit vocabulary, prepare.ts's tokenizer): the shipped critic's curriculum samples it. */
export const DIGIT_ACTOR_CHECKPOINT = join(repoRoot, "scripts/train-demo/checkpoints/actor-digits-9600.gguf");

export const SEED = 30;
export const TRAIN_COUNT = 8000;
export const TEST_COUNT = 200;
/** BPE merges on top of the 256 byte tokens. */
export const MERGES = 900;
/** The critic's whole-word vocabulary (prepare-critic.ts --whole-words): learning stops once no pair occurs twice. */
export const CRITIC_MERGES = 8000;

/** The context length is what a run with default budgets asks for; training sequences are at most ~600 tokens. */
export const DEMO_SHAPE: DemoShape = { embedding: 96, layers: 3, heads: 4, feedForward: 256, contextLength: 4096 };

export const UNTRAINED_IDENTITY = { name: "refinery-demo-untrained", description: "Random weights with the demo tokenizer (pipeline check)." };

export { DEMO_CRITIC_FILE, DEMO_MODEL_FILE } from "../../native/llm/bundled-demo.ts";
export const DEMO_IDENTITY = {
  name: "refinery-demo-arithmetic",
  description:
    "Bundled demo model (tiny, trained on arithmetic): Refinery's actor for the demo arithmetic dataset (numbered steps, and refinements from a critique), trained by scripts/train-demo with a vocabulary where every number is one token. Not a general model.",
};
/** The critic: trained on verdicts about the actor's own samples (prepare-critic.ts, train.py --work <folder>). */
export const DEMO_CRITIC_IDENTITY = {
  name: "refinery-demo-critic",
  description:
    "Bundled demo critic (tiny, trained on arithmetic): Refinery's critic for the demo arithmetic dataset, trained by scripts/train-demo on verdicts about a demo actor's own solutions and the world's corruptions, with a vocabulary where every number is one token. Not a general model.",
};
export const PROCESSBENCH_PATH = join(repoRoot, "resources/datasets/demo-processbench.json");
