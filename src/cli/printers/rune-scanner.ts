/**
 * The rune-at-a-time cursor Go's hand-written lexers share (text/template's lexer and
 * client-go's JSONPath parser): read the next rune, step back over it, or peek, with the
 * current token running from `start` to `pos`. A rune is one code point, which may be two
 * UTF-16 units.
 */

/** EOF is what next returns at the end of the input. */
export const EOF = ''

/** RuneScanner is the cursor; the lexer or parser extending it adds the grammar. */
export class RuneScanner {
  protected pos = 0
  protected start = 0
  protected width = 0
  protected readonly input: string

  constructor(input: string) {
    this.input = input
  }

  /** next reads one rune, or EOF at the end. */
  protected next(): string {
    if (this.pos >= this.input.length) {
      this.width = 0
      return EOF
    }
    const r = String.fromCodePoint(this.input.codePointAt(this.pos)!)
    this.width = r.length
    this.pos += this.width
    return r
  }

  /** peek returns the next rune without reading it. */
  protected peek(): string {
    const r = this.next()
    this.backup()
    return r
  }

  /** backup steps back over the rune next read; once per call of next. */
  protected backup(): void {
    this.pos -= this.width
  }
}
