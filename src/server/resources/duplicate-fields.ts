/**
 * Duplicate keys in a JSON body: JSON.parse keeps the last silently, but the apiserver's strict
 * decoding reports them (`fieldValidation=Strict` → 400 `duplicate field "spec.tags[0].name"`,
 * Warn → a warning; docs/kubernetes-api.md#decoding-and-field-validation). This scans the raw text
 * once, without building values; the text has already parsed, so it is well-formed JSON. YAML
 * bodies need no scan: their parser refuses duplicate keys outright.
 */

interface Frame {
  readonly kind: 'object' | 'array'
  readonly path: string
  readonly keys: Set<string>
  index: number
  /** In an object: the key whose value comes next, or undefined while a key is expected. */
  key: string | undefined
}

function childPath(frame: Frame): string {
  if (frame.kind === 'array') return `${frame.path}[${frame.index}]`
  return frame.path === '' ? (frame.key ?? '') : `${frame.path}.${frame.key ?? ''}`
}

/** readString returns the end index (after the closing quote) of the string starting at `start`. */
function readString(text: string, start: number): number {
  let i = start + 1
  while (i < text.length) {
    const c = text[i]
    if (c === '\\') i += 2
    else if (c === '"') return i + 1
    else i++
  }
  return i
}

/** duplicateFields lists the paths of keys that appear twice in the same object, in order. */
export function duplicateFields(text: string): string[] {
  const found: string[] = []
  const stack: Frame[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]
    const top = stack[stack.length - 1]
    if (c === '"') {
      const end = readString(text, i)
      if (top?.kind === 'object' && top.key === undefined) {
        const key = JSON.parse(text.slice(i, end)) as string
        if (top.keys.has(key)) found.push(top.path === '' ? key : `${top.path}.${key}`)
        top.keys.add(key)
        top.key = key
      }
      i = end
      continue
    }
    if (c === '{' || c === '[') {
      const path = top ? childPath(top) : ''
      stack.push({
        kind: c === '{' ? 'object' : 'array',
        path,
        keys: new Set(),
        index: 0,
        key: undefined,
      })
    } else if (c === '}' || c === ']') {
      stack.pop()
    } else if (c === ',' && top) {
      if (top.kind === 'array') top.index++
      else top.key = undefined
    }
    i++
  }
  return found
}
