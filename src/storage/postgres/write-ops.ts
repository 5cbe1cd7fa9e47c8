/**
 * The PostgreSQL backend's write operations. Each runs inside a transaction that holds the
 * revision row's lock (lockRevision), so it sees every committed write, no other writer runs
 * until it commits, and the revision it takes is the next one. Every check that can refuse a
 * write runs before it takes a revision, and a refused write leaves the transaction usable.
 */
import { randomUUID } from 'node:crypto'
import type { PoolClient } from 'pg'
import { jsonEqual } from '../json-equal.js'
import { checkObject, withMeta } from '../object-meta.js'
import { rfc3339 } from '../../lib/rfc3339.js'
import { referencesFingerprint, targetsOf } from '../references.js'
import { labelsOf } from '../selection.js'
import type { Change } from '../selection.js'
import { AlreadyExistsError, ConflictError, NotFoundError, ReferencedError } from '../store.js'
import type { ObjectKey, Preconditions, ResolvedStoreOptions, StoredObject } from '../store.js'
import { rows } from './connection.js'
import type { Queryable } from './connection.js'
import { copyAsJson } from '../../lib/clone-json.js'

/** The store_meta key of the reference index's fingerprint. */
const REFERENCES_META = 'references'
/** Objects read per page while the reference index is rebuilt. */
const PAGE = 500

/** parse decodes a stored JSON document. */
export function parse<T>(json: string): T {
  return JSON.parse(json) as T
}

/** ObjectRow is an objects row as a write or get reads it. */
export interface ObjectRow {
  readonly id: number
  readonly object: string
  readonly mod_revision: number
}

/** WriteContext is one locked write transaction. */
export interface WriteContext {
  readonly client: PoolClient
  /** The last revision taken: the next write takes current + 1. */
  current: number
  compacted: number
  /** The changes written, in revision order, published once the transaction commits. */
  readonly pending: Change[]
}

/** keyParams binds a key to (resource, namespace, name) parameters. */
export function keyParams(key: ObjectKey): [string, string, string] {
  return [key.resource, key.namespace, key.name]
}

/** getRow reads the object at key, or undefined. */
export async function getRow(on: Queryable, key: ObjectKey): Promise<ObjectRow | undefined> {
  const found = await rows<ObjectRow>(
    on,
    'SELECT id, object, mod_revision FROM objects WHERE resource = $1 AND namespace = $2 AND name = $3',
    keyParams(key),
  )
  return found[0]
}

/**
 * lockRevision starts a write transaction on client: it takes the revision row's lock, which
 * it holds until COMMIT or ROLLBACK, and returns the context for the writes.
 */
export async function lockRevision(client: PoolClient): Promise<WriteContext> {
  await rows(client, 'BEGIN')
  const [row] = await rows<{ current: number; compacted: number }>(
    client,
    'SELECT current, compacted FROM revision WHERE id = 1 FOR UPDATE',
  )
  if (!row) throw new Error('the revision row is missing: the database is damaged')
  return { client, current: row.current, compacted: row.compacted, pending: [] }
}

/** The statement of each kind of change to the objects table, after $1..$9 of recordSql. */
const OBJECT_SQL = {
  ADDED:
    'INSERT INTO objects (resource, namespace, name, uid, create_revision, mod_revision, object)' +
    ' VALUES ($3, $4, $5, $10, $1, $1, $7) RETURNING id',
  MODIFIED:
    'UPDATE objects SET object = $7, mod_revision = $1' +
    ' WHERE resource = $3 AND namespace = $4 AND name = $5 RETURNING id',
  DELETED: 'DELETE FROM objects WHERE resource = $3 AND namespace = $4 AND name = $5 RETURNING id',
} as const

// One statement per write: the revision, the events row, the compaction of history beyond
// maxRevisions (one row per write, so the cost stays flat) and the objects row.
const RECORD_SQL =
  'WITH bump AS (UPDATE revision SET current = $1, compacted = GREATEST(compacted, $2) WHERE id = 1),' +
  ' trimmed AS (DELETE FROM events WHERE revision <= $2),' +
  ' event AS (INSERT INTO events (revision, resource, namespace, name, type, object, prev_object, created_at)' +
  ' VALUES ($1, $3, $4, $5, $6, $7, $8, $9)) '

/** WriteOps are the write operations of one store. */
export class WriteOps {
  private readonly options: ResolvedStoreOptions

  constructor(options: ResolvedStoreOptions) {
    this.options = options
  }

  async row(ctx: WriteContext, key: ObjectKey): Promise<ObjectRow> {
    const row = await getRow(ctx.client, key)
    if (!row) throw new NotFoundError(key)
    return row
  }

  async create<T extends StoredObject>(ctx: WriteContext, key: ObjectKey, input: T): Promise<T> {
    checkObject(key, input)
    if (await getRow(ctx.client, key)) throw new AlreadyExistsError(key)
    const revision = ctx.current + 1
    const uid = randomUUID()
    const stored = withMeta(input, {
      uid,
      creationTimestamp: rfc3339(this.options.clock.now()),
      resourceVersion: String(revision),
    })
    const json = JSON.stringify(stored)
    const id = await this.record(
      ctx,
      {
        revision,
        key,
        type: 'ADDED',
        object: json,
        prev: undefined,
        labels: labelsOf(stored),
        prevLabels: undefined,
      },
      [uid],
    )
    await this.index(ctx, key.resource, id, stored, undefined)
    // What parsing json back would give, copied from the object it was made from.
    return copyAsJson<T>(stored)
  }

  async update<T extends StoredObject>(
    ctx: WriteContext,
    key: ObjectKey,
    input: T,
    preconditions: Preconditions | undefined,
  ): Promise<T> {
    checkObject(key, input)
    const row = await this.row(ctx, key)
    await this.checkPreconditions(ctx, key, row, preconditions)
    const current = parse<T>(row.object)
    // uid and creationTimestamp belong to the store: kept whatever the caller sent.
    const candidate = withMeta(input, {
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      resourceVersion: String(row.mod_revision),
    })
    const candidateJson = JSON.stringify(candidate)
    // Rows hold JSON.stringify's output, whose length does not depend on key order.
    if (
      candidateJson === row.object ||
      (candidateJson.length === row.object.length && jsonEqual(JSON.parse(candidateJson), current))
    ) {
      return current
    }
    const revision = ctx.current + 1
    const stored = withMeta(candidate, { resourceVersion: String(revision) })
    const json = JSON.stringify(stored)
    await this.record(ctx, {
      revision,
      key,
      type: 'MODIFIED',
      object: json,
      prev: row.object,
      labels: labelsOf(stored),
      prevLabels: labelsOf(current),
    })
    await this.index(ctx, key.resource, row.id, stored, current)
    // What parsing json back would give, copied from the object it was made from.
    return copyAsJson<T>(stored)
  }

  async delete<T extends StoredObject>(
    ctx: WriteContext,
    key: ObjectKey,
    preconditions: Preconditions | undefined,
  ): Promise<T> {
    const row = await this.row(ctx, key)
    await this.checkPreconditions(ctx, key, row, preconditions)
    const revision = ctx.current + 1
    const last = parse<T>(row.object)
    const deleted = withMeta(last, { resourceVersion: String(revision) })
    const json = JSON.stringify(deleted)
    // Its object_refs rows go with it (ON DELETE CASCADE).
    await this.record(ctx, {
      revision,
      key,
      type: 'DELETED',
      object: json,
      prev: row.object,
      labels: labelsOf(last),
      prevLabels: labelsOf(last),
    })
    return deleted
  }

  /**
   * syncReferenceIndex rebuilds object_refs from the stored objects when it was built for
   * another declaration than the options' (or never).
   */
  async syncReferenceIndex(ctx: WriteContext): Promise<void> {
    const { references } = this.options
    const fingerprint = referencesFingerprint(references)
    const [meta] = await rows<{ value: string }>(
      ctx.client,
      'SELECT value FROM store_meta WHERE key = $1',
      [REFERENCES_META],
    )
    if ((meta?.value ?? '') === fingerprint) return
    await rows(ctx.client, 'DELETE FROM object_refs')
    for (const resource of Object.keys(references)) {
      let after = { namespace: '', name: '' }
      for (;;) {
        const page = await rows<{ id: number; namespace: string; name: string; object: string }>(
          ctx.client,
          'SELECT id, namespace, name, object FROM objects' +
            ' WHERE resource = $1 AND (namespace, name) > ($2, $3) ORDER BY namespace, name LIMIT $4',
          [resource, after.namespace, after.name, PAGE],
        )
        for (const row of page) {
          await this.index(ctx, resource, row.id, parse<StoredObject>(row.object), undefined)
        }
        const last = page.at(-1)
        if (!last || page.length < PAGE) break
        after = last
      }
    }
    await rows(
      ctx.client,
      'INSERT INTO store_meta (key, value) VALUES ($1, $2)' +
        ' ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [REFERENCES_META, fingerprint],
    )
  }

  /** compact drops history outside the window; returns the compacted revision. */
  async compact(ctx: WriteContext): Promise<number> {
    const [byAge] = await rows<{ revision: number | null }>(
      ctx.client,
      'SELECT MAX(revision) AS revision FROM events WHERE created_at <= $1',
      [this.options.clock.now() - this.options.maxAgeMs],
    )
    const floor = Math.max(ctx.current - this.options.maxRevisions, byAge?.revision ?? 0)
    if (floor <= ctx.compacted) return ctx.compacted
    await rows(ctx.client, 'DELETE FROM events WHERE revision <= $1', [floor])
    await rows(ctx.client, 'UPDATE revision SET compacted = $1 WHERE id = 1', [floor])
    ctx.compacted = floor
    return floor
  }

  private async checkPreconditions(
    ctx: WriteContext,
    key: ObjectKey,
    row: ObjectRow,
    preconditions: Preconditions | undefined,
  ): Promise<void> {
    const actual = String(row.mod_revision)
    const expected = preconditions?.expectedResourceVersion
    if (expected !== undefined && expected !== actual) {
      throw new ConflictError(key, expected, actual)
    }
    if (preconditions?.unreferenced) {
      // One referrer is enough to refuse, and names it in the error.
      const [referrer] = await rows<{ resource: string; namespace: string; name: string }>(
        ctx.client,
        'SELECT o.resource, o.namespace, o.name FROM object_refs r JOIN objects o ON o.id = r.referrer' +
          ' WHERE r.resource = $1 AND r.namespace = $2 AND r.name = $3 AND r.referrer <> $4 LIMIT 1',
        [...keyParams(key), row.id],
      )
      if (referrer) throw new ReferencedError(key, { ...referrer })
    }
  }

  // Writes the change (revision, event, objects row) and returns the objects row's id.
  private async record(ctx: WriteContext, change: Change, extra: unknown[] = []): Promise<number> {
    const { key } = change
    const floor = Math.max(change.revision - this.options.maxRevisions, ctx.compacted)
    const [row] = await rows<{ id: number }>(ctx.client, RECORD_SQL + OBJECT_SQL[change.type], [
      change.revision,
      floor,
      ...keyParams(key),
      change.type,
      change.object,
      change.prev ?? null,
      this.options.clock.now(),
      ...extra,
    ])
    if (!row) throw new Error(`the objects row of ${key.resource}/${key.name} vanished`)
    ctx.current = change.revision
    ctx.compacted = floor
    ctx.pending.push(change)
    return row.id
  }

  // Brings the object's object_refs rows to what its resource's extractor finds in it; an
  // update writes only the difference from the previous state's targets.
  private async index(
    ctx: WriteContext,
    resource: string,
    id: number,
    object: StoredObject,
    previous: StoredObject | undefined,
  ): Promise<void> {
    const extract = this.options.references[resource]
    if (!extract) return
    const wanted = targetsOf(extract, object)
    const dropped: ObjectKey[] = []
    if (previous) {
      for (const [ref, target] of targetsOf(extract, previous)) {
        if (!wanted.delete(ref)) dropped.push(target)
      }
    }
    const columns = (keys: ObjectKey[]): string[][] => [
      keys.map((k) => k.resource),
      keys.map((k) => k.namespace),
      keys.map((k) => k.name),
    ]
    if (dropped.length > 0) {
      await rows(
        ctx.client,
        'DELETE FROM object_refs WHERE referrer = $1 AND (resource, namespace, name) IN' +
          ' (SELECT * FROM unnest($2::text[], $3::text[], $4::text[]))',
        [id, ...columns(dropped)],
      )
    }
    if (wanted.size > 0) {
      await rows(
        ctx.client,
        'INSERT INTO object_refs (referrer, resource, namespace, name)' +
          ' SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING',
        [id, ...columns([...wanted.values()])],
      )
    }
  }
}
