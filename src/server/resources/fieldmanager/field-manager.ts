/**
 * The apiserver's field manager around the updater (apimachinery managedfields/internal:
 * fieldmanager.go and the managers it stacks): every create, update and patch records its
 * manager in `metadata.managedFields` (operation Update); a server-side apply merges its
 * configuration and records an Apply entry. As upstream:
 * - an object written without managedFields starts being tracked at its creation; an existing
 *   object without any stays untracked by updates, and its first apply first attributes every
 *   field it has to `before-first-apply`;
 * - apiVersion, kind and the server's metadata (name, namespace, uid, resourceVersion,
 *   generation, creationTimestamp, managedFields) are never owned;
 * - a write that sends managedFields replaces them (`[]` or `[{}]` clears them), except through
 *   a subresource;
 * - at most ten Update entries are kept: the oldest merge into `ancient-changes`;
 * - apply as `kubectl` may take fields the client-side-apply annotation shows it set, and keeps
 *   that annotation up to date.
 * Writes the server makes itself (imports, image stream tags) go around this and keep the
 * object's managedFields as they are, as OpenShift's registry writes do.
 */
import type { ManagedFieldsEntry } from '../../../api/index.js'
import { badRequest, StatusError } from '../../status.js'
import { FieldSet } from './field-set.js'
import {
  decodeManagedFields,
  emptyManaged,
  encodeManagedFields,
  managerIdentifier,
  parseIdentifier,
  type Managed,
  type ManagerFields,
} from './managed-fields.js'
import { fieldElement, pathString } from './path.js'
import { compare, toFieldSet, type SchemaNode, TypedValueError } from './typed.js'
import {
  ApplyConflicts,
  applyConfiguration,
  updateOwnership,
  type Conflict,
  type Managers,
} from './updater.js'
import { cloneJson } from '../../../lib/clone-json.js'

type JsonMap = Record<string, unknown>

/** FieldManagerScope names the endpoint a write goes through. */
export interface FieldManagerScope {
  readonly kind: string
  readonly apiVersion: string
  readonly schema: SchemaNode
  readonly subresource?: string
  /** The time recorded for the manager (RFC 3339, seconds). */
  readonly now: string
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'
const BEFORE_FIRST_APPLY = 'before-first-apply'
const CURRENT_OPERATION = 'current-operation'
const ANCIENT_CHANGES = 'ancient-changes'
const MAX_UPDATE_MANAGERS = 10

// The Go zero value of each kind as the apiserver's converter renders it: what a create is
// compared against, so that structs that always exist (an ImageStream's spec) are not owned
// as a whole (openshift/api image/v1 types.go, k8s.io/api core/v1 types.go).
const EMPTY_OBJECTS: Readonly<Record<string, JsonMap>> = {
  ImageStream: {
    metadata: { creationTimestamp: null },
    spec: { lookupPolicy: { local: false } },
    status: { dockerImageRepository: '' },
  },
  Namespace: { metadata: { creationTimestamp: null }, spec: {}, status: {} },
}

function emptyObject(kind: string): JsonMap {
  return cloneJson(EMPTY_OBJECTS[kind] ?? { metadata: { creationTimestamp: null } })
}

// The fields a strategy resets on each endpoint (k8s.io/kubernetes pkg/registry/core/namespace
// strategy.go GetResetFields); OpenShift's image strategies declare none.
const RESET_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Namespace: { '': 'status', status: 'spec' },
}

function ignoredFields(scope: FieldManagerScope): FieldSet | undefined {
  const field = RESET_FIELDS[scope.kind]?.[scope.subresource ?? '']
  return field === undefined ? undefined : FieldSet.of([fieldElement(field)])
}

const STRIPPED = FieldSet.of(
  [fieldElement('apiVersion')],
  [fieldElement('kind')],
  [fieldElement('metadata')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation']
    .concat(['managedFields', 'resourceVersion'])
    .map((f) => [fieldElement('metadata'), fieldElement(f)]),
)

function strip(managers: Managers, manager: string): void {
  const fields = managers.get(manager)
  if (fields === undefined) return
  const set = fields.set.difference(STRIPPED)
  if (set.empty()) managers.delete(manager)
  else managers.set(manager, { ...fields, set })
}

function meta(object: JsonMap): JsonMap {
  const m = object.metadata
  return typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as JsonMap) : {}
}

function managedFieldsOf(object: JsonMap): ManagedFieldsEntry[] | undefined {
  const mf = meta(object).managedFields
  return Array.isArray(mf) ? (mf as ManagedFieldsEntry[]) : undefined
}

/** withoutManagedFields copies an object without `metadata.managedFields`. */
function withoutManagedFields(object: JsonMap): JsonMap {
  const { managedFields: _mf, ...rest } = meta(object)
  return { ...object, metadata: rest }
}

function withManagedFields(object: JsonMap, managed: Managed): JsonMap {
  const entries = encodeManagedFields(managed)
  const { managedFields: _mf, ...rest } = meta(object)
  return { ...object, metadata: entries === undefined ? rest : { ...rest, managedFields: entries } }
}

function decodeOrEmpty(entries: readonly ManagedFieldsEntry[] | undefined): Managed {
  try {
    return decodeManagedFields(entries)
  } catch {
    return emptyManaged()
  }
}

/** isReset is a managedFields list that asks to clear them: empty, or one empty entry. */
function isReset(entries: readonly ManagedFieldsEntry[] | undefined): boolean {
  if (entries === undefined) return false
  if (entries.length === 0) return true
  return entries.length === 1 && Object.keys(entries[0] ?? {}).length === 0
}

/** The managed fields a write starts from: those it sends, unless it sends none or writes a subresource. */
function liveOrNew(live: JsonMap | undefined, next: JsonMap, subresource: boolean): Managed {
  const liveEntries = live === undefined ? undefined : managedFieldsOf(live)
  if (subresource) return decodeOrEmpty(liveEntries)
  const sent = managedFieldsOf(next)
  if (isReset(sent)) return emptyManaged()
  try {
    const managed = decodeManagedFields(sent)
    if (managed.fields.size > 0) return managed
  } catch {
    // Unreadable managedFields in a request are ignored, as upstream ignores them.
  }
  return decodeOrEmpty(liveEntries)
}

function updaterScope(scope: FieldManagerScope): {
  schema: SchemaNode
  apiVersion: string
  ignored?: FieldSet
} {
  const ignored = ignoredFields(scope)
  return { schema: scope.schema, apiVersion: scope.apiVersion, ...(ignored ? { ignored } : {}) }
}

/** capUpdateManagers merges the oldest Update entries into per-version `ancient-changes` buckets. */
function capUpdateManagers(managed: Managed): void {
  const updaters = [...managed.fields].filter(([, f]) => !f.applied).map(([m]) => m)
  if (updaters.length <= MAX_UPDATE_MANAGERS) return
  const secs = (m: string): number => {
    const t = managed.times.get(m)
    return t === undefined ? 0 : Math.floor(Date.parse(t) / 1000)
  }
  updaters.sort((a, b) => secs(a) - secs(b) || (a < b ? -1 : a > b ? 1 : 0))
  const firstOfVersion = new Map<string, string>()
  let length = updaters.length
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const manager = updaters[i]!
    const fields = managed.fields.get(manager)!
    const bucket = managerIdentifier({
      manager: ANCIENT_CHANGES,
      operation: 'Update',
      apiVersion: fields.apiVersion,
    })
    const first = firstOfVersion.get(fields.apiVersion)
    if (first === undefined) {
      firstOfVersion.set(fields.apiVersion, manager)
      continue
    }
    if (!managed.fields.has(bucket)) {
      managed.fields.set(bucket, managed.fields.get(first)!)
      managed.fields.delete(first)
    }
    const merged: ManagerFields = {
      ...fields,
      set: fields.set.union(managed.fields.get(bucket)!.set),
    }
    managed.fields.set(bucket, merged)
    managed.fields.delete(manager)
    managed.times.set(bucket, managed.times.get(manager))
    length--
  }
}

/** recordUpdate runs one Update through the managers' stack and returns the new state. */
function recordUpdate(
  scope: FieldManagerScope,
  live: JsonMap,
  next: JsonMap,
  input: Managed,
  manager: string,
): Managed {
  const identifier = managerIdentifier({
    manager: manager || 'unknown',
    operation: 'Update',
    apiVersion: scope.apiVersion,
    ...(scope.subresource ? { subresource: scope.subresource } : {}),
  })
  const fields = updateOwnership(live, next, updaterScope(scope), input.fields, CURRENT_OPERATION)
  strip(fields, CURRENT_OPERATION)
  const times = new Map(input.times)
  const current = fields.get(CURRENT_OPERATION)
  if (current !== undefined) {
    fields.delete(CURRENT_OPERATION)
    const previous = fields.get(identifier)
    fields.set(identifier, {
      ...current,
      set: previous === undefined ? current.set : current.set.union(previous.set),
    })
    times.set(identifier, scope.now)
  }
  const managed = { fields, times }
  capUpdateManagers(managed)
  return managed
}

/**
 * trackUpdate records a create (`live` undefined), update or non-apply patch by `manager` in
 * the new object's managedFields; returns the object to store.
 */
export function trackUpdate(
  scope: FieldManagerScope,
  live: JsonMap | undefined,
  next: JsonMap,
  manager: string,
): JsonMap {
  const managed = liveOrNew(live, next, scope.subresource !== undefined)
  const object = withoutManagedFields(next)
  // An existing object nobody manages stays so until it is applied to.
  if (managed.fields.size === 0 && live !== undefined) return object
  const base = live === undefined ? emptyObject(scope.kind) : withoutManagedFields(live)
  try {
    return withManagedFields(object, recordUpdate(scope, base, object, managed, manager))
  } catch (err) {
    if (!(err instanceof TypedValueError)) throw err
    // A value the lists' keys cannot index keeps the previous ownership (upstream UpdateNoErrors).
    const previous = live === undefined ? undefined : managedFieldsOf(live)
    return previous === undefined
      ? object
      : { ...object, metadata: { ...meta(object), managedFields: previous } }
  }
}

function printManager(identifier: string): string {
  const who = parseIdentifier(identifier)
  let out = JSON.stringify(who.manager ?? '')
  if (who.subresource) out += ` with subresource ${JSON.stringify(who.subresource)}`
  if (who.operation === 'Update') out += ` using ${who.apiVersion ?? ''}`
  return out
}

/** conflictStatus is the 409 an apply with conflicts gets (apimachinery NewConflictError). */
export function conflictStatus(conflicts: readonly Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict' as const,
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }))
  let message: string
  if (conflicts.length === 1) {
    const c = conflicts[0]!
    message = `Apply failed with 1 conflict: conflict with ${printManager(c.manager)}: ${pathString(c.path)}`
  } else {
    const byManager = new Map<string, string[]>()
    for (const c of conflicts)
      byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), pathString(c.path)])
    const lines: string[] = []
    for (const manager of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(manager)}:`)
      for (const p of byManager.get(manager)!) lines.push(`- ${p}`)
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`
  }
  return new StatusError('Conflict', message, { causes })
}

function groupVersionKind(apiVersion: unknown, kind: unknown): string {
  const version = typeof apiVersion === 'string' ? apiVersion : ''
  const slash = version.indexOf('/')
  const gv = slash < 0 ? `/${version}` : version
  return `${gv}, Kind=${typeof kind === 'string' ? kind : ''}`
}

/** lastAppliedSet is what the client-side-apply annotation set and the live object still holds. */
function lastAppliedSet(scope: FieldManagerScope, live: JsonMap): FieldSet | undefined {
  const annotations = meta(live).annotations
  const raw =
    typeof annotations === 'object' && annotations !== null
      ? (annotations as Record<string, unknown>)[LAST_APPLIED]
      : undefined
  if (typeof raw !== 'string' || raw === '') return undefined
  let last: unknown
  try {
    last = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (
    typeof last !== 'object' ||
    last === null ||
    (last as JsonMap).apiVersion !== scope.apiVersion
  ) {
    return undefined
  }
  try {
    const c = compare(last, live, scope.schema)
    return toFieldSet(last, scope.schema)
      .difference(c.modified)
      .difference(c.added)
      .difference(c.removed)
  } catch (err) {
    if (err instanceof TypedValueError) return undefined
    throw err
  }
}

function hasLastApplied(object: JsonMap): boolean {
  const annotations = meta(object).annotations
  if (typeof annotations !== 'object' || annotations === null) return false
  const value = (annotations as Record<string, unknown>)[LAST_APPLIED]
  return typeof value === 'string' && value !== ''
}

/** buildLastApplied is the annotation kubectl's apply would leave: the configuration without it. */
function buildLastApplied(config: JsonMap): string {
  const copy = cloneJson(config)
  const annotations = meta(copy).annotations
  if (typeof annotations === 'object' && annotations !== null) {
    delete (annotations as Record<string, unknown>)[LAST_APPLIED]
  }
  return `${JSON.stringify(sortKeys(copy))}\n`
}

// Go encodes maps with sorted keys; the annotation is compared as text by clients.
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as JsonMap)[k])]),
  )
}

function applyOnce(
  scope: FieldManagerScope,
  live: JsonMap,
  config: JsonMap,
  owned: JsonMap,
  input: Managed,
  manager: string,
  force: boolean,
): { object: JsonMap; managed: Managed } {
  let managed = input
  if (managed.fields.size === 0) {
    managed = recordUpdate(scope, emptyObject(scope.kind), live, managed, BEFORE_FIRST_APPLY)
  }
  const identifier = managerIdentifier({
    manager,
    operation: 'Apply',
    ...(scope.subresource ? { subresource: scope.subresource } : {}),
  })
  const result = applyConfiguration(
    live,
    config,
    owned,
    updaterScope(scope),
    managed.fields,
    identifier,
    force,
  )
  const fields = new Map(result.managers)
  strip(fields, identifier)
  const times = new Map(managed.times)
  if (result.object !== null) times.set(identifier, scope.now)
  return { object: (result.object as JsonMap | null) ?? live, managed: { fields, times } }
}

/**
 * trackApply merges an apply configuration into `live` (undefined: the object does not exist
 * yet) for `manager`; returns the object to store, with its managedFields. `owned` is the
 * configuration as the schema knows it (unknown fields pruned): what the applier owns.
 */
export function trackApply(
  scope: FieldManagerScope,
  live: JsonMap | undefined,
  config: JsonMap,
  owned: JsonMap,
  manager: string,
  force: boolean,
): JsonMap {
  if (config.apiVersion !== scope.apiVersion || config.kind !== scope.kind) {
    throw badRequest(`invalid object type: ${groupVersionKind(config.apiVersion, config.kind)}`)
  }
  if (meta(config).managedFields !== undefined) {
    throw badRequest('metadata.managedFields must be nil')
  }
  let managed: Managed
  try {
    managed = decodeManagedFields(live === undefined ? undefined : managedFieldsOf(live))
  } catch (err) {
    throw new StatusError(
      'InternalError',
      `failed to decode managed fields: ${(err as Error).message}`,
    )
  }
  // A new object is merged into nothing; the kind's zero value only matters for ownership.
  const base = live === undefined ? {} : withoutManagedFields(live)
  let result: { object: JsonMap; managed: Managed }
  try {
    try {
      result = applyOnce(scope, base, config, owned, managed, manager, force)
    } catch (err) {
      if (!(err instanceof ApplyConflicts)) throw err
      // Upgrading from client-side apply: kubectl may take what its annotation says it set.
      const allowed = manager === 'kubectl' ? lastAppliedSet(scope, base) : undefined
      if (allowed === undefined) throw conflictStatus(err.conflicts)
      const remaining = err.conflicts.filter((c) => !allowed.has(c.path))
      if (remaining.length > 0) throw conflictStatus(remaining)
      result = applyOnce(scope, base, config, owned, managed, manager, true)
    }
  } catch (err) {
    if (!(err instanceof TypedValueError)) throw err
    const name = typeof meta(config).name === 'string' ? String(meta(config).name) : ''
    const namespace =
      typeof meta(config).namespace === 'string' ? String(meta(config).namespace) : ''
    throw new StatusError(
      'InternalError',
      `failed to create typed patch object (${namespace}/${name}; ${groupVersionKind(scope.apiVersion, scope.kind)}): ${err.message}`,
    )
  }
  let object = result.object
  if (manager === 'kubectl' && hasLastApplied(object)) {
    const m = meta(object)
    const annotations = {
      ...(m.annotations as Record<string, string>),
      [LAST_APPLIED]: buildLastApplied(config),
    }
    object = { ...object, metadata: { ...m, annotations } }
  }
  return withManagedFields(object, result.managed)
}
