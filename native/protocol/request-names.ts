// The bridge's request names and IPC channels, free of dependencies so the sandboxed preload can bundle them
// without the schema library. contract.ts checks that its schemas cover exactly these names.
export const REQUEST_NAMES = [
  "startRun",
  "cancelRun",
  "listRuns",
  "deleteRun",
  "loadRun",
  "inspectModel",
  "listStrategies",
  "engineInfo",
  "readDataset",
  "pickModelFile",
  "gpuReport",
  "planMemory",
  "listModels",
  "addModel",
  "listModelFolder",
  "startDownload",
  "cancelDownload",
  "setBackend",
  "getLoadSettings",
  "saveLoadSettings",
  "loadExperiment",
  "startExperiment",
  "controlExperiment",
  "exportExperiment",
  "listExperiments",
  "startCriticEval",
  "cancelCriticEval",
  "startJudgeEval",
  "cancelJudgeEval",
  "testEndpoint",
] as const;

export type RequestNameList = (typeof REQUEST_NAMES)[number];

export const IPC_REQUEST_CHANNEL = "refinery:request";
export const IPC_EVENT_CHANNEL = "refinery:event";
