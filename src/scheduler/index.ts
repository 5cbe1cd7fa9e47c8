/** Public entry of the scheduler layer: the import service, background tag imports and scheduled imports. */
export {
  ImportPreconditionError,
  importInto,
  namespaceKeyring,
  type ImportResult,
  type ImportServiceDeps,
} from './import-service.js'
export {
  TagImportController,
  type ControllerLogger,
  type TagImportControllerDeps,
} from './tag-import-controller.js'
export {
  importRequestFor,
  isImportable,
  observedGeneration,
  tagsNeedingImport,
} from './tag-imports.js'
export { ScheduledImports, type ScheduledImportsOptions } from './scheduled-imports.js'
export type {
  CheckResult,
  ImportOutcomeResult,
  PruneMetrics,
  PruneRunResult,
  PrunedKind,
  ScheduleMetrics,
} from './metrics.js'
export { NO_METRICS, NO_PRUNE_METRICS } from './metrics.js'
export { ScheduledPrune, type ScheduledPruneOptions } from './scheduled-prune.js'
export { storePruneTarget, type StorePruneTargetDeps } from './store-prune-target.js'
export {
  EventRecorder,
  NO_EVENTS,
  aggregationKey,
  type EventRecorderOptions,
  type EventSink,
  type EventSpec,
} from './event-recorder.js'
export { DEFAULT_EVENT_TTL_MS, EventExpiry, type EventExpiryOptions } from './event-expiry.js'
export {
  IMPORT_CONTROLLER,
  IMPORT_EVENT_REASONS,
  SCHEDULED_IMPORT_CONTROLLER,
  importEvents,
} from './import-events.js'
