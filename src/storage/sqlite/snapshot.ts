/**
 * Paged lists at a snapshot revision over the objects and events tables, so that continue
 * tokens return the rest of the list as it was at the first page (etcd semantics), as long as
 * the history after that revision has not been compacted.
 */
import { encodeContinue } from '../continue-token.js'
import type { ContinuePosition } from '../continue-token.js'
import { labelsOf } from '../selection.js'
import type { Selection } from '../selection.js'
import { ExpiredError, InvalidContinueError } from '../store.js'
import type { JsonListResult, ListResult, StoredObject } from '../store.js'
import type { ChangedRow, Reads, SnapshotRow } from './statements.js'
import { parse } from './write-ops.js'

// SQLite orders TEXT with BINARY collation, i.e. by UTF-8 bytes; JavaScript's < compares
// UTF-16 code units, which differs above U+FFFF. Merging SQL-ordered rows must use the former.
function compareUtf8(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

function compareKeys(a: SnapshotRow, b: SnapshotRow): number {
  return compareUtf8(a.namespace, b.namespace) || compareUtf8(a.name, b.name)
}

function* mergeByKey(
  rows: Iterable<SnapshotRow>,
  changed: readonly SnapshotRow[],
): Generator<SnapshotRow> {
  let i = 0
  for (const row of rows) {
    for (let c = changed[i]; c !== undefined && compareKeys(c, row) < 0; c = changed[++i]) yield c
    yield row
  }
  for (let c = changed[i]; c !== undefined; c = changed[++i]) yield c
}

/** listPage reads one page of a list at its snapshot revision; run it in a read transaction. */
export function listPage<T extends StoredObject>(
  reads: Reads,
  resource: string,
  selection: Selection,
  limit: number | undefined,
  position: ContinuePosition | undefined,
  { count }: { count: boolean } = { count: true },
): ListResult<T> {
  return readPage(
    reads,
    resource,
    selection,
    limit,
    position,
    (text, object) => (object === undefined ? parse<T>(text) : (object as T)),
    count,
  )
}

/**
 * listJsonPage reads one page as listPage does, its items the stored JSON documents: a list
 * without label or field selectors parses none of them.
 */
export function listJsonPage(
  reads: Reads,
  resource: string,
  selection: Selection,
  limit: number | undefined,
  position: ContinuePosition | undefined,
  { count }: { count: boolean } = { count: true },
): JsonListResult {
  return readPage(reads, resource, selection, limit, position, (text) => text, count)
}

function readPage<I>(
  reads: Reads,
  resource: string,
  selection: Selection,
  limit: number | undefined,
  position: ContinuePosition | undefined,
  item: (text: string, object: StoredObject | undefined) => I,
  count: boolean,
): Omit<ListResult, 'items'> & { items: I[] } {
  const { current, compacted } = reads.revision.get() ?? { current: 0, compacted: 0 }
  let at = current
  if (position) {
    if (position.revision > current) {
      throw new InvalidContinueError('it is from a revision this store has not reached')
    }
    // Reading at the snapshot needs every change after it: see snapshotRows.
    if (position.revision < compacted) {
      throw new ExpiredError(position.revision, compacted, 'continue')
    }
    at = position.revision
  }
  const start: SnapshotRow = {
    namespace: position?.namespace ?? '',
    name: position?.name ?? '',
    object: '',
  }
  // Without selectors every row read is an item: the page and the row after it are all it needs.
  const take = selection.filtersContent || limit === undefined ? undefined : limit + 1
  const { rows, changed } = snapshotRows(reads, resource, selection, at, start, take)
  const items: I[] = []
  let last: SnapshotRow | undefined
  let more = false
  for (const row of rows) {
    // Without label or field selectors the SQL has selected the namespace and name already.
    let object: StoredObject | undefined
    if (selection.filtersContent) {
      object = parse<StoredObject>(row.object)
      if (!selection.matches(row.namespace, row.name, labelsOf(object), object)) continue
    }
    if (items.length === limit) {
      more = true
      break
    }
    items.push(item(row.object, object))
    last = row
  }
  const resourceVersion = String(at)
  if (!more || !last) return { items, resourceVersion }
  const end = last
  const after = { resource, revision: at, namespace: end.namespace, name: end.name }
  if (selection.filtersContent || !count) {
    return { items, resourceVersion, continue: encodeContinue(after) }
  }
  // At one snapshot the objects after a page are those after the previous page less its own:
  // only the first page counts (one walk of the covering index), so later pages cost the same
  // however long the list.
  const remaining =
    position?.remaining !== undefined
      ? position.remaining - items.length
      : countAfter(reads, resource, selection, at, end) +
        changed.filter((c) => compareKeys(c, end) > 0).length
  return {
    items,
    resourceVersion,
    continue: encodeContinue({ ...after, remaining }),
    remainingItemCount: remaining,
  }
}

/**
 * snapshotRows yields the objects of a resource as they were at revision `at`, in key order,
 * after `start`. Objects unchanged since `at` come from the objects table; for every key
 * changed after `at`, the first later change tells its state at `at`: absent if that change
 * created it, else the change's previous state. Needs the history after `at` (checked by
 * the caller against the compacted revision).
 */
function snapshotRows(
  reads: Reads,
  resource: string,
  selection: Selection,
  at: number,
  start: SnapshotRow,
  take: number | undefined,
): { rows: Iterable<SnapshotRow>; changed: SnapshotRow[] } {
  const { filters, params } = pushdown(selection)
  // SQLite's bare columns with MIN(): type and prev_object come from the earliest row. The
  // changes after the snapshot are few next to the history of the keys after `start`, which
  // the planner would otherwise walk on events_key for every page (each page a scan of the
  // rest of the list's history, so a walk's cost grew with the square of the list).
  const changed = reads
    .prepared<unknown[], ChangedRow>(
      'SELECT namespace, name, type, prev_object, MIN(revision) AS revision' +
        ' FROM events INDEXED BY events_resource' +
        ` WHERE resource = ? AND revision > ? AND (namespace, name) > (?, ?)${filters}` +
        ' GROUP BY namespace, name ORDER BY namespace, name',
    )
    .all(resource, at, start.namespace, start.name, ...params)
    .flatMap((c): SnapshotRow[] =>
      c.type === 'ADDED' || c.prev_object === null
        ? []
        : [{ namespace: c.namespace, name: c.name, object: c.prev_object }],
    )
  const { where, params: objectParams } = objectsAfter(resource, selection, at, start)
  // A bounded page is read in one call, which better-sqlite3 makes cheaper per row than
  // stepping an iterator; merged with the changed rows, its first `take` rows still come first.
  const current =
    take === undefined
      ? reads.prepared<unknown[], SnapshotRow>(pageQuery(where)).iterate(...objectParams)
      : reads.prepared<unknown[], SnapshotRow>(pageQuery(where, true)).all(...objectParams, take)
  return { rows: changed.length === 0 ? current : mergeByKey(current, changed), changed }
}

function countAfter(
  reads: Reads,
  resource: string,
  selection: Selection,
  at: number,
  after: SnapshotRow,
): number {
  const { where, params } = objectsAfter(resource, selection, at, after)
  const row = reads.prepared<unknown[], { n: number }>(countQuery(where)).get(...params)
  return row?.n ?? 0
}

/** pageQuery reads, in key order, the objects a page's WHERE selects, `limited` by a last parameter. */
export function pageQuery(where: string, limited = false): string {
  const query = `SELECT namespace, name, object FROM objects WHERE ${where} ORDER BY namespace, name`
  return limited ? `${query} LIMIT ?` : query
}

/**
 * countQuery counts the rows a page's WHERE selects. Every column it reads is in the
 * objects_list index, so SQLite counts index entries without reading a single JSON document:
 * still one entry per remaining object, as etcd counts a range over its in-memory key index
 * for the apiserver's remainingItemCount, but no longer one table row each.
 */
export function countQuery(where: string): string {
  return `SELECT COUNT(*) AS n FROM objects WHERE ${where}`
}

/**
 * objectsAfter is the WHERE of the objects a list reads at revision `at` after key `after`:
 * on the objects_list index (resource, namespace, name, mod_revision), so that both the page
 * and its count start at `after` and test the revision from the index.
 */
export function objectsAfter(
  resource: string,
  selection: Selection,
  at: number,
  after: Pick<SnapshotRow, 'namespace' | 'name'>,
): { where: string; params: unknown[] } {
  const { filters, params } = pushdown(selection)
  // SQLite does not combine namespace = ? with the row-value bound into one index range, so
  // without the name bound a namespaced page would walk its namespace from its first object.
  // Within the continued namespace, (namespace, name) > (ns, n) is exactly name > n.
  const within =
    selection.namespace !== undefined &&
    selection.name === undefined &&
    after.namespace === selection.namespace
  return {
    where:
      `resource = ? AND (namespace, name) > (?, ?) AND mod_revision <= ?${filters}` +
      (within ? ' AND name > ?' : ''),
    params: [resource, after.namespace, after.name, at, ...params, ...(within ? [after.name] : [])],
  }
}

// Namespace and a pinned name narrow the SQL; the selection still checks every row.
function pushdown(selection: Selection): { filters: string; params: string[] } {
  let filters = ''
  const params: string[] = []
  if (selection.namespace !== undefined) {
    filters += ' AND namespace = ?'
    params.push(selection.namespace)
  }
  if (selection.name !== undefined) {
    filters += ' AND name = ?'
    params.push(selection.name)
  }
  return { filters, params }
}
