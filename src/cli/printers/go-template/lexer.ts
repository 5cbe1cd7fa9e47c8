/**
 * The lexer of Go's text/template (Go 1.23), as kubectl's `-o go-template` reads templates:
 * `{{ }}` actions with `{{-`/`-}}` trimming, comments, fields, variables, strings, numbers.
 */
import { EOF, RuneScanner } from '../rune-scanner.js'

/** ItemType names a token kind. */
export type ItemType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  | 'comment'
  // keywords
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with'

/** Item is one token with its offset and line. */
export interface Item {
  readonly type: ItemType
  readonly pos: number
  readonly val: string
  readonly line: number
}

const KEYWORDS: Record<string, ItemType> = {
  '.': 'dot',
  block: 'block',
  break: 'break',
  continue: 'continue',
  define: 'define',
  else: 'else',
  end: 'end',
  if: 'if',
  range: 'range',
  nil: 'nil',
  template: 'template',
  with: 'with',
}

/** isKeyword says whether a token prints as `<val>` in Go's messages. */
export function isKeyword(t: ItemType): boolean {
  return Object.values(KEYWORDS).includes(t)
}

const LEFT = '{{'
const RIGHT = '}}'
const TRIM = ' -'

const isSpace = (r: string) => r === ' ' || r === '\t' || r === '\r' || r === '\n'
const isAlphaNumeric = (r: string) => r === '_' || /^[\p{L}\p{Nd}]$/u.test(r)

/** goRune is Go's `%#U`. */
export function goRune(r: string): string {
  const hex = r.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')
  return /\p{C}/u.test(r) ? `U+${hex}` : `U+${hex} '${r}'`
}

/** lex turns a template into its tokens, ending with an `eof` or an `error` token. */
export function lex(input: string): Item[] {
  return new Lexer(input).run()
}

class Lexer extends RuneScanner {
  private parenDepth = 0
  private insideAction = false
  private readonly items: Item[] = []

  run(): Item[] {
    let state: (() => unknown) | null = () => this.lexText()
    while (state) state = state() as (() => unknown) | null
    return this.items
  }

  private emit(type: ItemType): void {
    const val = this.input.slice(this.start, this.pos)
    this.items.push({ type, pos: this.start, val, line: this.lineAt(this.start) })
    this.start = this.pos
  }
  private ignore(): void {
    this.start = this.pos
  }
  private errorf(message: string): null {
    this.items.push({ type: 'error', pos: this.start, val: message, line: this.lineAt(this.start) })
    return null
  }
  private lineAt(pos: number): number {
    return 1 + countNewlines(this.input.slice(0, pos))
  }
  private rest(): string {
    return this.input.slice(this.pos)
  }

  private lexText(): (() => unknown) | null {
    const x = this.rest().indexOf(LEFT)
    if (x >= 0) {
      let trimLength = 0
      const delim = this.pos + x
      if (/^\{\{-[ \t\r\n]/.test(this.input.slice(delim))) {
        trimLength = rightTrimLength(this.input.slice(this.pos, delim))
      }
      this.pos = delim
      const textEnd = this.pos - trimLength
      if (textEnd > this.start) {
        const keep = this.pos
        this.pos = textEnd
        this.emit('text')
        this.pos = keep
      }
      this.pos = delim
      this.ignore()
      return () => this.lexLeftDelim()
    }
    this.pos = this.input.length
    if (this.pos > this.start) this.emit('text')
    this.emit('eof')
    return null
  }

  private lexLeftDelim(): (() => unknown) | null {
    this.pos += LEFT.length
    const trimSpace = /^-[ \t\r\n]/.test(this.rest())
    const afterMarker = trimSpace ? TRIM.length : 0
    if (this.input.startsWith('/*', this.pos + afterMarker)) {
      this.pos += afterMarker
      this.ignore()
      return () => this.lexComment()
    }
    this.emit('leftDelim')
    this.pos += afterMarker
    this.ignore()
    this.parenDepth = 0
    this.insideAction = true
    return () => this.lexInsideAction()
  }

  private lexComment(): (() => unknown) | null {
    this.pos += 2
    const x = this.rest().indexOf('*/')
    if (x < 0) return this.errorf('unclosed comment')
    this.pos += x + 2
    const [delim, trimSpace] = this.atRightDelim()
    if (!delim) return this.errorf('comment ends before closing delimiter')
    this.emit('comment')
    if (trimSpace) this.pos += TRIM.length
    this.pos += RIGHT.length
    if (trimSpace) this.pos += leftTrimLength(this.rest())
    this.ignore()
    return () => this.lexText()
  }

  private atRightDelim(): [boolean, boolean] {
    const rest = this.rest()
    if (/^[ \t\r\n]-\}\}/.test(rest)) return [true, true]
    if (rest.startsWith(RIGHT)) return [true, false]
    return [false, false]
  }

  private lexRightDelim(): (() => unknown) | null {
    const [, trimSpace] = this.atRightDelim()
    if (trimSpace) {
      this.pos += TRIM.length
      this.ignore()
    }
    this.pos += RIGHT.length
    this.emit('rightDelim')
    if (trimSpace) {
      this.pos += leftTrimLength(this.rest())
      this.ignore()
    }
    this.insideAction = false
    return () => this.lexText()
  }

  private lexInsideAction(): (() => unknown) | null {
    const [delim] = this.atRightDelim()
    if (delim) {
      if (this.parenDepth === 0) return () => this.lexRightDelim()
      return this.errorf('unclosed left paren')
    }
    const r = this.next()
    if (r === EOF) return this.errorf('unclosed action')
    if (isSpace(r)) {
      this.backup()
      return () => this.lexSpace()
    }
    if (r === '=') this.emit('assign')
    else if (r === ':') {
      if (this.next() !== '=') return this.errorf('expected :=')
      this.emit('declare')
    } else if (r === '|') this.emit('pipe')
    else if (r === '"') return () => this.lexQuote()
    else if (r === '`') return () => this.lexRawQuote()
    else if (r === '$') return () => this.lexVariable()
    else if (r === "'") return () => this.lexChar()
    else if (r === '.' && this.pos < this.input.length && !/[0-9]/.test(this.input[this.pos]!)) {
      return () => this.lexFieldOrVariable('field')
    } else if (r === '.' || r === '+' || r === '-' || /[0-9]/.test(r)) {
      this.backup()
      return () => this.lexNumber()
    } else if (isAlphaNumeric(r)) {
      this.backup()
      return () => this.lexIdentifier()
    } else if (r === '(') {
      this.emit('leftParen')
      this.parenDepth++
    } else if (r === ')') {
      this.emit('rightParen')
      this.parenDepth--
      if (this.parenDepth < 0) return this.errorf('unexpected right paren')
    } else if (r.charCodeAt(0) <= 0x7e && r.charCodeAt(0) >= 0x20) this.emit('char')
    else return this.errorf(`unrecognized character in action: ${goRune(r)}`)
    return () => this.lexInsideAction()
  }

  private lexSpace(): (() => unknown) | null {
    let numSpaces = 0
    for (;;) {
      const r = this.peek()
      if (!isSpace(r)) break
      this.next()
      numSpaces++
    }
    if (this.rest().startsWith('-}}') && numSpaces > 0) {
      this.backup()
      if (numSpaces === 1) return () => this.lexRightDelim()
    }
    this.emit('space')
    return () => this.lexInsideAction()
  }

  private lexIdentifier(): (() => unknown) | null {
    for (;;) {
      const r = this.next()
      if (isAlphaNumeric(r)) continue
      this.backup()
      const word = this.input.slice(this.start, this.pos)
      if (!this.atTerminator()) return this.errorf(`bad character ${goRune(r)}`)
      const kw = KEYWORDS[word]
      if (kw && kw !== 'dot') this.emit(kw)
      else if (word.startsWith('.')) this.emit('field')
      else if (word === 'true' || word === 'false') this.emit('bool')
      else this.emit('identifier')
      return () => this.lexInsideAction()
    }
  }

  private lexVariable(): (() => unknown) | null {
    if (this.atTerminator()) {
      this.emit('variable')
      return () => this.lexInsideAction()
    }
    return this.lexFieldOrVariable('variable')
  }

  private lexFieldOrVariable(type: 'field' | 'variable'): (() => unknown) | null {
    if (this.atTerminator()) {
      this.emit(type === 'variable' ? 'variable' : 'dot')
      return () => this.lexInsideAction()
    }
    let r: string
    for (;;) {
      r = this.next()
      if (!isAlphaNumeric(r)) {
        this.backup()
        break
      }
    }
    if (!this.atTerminator()) return this.errorf(`bad character ${goRune(r)}`)
    this.emit(type)
    return () => this.lexInsideAction()
  }

  private atTerminator(): boolean {
    const r = this.peek()
    if (isSpace(r)) return true
    if ([EOF, '.', ',', '|', ':', ')', '('].includes(r)) return true
    return this.rest().startsWith(RIGHT)
  }

  private lexChar(): (() => unknown) | null {
    for (;;) {
      let r = this.next()
      if (r === '\\') {
        r = this.next()
        if (r !== EOF && r !== '\n') continue
      }
      if (r === EOF || r === '\n') return this.errorf('unterminated character constant')
      if (r === "'") break
    }
    this.emit('charConstant')
    return () => this.lexInsideAction()
  }

  private lexNumber(): (() => unknown) | null {
    if (!this.scanNumber()) {
      return this.errorf(
        `bad number syntax: ${JSON.stringify(this.input.slice(this.start, this.pos))}`,
      )
    }
    this.emit('number')
    return () => this.lexInsideAction()
  }

  private accept(valid: string): boolean {
    const r = this.next()
    if (r !== EOF && valid.includes(r)) return true
    this.backup()
    return false
  }
  private acceptRun(valid: string): void {
    for (;;) {
      const r = this.next()
      if (r === EOF || !valid.includes(r)) break
    }
    this.backup()
  }

  private scanNumber(): boolean {
    this.accept('+-')
    let digits = '0123456789_'
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_'
      else if (this.accept('oO')) digits = '01234567_'
      else if (this.accept('bB')) digits = '01_'
    }
    this.acceptRun(digits)
    if (this.accept('.')) this.acceptRun(digits)
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-')
      this.acceptRun('0123456789_')
    }
    this.accept('i')
    if (isAlphaNumeric(this.peek())) {
      this.next()
      return false
    }
    return true
  }

  private lexQuote(): (() => unknown) | null {
    for (;;) {
      let r = this.next()
      if (r === '\\') {
        r = this.next()
        if (r !== EOF && r !== '\n') continue
      }
      if (r === EOF || r === '\n') return this.errorf('unterminated quoted string')
      if (r === '"') break
    }
    this.emit('string')
    return () => this.lexInsideAction()
  }

  private lexRawQuote(): (() => unknown) | null {
    for (;;) {
      const r = this.next()
      if (r === EOF) return this.errorf('unterminated raw quoted string')
      if (r === '`') break
    }
    this.emit('rawString')
    return () => this.lexInsideAction()
  }
}

function countNewlines(s: string): number {
  let n = 0
  for (const c of s) if (c === '\n') n++
  return n
}

function rightTrimLength(s: string): number {
  return s.length - s.replace(/[ \t\r\n]+$/, '').length
}

function leftTrimLength(s: string): number {
  return s.length - s.replace(/^[ \t\r\n]+/, '').length
}
