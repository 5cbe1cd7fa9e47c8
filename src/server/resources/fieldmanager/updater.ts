/**
 * Field ownership across writes, structured-merge-diff's merge.Updater (merge/update.go):
 * - an update makes its manager own what it added or changed and takes those fields from
 *   every other manager; fields it removed leave every manager;
 * - an apply merges the configuration into the live object, makes the applier own exactly the
 *   configuration's fields, removes what the applier owned last time and no longer applies
 *   unless another manager still owns it, and fails with the conflicts when it changes a field
 *   another manager owns (unless forced, when that manager loses the field).
 */
import { FieldSet } from './field-set.js'
import type { ManagerFields } from './managed-fields.js'
import type { Path } from './path.js'
import {
  compare,
  ensureNamedFieldsAreMembers,
  equalValues,
  merge,
  removeItems,
  toFieldSet,
  type Comparison,
  type SchemaNode,
} from './typed.js'

/** Scope is what the updater needs to know of the kind: its schema, version and reset fields. */
export interface UpdaterScope {
  readonly schema: SchemaNode
  readonly apiVersion: string
  /** Fields the server resets on this endpoint (a strategy's reset fields): nobody owns them. */
  readonly ignored?: FieldSet
}

/** Managers maps a manager identifier to its fields. */
export type Managers = Map<string, ManagerFields>

/** Conflict is one field another manager owns, as an apply found it. */
export interface Conflict {
  readonly manager: string
  readonly path: Path
}

/** ApplyConflicts is an apply refused because it changes fields other managers own. */
export class ApplyConflicts extends Error {
  override readonly name = 'ApplyConflicts'
  readonly conflicts: readonly Conflict[]
  constructor(conflicts: readonly Conflict[]) {
    super(`Apply failed with ${conflicts.length} conflict(s)`)
    this.conflicts = conflicts
  }
}

function exclude(c: Comparison, ignored: FieldSet | undefined): Comparison {
  if (ignored === undefined || ignored.empty()) return c
  return {
    added: c.added.recursiveDifference(ignored),
    modified: c.modified.recursiveDifference(ignored),
    removed: c.removed.recursiveDifference(ignored),
  }
}

function reassign(
  oldObject: unknown,
  newObject: unknown,
  scope: UpdaterScope,
  input: Managers,
  workflow: string,
  force: boolean,
): { managers: Managers; comparison: Comparison } {
  const comparison = exclude(compare(oldObject, newObject, scope.schema), scope.ignored)
  const changed = comparison.modified.union(comparison.added)
  const managers: Managers = new Map()
  const conflicts: Conflict[] = []
  for (const [manager, fields] of input) {
    if (manager === workflow) {
      managers.set(manager, fields)
      continue
    }
    // Entries recorded in a version we do not serve cannot be compared: upstream drops them.
    if (fields.apiVersion !== scope.apiVersion) continue
    const taken = fields.set.intersection(changed)
    for (const path of taken.paths()) conflicts.push({ manager, path })
    managers.set(manager, {
      ...fields,
      set: fields.set.difference(taken).difference(comparison.removed),
    })
  }
  if (!force && conflicts.length > 0) {
    throw new ApplyConflicts(
      conflicts.sort((a, b) => (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0)),
    )
  }
  for (const [manager, fields] of managers) if (fields.set.empty()) managers.delete(manager)
  return { managers, comparison }
}

function filtered(set: FieldSet, scope: UpdaterScope): FieldSet {
  return scope.ignored === undefined ? set : set.recursiveDifference(scope.ignored)
}

/** updateOwnership records a non-apply write of `newObject` over `liveObject` by `manager`. */
export function updateOwnership(
  liveObject: unknown,
  newObject: unknown,
  scope: UpdaterScope,
  input: Managers,
  manager: string,
): Managers {
  const { managers, comparison } = reassign(liveObject, newObject, scope, input, manager, true)
  const previous = managers.get(manager)?.set ?? new FieldSet()
  const set = filtered(
    previous.difference(comparison.removed).union(comparison.modified).union(comparison.added),
    scope,
  )
  if (set.empty()) managers.delete(manager)
  else managers.set(manager, { set, apiVersion: scope.apiVersion, applied: false })
  return managers
}

/** ApplyResult is the merged object (null when the apply changes nothing) and the new ownership. */
export interface ApplyResult {
  readonly object: unknown
  readonly managers: Managers
}

/** applyConfiguration merges `config` into `liveObject` for `manager`; throws ApplyConflicts unless forced. */
export function applyConfiguration(
  liveObject: unknown,
  config: unknown,
  ownedConfig: unknown,
  scope: UpdaterScope,
  input: Managers,
  manager: string,
  force: boolean,
): ApplyResult {
  const merged = merge(liveObject, config, scope.schema)
  const last = input.get(manager)
  const managers: Managers = new Map(input)
  managers.set(manager, {
    set: filtered(toFieldSet(ownedConfig, scope.schema), scope),
    apiVersion: scope.apiVersion,
    applied: true,
  })
  const pruned = prune(merged, managers, last, scope.schema)
  const result = reassign(liveObject, pruned, scope, managers, manager, force)
  return {
    object: equalValues(liveObject, pruned) ? null : pruned,
    managers: result.managers,
  }
}

/**
 * prune removes what the applier owned last time and did not apply now, unless a manager
 * (the applier's new configuration included) owns it (upstream prune, addBackOwnedItems,
 * addBackDanglingItems).
 */
function prune(
  merged: unknown,
  managers: Managers,
  last: ManagerFields | undefined,
  schema: SchemaNode,
): unknown {
  if (last === undefined || last.set.empty()) return merged
  const named = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, schema)
  const lastSet = named(last.set)
  let owned = new FieldSet()
  for (const fields of managers.values()) owned = owned.union(fields.set)
  const removed = removeItems(merged, lastSet, schema) ?? {}
  const mergedSet = named(toFieldSet(merged, schema))
  const addedBack =
    removeItems(
      merged,
      mergedSet.difference(named(toFieldSet(removed, schema)).union(named(owned))),
      schema,
    ) ?? {}
  const dangling = mergedSet.difference(named(toFieldSet(addedBack, schema))).intersection(lastSet)
  return removeItems(merged, dangling, schema) ?? {}
}
