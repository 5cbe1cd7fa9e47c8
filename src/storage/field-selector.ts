/**
 * Field selectors as k8s.io/apimachinery/pkg/fields parses them (`field=value`, `field==value`,
 * `field!=value`, comma-separated, `\,` `\=` `\\` escapes), over the two fields every resource
 * supports, metadata.name and metadata.namespace, plus the fields a resource declares
 * (ObjectFields: an Event's `involvedObject.name`, `reason`, ..., as kube-apiserver's
 * per-kind field label sets; docs/kubernetes-api.md#lists-and-selectors).
 */
import { InvalidSelectorError, type StoredObject } from './store.js'

/** SelectableField is a field every resource can select on. */
export type SelectableField = 'metadata.name' | 'metadata.namespace'

/**
 * ObjectFields are the fields a resource can be selected on beyond its name and namespace; the
 * store stays generic: the resource's owner says which fields exist and how to read them.
 */
export interface ObjectFields {
  /** The field labels the resource accepts, as clients spell them. */
  readonly names: ReadonlySet<string>
  /** valueOf reads one of those fields of a stored object ('' when the object has none). */
  valueOf(object: StoredObject, field: string): string
}

/** FieldRequirement is one term of a field selector. */
export interface FieldRequirement {
  /** A SelectableField or one of the resource's ObjectFields. */
  readonly field: string
  readonly operator: '=' | '!='
  readonly value: string
}

/** FieldSelector is a parsed field selector: every requirement must hold. */
export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[]
  readonly empty: boolean
  /** readsObject is true when a requirement needs the object itself, not only its key. */
  readonly readsObject: boolean
  /**
   * matches tests an object's key fields (namespace is '' for cluster-scoped objects) and, when
   * readsObject, the object's own fields.
   */
  matches(namespace: string, name: string, object?: StoredObject): boolean
}

const KEY_FIELDS: ReadonlySet<string> = new Set<SelectableField>([
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

/** parseFieldSelector parses a field selector over the key fields and `fields`; throws InvalidSelector naming it. */
export function parseFieldSelector(selector: string, fields?: ObjectFields): FieldSelector {
  const requirements: FieldRequirement[] = []
  for (const term of selector === '' ? [] : splitTerms(selector)) {
    if (term === '') continue
    const parts = splitTerm(term)
    if (!parts) {
      throw new InvalidSelectorError('field', selector, `can't understand ${JSON.stringify(term)}`)
    }
    const [field, op, raw] = parts
    if (!KEY_FIELDS.has(field) && !fields?.names.has(field)) {
      throw new InvalidSelectorError('field', selector, `field label not supported: ${field}`)
    }
    requirements.push({
      field,
      operator: op === '!=' ? '!=' : '=',
      value: unescape(selector, raw),
    })
  }
  const valueOf = (field: string, namespace: string, name: string, object?: StoredObject) => {
    if (field === 'metadata.name') return name
    if (field === 'metadata.namespace') return namespace
    return object && fields ? fields.valueOf(object, field) : ''
  }
  return {
    requirements,
    empty: requirements.length === 0,
    readsObject: requirements.some((r) => !KEY_FIELDS.has(r.field)),
    matches(namespace, name, object) {
      return requirements.every((r) => {
        const actual = valueOf(r.field, namespace, name, object)
        return r.operator === '=' ? actual === r.value : actual !== r.value
      })
    },
  }
}
