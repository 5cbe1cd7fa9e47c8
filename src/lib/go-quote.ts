/**
 * Go's `%q` for strings (strconv.Quote), which apimachinery uses to echo bad values in field
 * errors: printable characters as they are, the usual backslash escapes, `\xHH` for other ASCII
 * controls and `\uHHHH` / `\UHHHHHHHH` for other unprintable characters.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
}

/** isGoPrintable is Go's unicode.IsPrint for one character: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isGoPrintable(char: string): boolean {
  return PRINTABLE.test(char)
}

/** goQuote renders `s` as Go's `%q` does. */
export function goQuote(s: string): string {
  let out = '"'
  for (const char of s) {
    const short = SHORT_ESCAPES[char]
    if (short !== undefined) {
      out += short
      continue
    }
    if (isGoPrintable(char)) {
      out += char
      continue
    }
    const code = char.codePointAt(0) ?? 0
    const hex = code.toString(16)
    if (code < 0x20 || code === 0x7f) out += `\\x${hex.padStart(2, '0')}`
    else if (code < 0x10000) out += `\\u${hex.padStart(4, '0')}`
    else out += `\\U${hex.padStart(8, '0')}`
  }
  return `${out}"`
}

/** goStrings renders a string slice as Go's `%q` does: `["a" "b"]`. */
export function goStrings(values: readonly string[]): string {
  return `[${values.map(goQuote).join(' ')}]`
}
