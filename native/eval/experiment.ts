// Experiments, one import for their users (CLI, engine, report, tests): a dataset slice × columns, each cell a full
// run with its own log. The parts live in experiment/: config (what is run, built once for CLI and engine),
// checkpoint (the folder: experiment.json, fingerprint, results.jsonl), cell (one run → one result line),
// scheduler (workers, pause, concurrency) and summary (the statistics).
export * from "./experiment/config.ts";
export * from "./experiment/checkpoint.ts";
export * from "./experiment/cell.ts";
export * from "./experiment/scheduler.ts";
export * from "./experiment/summary.ts";
export * from "./experiment/summary-cache.ts";
export * from "./experiment/judging.ts";
