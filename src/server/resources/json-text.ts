/**
 * Reading the structure of a compact JSON text (as JSON.stringify writes it, no whitespace)
 * without parsing it: where an object's members and an array's elements start and end, so that
 * a served document can be spliced from a stored one. Every function answers undefined on
 * anything it does not expect; callers then parse the text instead.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d

/** stringEnd returns the end (exclusive) of the string token starting at `i`, or -1. */
export function stringEnd(text: string, i: number): number {
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

/** isKey says whether the key token at [start, end) is `token` (quotes included). */
export function isKey(text: string, start: number, end: number, token: string): boolean {
  return end - start === token.length && text.startsWith(token, start)
}

/** stringAt decodes the string value spanning [start, end), or undefined if it is no string. */
export function stringAt(text: string, start: number, end: number): string | undefined {
  if (text.charCodeAt(start) !== QUOTE) return undefined
  const token = text.slice(start, end)
  return token.includes('\\') ? (JSON.parse(token) as string) : token.slice(1, -1)
}
