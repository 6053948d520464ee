// The joint memory plan for actor + critic, defined once: native/llm/memory-plan.ts makes it, the setup form shows it.

export interface RolePlan {
  role: "actor" | "critic";
  path: string;
  /** The critic uses the actor's loaded copy. */
  sharedWithActor: boolean;
  gpuLayers: number;
  totalLayers: number;
  contextSize: number;
  sequences: number;
  weights: { vram: number; ram: number };
  context: { vram: number; ram: number };
}

/** Whether the models fit, and where. */
export type FitVerdict = "fits-gpu" | "partial-offload" | "fits-ram" | "will-not-fit";

export interface MemoryPlan {
  verdict: FitVerdict;
  /** One line a person reads: what the verdict means. */
  summary: string;
  gpu: boolean;
  budget: { vram: number; ram: number };
  used: { vram: number; ram: number };
  roles: RolePlan[];
  /** Stacked bar segments in bytes, in the order they are drawn. */
  bar: Array<{ label: string; memory: "vram" | "ram"; bytes: number }>;
  /** Knobs that would make it fit (or fit better), most effective first. */
  suggestions: string[];
}
