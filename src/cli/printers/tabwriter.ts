/**
 * Column alignment identical to Go's text/tabwriter (no flags), which oc and kubectl use for
 * every describe and table printer: matching it byte for byte lets our output be diffed against
 * theirs and keeps scripts that cut columns working.
 */

/** TabwriterOptions are the text/tabwriter parameters (flags are never used by oc's printers). */
export interface TabwriterOptions {
  /** Minimal cell width, padding included. */
  readonly minwidth: number
  /** Width added to the widest cell of a column. */
  readonly padding: number
  /** ' ' (default) pads with spaces; '\t' pads with tabs, as oc's describers do. */
  readonly padchar?: ' ' | '\t'
  /** Width of a tab when padding with tabs; 8 when absent. */
  readonly tabwidth?: number
}

/** Go measures cells in runes, not bytes or UTF-16 units. */
function runeWidth(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}

/**
 * tabwrite aligns `text` as a Go tabwriter does when it is written in one go and flushed: a
 * tab ends a cell, a column block is a run of consecutive lines that have a cell in that
 * column, and the last cell of a line is never padded.
 */
export function tabwrite(text: string, opts: TabwriterOptions): string {
  const lines = text.split('\n').map((line) => line.split('\t'))
  const widths: number[] = []
  const out: string[] = []
  const tabwidth = opts.tabwidth ?? 8

  // Tab padding rounds the column up to a tab stop and fills it with as many tabs as it takes.
  const pad = (textWidth: number, cellWidth: number): string => {
    if (opts.padchar !== '\t') return ' '.repeat(Math.max(0, cellWidth - textWidth))
    if (tabwidth === 0) return ''
    const stop = Math.ceil(cellWidth / tabwidth) * tabwidth
    return '\t'.repeat(Math.ceil((stop - textWidth) / tabwidth))
  }

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i] ?? []
      let s = ''
      cells.forEach((cell, j) => {
        s += cell
        const width = widths[j]
        if (width !== undefined) s += pad(runeWidth(cell), width)
      })
      out.push(s)
    }
  }

  // A transcription of tabwriter.format: find the blocks of the next column, size each, recurse.
  const format = (first: number, end: number): void => {
    let line0 = first
    const column = widths.length
    for (let i = first; i < end; i++) {
      if (column >= (lines[i]?.length ?? 0) - 1) continue
      writeLines(line0, i)
      line0 = i
      let width = opts.minwidth
      for (; i < end; i++) {
        const cells = lines[i] ?? []
        if (column >= cells.length - 1) break
        width = Math.max(width, runeWidth(cells[column] ?? '') + opts.padding)
      }
      widths.push(width)
      format(line0, i)
      widths.pop()
      line0 = i
    }
    writeLines(line0, end)
  }

  format(0, lines.length)
  return out.join('\n')
}
