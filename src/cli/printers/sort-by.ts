/**
 * kubectl's `--sort-by`: a JSONPath per object (or per table row's object), compared as
 * kubectl's sorter compares unstructured values (numbers, strings that parse as quantities by
 * quantity, other strings by bytes; a missing value sorts first). kubectl sorts with Go's
 * sort.Sort, which for lists of up to twelve items is an insertion sort; this is that insertion
 * sort at every length, so ties keep their server order.
 */
import { parseQuantity } from '../../pruner/quantity.js'
import { CliError } from '../errors.js'
import { goTypeName, isGoInt } from './go-values.js'
import { JsonPath } from './jsonpath/evaluate.js'

const RELAXED = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/

/** relaxedJsonPath is kubectl's RelaxedJSONPathExpression: `a.b`, `.a.b`, `{a.b}` all become `{.a.b}`. */
export function relaxedJsonPath(expr: string): string {
  if (expr === '') return expr
  const m = RELAXED.exec(expr)
  if (!m) {
    throw new CliError(
      "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'",
    )
  }
  return `{.${m[1] ?? m[2]!}}`
}

/** isLess is kubectl's isLess for values of unstructured objects. */
function isLess(a: unknown, b: unknown, field: string): boolean {
  if (a === null && b === null) return false
  if (a === null) return true
  if (b === null) return false
  if (typeof a === 'number' && typeof b === 'number' && isGoInt(a) === isGoInt(b)) return a < b
  if (typeof a === 'string' && typeof b === 'string') {
    const qa = parseQuantity(a)
    const qb = parseQuantity(b)
    if (qa !== undefined && qb !== undefined) return qa < qb
    return Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0
  }
  throw new CliError(`Field ${field} is an unsortable type: ${goTypeName(a)}`)
}

/** sortKeyed sorts items by the first JSONPath result of each, as kubectl's sorters do. */
function sortKeyed<T>(items: T[], objectOf: (item: T) => unknown, field: string): T[] {
  const parser = JsonPath.parse(field, { allowMissingKeys: true })
  const keys = items.map((item) => parser.findResults(objectOf(item))[0] ?? [])
  if (items.length > 0 && keys.every((k) => k.length === 0)) {
    throw new CliError(
      `couldn't find any field with path ${JSON.stringify(field)} in the list of objects`,
    )
  }
  const order = items.map((item, i) => ({ item, key: keys[i]! }))
  const less = (i: number, j: number) => {
    const a = order[i]!.key
    const b = order[j]!.key
    if (a.length === 0) return true
    if (b.length === 0) return false
    return isLess(a[0] ?? null, b[0] ?? null, field)
  }
  for (let i = 1; i < order.length; i++) {
    for (let j = i; j > 0 && less(j, j - 1); j--)
      [order[j], order[j - 1]] = [order[j - 1]!, order[j]!]
  }
  return order.map((o) => o.item)
}

/** sortObjects orders objects by `sortBy` (kubectl's SortObjects). */
export function sortObjects<T>(objects: T[], sortBy: string): T[] {
  if (objects.length <= 1) return objects
  return sortKeyed(objects, (o) => o, relaxedJsonPath(sortBy))
}

/** sortRows orders a table's rows by their objects; undefined when kubectl's printer would fail. */
export function sortRows<T extends { object?: unknown }>(
  rows: T[],
  sortBy: string,
): T[] | undefined {
  if (rows.length <= 1) return rows
  let field = sortBy
  try {
    field = relaxedJsonPath(sortBy)
  } catch {
    // kubectl's table sorter falls back to the expression as given.
  }
  try {
    return sortKeyed(rows, (r) => r.object, field)
  } catch {
    return undefined
  }
}
