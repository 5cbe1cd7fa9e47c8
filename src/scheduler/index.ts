/** Public entry of the scheduler layer: the import service and the background tag imports. */
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
