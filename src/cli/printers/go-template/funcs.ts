/**
 * The functions kubectl's go-template printer offers: Go's builtins (and, or, not, len,
 * index, eq, ne, lt, le, gt, ge, print, printf, println) and kubectl's own `exists` and
 * `base64decode`, with Go's error texts.
 */
import { goQuote, goSprint, goTypeName, isGoInt } from '../go-values.js'

/** GoValue is a Go reflect.Value over decoded JSON: invalid (no value) or a value, maybe in an interface{}. */
export type GoValue =
  | { readonly valid: false }
  | {
      readonly valid: true
      readonly v: unknown
      readonly iface: boolean
      /** A float64 even when integral: a template's `1.0`. */
      readonly float?: boolean
      /** A template's own number: Go types it int (or float64), not the data's int64. */
      readonly literal?: boolean
    }

/** INVALID is Go's zero reflect.Value. */
export const INVALID: GoValue = { valid: false }

/** value wraps a decoded JSON value. */
export function value(v: unknown, iface: boolean): GoValue {
  return { valid: true, v: v ?? null, iface }
}

/** constant is a template's number literal: an int, or a float64 when written with a point. */
export function constant(n: number, isInt: boolean): GoValue {
  return { valid: true, v: n, iface: false, float: !isInt, literal: true }
}

/** isTrue is text/template's truth; undefined when the value has none. */
export function isTrue(v: GoValue): boolean | undefined {
  if (!v.valid || v.v === null) return false
  const x = v.v
  if (typeof x === 'string') return x.length > 0
  if (Array.isArray(x)) return x.length > 0
  if (typeof x === 'object') return Object.keys(x).length > 0
  if (typeof x === 'boolean') return x
  if (typeof x === 'number') return x !== 0
  return undefined
}

/** typeOf is the Go type of a value, as Go's messages name it. */
export function typeOf(v: GoValue): string {
  if (!v.valid || v.v === null) return '<nil>'
  if (v.literal && typeof v.v === 'number') return v.float ? 'float64' : 'int'
  return goTypeName(v.v)
}

function unwrap(v: GoValue): GoValue {
  return v.valid && v.iface ? (v.v === null ? INVALID : value(v.v, false)) : v
}

type Kind = 'invalid' | 'bool' | 'int' | 'float' | 'string' | 'other'

function kindOf(v: GoValue): Kind {
  if (!v.valid || v.v === null) return 'invalid'
  const x = v.v
  if (typeof x === 'boolean') return 'bool'
  if (typeof x === 'number') return isGoInt(x) && !v.float ? 'int' : 'float'
  if (typeof x === 'string') return 'string'
  return 'other'
}

function eq(args: GoValue[]): GoValue {
  const [a, ...rest] = args.map(unwrap) as [GoValue, ...GoValue[]]
  if (rest.length === 0) throw new Error('missing argument for comparison')
  const k1 = kindOf(a)
  for (const b of rest) {
    const k2 = kindOf(b)
    if (k1 !== k2) {
      if (a.valid && b.valid) throw new Error('incompatible types for comparison')
      continue
    }
    if (k1 === 'other')
      throw new Error(
        `non-comparable type ${goSprint((b as { v: unknown }).v)}: ${goTypeName((b as { v: unknown }).v)}`,
      )
    if (k1 === 'invalid' || (a as { v: unknown }).v === (b as { v: unknown }).v)
      return value(true, false)
  }
  return value(false, false)
}

function less(args: GoValue[]): boolean {
  const [a, b] = args.map(unwrap) as [GoValue, GoValue]
  const k1 = kindOf(a)
  const k2 = kindOf(b)
  if (k1 === 'invalid' || k1 === 'other' || k2 === 'invalid' || k2 === 'other') {
    throw new Error('invalid type for comparison')
  }
  if (k1 !== k2) throw new Error('incompatible types for comparison')
  if (k1 === 'bool') throw new Error('invalid type for comparison')
  const x = (a as { v: number | string }).v
  const y = (b as { v: number | string }).v
  if (typeof x === 'string') return Buffer.compare(Buffer.from(x), Buffer.from(String(y))) < 0
  return x < Number(y)
}

function length(args: GoValue[]): GoValue {
  const v = unwrap(args[0]!)
  if (!v.valid) throw new Error('len of nil pointer')
  const x = v.v
  if (typeof x === 'string') return value(Buffer.byteLength(x), false)
  if (Array.isArray(x)) return value(x.length, false)
  if (typeof x === 'object' && x !== null) return value(Object.keys(x).length, false)
  throw new Error(`len of type ${typeOf(v)}`)
}

function index(args: GoValue[]): GoValue {
  let item = unwrap(args[0]!)
  if (!item.valid) throw new Error('index of untyped nil')
  for (const raw of args.slice(1)) {
    const i = unwrap(raw)
    item = unwrap(item)
    if (!item.valid) throw new Error('index of nil pointer')
    const x = item.v
    if (Array.isArray(x) || typeof x === 'string') {
      if (!i.valid) throw new Error('cannot index slice/array with nil')
      if (typeof i.v !== 'number' || !isGoInt(i.v)) {
        throw new Error(`cannot index slice/array with type ${typeOf(i)}`)
      }
      const size = typeof x === 'string' ? Buffer.byteLength(x) : x.length
      if (i.v < 0 || i.v >= size) throw new Error(`index out of range: ${i.v}`)
      item = typeof x === 'string' ? value(Buffer.from(x)[i.v], false) : value(x[i.v], true)
    } else if (typeof x === 'object' && x !== null) {
      if (!i.valid || typeof i.v !== 'string') {
        throw new Error(`value has type ${i.valid ? typeOf(i) : 'interface {}'}; should be string`)
      }
      const m = x as Record<string, unknown>
      item = value(Object.hasOwn(m, i.v) ? m[i.v] : null, true)
    } else throw new Error(`can't index item of type ${typeOf(item)}`)
  }
  return item
}

function exists(args: GoValue[]): GoValue {
  let v: unknown = args[0]!.valid ? args[0]!.v : null
  for (const raw of args.slice(1)) {
    const i = raw.valid ? raw.v : null
    if (v === null) return value(false, false)
    if (Array.isArray(v) || typeof v === 'string') {
      if (typeof i !== 'number' || i < 0 || i >= v.length) return value(false, false)
      v = typeof v === 'string' ? Buffer.from(v)[i] : v[i]
    } else if (typeof v === 'object') {
      if (typeof i !== 'string') return value(false, false)
      v = (v as Record<string, unknown>)[i] ?? null
    } else return value(false, false)
  }
  return value(v !== null && v !== undefined, false)
}

const BASE64 = /^[A-Za-z0-9+/]*$/

function base64decode(args: GoValue[]): GoValue {
  const s = args[0]!.valid ? (args[0]!.v as string) : ''
  const body = s.replace(/={1,2}$/, '')
  const bad = [...body].findIndex((c) => !BASE64.test(c))
  if (bad >= 0) throw new Error(`base64 decode failed: illegal base64 data at input byte ${bad}`)
  if (s.length % 4 !== 0 || body.length % 4 === 1) {
    throw new Error(
      `base64 decode failed: illegal base64 data at input byte ${s.length - (s.length % 4 || 4)}`,
    )
  }
  return value(Buffer.from(s, 'base64').toString('latin1'), false)
}

function printArg(v: GoValue): unknown {
  return v.valid ? v.v : null
}

/** goSprintArgs is fmt.Sprint: spaces between operands when neither is a string. */
function goSprintArgs(args: unknown[]): string {
  let out = ''
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' '
    out += goSprint(a)
  })
  return out
}

/** goSprintf is fmt.Sprintf for the verbs templates use: %v %s %d %q %t %f %x %%. */
export function goSprintf(
  format: string,
  args: unknown[],
  types: readonly string[] = args.map((a) => (a === null ? '<nil>' : goTypeName(a))),
): string {
  let out = ''
  let argi = 0
  const re = /%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])/g
  let last = 0
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index)
    last = re.lastIndex
    const [, flags = '', width = '', prec, verb = ''] = m
    if (verb === '%') {
      out += '%'
      continue
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`
      continue
    }
    const type = types[argi]!
    const a = args[argi++]
    let text = formatVerb(verb, a, type, flags, prec)
    const w = Number(width || 0)
    if ([...text].length < w) {
      const pad = (flags.includes('0') && !flags.includes('-') ? '0' : ' ').repeat(
        w - [...text].length,
      )
      text = flags.includes('-') ? text + pad : pad + text
    }
    out += text
  }
  out += format.slice(last)
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a, i) => `${types[argi + i]!}=${goSprint(a)}`)
      .join(', ')})`
  }
  return out
}

function formatVerb(
  verb: string,
  a: unknown,
  type: string,
  flags: string,
  prec: string | undefined,
): string {
  const bad = () => (a === null ? `%!${verb}(<nil>)` : `%!${verb}(${type}=${goSprint(a)})`)
  const int = type === 'int' || type === 'int64'
  switch (verb) {
    case 'v':
      return goSprint(a)
    case 'T':
      return type
    case 's':
      if (a === null) return '%!s(<nil>)'
      return typeof a === 'number' || typeof a === 'boolean' ? bad() : goSprint(a)
    case 'q':
      return typeof a === 'string' ? goQuote(a) : bad()
    case 'd':
      return typeof a === 'number' && int
        ? (flags.includes('+') && a >= 0 ? '+' : '') + a.toFixed(0)
        : bad()
    case 't':
      return typeof a === 'boolean' ? String(a) : bad()
    case 'f':
      return typeof a === 'number' && type === 'float64'
        ? a.toFixed(prec === undefined ? 6 : Number(prec))
        : bad()
    case 'x':
      if (typeof a === 'string') return Buffer.from(a).toString('hex')
      return typeof a === 'number' && int ? a.toString(16) : bad()
    default:
      return bad()
  }
}

/** TemplateFunc is one function: its arity (minimum when variadic) and body. */
export interface TemplateFunc {
  readonly arity?: number
  readonly variadic?: boolean
  /** Go takes the first argument as a string: wrong types fail before the call. */
  readonly stringFirst?: boolean
  call(args: GoValue[]): GoValue
}

const compare = (test: (a: GoValue[]) => boolean): TemplateFunc => ({
  arity: 2,
  call: (a) => value(test(a), false),
})

/** FUNCS are the functions a kubectl go-template may call. */
export const FUNCS: Record<string, TemplateFunc> = {
  and: { arity: 1, variadic: true, call: (a) => a.at(-1)! },
  or: { arity: 1, variadic: true, call: (a) => a.at(-1)! },
  not: { arity: 1, call: (a) => value(!(isTrue(unwrap(a[0]!)) ?? false), false) },
  len: { arity: 1, call: length },
  index: { arity: 1, variadic: true, call: index },
  eq: { arity: 1, variadic: true, call: eq },
  ne: compare((a) => !(eq(a) as { v: boolean }).v),
  lt: compare(less),
  le: compare((a) => less(a) || (eq(a) as { v: boolean }).v),
  gt: compare((a) => !(less(a) || (eq(a) as { v: boolean }).v)),
  ge: compare((a) => !less(a)),
  print: { call: (a) => value(goSprintArgs(a.map(printArg)), false) },
  println: { call: (a) => value(`${a.map((x) => goSprint(printArg(x))).join(' ')}\n`, false) },
  printf: {
    arity: 1,
    stringFirst: true,
    variadic: true,
    call: (a) => {
      const rest = a.slice(1)
      return value(goSprintf(String(printArg(a[0]!)), rest.map(printArg), rest.map(typeOf)), false)
    },
  },
  exists: { arity: 1, variadic: true, call: exists },
  base64decode: { arity: 1, stringFirst: true, call: base64decode },
}

/** stringParamError is Go's complaint about an argument passed as a string parameter, if any. */
export function stringParamError(v: GoValue): string | undefined {
  if (!v.valid) return 'invalid value; expected string'
  if (typeof v.v !== 'string')
    return `wrong type for value; expected string; got ${goTypeName(v.v)}`
  return undefined
}
