/**
 * A deep copy of parsed JSON (plain objects, arrays, strings, numbers, booleans, null; undefined
 * properties are kept, as structuredClone keeps them). A recursive copy is several times faster
 * than structuredClone, which serialises into a buffer and back, and request paths copy each
 * object a few times.
 */

/** cloneJson deep-copies a parsed JSON value. */
export function cloneJson<T>(value: T): T {
  return copy(value) as T
}

function copy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i])
    return out
  }
  const source = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(source)) {
    // An own `__proto__` key (JSON.parse makes one) must stay a key, not set the prototype.
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value: copy(source[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    } else {
      out[key] = copy(source[key])
    }
  }
  return out
}

/**
 * copyAsJson deep-copies a value as JSON.parse(JSON.stringify(value)) would, without the text
 * between: properties holding undefined or a function are left out, such array items and
 * non-finite numbers become null, a value with toJSON takes that path. A write that has just
 * stringified an object returns its copy this way, at about half the cost of parsing the text.
 */
export function copyAsJson<T>(value: T): T {
  return asJson(value) as T
}

function asJson(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value !== 'object' || value === null) return value
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.parse(JSON.stringify(value)) as unknown
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      const dropped = item === undefined || typeof item === 'function' || typeof item === 'symbol'
      out[i] = dropped ? null : asJson(item)
    }
    return out
  }
  const source = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(source)) {
    const item = source[key]
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value: asJson(item),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    } else {
      out[key] = asJson(item)
    }
  }
  return out
}
