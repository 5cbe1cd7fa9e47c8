/**
 * Duplicate keys in a JSON body: JSON.parse keeps the last silently, but the apiserver's strict
 * decoding reports them (`fieldValidation=Strict` → 400 `duplicate field "spec.tags[0].name"`,
 * Warn → a warning; docs/kubernetes-api.md#decoding-and-field-validation). This scans the raw text
 * once, without building values; the text has already parsed, so it is well-formed JSON. YAML
 * bodies need no scan: their parser refuses duplicate keys outright.
 */

interface Frame {
  readonly kind: 'object' | 'array'
  /** The container this one is a value of, and where in it: its path is built only when needed. */
  readonly parent: Frame | undefined
  readonly at: string | number | undefined
  readonly keys: Set<string> | undefined
  index: number
  /** In an object: the key whose value comes next, or undefined while a key is expected. */
  key: string | undefined
}

function pathOf(frame: Frame | undefined): string {
  if (frame?.parent === undefined) return ''
  const base = pathOf(frame.parent)
  if (typeof frame.at === 'number') return `${base}[${frame.at}]`
  return base === '' ? (frame.at ?? '') : `${base}.${frame.at ?? ''}`
}

const QUOTE = 0x22
const BACKSLASH = 0x5c

/** readString returns the end index (after the closing quote) of the string starting at `start`. */
function readString(text: string, start: number): number {
  let i = start + 1
  for (;;) {
    const quote = text.indexOf('"', i)
    if (quote === -1) return text.length
    // The quote is escaped when an odd number of backslashes precede it.
    let slashes = 0
    while (text.charCodeAt(quote - 1 - slashes) === BACKSLASH) slashes++
    if (slashes % 2 === 0) return quote + 1
    i = quote + 1
  }
}

/** keyText is a key's value; only one with escapes needs decoding. */
function keyText(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1)
  return raw.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : raw
}

/** duplicateFields lists the paths of keys that appear twice in the same object, in order. */
export function duplicateFields(text: string): string[] {
  const found: string[] = []
  const stack: Frame[] = []
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    const top = stack[stack.length - 1]
    if (c === QUOTE) {
      const end = readString(text, i)
      if (top?.kind === 'object' && top.key === undefined) {
        const key = keyText(text, i, end)
        const keys = top.keys!
        if (keys.has(key)) {
          const path = pathOf(top)
          found.push(path === '' ? key : `${path}.${key}`)
        }
        keys.add(key)
        top.key = key
      }
      i = end
      continue
    }
    if (c === 0x7b || c === 0x5b) {
      const object = c === 0x7b
      stack.push({
        kind: object ? 'object' : 'array',
        parent: top,
        at: top === undefined ? undefined : top.kind === 'array' ? top.index : top.key,
        keys: object ? new Set() : undefined,
        index: 0,
        key: undefined,
      })
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop()
    } else if (c === 0x2c && top) {
      if (top.kind === 'array') top.index++
      else top.key = undefined
    }
    i++
  }
  return found
}
