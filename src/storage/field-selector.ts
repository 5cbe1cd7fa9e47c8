/**
 * Field selectors as k8s.io/apimachinery/pkg/fields parses them (`field=value`, `field==value`,
 * `field!=value`, comma-separated, `\,` `\=` `\\` escapes), over the two fields every resource
 * supports: metadata.name and metadata.namespace (docs/kubernetes-api.md#lists-and-selectors).
 */
import { InvalidSelectorError } from './store.js'

/** SelectableField is a field the store can select on. */
export type SelectableField = 'metadata.name' | 'metadata.namespace'

/** FieldRequirement is one term of a field selector. */
export interface FieldRequirement {
  readonly field: SelectableField
  readonly operator: '=' | '!='
  readonly value: string
}

/** FieldSelector is a parsed field selector: every requirement must hold. */
export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[]
  readonly empty: boolean
  /** matches tests an object's key fields (namespace is '' for cluster-scoped objects). */
  matches(namespace: string, name: string): boolean
}

const FIELDS: ReadonlySet<string> = new Set<SelectableField>([
  'metadata.name',
  'metadata.namespace',
])
// Order matters: `!=` and `==` before `=` (fields/selector.go termOperators).
const OPERATORS = ['!=', '==', '='] as const

function splitTerms(selector: string): string[] {
  const terms: string[] = []
  let start = 0
  let escaped = false
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i]
    if (escaped) escaped = false
    else if (c === '\\') escaped = true
    else if (c === ',') {
      terms.push(selector.slice(start, i))
      start = i + 1
    }
  }
  terms.push(selector.slice(start))
  return terms
}

function unescape(selector: string, value: string): string {
  let out = ''
  let escaped = false
  for (const c of value) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new InvalidSelectorError('field', selector, `invalid escape sequence '\\${c}'`)
      }
      out += c
      escaped = false
    } else if (c === '\\') {
      escaped = true
    } else if (c === ',' || c === '=') {
      throw new InvalidSelectorError(
        'field',
        selector,
        `unescaped '${c}' in value ${JSON.stringify(value)}`,
      )
    } else {
      out += c
    }
  }
  if (escaped) throw new InvalidSelectorError('field', selector, "invalid escape sequence '\\'")
  return out
}

function splitTerm(term: string): [string, (typeof OPERATORS)[number], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)]
    }
  }
  return undefined
}

/** parseFieldSelector parses a field selector; throws InvalidSelector naming it. */
export function parseFieldSelector(selector: string): FieldSelector {
  const requirements: FieldRequirement[] = []
  for (const term of selector === '' ? [] : splitTerms(selector)) {
    if (term === '') continue
    const parts = splitTerm(term)
    if (!parts) {
      throw new InvalidSelectorError('field', selector, `can't understand ${JSON.stringify(term)}`)
    }
    const [field, op, raw] = parts
    if (!FIELDS.has(field)) {
      throw new InvalidSelectorError('field', selector, `field label not supported: ${field}`)
    }
    requirements.push({
      field: field as SelectableField,
      operator: op === '!=' ? '!=' : '=',
      value: unescape(selector, raw),
    })
  }
  return {
    requirements,
    empty: requirements.length === 0,
    matches(namespace, name) {
      return requirements.every((r) => {
        const actual = r.field === 'metadata.name' ? name : namespace
        return r.operator === '=' ? actual === r.value : actual !== r.value
      })
    },
  }
}
