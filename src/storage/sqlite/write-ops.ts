/** The SQLite backend's synchronous write operations, run inside a writer transaction. */
import { randomUUID } from 'node:crypto'
import { jsonEqual } from '../json-equal.js'
import { labelsOf } from '../selection.js'
import type { Change } from '../selection.js'
import { referencesFingerprint, targetsOf } from '../references.js'
import { checkObject, withMeta } from '../object-meta.js'
import { rfc3339 } from '../../lib/rfc3339.js'
import { AlreadyExistsError, ConflictError, NotFoundError, ReferencedError } from '../store.js'
import type { ObjectKey, Preconditions, ResolvedStoreOptions, StoredObject } from '../store.js'
import { keyParams } from './statements.js'
import type { ObjectRow, Writes } from './statements.js'
import { copyAsJson } from '../../lib/clone-json.js'

/** The store_meta key of the reference index's fingerprint. */
const REFERENCES_META = 'references'
/** Objects read per page while the reference index is rebuilt. */
const PAGE = 500

/** parse decodes a stored JSON document. */
export function parse<T>(json: string): T {
  return JSON.parse(json) as T
}

/** WriteOps are the synchronous write operations, run inside a writer transaction. */
export class WriteOps {
  private readonly writes: Writes
  private readonly options: ResolvedStoreOptions

  constructor(writes: Writes, options: ResolvedStoreOptions) {
    this.writes = writes
    this.options = options
  }

  row(key: ObjectKey): ObjectRow {
    const row = this.writes.getObject.get(...keyParams(key))
    if (!row) throw new NotFoundError(key)
    return row
  }

  create<T extends StoredObject>(key: ObjectKey, input: T, pending: Change[]): T {
    checkObject(key, input)
    if (this.writes.getObject.get(...keyParams(key))) throw new AlreadyExistsError(key)
    const revision = this.bump()
    const uid = randomUUID()
    const stored = withMeta(input, {
      uid,
      creationTimestamp: rfc3339(this.options.clock.now()),
      resourceVersion: String(revision),
    })
    const json = JSON.stringify(stored)
    const { lastInsertRowid } = this.writes.insertObject.run(
      ...keyParams(key),
      uid,
      revision,
      revision,
      json,
    )
    this.index(key.resource, Number(lastInsertRowid), stored, undefined)
    this.record(pending, {
      revision,
      key,
      type: 'ADDED',
      object: json,
      prev: undefined,
      labels: labelsOf(stored),
      prevLabels: undefined,
    })
    // What parsing json back would give, copied from the object it was made from.
    return copyAsJson<T>(stored)
  }

  update<T extends StoredObject>(
    key: ObjectKey,
    input: T,
    preconditions: Preconditions | undefined,
    pending: Change[],
  ): T {
    checkObject(key, input)
    const row = this.row(key)
    this.checkPreconditions(key, row, preconditions)
    const actual = String(row.mod_revision)
    const current = parse<T>(row.object)
    // uid and creationTimestamp belong to the store: kept whatever the caller sent.
    const candidate = withMeta(input, {
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      resourceVersion: actual,
    })
    const candidateJson = JSON.stringify(candidate)
    // Rows hold JSON.stringify's output, whose length does not depend on key order: JSON of
    // another length is another value, with no need to parse it to compare.
    if (
      candidateJson === row.object ||
      (candidateJson.length === row.object.length && jsonEqual(JSON.parse(candidateJson), current))
    ) {
      return current
    }
    const revision = this.bump()
    const stored = withMeta(candidate, { resourceVersion: String(revision) })
    const json = JSON.stringify(stored)
    this.writes.updateObject.run(json, revision, ...keyParams(key))
    this.index(key.resource, row.id, stored, current)
    this.record(pending, {
      revision,
      key,
      type: 'MODIFIED',
      object: json,
      prev: row.object,
      labels: labelsOf(stored),
      prevLabels: labelsOf(current),
    })
    // What parsing json back would give, copied from the object it was made from.
    return copyAsJson<T>(stored)
  }

  delete<T extends StoredObject>(
    key: ObjectKey,
    preconditions: Preconditions | undefined,
    pending: Change[],
  ): T {
    const row = this.row(key)
    this.checkPreconditions(key, row, preconditions)
    const revision = this.bump()
    const last = parse<T>(row.object)
    const deleted = withMeta(last, { resourceVersion: String(revision) })
    const json = JSON.stringify(deleted)
    // Its object_refs rows go with it (ON DELETE CASCADE).
    this.writes.deleteObject.run(...keyParams(key))
    this.record(pending, {
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

  private checkPreconditions(
    key: ObjectKey,
    row: ObjectRow,
    preconditions: Preconditions | undefined,
  ): void {
    const actual = String(row.mod_revision)
    const expected = preconditions?.expectedResourceVersion
    if (expected !== undefined && expected !== actual)
      throw new ConflictError(key, expected, actual)
    if (preconditions?.unreferenced) {
      const referrer = this.writes.referrerOf.get(...keyParams(key), row.id)
      if (referrer) throw new ReferencedError(key, { ...referrer })
    }
  }

  /**
   * syncReferenceIndex rebuilds object_refs from the stored objects when it was built for
   * another declaration than the options' (or never); returns whether it did. Cheap otherwise:
   * one meta row read.
   */
  syncReferenceIndex(): boolean {
    const { references } = this.options
    const fingerprint = referencesFingerprint(references)
    if ((this.writes.getMeta.get(REFERENCES_META)?.value ?? '') === fingerprint) return false
    this.writes.clearRefs.run()
    for (const resource of Object.keys(references)) {
      let after: { namespace: string; name: string } = { namespace: '', name: '' }
      for (;;) {
        const page = this.writes.objectsPage.all(resource, after.namespace, after.name, PAGE)
        for (const row of page) {
          this.index(resource, row.id, parse<StoredObject>(row.object), undefined)
        }
        const last = page.at(-1)
        if (!last || page.length < PAGE) break
        after = last
      }
    }
    this.writes.setMeta.run(REFERENCES_META, fingerprint)
    return true
  }

  /**
   * trimHistory drops the history rows beyond the latest maxRevisions, as the last write
   * leaves it; called once before the COMMIT of a transaction that wrote objects. Nothing reads
   * the writer's uncommitted rows, so one trim per transaction is as if each write had trimmed
   * (the floor only rises), and a group of writes deletes its rows in one statement.
   */
  trimHistory(): void {
    const { current, compacted } = this.writes.revision.get() ?? { current: 0, compacted: 0 }
    this.compactTo(current - this.options.maxRevisions, compacted)
  }

  /** compact drops history outside the window; returns the compacted revision. */
  compact(): number {
    const { current, compacted } = this.writes.revision.get() ?? { current: 0, compacted: 0 }
    const byAge =
      this.writes.lastEventBefore.get(this.options.clock.now() - this.options.maxAgeMs)?.revision ??
      0
    return this.compactTo(Math.max(current - this.options.maxRevisions, byAge), compacted)
  }

  private compactTo(floor: number, compacted: number): number {
    if (floor <= compacted) return compacted
    this.writes.deleteEvents.run(floor)
    this.writes.setCompacted.run(floor)
    return floor
  }

  // Brings the object's object_refs rows to what its resource's extractor finds in it. An
  // update writes only the difference from what the extractor found in the previous state (the
  // rows hold exactly that: the index is rebuilt whenever the declaration changes), since an
  // import adds one history item to a stream that may name hundreds of images.
  private index(
    resource: string,
    id: number,
    object: StoredObject,
    previous: StoredObject | undefined,
  ): void {
    const extract = this.options.references[resource]
    if (!extract) return
    const wanted = targetsOf(extract, object)
    if (previous) {
      for (const [ref, target] of targetsOf(extract, previous)) {
        if (!wanted.delete(ref)) this.writes.deleteRef.run(id, ...keyParams(target))
      }
    }
    for (const target of wanted.values()) this.writes.insertRef.run(id, ...keyParams(target))
  }

  private bump(): number {
    const row = this.writes.bump.get()
    if (!row) throw new Error('the revision row is missing: the database is damaged')
    return row.current
  }

  // Appends the events row; the transaction's trimHistory drops what falls out of the window.
  private record(pending: Change[], change: Change): void {
    const { key } = change
    this.writes.insertEvent.run(
      change.revision,
      key.resource,
      key.namespace,
      key.name,
      change.type,
      change.object,
      change.prev ?? null,
      this.options.clock.now(),
    )
    pending.push(change)
  }
}
