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
export { prioritizeTags } from '../lib/prioritize-tags.js'
