/**
 * Server-side Tables (`meta.k8s.io/v1 Table`, docs/kubernetes-api.md#tables): kubectl 1.32 prints
 * every `get` from the columns and cells the server sends. Every row has one cell per column (kube
 * generates the wide cells too; kubectl shows `priority: 1` columns only with `-o wide`), and
 * carries the object as PartialObjectMetadata unless `includeObject` says otherwise (`-A` and
 * `--show-labels` read it; `--sort-by` needs the full object).
 */
import type { ListMeta, Table, TableColumnDefinition, TableRow } from '../../api/index.js'
import type { TableVersion } from './negotiation.js'
import type { IncludeObject } from './query.js'

/** Printer turns objects of one kind into Table cells. */
export interface Printer {
  readonly columns: readonly TableColumnDefinition[]
  /** cells returns one cell per column for an object as clients see it. */
  cells(object: PrintableObject, now: number): unknown[]
}

/** PrintableObject is what printers read: any API object. */
export interface PrintableObject {
  readonly kind?: string
  readonly apiVersion?: string
  readonly metadata: { readonly name?: string; readonly creationTimestamp?: string }
  readonly [field: string]: unknown
}

/** TableOptions say how rows are rendered. */
export interface TableOptions {
  readonly version: TableVersion
  readonly includeObject: IncludeObject
  readonly now: number
}

function rowObject(object: PrintableObject, opts: TableOptions): unknown {
  switch (opts.includeObject) {
    case 'None':
      return undefined
    case 'Object':
      return object
    case 'Metadata':
      return {
        kind: 'PartialObjectMetadata',
        apiVersion: `meta.k8s.io/${opts.version}`,
        metadata: object.metadata,
      }
  }
}

/** tableRow renders one object. */
export function tableRow(printer: Printer, object: PrintableObject, opts: TableOptions): TableRow {
  const row: TableRow = { cells: printer.cells(object, opts.now) }
  const embedded = rowObject(object, opts)
  if (embedded !== undefined) row.object = embedded
  return row
}

/** buildTable renders objects as a Table with the given list metadata. */
export function buildTable(
  printer: Printer,
  objects: readonly PrintableObject[],
  metadata: ListMeta,
  opts: TableOptions,
): Table {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata,
    columnDefinitions: [...printer.columns],
    rows: objects.map((o) => tableRow(printer, o, opts)),
  }
}

/** column builds a column definition; `name` columns carry format "name" (kubectl's `kind/name` prefix needs it). */
export function column(
  name: string,
  description: string,
  options: { type?: string; format?: string; priority?: number } = {},
): TableColumnDefinition {
  return {
    name,
    type: options.type ?? 'string',
    format: options.format ?? '',
    description,
    priority: options.priority ?? 0,
  }
}
