/**
 * Paged lists at a snapshot revision over the objects and events tables, as the SQLite backend
 * reads them: continue tokens return the rest of the list as it was at the first page, as long
 * as the history after that revision has not been compacted. Run inside one REPEATABLE READ
 * transaction, so every statement of a page sees the same committed state.
 */
import { encodeContinue } from '../continue-token.js'
import type { ContinuePosition } from '../continue-token.js'
import { labelsOf } from '../selection.js'
import type { Selection } from '../selection.js'
import { ExpiredError, InvalidContinueError } from '../store.js'
import type { ListResult, StoredObject } from '../store.js'
import { rows } from './connection.js'
import type { Queryable } from './connection.js'
import { parse } from './write-ops.js'

interface SnapshotRow {
  readonly namespace: string
  readonly name: string
  readonly object: string
}

// The key columns collate as "C", i.e. by UTF-8 bytes; JavaScript's < compares UTF-16 code
// units, which differs above U+FFFF. Merging SQL-ordered rows must use the former.
function compareUtf8(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

function compareKeys(a: SnapshotRow, b: SnapshotRow): number {
  return compareUtf8(a.namespace, b.namespace) || compareUtf8(a.name, b.name)
}

function* mergeByKey(
  current: readonly SnapshotRow[],
  changed: readonly SnapshotRow[],
): Generator<SnapshotRow> {
  let i = 0
  for (const row of current) {
    for (let c = changed[i]; c !== undefined && compareKeys(c, row) < 0; c = changed[++i]) yield c
    yield row
  }
  for (let c = changed[i]; c !== undefined; c = changed[++i]) yield c
}

/** PageRequest is one page of a list, parsed. */
export interface PageRequest {
  readonly resource: string
  readonly selection: Selection
  readonly limit: number | undefined
  readonly position: ContinuePosition | undefined
  readonly count: boolean
}

/**
 * readPage reads one page at its snapshot revision; `item` makes each item from its stored
 * text (and the parsed object when a selector needed it).
 */
export async function readPage<I>(
  on: Queryable,
  request: PageRequest,
  item: (text: string, object: StoredObject | undefined) => I,
): Promise<Omit<ListResult, 'items'> & { items: I[] }> {
  const { resource, selection, limit, position, count } = request
  const [revision] = await rows<{ current: number; compacted: number }>(
    on,
    'SELECT current, compacted FROM revision WHERE id = 1',
  )
  const { current, compacted } = revision ?? { current: 0, compacted: 0 }
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
  const start = { namespace: position?.namespace ?? '', name: position?.name ?? '' }
  // Without selectors every row read is an item: the page and the row after it are all it needs.
  const take = selection.filtersContent || limit === undefined ? undefined : limit + 1
  const { merged, changed } = await snapshotRows(on, resource, selection, at, start, take)
  const items: I[] = []
  let last: SnapshotRow | undefined
  let more = false
  for (const row of merged) {
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
  // Only the first page counts; later ones subtract their own items from the token's count.
  const remaining =
    position?.remaining !== undefined
      ? position.remaining - items.length
      : (await countAfter(on, resource, selection, at, end)) +
        changed.filter((c) => compareKeys(c, end) > 0).length
  return {
    items,
    resourceVersion,
    continue: encodeContinue({ ...after, remaining }),
    remainingItemCount: remaining,
  }
}

/**
 * snapshotRows returns the objects of a resource as they were at revision `at`, in key order,
 * after `start`. Objects unchanged since `at` come from the objects table; for every key
 * changed after `at`, the first later change tells its state at `at`: absent if that change
 * created it, else the change's previous state.
 */
async function snapshotRows(
  on: Queryable,
  resource: string,
  selection: Selection,
  at: number,
  start: Pick<SnapshotRow, 'namespace' | 'name'>,
  take: number | undefined,
): Promise<{ merged: Iterable<SnapshotRow>; changed: SnapshotRow[] }> {
  const first = await rows<{ namespace: string; name: string; type: string; prev: string | null }>(
    on,
    'SELECT DISTINCT ON (namespace, name) namespace, name, type, prev_object AS prev FROM events' +
      ` WHERE ${keysAfter(selection, 5)} AND revision > $4 ORDER BY namespace, name, revision`,
    [resource, start.namespace, start.name, at, ...pushdownParams(selection)],
  )
  const changed = first.flatMap((c): SnapshotRow[] =>
    c.type === 'ADDED' || c.prev === null
      ? []
      : [{ namespace: c.namespace, name: c.name, object: c.prev }],
  )
  const params = [resource, start.namespace, start.name, at, ...pushdownParams(selection)]
  const current = await rows<SnapshotRow>(
    on,
    `SELECT namespace, name, object FROM objects WHERE ${keysAfter(selection, 5)}` +
      ` AND mod_revision <= $4 ORDER BY namespace, name` +
      (take === undefined ? '' : ` LIMIT $${params.length + 1}`),
    take === undefined ? params : [...params, take],
  )
  return { merged: changed.length === 0 ? current : mergeByKey(current, changed), changed }
}

async function countAfter(
  on: Queryable,
  resource: string,
  selection: Selection,
  at: number,
  after: SnapshotRow,
): Promise<number> {
  const [row] = await rows<{ n: number }>(
    on,
    `SELECT COUNT(*) AS n FROM objects WHERE ${keysAfter(selection, 5)} AND mod_revision <= $4`,
    [resource, after.namespace, after.name, at, ...pushdownParams(selection)],
  )
  return row?.n ?? 0
}

// $1 resource, $2/$3 the key to start after; namespace and a pinned name from $next on.
function keysAfter(selection: Selection, next: number): string {
  let where = 'resource = $1 AND (namespace, name) > ($2, $3)'
  let n = next
  if (selection.namespace !== undefined) where += ` AND namespace = $${n++}`
  if (selection.name !== undefined) where += ` AND name = $${n}`
  return where
}

function pushdownParams(selection: Selection): string[] {
  return [
    ...(selection.namespace === undefined ? [] : [selection.namespace]),
    ...(selection.name === undefined ? [] : [selection.name]),
  ]
}
