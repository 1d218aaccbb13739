// The KIH repository simulator's public API.
export { startSimulator, DEFAULT_ALLOWED_TYPE_CODES, DEFAULT_REPOSITORY_UNIQUE_ID } from './simulator.js';
export { PATHS, simulatorUrls } from '../config/simulator-paths.js';
export type { Simulator, SimulatorOptions, SimulatorStats, StsHandler } from './simulator.js';
export type { IdCardCheckFail, IdCardCheckOk, IdCardVerifier } from './dgws-check.js';
export type { CdaValidation } from './iti41-handler.js';
export { MAX_REQUEST_BYTES } from './iti41-handler.js';
export { SCENARIO_HEADER, SCENARIO_KINDS } from './scenarios.js';
export type { Scenario, ScenarioKind } from './scenarios.js';
export type { StoredEntry } from './store.js';
