/**
 * kubectl's printing of server-side Tables: upper-cased headers, `-o wide` columns, a NAMESPACE
 * column with `-A`, `kind/name` names when several types are printed, aligned by a Go tabwriter
 * (minwidth 6, padding 3) as kubectl's GetNewTabWriter does.
 */
import type { Table } from '../../api/meta.js'
import { tabwrite } from './tabwriter.js'

/** TableOptions say which columns and prefixes a printed table has. */
export interface TablePrintOptions {
  readonly wide: boolean
  readonly noHeaders: boolean
  /** Adds the NAMESPACE column (`-A`). */
  readonly withNamespace: boolean
  /** Prefixes names with `kind.group/` (several types in one `get`). */
  readonly kindPrefix?: string | undefined
  readonly showLabels?: boolean
  /** `-L`: a column per label key, headed by the key's last path segment. */
  readonly labelColumns?: readonly string[]
}

/** TABLE_TABWRITER is kubectl's printers.GetNewTabWriter: minwidth 6, padding 3, padchar ' '. */
export const TABLE_TABWRITER = { minwidth: 6, padding: 3 } as const

/** cellText renders a cell as kubectl's table printer does: strings up to the first line break, nil as nothing. */
function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return ''
  if (typeof cell === 'string') return cell.split(/[\n\r\f]/)[0] ?? ''
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell)
  return JSON.stringify(cell)
}

interface RowMeta {
  metadata?: { namespace?: string; labels?: Record<string, string> }
}

function labelsText(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b))
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',')
}

/** tableLines renders a Table's rows (and its header unless noHeaders) as tab-separated lines. */
export function tableLines(table: Table, opts: TablePrintOptions): string[] {
  const shown = table.columnDefinitions
    .map((c, i) => ({ column: c, index: i }))
    .filter(({ column }) => opts.wide || column.priority === 0)
  const lines: string[] = []
  if (!opts.noHeaders) {
    const header = shown.map(({ column }) => column.name.toUpperCase())
    if (opts.withNamespace) header.unshift('NAMESPACE')
    for (const key of opts.labelColumns ?? []) header.push(key.split('/').at(-1)!.toUpperCase())
    if (opts.showLabels) header.push('LABELS')
    lines.push(header.join('\t'))
  }
  for (const row of table.rows) {
    const object = row.object as RowMeta | undefined
    const cells = shown.map(({ column, index }) => {
      const text = cellText(row.cells[index])
      return column.format === 'name' && opts.kindPrefix ? `${opts.kindPrefix}/${text}` : text
    })
    if (opts.withNamespace) cells.unshift(object?.metadata?.namespace ?? '')
    for (const key of opts.labelColumns ?? []) cells.push(object?.metadata?.labels?.[key] ?? '')
    if (opts.showLabels) cells.push(labelsText(object?.metadata?.labels))
    lines.push(cells.join('\t'))
  }
  return lines
}

/** renderTable aligns lines from tableLines into the text kubectl prints. */
export function renderTable(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${tabwrite(lines.join('\n'), TABLE_TABWRITER)}\n`
}
