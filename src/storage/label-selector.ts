/**
 * Kubernetes label selectors, parsed with the grammar and error cases of
 * k8s.io/apimachinery/pkg/labels/selector.go so that `kubectl get -l` behaves the same here:
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma-separated
 * (all must hold).
 */
import { InvalidSelectorError } from './store.js'

/** LabelOperator is the operator of one requirement. */
export type LabelOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt'

/** LabelRequirement is one comma-separated term of a selector. */
export interface LabelRequirement {
  readonly key: string
  readonly operator: LabelOperator
  /** One value for =, !=, gt, lt; the set for in and notin; none for exists and !. */
  readonly values: readonly string[]
}

/** LabelSelector is a parsed selector: an object matches when every requirement holds. */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[]
  /** empty is true for the selector that matches everything (''). */
  readonly empty: boolean
  /** matches tests an object's labels (absent labels are an empty map). */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean
}

type TokenKind =
  'end' | 'ident' | 'in' | 'notin' | '!' | '!=' | '=' | '==' | '>' | '<' | '(' | ')' | ','

interface Token {
  readonly kind: TokenKind
  readonly text: string
}

// The lexer's special characters (selector.go `isSpecialSymbol`); identifiers are runs of
// anything else that is not whitespace, so `a.b/c-d_e` lexes as one identifier.
const SPECIAL = new Set(['!', '=', '>', '<', '(', ')', ','])
const WHITESPACE = /\s/

function tokenize(input: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    const c = input[i] as string
    if (WHITESPACE.test(c)) {
      i++
    } else if (SPECIAL.has(c)) {
      const two = input.slice(i, i + 2)
      if (two === '!=' || two === '==') {
        tokens.push({ kind: two, text: two })
        i += 2
      } else {
        tokens.push({ kind: c as TokenKind, text: c })
        i++
      }
    } else {
      let j = i
      while (
        j < input.length &&
        !SPECIAL.has(input[j] as string) &&
        !WHITESPACE.test(input[j] as string)
      )
        j++
      const text = input.slice(i, j)
      tokens.push({ kind: text === 'in' || text === 'notin' ? text : 'ident', text })
      i = j
    }
  }
  tokens.push({ kind: 'end', text: '' })
  return tokens
}

// Validation of keys and values (k8s.io/apimachinery/pkg/util/validation): a qualified name
// with an optional DNS-subdomain prefix; a value is empty or a 63-character name.
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

function keyProblem(key: string): string | undefined {
  const slash = key.indexOf('/')
  const prefix = slash < 0 ? undefined : key.slice(0, slash)
  const name = slash < 0 ? key : key.slice(slash + 1)
  if (
    prefix !== undefined &&
    (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
  ) {
    return `invalid label key ${JSON.stringify(key)}: the prefix must be a DNS subdomain`
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return (
      `invalid label key ${JSON.stringify(key)}: a name is at most 63 alphanumeric characters, ` +
      "'-', '_' or '.', starting and ending with an alphanumeric character"
    )
  }
  return undefined
}

function valueProblem(value: string): string | undefined {
  if (value === '') return undefined
  if (value.length > 63 || !NAME.test(value)) {
    return (
      `invalid label value ${JSON.stringify(value)}: at most 63 alphanumeric characters, ` +
      "'-', '_' or '.', starting and ending with an alphanumeric character"
    )
  }
  return undefined
}

const INTEGER = /^[+-]?\d+$/

class Parser {
  private readonly input: string
  private readonly tokens: Token[]
  private pos = 0

  constructor(input: string) {
    this.input = input
    this.tokens = tokenize(input)
  }

  fail(problem: string): never {
    throw new InvalidSelectorError('label', this.input, problem)
  }

  // In a value position the keywords are plain identifiers (selector.go's Values context).
  peek(values = false): Token {
    const t = this.tokens[this.pos] as Token
    return values && (t.kind === 'in' || t.kind === 'notin') ? { kind: 'ident', text: t.text } : t
  }

  next(values = false): Token {
    const t = this.peek(values)
    this.pos++
    return t
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = []
    for (;;) {
      const t = this.peek()
      if (t.kind === 'end') return requirements
      if (t.kind !== 'ident' && t.kind !== '!') {
        this.fail(`found '${t.text}', expected: !, identifier, or 'end of string'`)
      }
      requirements.push(this.requirement())
      const after = this.next()
      if (after.kind === 'end') return requirements
      if (after.kind !== ',') this.fail(`found '${after.text}', expected: ',' or 'end of string'`)
      const following = this.peek()
      if (following.kind !== 'ident' && following.kind !== '!') {
        this.fail(`found '${following.text}', expected: identifier after ','`)
      }
    }
  }

  requirement(): LabelRequirement {
    const negated = this.peek().kind === '!'
    if (negated) this.next()
    const keyToken = this.next()
    if (keyToken.kind !== 'ident') this.fail(`found '${keyToken.text}', expected: identifier`)
    const key = keyToken.text
    const problem = keyProblem(key)
    if (problem) this.fail(problem)
    if (negated) return { key, operator: '!', values: [] }
    const t = this.peek()
    if (t.kind === 'end' || t.kind === ',') return { key, operator: 'exists', values: [] }

    const op = this.next()
    let operator: LabelOperator
    let values: string[]
    switch (op.kind) {
      case '=':
      case '==':
        operator = '='
        values = [this.exactValue()]
        break
      case '!=':
        operator = '!='
        values = [this.exactValue()]
        break
      case '>':
      case '<':
        operator = op.kind === '>' ? 'gt' : 'lt'
        values = [this.exactValue()]
        if (!INTEGER.test(values[0] as string)) {
          this.fail(`for '${op.kind}' the value must be an integer, got '${values[0]}'`)
        }
        return { key, operator, values }
      case 'in':
      case 'notin':
        operator = op.kind
        values = this.valueSet()
        break
      case ',':
      case '!':
      case '(':
      case ')':
      case 'end':
      case 'ident':
        return this.fail(`found '${op.text}', expected: in, notin, =, ==, !=, >, <`)
    }
    for (const v of values) {
      const vp = valueProblem(v)
      if (vp) this.fail(vp)
    }
    return { key, operator, values }
  }

  // `a=` (nothing before ',' or the end) is the empty value, as in Kubernetes.
  exactValue(): string {
    const t = this.peek(true)
    if (t.kind === 'end' || t.kind === ',') return ''
    this.next(true)
    if (t.kind !== 'ident') this.fail(`found '${t.text}', expected: identifier`)
    return t.text
  }

  // Kubernetes reads `()`, `(,x)`, `(x,)` and `(x,,y)` as containing the empty value.
  valueSet(): string[] {
    const open = this.next(true)
    if (open.kind !== '(') this.fail(`found '${open.text}', expected: '('`)
    const set = new Set<string>()
    if (this.peek(true).kind === ')') {
      this.next(true)
      return ['']
    }
    for (;;) {
      const t = this.next(true)
      if (t.kind === 'ident') {
        set.add(t.text)
        const after = this.next(true)
        if (after.kind === ')') return [...set]
        if (after.kind !== ',') this.fail(`found '${after.text}', expected: ',' or ')'`)
        if (this.peek(true).kind === ')') {
          this.next(true)
          set.add('')
          return [...set]
        }
      } else if (t.kind === ',') {
        set.add('')
        if (this.peek(true).kind === ')') {
          this.next(true)
          return [...set]
        }
      } else {
        this.fail(`found '${t.text}', expected: ',', or identifier`)
      }
    }
  }
}

function requirementMatches(
  r: LabelRequirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const has = Object.hasOwn(labels, r.key)
  const value = has ? labels[r.key] : undefined
  switch (r.operator) {
    case '=':
    case 'in':
      return value !== undefined && r.values.includes(value)
    case '!=':
    case 'notin':
      return value === undefined || !r.values.includes(value)
    case 'exists':
      return has
    case '!':
      return !has
    case 'gt':
    case 'lt': {
      if (value === undefined || !INTEGER.test(value)) return false
      const have = BigInt(value)
      const want = BigInt(r.values[0] as string)
      return r.operator === 'gt' ? have > want : have < want
    }
  }
}

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({})

/** parseLabelSelector parses a Kubernetes label selector; throws InvalidSelector naming it. */
export function parseLabelSelector(selector: string): LabelSelector {
  const requirements = new Parser(selector).parse()
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (labels) => requirements.every((r) => requirementMatches(r, labels ?? NO_LABELS)),
  }
}
