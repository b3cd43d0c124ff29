/**
 * golive's public API (package.json `exports["."]`): the sandbox, the suite and profile
 * language, the checklist catalogue and the checks. The CLI (bin/golive.mjs) is built on these.
 */
export { createSandbox, type SandboxOptions } from './sandbox/index.ts';
export { ControlClient, ControlError } from './sandbox/client.ts';
export { loadProfile, loadSuite } from './suite/loader.ts';
export { CHECKLIST, CHECKLIST_APIS, CHECKLIST_ITEM_IDS, checklistItem, type ChecklistApi, type ChecklistItem, type ItemId } from './checklist/index.ts';
export {
  ALL_CHECKS,
  checkFor,
  combineFindings,
  evaluateFlow,
  evaluateRun,
  mergeResults,
  runCheck,
  type Check,
  type CheckInput,
  type Finding,
  type ItemResult,
  type Rule,
  type Verdict,
} from './checks/index.ts';
export type { FlowRecord, Observation, ProfileFacts } from './checks/types.ts';
export { Redactor } from './traffic/redact.ts';
export type { Exchange } from './traffic/types.ts';
