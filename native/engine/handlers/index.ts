// All request handlers, joined into one map. Each domain module exports plain functions of (context, input);
// the map's type is checked below to be exactly the contract's response side, so neither can drift.
import type { RequestName, ResponseTypes } from "../../protocol/contract.ts";
import type { Input } from "./context.ts";
import { cancelCriticEval, startCriticEval } from "./critic-evals.ts";
import { cancelDownload, startDownload } from "./downloads.ts";
import { cancelJudgeEval, startJudgeEval } from "./judge-evals.ts";
import { controlExperiment, exportExperiment, listExperiments, loadExperiment, readDataset, startExperiment } from "./experiments.ts";
import { engineInfo, gpuReport, listStrategies } from "./hardware.ts";
import { addModel, getLoadSettings, inspectModel, listModelFolder, listModels, planMemory, saveLoadSettings, testEndpoint } from "./models.ts";
import { cancelRun, deleteRun, listRunsHandler, loadRun, startRun } from "./runs.ts";

export const handlers = {
  startRun,
  cancelRun,
  listRuns: listRunsHandler,
  deleteRun,
  loadRun,
  loadExperiment,
  startExperiment,
  controlExperiment,
  exportExperiment,
  listExperiments,
  readDataset,
  startCriticEval,
  cancelCriticEval,
  startJudgeEval,
  cancelJudgeEval,
  inspectModel,
  planMemory,
  listModels,
  listModelFolder,
  addModel,
  getLoadSettings,
  saveLoadSettings,
  testEndpoint,
  startDownload,
  cancelDownload,
  engineInfo,
  gpuReport,
  listStrategies,
};

type Handlers = typeof handlers;
/** pickModelFile (a native dialog) and setBackend (which engine process to start) belong to the supervisor. */
export type SupervisorRequest = Exclude<RequestName, keyof Handlers>;

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Implemented = { [K in keyof Handlers]: Awaited<ReturnType<Handlers[K]>> };
type Accepted = { [K in keyof Handlers]: Parameters<Handlers[K]>[1] };
// The handlers answer exactly the contract's responses and take exactly its parsed inputs, or these lines do not compile.
const answersContract: Equal<Implemented, Omit<ResponseTypes, SupervisorRequest>> = true;
const takesContract: Equal<Accepted, { [K in keyof Handlers]: Input<K> }> = true;
const onlySupervisorLeft: Equal<SupervisorRequest, "pickModelFile" | "setBackend"> = true;
void answersContract;
void takesContract;
void onlySupervisorLeft;

export function isEngineRequest(name: RequestName): name is keyof Handlers {
  return Object.hasOwn(handlers, name);
}
