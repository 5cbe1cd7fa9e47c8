/** Public entry of the import engine. */
export {
  applyImport,
  planImport,
  runImport,
  type EntryOutcome,
  type ImportDeps,
  type ImportOutcome,
  type ImportPlan,
  type ImportPolicy,
} from './engine.js'
export type { KnownImages } from './fetch-entry.js'
export { failureStatus } from './failure.js'
export { setFailure } from './tag-history.js'
export { repositoryAsSpelled } from './image-objects.js'
export { prioritizeTags } from '../lib/prioritize-tags.js'
