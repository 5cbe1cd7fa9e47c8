/**
 * `metadata.managedFields` in and out (apimachinery's managedfields/internal/managedfields.go):
 * each entry is keyed by a manager identifier, the JSON of {manager, operation, apiVersion (for
 * Update only), subresource}, so an applier keeps one entry across versions and an updater one
 * per version. Entries are written sorted by operation, time, manager, apiVersion, subresource.
 */
import type { ManagedFieldsEntry } from '../../../api/index.js'
import { FieldSet } from './field-set.js'

/** ManagerFields is one manager's set with the apiVersion it was recorded in. */
export interface ManagerFields {
  readonly set: FieldSet
  readonly apiVersion: string
  /** True for an Apply entry. */
  readonly applied: boolean
}

/** Managed is every manager's fields and the time of its last change, keyed by identifier. */
export interface Managed {
  readonly fields: Map<string, ManagerFields>
  readonly times: Map<string, string | undefined>
}

/** emptyManaged is the state of an object nobody manages yet. */
export function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() }
}

/** Operation is a managedFields entry's operation. */
export type Operation = 'Apply' | 'Update'

interface Identity {
  readonly manager: string
  readonly operation: Operation
  readonly apiVersion?: string
  readonly subresource?: string
}

/** managerIdentifier builds the identifier of a manager (Go's JSON field order, empty fields left out). */
export function managerIdentifier(who: Identity): string {
  const out: Record<string, string> = {}
  if (who.manager) out.manager = who.manager
  out.operation = who.operation
  if (who.operation === 'Update' && who.apiVersion) out.apiVersion = who.apiVersion
  if (who.subresource) out.subresource = who.subresource
  return JSON.stringify(out)
}

/** parseIdentifier reads an identifier back. */
export function parseIdentifier(identifier: string): Identity {
  return JSON.parse(identifier) as Identity
}

/** ManagedFieldsDecodeError is a managedFields list that cannot be read. */
export class ManagedFieldsDecodeError extends Error {
  override readonly name = 'ManagedFieldsDecodeError'
}

/** decodeManagedFields reads `metadata.managedFields`; throws ManagedFieldsDecodeError as upstream refuses them. */
export function decodeManagedFields(entries: readonly ManagedFieldsEntry[] | undefined): Managed {
  const managed = emptyManaged()
  ;(entries ?? []).forEach((entry, i) => {
    const operation = entry.operation
    if (operation !== 'Apply' && operation !== 'Update') {
      throw new ManagedFieldsDecodeError('operation must be `Apply` or `Update`')
    }
    if (!entry.apiVersion) throw new ManagedFieldsDecodeError('apiVersion must not be empty')
    if (!entry.fieldsType) {
      throw new ManagedFieldsDecodeError(`missing fieldsType in managed fields entry ${i}`)
    }
    if (entry.fieldsType !== 'FieldsV1') {
      throw new ManagedFieldsDecodeError(
        `invalid fieldsType ${JSON.stringify(entry.fieldsType)} in managed fields entry ${i}`,
      )
    }
    let set: FieldSet
    try {
      set = FieldSet.fromFieldsV1(entry.fieldsV1 ?? {})
    } catch (err) {
      throw new ManagedFieldsDecodeError(`error decoding set: ${(err as Error).message}`)
    }
    const identifier = managerIdentifier({
      manager: entry.manager ?? '',
      operation,
      apiVersion: entry.apiVersion,
      ...(entry.subresource ? { subresource: entry.subresource } : {}),
    })
    managed.fields.set(identifier, {
      set,
      apiVersion: entry.apiVersion,
      applied: operation === 'Apply',
    })
    managed.times.set(identifier, entry.time)
  })
  return managed
}

function seconds(time: string | undefined): number {
  return time === undefined ? 0 : Math.floor(Date.parse(time) / 1000)
}

function order(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** encodeManagedFields writes the entries, sorted as upstream sorts them; undefined when nobody manages anything. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.fields.size === 0) return undefined
  const entries: ManagedFieldsEntry[] = []
  for (const [identifier, fields] of managed.fields) {
    const who = parseIdentifier(identifier)
    const time = managed.times.get(identifier)
    entries.push({
      ...(who.manager ? { manager: who.manager } : {}),
      operation: fields.applied ? 'Apply' : who.operation,
      apiVersion: fields.apiVersion,
      ...(time === undefined ? {} : { time }),
      fieldsType: 'FieldsV1',
      fieldsV1: fields.set.toFieldsV1(),
      ...(who.subresource ? { subresource: who.subresource } : {}),
    })
  }
  return entries.sort(
    (p, q) =>
      order(p.operation ?? '', q.operation ?? '') ||
      seconds(p.time) - seconds(q.time) ||
      order(p.manager ?? '', q.manager ?? '') ||
      order(p.apiVersion ?? '', q.apiVersion ?? '') ||
      order(p.subresource ?? '', q.subresource ?? ''),
  )
}

// apimachinery's validation.FieldManagerMaxLength.
const FIELD_MANAGER_MAX_LENGTH = 128

/**
 * managerFromUserAgent is the manager of a write that names none: the User-Agent up to its
 * first `/`, unprintable characters dropped, cut to 128 bytes (apiserver's prefixFromUserAgent).
 */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0] ?? ''
  let out = ''
  let bytes = 0
  for (const ch of prefix) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) continue
    const size = Buffer.byteLength(ch)
    if (bytes + size > FIELD_MANAGER_MAX_LENGTH) break
    out += ch
    bytes += size
  }
  return out
}
