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
export type { CheckResult, ImportOutcomeResult, ScheduleMetrics } from './metrics.js'
export { NO_METRICS } from './metrics.js'
