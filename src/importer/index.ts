/** Public entry of the import engine. */
export { runImport, type ImportDeps, type ImportOutcome, type ImportPolicy } from './engine.js'
export type { KnownImages } from './fetch-entry.js'
export { prioritizeTags } from './prioritize-tags.js'
