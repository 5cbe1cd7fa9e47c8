/**
 * The storage layer's public surface: the Store interface every backend implements, its typed
 * errors and options, and selector parsing (the server validates `labelSelector` and
 * `fieldSelector` with the same parser the store uses). Backends live in storage/sqlite and
 * storage/postgres and are picked by cmd/ only.
 */
export * from './store.js'
export type {
  CheckOutcome,
  ScheduleEntry,
  ScheduleKey,
  ScheduleSpec,
  ScheduleStats,
  ScheduleStore,
  TokenBucket,
  TokenGrant,
} from './schedule.js'
export { parseLabelSelector } from './label-selector.js'
export type { LabelOperator, LabelRequirement, LabelSelector } from './label-selector.js'
export { parseFieldSelector } from './field-selector.js'
export type {
  FieldRequirement,
  FieldSelector,
  ObjectFields,
  SelectableField,
} from './field-selector.js'
export {
  grantPull,
  hasPullGrant,
  pullGrantKey,
  PULL_GRANTS,
  type PullGrant,
  type PullGrantReason,
} from './pull-grants.js'
export {
  LIST_PAGE_SIZE,
  listInPages,
  sharedList,
  type ListInPagesOptions,
  type PagedList,
} from './list-pages.js'
export { DumpError, summarizeDump } from './store-dump.js'
export type {
  DumpErrorCode,
  DumpEvent,
  DumpObject,
  DumpScheduleRow,
  DumpSummary,
  StoreDump,
} from './store-dump.js'
