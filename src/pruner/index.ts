/** The pruner: plan which history and Images go (with why), and carry it out through a PruneTarget (docs/pruning.md). */
export * from './types.js'
export { buildPlanContext, planFrom, planPrune, planStream, type PlanContext } from './plan.js'
export { describeInvalidReference, registryHostsOf, resolveWorkloads } from './resolve.js'
export type { ResolveOptions } from './resolve.js'
export { InvalidReferencesError, runPrune } from './run.js'
export type { PruneResult, RunPruneOptions } from './run.js'
export { NO_WORKLOADS, parseWorkloads, WorkloadParseError } from './workloads.js'
export type {
  PodLiveness,
  RawReference,
  ReferenceForm,
  WorkloadInput,
  WorkloadSource,
} from './workloads.js'
