/**
 * StoreDump: the stored rows of a store in a backend-neutral form, for moving a single-node
 * store to another backend (`isctl serve migrate`, docs/storage-postgres.md#migrating-from-sqlite).
 * It holds what a backend cannot rebuild: the objects as the store wrote them (their
 * resourceVersions, uids and creation times inside), the revision counter, the watch history
 * still retained and the due-queue with its state. The reference index is derived data that a
 * store rebuilds at open when it finds none, so a dump leaves it out.
 */
import { createHash } from 'node:crypto'

/** DumpObject is one row of the objects table; `object` is the stored JSON text, unchanged. */
export interface DumpObject {
  readonly resource: string
  readonly namespace: string
  readonly name: string
  readonly uid: string
  readonly createRevision: number
  readonly modRevision: number
  readonly object: string
}

/** DumpEvent is one row of the watch history. */
export interface DumpEvent {
  readonly revision: number
  readonly resource: string
  readonly namespace: string
  readonly name: string
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'
  readonly object: string
  readonly prevObject: string | null
  /** ms since the epoch; the history's age window counts from it. */
  readonly createdAt: number
}

/** DumpScheduleRow is one row of the due-queue (storage/schedule.ts), times in ms since the epoch. */
export interface DumpScheduleRow {
  readonly namespace: string
  readonly stream: string
  readonly tag: string
  readonly source: string
  readonly registry: string
  readonly intervalMs: number
  readonly nextCheckAt: number
  readonly lastCheckAt: number | null
  readonly lastDigest: string | null
  readonly failures: number
  readonly lastError: string | null
  readonly leaseUntil: number
}

/** StoreDump is every row a store needs to carry on elsewhere, read at one point in time. */
export interface StoreDump {
  /** The global revision and the compacted revision (history up to it is gone). */
  readonly revision: { readonly current: number; readonly compacted: number }
  readonly objects: readonly DumpObject[]
  readonly events: readonly DumpEvent[]
  readonly schedule: readonly DumpScheduleRow[]
}

/** DumpSummary is what both sides of a migration compare: counts and a digest of every row. */
export interface DumpSummary {
  readonly revision: StoreDump['revision']
  /** Objects per resource, resources in byte order. */
  readonly objects: Readonly<Record<string, number>>
  readonly events: number
  readonly schedule: number
  /** Hex SHA-256 over every row in a fixed order and encoding. */
  readonly sha256: string
}

function compareBytes(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareBytes(a[i] ?? '', b[i] ?? '')
    if (c !== 0) return c
  }
  return 0
}

/**
 * summarizeDump counts and hashes a dump. Rows are sorted by key first, so two backends that
 * return them in different orders agree; each row is hashed as one JSON array per line.
 */
export function summarizeDump(dump: StoreDump): DumpSummary {
  const hash = createHash('sha256')
  const line = (value: unknown): void => {
    hash.update(JSON.stringify(value))
    hash.update('\n')
  }
  line(['revision', dump.revision.current, dump.revision.compacted])
  const objects = [...dump.objects].sort((a, b) =>
    compareKeys([a.resource, a.namespace, a.name], [b.resource, b.namespace, b.name]),
  )
  const counts: Record<string, number> = {}
  for (const o of objects) {
    counts[o.resource] = (counts[o.resource] ?? 0) + 1
    line([
      'object',
      o.resource,
      o.namespace,
      o.name,
      o.uid,
      o.createRevision,
      o.modRevision,
      o.object,
    ])
  }
  for (const e of [...dump.events].sort((a, b) => a.revision - b.revision)) {
    line([
      'event',
      e.revision,
      e.resource,
      e.namespace,
      e.name,
      e.type,
      e.object,
      e.prevObject,
      e.createdAt,
    ])
  }
  const schedule = [...dump.schedule].sort((a, b) =>
    compareKeys([a.namespace, a.stream, a.tag], [b.namespace, b.stream, b.tag]),
  )
  for (const s of schedule) {
    line([
      'schedule',
      s.namespace,
      s.stream,
      s.tag,
      s.source,
      s.registry,
      s.intervalMs,
      s.nextCheckAt,
      s.lastCheckAt,
      s.lastDigest,
      s.failures,
      s.lastError,
      s.leaseUntil,
    ])
  }
  return {
    revision: dump.revision,
    objects: counts,
    events: dump.events.length,
    schedule: dump.schedule.length,
    sha256: hash.digest('hex'),
  }
}

/** DumpErrorCode says why a dump could not be read or loaded. */
export type DumpErrorCode = 'TargetNotEmpty' | 'SourceSchema'

/** DumpError: a dump was refused before anything was written; branch on `code`. */
export class DumpError extends Error {
  override readonly name = 'DumpError'
  readonly code: DumpErrorCode

  constructor(code: DumpErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}
