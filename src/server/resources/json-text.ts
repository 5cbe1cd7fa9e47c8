/**
 * Reading the structure of a compact JSON text (as JSON.stringify writes it, no whitespace)
 * without parsing it: where an object's members and an array's elements start and end, so that
 * a served document can be spliced from a stored one. Every function answers undefined on
 * anything it does not expect; callers then parse the text instead.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d

/** Member is one `"key":value` of an object: `key` is the raw key token, quotes included. */
export interface Member {
  readonly key: string
  readonly start: number
  readonly valueStart: number
  readonly end: number
}

/** Span is where one JSON value starts and ends (exclusive) in its text. */
export interface Span {
  readonly start: number
  readonly end: number
}

// The end (exclusive) of the string token starting at `i`, or -1.
function stringEnd(text: string, i: number): number {
  for (let from = i + 1; ;) {
    const quote = text.indexOf('"', from)
    if (quote < 0) return -1
    let backslashes = 0
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return quote + 1
    from = quote + 1
  }
}

/** valueEnd returns the end (exclusive) of the value starting at `i`, or -1. */
export function valueEnd(text: string, i: number): number {
  const first = text.charCodeAt(i)
  if (first === QUOTE) return stringEnd(text, i)
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    let j = i
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j)
      if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY) break
    }
    return j === i ? -1 : j
  }
  let depth = 0
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j)
    if (c === QUOTE) {
      j = stringEnd(text, j) - 1
      if (j < 0) return -1
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (--depth === 0) return j + 1
    }
  }
  return -1
}

/** members lists the members of the object starting at `start`. */
export function members(text: string, start: number): Member[] | undefined {
  if (text.charCodeAt(start) !== OPEN_OBJECT) return undefined
  const found: Member[] = []
  let i = start + 1
  if (text.charCodeAt(i) === CLOSE_OBJECT) return found
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined
    const keyEnd = stringEnd(text, i)
    if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return undefined
    const end = valueEnd(text, keyEnd + 1)
    if (end < 0) return undefined
    found.push({ key: text.slice(i, keyEnd), start: i, valueStart: keyEnd + 1, end })
    const next = text.charCodeAt(end)
    if (next === CLOSE_OBJECT) return found
    if (next !== COMMA) return undefined
    i = end + 1
  }
}

/** elements lists the elements of the array starting at `start`. */
export function elements(text: string, start: number): Span[] | undefined {
  if (text.charCodeAt(start) !== OPEN_ARRAY) return undefined
  const found: Span[] = []
  let i = start + 1
  if (text.charCodeAt(i) === CLOSE_ARRAY) return found
  for (;;) {
    const end = valueEnd(text, i)
    if (end < 0) return undefined
    found.push({ start: i, end })
    const next = text.charCodeAt(end)
    if (next === CLOSE_ARRAY) return found
    if (next !== COMMA) return undefined
    i = end + 1
  }
}

/** stringAt decodes the string value spanning [start, end), or undefined if it is no string. */
export function stringAt(text: string, start: number, end: number): string | undefined {
  if (text.charCodeAt(start) !== QUOTE) return undefined
  const token = text.slice(start, end)
  return token.includes('\\') ? (JSON.parse(token) as string) : token.slice(1, -1)
}

/** memberNamed finds the member whose key is `name` (a plain key, no escapes). */
export function memberNamed(found: readonly Member[], name: string): Member | undefined {
  const key = `"${name}"`
  return found.find((m) => m.key === key)
}
