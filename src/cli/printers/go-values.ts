/**
 * How Go's fmt and encoding/json print the decoded JSON kubectl hands its template engines
 * (map[string]interface{} trees: integers as int64, other numbers as float64), so that our
 * templates print, and fail, with kubectl's very bytes.
 */
import { byteOrder, goJson, goJsonString, unstructuredNode } from './go-encoding.js'

/** isGoInt says whether a decoded number is an int64 in kubectl's unstructured objects. */
export function isGoInt(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63
}

/** goExponent writes JS exponent notation as Go does: at least two exponent digits. */
function goExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, 'e$10$2')
}

/** goFloatV is `%v` of a float64: shortest digits, exponent form below 1e-4 or from 1e6 up. */
function goFloatV(n: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0' : '0'
  const exp = Number(n.toExponential().split('e')[1])
  if (exp < -4 || exp >= 6) return goExponent(n.toExponential())
  return String(n)
}

/** goNumberV is `%v` of a number as kubectl decoded it. */
export function goNumberV(n: number): string {
  return isGoInt(n) ? n.toFixed(0) : goFloatV(n)
}

function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort(byteOrder)
}

/** goSprint is fmt's `%v` (and `%+v`, `Fprint`) of a decoded JSON value. */
export function goSprint(value: unknown): string {
  if (value === null || value === undefined) return '<nil>'
  if (typeof value === 'string') return value
  if (typeof value === 'number') return goNumberV(value)
  if (typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `[${value.map(goSprint).join(' ')}]`
  const o = value as Record<string, unknown>
  return `map[${sortedKeys(o)
    .map((k) => `${k}:${goSprint(o[k])}`)
    .join(' ')}]`
}

/** goQuote is strconv.Quote for the strings JSON can hold. */
export function goQuote(s: string): string {
  let out = '"'
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (ch === '"' || ch === '\\') out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\u0007') out += '\\a'
    else if (ch === '\b') out += '\\b'
    else if (ch === '\f') out += '\\f'
    else if (ch === '\v') out += '\\v'
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`
    else if (!/[\p{L}\p{M}\p{N}\p{P}\p{S}\u0020]/u.test(ch)) {
      out +=
        c > 0xffff
          ? `\\U${c.toString(16).padStart(8, '0')}`
          : `\\u${c.toString(16).padStart(4, '0')}`
    } else out += ch
  }
  return `${out}"`
}

/** goSharpV is fmt's `%#v` of a decoded JSON value (Go syntax, as interface{} elements). */
export function goSharpV(value: unknown, inInterface = false): string {
  if (value === null || value === undefined) return inInterface ? 'interface {}(nil)' : '<nil>'
  if (typeof value === 'string') return goQuote(value)
  if (typeof value === 'number') return goNumberV(value)
  if (typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) {
    return `[]interface {}{${value.map((v) => goSharpV(v, true)).join(', ')}}`
  }
  const o = value as Record<string, unknown>
  const fields = sortedKeys(o).map((k) => `${goQuote(k)}:${goSharpV(o[k], true)}`)
  return `map[string]interface {}{${fields.join(', ')}}`
}

/** goJsonCompact is json.Marshal of a decoded JSON value: keys in byte order, HTML-safe. */
export function goJsonCompact(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return goJsonString(value)
  if (typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(goJsonCompact).join(',')}]`
  const o = value as Record<string, unknown>
  const fields = sortedKeys(o)
    .filter((k) => o[k] !== undefined)
    .map((k) => `${goJsonString(k)}:${goJsonCompact(o[k])}`)
  return `{${fields.join(',')}}`
}

/** goJsonIndent is json.MarshalIndent(value, "", "    "). */
export function goJsonIndent(value: unknown): string {
  return goJson(unstructuredNode(value))
}

/** goTypeName is reflect's Type.String() of a decoded JSON value. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'interface {}'
  if (typeof value === 'string') return 'string'
  if (typeof value === 'number') return isGoInt(value) ? 'int64' : 'float64'
  if (typeof value === 'boolean') return 'bool'
  return Array.isArray(value) ? '[]interface {}' : 'map[string]interface {}'
}
