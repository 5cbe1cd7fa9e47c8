/**
 * Column alignment identical to Go's text/tabwriter (padchar ' ', no flags), which oc and
 * kubectl use for every describe and table printer: matching it byte for byte lets our output
 * be diffed against theirs and keeps scripts that cut columns working.
 */

/** TabwriterOptions are the two text/tabwriter parameters that matter with padchar ' '. */
export interface TabwriterOptions {
  /** Minimal cell width, padding included. */
  readonly minwidth: number
  /** Spaces added to the widest cell of a column. */
  readonly padding: number
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

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i] ?? []
      let s = ''
      cells.forEach((cell, j) => {
        s += cell
        const width = widths[j]
        if (width !== undefined) s += ' '.repeat(Math.max(0, width - runeWidth(cell)))
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
