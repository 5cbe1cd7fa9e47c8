/**
 * The parser of Go's text/template (Go 1.23), for the templates kubectl users write: actions,
 * pipelines, variables, parenthesised pipelines, if/else if/else, range (with else, break and
 * continue), with/else with. `define`, `template` and `block` are refused as unsupported.
 * Error texts are Go's (`template: output:LINE: ...`).
 */
import { isKeyword, lex, type Item, type ItemType } from './lexer.js'
import { goQuote } from '../go-values.js'

/** TemplateNode is a node of a parsed template. */
export type TemplateNode =
  | { readonly type: 'list'; readonly pos: number; readonly nodes: TemplateNode[] }
  | { readonly type: 'text'; readonly pos: number; readonly text: string }
  | { readonly type: 'action'; readonly pos: number; readonly pipe: PipeNode }
  | ControlNode
  | { readonly type: 'break' | 'continue'; readonly pos: number }
  | { readonly type: 'comment'; readonly pos: number }

/** ControlNode is an if, range or with. */
export interface ControlNode {
  readonly type: 'if' | 'range' | 'with'
  readonly pos: number
  readonly pipe: PipeNode
  readonly list: ListNode
  readonly elseList: ListNode | undefined
}

/** ListNode is a sequence of nodes. */
export type ListNode = Extract<TemplateNode, { type: 'list' }>

/** PipeNode is a pipeline with its declarations. */
export interface PipeNode {
  readonly type: 'pipe'
  readonly pos: number
  readonly decl: VariableNode[]
  isAssign: boolean
  readonly cmds: CommandNode[]
}

/** CommandNode is one stage of a pipeline. */
export interface CommandNode {
  readonly type: 'command'
  readonly pos: number
  readonly args: ArgNode[]
}

/** VariableNode is `$x.a.b`. */
export interface VariableNode {
  readonly type: 'variable'
  readonly pos: number
  readonly ident: string[]
}

/** ArgNode is an operand of a command. */
export type ArgNode =
  | { readonly type: 'field'; readonly pos: number; readonly ident: string[] }
  | VariableNode
  | {
      readonly type: 'chain'
      readonly pos: number
      readonly node: ArgNode
      readonly field: string[]
    }
  | { readonly type: 'identifier'; readonly pos: number; readonly ident: string }
  | { readonly type: 'dot'; readonly pos: number }
  | { readonly type: 'nil'; readonly pos: number }
  | { readonly type: 'bool'; readonly pos: number; readonly value: boolean }
  | {
      readonly type: 'number'
      readonly pos: number
      readonly text: string
      readonly value: number
      readonly isInt: boolean
    }
  | {
      readonly type: 'string'
      readonly pos: number
      readonly quoted: string
      readonly text: string
    }
  | PipeNode

/** Parsed is a template ready to run: its tree and its source, for error positions. */
export interface Parsed {
  readonly root: ListNode
  readonly text: string
  readonly name: string
}

/** parseTemplate parses `text` with the given functions known; throws Go's parse error. */
export function parseTemplate(name: string, text: string, funcs: ReadonlySet<string>): Parsed {
  return { root: new Parser(name, text, funcs).parse(), text, name }
}

/** tokenText is Go's item.String(), used in "unexpected ..." messages. */
function tokenText(t: Item): string {
  if (t.type === 'eof') return 'EOF'
  if (t.type === 'error') return t.val
  if (isKeyword(t.type)) return `<${t.val}>`
  if ([...t.val].length > 10) return `${goQuote([...t.val].slice(0, 10).join(''))}...`
  return goQuote(t.val)
}

/** nodeText is Go's Node.String(), used in execution errors. */
export function nodeText(n: ArgNode | CommandNode): string {
  switch (n.type) {
    case 'field':
      return n.ident.map((i) => `.${i}`).join('')
    case 'variable':
      return n.ident.join('.')
    case 'chain': {
      const inner = n.node.type === 'pipe' ? `(${nodeText(n.node)})` : nodeText(n.node)
      return inner + n.field.map((f) => `.${f}`).join('')
    }
    case 'identifier':
      return n.ident
    case 'dot':
      return '.'
    case 'nil':
      return 'nil'
    case 'bool':
      return String(n.value)
    case 'number':
      return n.text
    case 'string':
      return n.quoted
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeText(a)})` : nodeText(a))).join(' ')
    case 'pipe': {
      const decl =
        n.decl.length > 0 ? `${n.decl.map(nodeText).join(', ')} ${n.isAssign ? '=' : ':='} ` : ''
      return decl + n.cmds.map(nodeText).join(' | ')
    }
  }
}

type EndNode = { type: 'end'; pos: number } | { type: 'else'; pos: number }

class Parser {
  private readonly items: Item[]
  private index = 0
  private vars: string[] = ['$']
  private rangeDepth = 0
  private last: Item

  private readonly name: string
  private readonly funcs: ReadonlySet<string>

  constructor(name: string, text: string, funcs: ReadonlySet<string>) {
    this.name = name
    this.funcs = funcs
    this.items = lex(text)
    this.last = this.items[0]!
  }

  private errorf(message: string): never {
    throw new Error(`template: ${this.name}:${this.last.line}: ${message}`)
  }

  private next(): Item {
    const item = this.items[Math.min(this.index, this.items.length - 1)]!
    this.index++
    this.last = item
    return item
  }
  private backup(n = 1): void {
    this.index -= n
  }
  private peek(): Item {
    return this.items[Math.min(this.index, this.items.length - 1)]!
  }
  private nextNonSpace(): Item {
    let t: Item
    do t = this.next()
    while (t.type === 'space')
    return t
  }
  private peekNonSpace(): Item {
    const t = this.nextNonSpace()
    this.backup()
    return t
  }
  private unexpected(t: Item, context: string): never {
    if (t.type === 'error') this.errorf(tokenText(t))
    this.errorf(`unexpected ${tokenText(t)} in ${context}`)
  }
  private expect(type: ItemType, context: string): Item {
    const t = this.nextNonSpace()
    if (t.type !== type) this.unexpected(t, context)
    return t
  }

  parse(): ListNode {
    const root: ListNode = { type: 'list', pos: this.peek().pos, nodes: [] }
    while (this.peek().type !== 'eof') {
      const n = this.textOrAction()
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected {{${n.type}}}`)
      root.nodes.push(n)
    }
    return root
  }

  private itemList(): [ListNode, EndNode] {
    const list: ListNode = { type: 'list', pos: this.peekNonSpace().pos, nodes: [] }
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction()
      if (n.type === 'end' || n.type === 'else') return [list, n]
      list.nodes.push(n)
    }
    this.errorf('unexpected EOF')
  }

  private textOrAction(): TemplateNode | EndNode {
    const t = this.nextNonSpace()
    if (t.type === 'text') return { type: 'text', pos: t.pos, text: t.val }
    if (t.type === 'leftDelim') return this.action()
    if (t.type === 'comment') return { type: 'comment', pos: t.pos }
    this.unexpected(t, 'input')
  }

  private action(): TemplateNode | EndNode {
    const t = this.nextNonSpace()
    const type = t.type
    if (type === 'block' || type === 'define' || type === 'template') {
      this.errorf(`{{${t.val}}} is not supported by isctl`)
    }
    if (type === 'break' || type === 'continue') {
      if (this.rangeDepth === 0) this.errorf(`{{${t.val}}} outside {{range}}`)
      this.expect('rightDelim', `{{${t.val}}}`)
      return { type, pos: t.pos }
    }
    if (type === 'else') {
      const peek = this.peekNonSpace()
      if (peek.type === 'if' || peek.type === 'with') return { type: 'else', pos: peek.pos }
      return { type: 'else', pos: this.expect('rightDelim', 'else').pos }
    }
    if (type === 'end') return { type: 'end', pos: this.expect('rightDelim', 'end').pos }
    if (type === 'if' || type === 'range' || type === 'with') return this.control(type)
    this.backup()
    return { type: 'action', pos: this.peek().pos, pipe: this.pipeline('command', 'rightDelim') }
  }

  private control(context: 'if' | 'range' | 'with'): TemplateNode {
    const mark = this.vars.length
    const pipe = this.pipeline(context, 'rightDelim')
    if (context === 'range') this.rangeDepth++
    const [list, next] = this.itemList()
    if (context === 'range') this.rangeDepth--
    let elseList: ListNode | undefined
    if (next.type === 'else') {
      const peek = this.peek()
      if (context !== 'range' && peek.type === context) {
        this.next()
        elseList = { type: 'list', pos: next.pos, nodes: [this.control(context)] }
      } else {
        const [l, end] = this.itemList()
        if (end.type !== 'end') this.errorf(`expected end; found {{${end.type}}}`)
        elseList = l
      }
    }
    this.vars.length = mark
    return { type: context, pos: pipe.pos, pipe, list, elseList }
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const pipe: PipeNode = {
      type: 'pipe',
      pos: this.peekNonSpace().pos,
      decl: [],
      isAssign: false,
      cmds: [],
    }
    for (;;) {
      const v = this.peekNonSpace()
      if (v.type !== 'variable') break
      this.nextNonSpace()
      const next = this.peekNonSpace()
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign'
        this.nextNonSpace()
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: v.val.split('.') })
        this.vars.push(v.val)
        break
      }
      if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace()
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: v.val.split('.') })
        this.vars.push(v.val)
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().type
          if (p === 'variable' || p === 'rightDelim' || p === 'rightParen') continue
          this.errorf('range can only initialize variables')
        }
        this.errorf(`too many declarations in ${context}`)
      }
      // Not a declaration: put the variable (and the space after it) back.
      this.index = this.items.indexOf(v)
      break
    }
    for (;;) {
      const t = this.nextNonSpace()
      if (t.type === end) {
        if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`)
        pipe.cmds.slice(1).forEach((c, i) => {
          if (['bool', 'dot', 'nil', 'number', 'string'].includes(c.args[0]!.type)) {
            this.errorf(`non executable command in pipeline stage ${i + 2}`)
          }
        })
        return pipe
      }
      const starts: ItemType[] = [
        'bool',
        'charConstant',
        'dot',
        'field',
        'identifier',
        'number',
        'nil',
        'rawString',
        'string',
        'variable',
        'leftParen',
      ]
      if (!starts.includes(t.type)) this.unexpected(t, context)
      this.backup()
      pipe.cmds.push(this.command())
    }
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, args: [] }
    for (;;) {
      this.peekNonSpace()
      const operand = this.operand()
      if (operand) cmd.args.push(operand)
      const t = this.next()
      if (t.type === 'space') continue
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.backup()
      else if (t.type !== 'pipe') this.unexpected(t, 'operand')
      break
    }
    if (cmd.args.length === 0) this.errorf('empty command')
    return cmd
  }

  private operand(): ArgNode | undefined {
    const node = this.term()
    if (!node) return undefined
    if (this.peek().type !== 'field') return node
    const pos = this.peek().pos
    const fields: string[] = []
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1))
    if (node.type === 'field') return { type: 'field', pos, ident: [...node.ident, ...fields] }
    if (node.type === 'variable')
      return { type: 'variable', pos, ident: [...node.ident, ...fields] }
    if (['bool', 'string', 'number', 'nil', 'dot'].includes(node.type)) {
      this.errorf(`unexpected . after term ${goQuote(nodeText(node))}`)
    }
    return { type: 'chain', pos, node, field: fields }
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace()
    const pos = t.pos
    if (t.type === 'identifier') {
      if (!this.funcs.has(t.val)) this.errorf(`function ${goQuote(t.val)} not defined`)
      return { type: 'identifier', pos, ident: t.val }
    }
    if (t.type === 'dot') return { type: 'dot', pos }
    if (t.type === 'nil') return { type: 'nil', pos }
    if (t.type === 'variable') {
      const ident = t.val.split('.')
      if (!this.vars.includes(ident[0]!)) this.errorf(`undefined variable ${goQuote(ident[0]!)}`)
      return { type: 'variable', pos, ident }
    }
    if (t.type === 'field') return { type: 'field', pos, ident: [t.val.slice(1)] }
    if (t.type === 'bool') return { type: 'bool', pos, value: t.val === 'true' }
    if (t.type === 'number' || t.type === 'charConstant') return this.number(t)
    if (t.type === 'leftParen') return this.pipeline('parenthesized pipeline', 'rightParen')
    if (t.type === 'string' || t.type === 'rawString') {
      const text = unquote(t.val, () => this.errorf('invalid syntax'))
      return { type: 'string', pos, quoted: t.val, text }
    }
    this.backup()
    return undefined
  }

  private number(t: Item): ArgNode {
    if (t.type === 'charConstant') {
      const text = unquote(`"${t.val.slice(1, -1)}"`, () =>
        this.errorf(`malformed character constant: ${t.val}`),
      )
      return { type: 'number', pos: t.pos, text: t.val, value: text.codePointAt(0)!, isInt: true }
    }
    const clean = t.val.replaceAll('_', '')
    if (/^[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|\d+)$/.test(clean)) {
      const neg = clean.startsWith('-')
      const body = clean.replace(/^[+-]/, '')
      const value = /^0[0-7]+$/.test(body)
        ? parseInt(body, 8)
        : Number(body.replace(/^0[oO]/, '0o'))
      return { type: 'number', pos: t.pos, text: t.val, value: neg ? -value : value, isInt: true }
    }
    const value = Number(clean)
    if (Number.isNaN(value) || clean.endsWith('i'))
      this.errorf(`illegal number syntax: ${goQuote(t.val)}`)
    return { type: 'number', pos: t.pos, text: t.val, value, isInt: false }
  }
}

/** unquote is strconv.Unquote for "..." and `...` strings. */
function unquote(s: string, fail: () => never): string {
  if (s.startsWith('`')) return s.slice(1, -1)
  try {
    return JSON.parse(
      s
        .replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')
        .replace(/\\([abfv])/g, (_m, c: string) => {
          return { a: '\\u0007', b: '\\b', f: '\\f', v: '\\u000b' }[c] ?? ''
        })
        .replace(/\\'/g, "'"),
    ) as string
  } catch {
    return fail()
  }
}
