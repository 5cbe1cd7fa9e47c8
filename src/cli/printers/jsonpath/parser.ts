/**
 * The parser of kubectl's JSONPath dialect (k8s.io/client-go/util/jsonpath), ported rule for
 * rule: `{...}` actions between literal text, `.field`, `[n:m:s]`, `[*]`, `['key']`, unions,
 * `..`, `[?(@.x==y)]` filters, `range`/`end`, quoted text. Its error texts are client-go's.
 */
import { EOF, RuneScanner } from '../rune-scanner.js'

/** ArrayParam is one of a slice's three bounds. */
export interface ArrayParam {
  value: number
  known: boolean
  derived: boolean
}

/** JsonPathNode is a node of the parsed template. */
export type JsonPathNode =
  | ListNode
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'field'; readonly value: string }
  | { readonly type: 'identifier'; readonly name: string }
  | { readonly type: 'array'; readonly params: readonly [ArrayParam, ArrayParam, ArrayParam] }
  | {
      readonly type: 'filter'
      readonly left: ListNode
      readonly right: ListNode
      readonly op: string
    }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'wildcard' }
  | { readonly type: 'recursive' }
  | { readonly type: 'union'; readonly nodes: readonly ListNode[] }

/** ListNode is a sequence of nodes: the template's root, or one action. */
export interface ListNode {
  readonly type: 'list'
  readonly nodes: JsonPathNode[]
}

const DICT_KEY = /^'([^']*)'$/
const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/
const FILTER = /^([^!<>=]+)([!<>=]+)(.+?)$/s

const newList = (): ListNode => ({ type: 'list', nodes: [] })

/** parseJsonPath parses a template; throws an Error with client-go's message when it is invalid. */
export function parseJsonPath(text: string): ListNode {
  return new Parser(text).parse()
}

/** parseAction parses the inside of one action, as client-go's parseAction. */
function parseAction(text: string): ListNode {
  const root = parseJsonPath(`{${text}}`)
  return root.nodes[0] as ListNode
}

function isSpace(r: string): boolean {
  return r === ' ' || r === '\t'
}
function isEndOfLine(r: string): boolean {
  return r === '\r' || r === '\n'
}
function isTerminator(r: string): boolean {
  return isSpace(r) || isEndOfLine(r) || r === EOF || '.,[]$@{}'.includes(r)
}
function isDigit(r: string): boolean {
  return /^\p{Nd}$/u.test(r)
}
function isAlphaNumeric(r: string): boolean {
  return r === '_' || /^[\p{L}\p{Nd}]$/u.test(r)
}

/** goRuneName is Go's `%#U`: U+0023 '#'. */
function goRuneName(r: string): string {
  const hex = r.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')
  return `U+${hex} '${r}'`
}

class Parser extends RuneScanner {
  private root: ListNode = newList()

  parse(): ListNode {
    this.root = newList()
    this.parseText(this.root)
    return this.root
  }

  private consumeText(): string {
    const value = this.input.slice(this.start, this.pos)
    this.start = this.pos
    return value
  }

  private rest(): string {
    return this.input.slice(this.pos)
  }

  private parseText(cur: ListNode): void {
    for (;;) {
      if (this.rest().startsWith('{')) {
        if (this.pos > this.start) cur.nodes.push({ type: 'text', text: this.consumeText() })
        this.parseLeftDelim(cur)
        return
      }
      if (this.next() === EOF) break
    }
    if (this.pos > this.start) cur.nodes.push({ type: 'text', text: this.consumeText() })
  }

  private parseLeftDelim(cur: ListNode): void {
    this.pos += 1
    this.consumeText()
    const node = newList()
    cur.nodes.push(node)
    this.parseInsideAction(node)
  }

  private parseInsideAction(cur: ListNode): void {
    for (;;) {
      const rest = this.rest()
      if (rest.startsWith('}')) return this.parseRightDelim()
      if (rest.startsWith('[?(')) return this.parseFilter(cur)
      if (rest.startsWith('..')) return this.parseRecursive(cur)
      const r = this.next()
      if (r === EOF || isEndOfLine(r)) throw new Error('unclosed action')
      if (r === ' ' || r === '@' || r === '$') {
        this.consumeText()
        continue
      }
      if (r === '[') return this.parseArray(cur)
      if (r === '"' || r === "'") return this.parseQuote(cur, r)
      if (r === '.') return this.parseField(cur)
      if (r === '+' || r === '-' || isDigit(r)) {
        this.backup()
        return this.parseNumber(cur)
      }
      if (isAlphaNumeric(r)) {
        this.backup()
        return this.parseIdentifier(cur)
      }
      throw new Error(`unrecognized character in action: ${goRuneName(r)}`)
    }
  }

  private parseRightDelim(): void {
    this.pos += 1
    this.consumeText()
    this.parseText(this.root)
  }

  private parseIdentifier(cur: ListNode): void {
    for (;;) {
      const r = this.next()
      if (isTerminator(r)) {
        this.backup()
        break
      }
    }
    const value = this.consumeText()
    if (value === 'true' || value === 'false')
      cur.nodes.push({ type: 'bool', value: value === 'true' })
    else cur.nodes.push({ type: 'identifier', name: value })
    this.parseInsideAction(cur)
  }

  private parseRecursive(cur: ListNode): void {
    if (cur.nodes.at(-1)?.type === 'recursive')
      throw new Error('invalid multiple recursive descent')
    this.pos += 2
    this.consumeText()
    cur.nodes.push({ type: 'recursive' })
    if (isAlphaNumeric(this.peek())) return this.parseField(cur)
    this.parseInsideAction(cur)
  }

  private parseNumber(cur: ListNode): void {
    let r = this.peek()
    if (r === '+' || r === '-') this.next()
    for (;;) {
      r = this.next()
      if (r !== '.' && !isDigit(r)) {
        this.backup()
        break
      }
    }
    const value = this.consumeText()
    if (/^[+-]?\d+$/.test(value)) cur.nodes.push({ type: 'int', value: Number(value) })
    else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value))
      cur.nodes.push({ type: 'float', value: Number(value) })
    else throw new Error(`cannot parse number ${value}`)
    this.parseInsideAction(cur)
  }

  private parseArray(cur: ListNode): void {
    for (;;) {
      const r = this.next()
      if (r === EOF || r === '\n') throw new Error('unterminated array')
      if (r === ']') break
    }
    let text = this.consumeText().slice(1, -1)
    if (text === '*') text = ':'
    const parts = text.split(',')
    if (parts.length > 1) {
      const union = parts.map((part) => parseAction(`[${part.trim()}]`))
      cur.nodes.push({ type: 'union', nodes: union })
      return this.parseInsideAction(cur)
    }
    const key = DICT_KEY.exec(text)
    if (key) {
      for (const node of parseAction(`.${key[1]!}`).nodes) cur.nodes.push(node)
      return this.parseInsideAction(cur)
    }
    const slice = SLICE.exec(text)
    if (!slice) throw new Error(`invalid array index ${text}`)
    const params: [ArrayParam, ArrayParam, ArrayParam] = [
      { value: 0, known: false, derived: false },
      { value: 0, known: false, derived: false },
      { value: 0, known: false, derived: false },
    ]
    for (let i = 0; i < 3; i++) {
      let part = slice[i + 1] ?? ''
      if (part !== '') {
        if (i > 0) part = part.slice(1)
        if (i > 0 && part === '') params[i]!.known = false
        else {
          params[i]!.known = true
          params[i]!.value = Number(part)
        }
      } else if (i === 1) {
        params[i] = { known: true, value: params[0].value + 1, derived: true }
      }
    }
    cur.nodes.push({ type: 'array', params })
    this.parseInsideAction(cur)
  }

  private parseFilter(cur: ListNode): void {
    this.pos += 3
    this.consumeText()
    let begin = false
    let end = false
    let pair = ''
    for (;;) {
      const r = this.next()
      if (r === EOF || r === '\n') throw new Error('unterminated filter')
      if (r === '"' || r === "'") {
        if (!begin) {
          begin = true
          pair = r
          continue
        }
        if (this.input[this.pos - 2] !== '\\' && r === pair) end = true
      } else if (r === ')' && begin === end) break
    }
    if (this.next() !== ']') throw new Error('unclosed array expect ]')
    const text = this.consumeText().slice(0, -2)
    const m = FILTER.exec(text)
    if (!m)
      cur.nodes.push({ type: 'filter', left: parseAction(text), right: newList(), op: 'exists' })
    else {
      const left = parseAction(m[1]!)
      const right = parseAction(m[3]!)
      cur.nodes.push({ type: 'filter', left, right, op: m[2]! })
    }
    this.parseInsideAction(cur)
  }

  private parseQuote(cur: ListNode, end: string): void {
    for (;;) {
      const r = this.next()
      if (r === EOF || r === '\n') throw new Error('unterminated quoted string')
      if (r === end && this.input[this.pos - 2] !== '\\') break
    }
    const value = this.consumeText()
    cur.nodes.push({ type: 'text', text: unquoteExtend(value) })
    this.parseInsideAction(cur)
  }

  private parseField(cur: ListNode): void {
    this.consumeText()
    while (this.advance()) {
      // advance consumes the field's runes
    }
    const value = this.consumeText()
    if (value === '*') cur.nodes.push({ type: 'wildcard' })
    else cur.nodes.push({ type: 'field', value: value.replaceAll('\\', '') })
    this.parseInsideAction(cur)
  }

  private advance(): boolean {
    const r = this.next()
    if (r === '\\') this.next()
    else if (isTerminator(r)) {
      this.backup()
      return false
    }
    return true
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\u0007',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
}

/** unquoteExtend is client-go's UnquoteExtend: strconv.Unquote that takes single quotes too. */
export function unquoteExtend(s: string): string {
  const quote = s[0]
  const invalid = () => new Error(`unquote string ${s} error invalid syntax`)
  if (s.length < 2 || quote !== s.at(-1) || (quote !== '"' && quote !== "'")) throw invalid()
  const body = s.slice(1, -1)
  let out = ''
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c === quote) throw invalid()
    if (c !== '\\') {
      out += c
      continue
    }
    const e = body[++i]
    if (e === undefined) throw invalid()
    if (e in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[e]
    else if (e === quote) out += e
    else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8
      const hex = body.slice(i + 1, i + 1 + n)
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw invalid()
      out += String.fromCodePoint(parseInt(hex, 16))
      i += n
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3)
      if (!/^[0-7]{3}$/.test(oct)) throw invalid()
      out += String.fromCharCode(parseInt(oct, 8))
      i += 2
    } else throw invalid()
  }
  return out
}
