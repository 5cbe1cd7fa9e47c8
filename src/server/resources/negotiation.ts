/**
 * Response content negotiation for resource requests: a server-side Table when the Accept
 * header asks for `as=Table` (kubectl always does for `get`, docs/kubernetes-api.md#tables), else
 * the object as JSON. Protobuf and YAML are acceptable and answered with JSON, which kubectl reads
 * (JSON is also YAML); anything else that accepts no JSON at all is a 406.
 */
import { notAcceptable } from '../status.js'

/** TableVersion is the meta.k8s.io version of a Table. */
export type TableVersion = 'v1' | 'v1beta1'

/** Representation is what negotiate picked. */
export type Representation =
  { readonly table: false } | { readonly table: true; readonly version: TableVersion }

interface MediaRange {
  readonly type: string
  readonly params: ReadonlyMap<string, string>
  readonly q: number
  readonly index: number
}

function parseRange(text: string, index: number): MediaRange {
  const [type = '', ...rest] = text.split(';').map((s) => s.trim())
  const params = new Map<string, string>()
  for (const p of rest) {
    const eq = p.indexOf('=')
    if (eq > 0) {
      const value = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
      params.set(p.slice(0, eq).trim().toLowerCase(), value)
    }
  }
  const q = params.has('q') ? Number(params.get('q')) : 1
  return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0, index }
}

const PLAIN_TYPES = new Set([
  '*/*',
  'application/*',
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
])

function pick(r: MediaRange): Representation | undefined {
  const as = r.params.get('as')
  if (as === undefined) return PLAIN_TYPES.has(r.type) ? JSON_REPRESENTATION : undefined
  if (as !== 'Table' || r.params.get('g') !== 'meta.k8s.io') return undefined
  if (r.type !== 'application/json' && r.type !== 'application/vnd.kubernetes.protobuf') {
    return undefined
  }
  const v = r.params.get('v')
  return v === 'v1' || v === 'v1beta1' ? { table: true, version: v } : undefined
}

const JSON_REPRESENTATION: Representation = Object.freeze({ table: false })

/** Accept headers that are one plain range, as most clients send them: no parsing needed. */
const PLAIN_ACCEPT: ReadonlySet<string> = new Set(['', ...PLAIN_TYPES])

/** negotiate picks the representation for an Accept header, in q order then header order. */
export function negotiate(accept: string | undefined): Representation {
  if (accept === undefined || PLAIN_ACCEPT.has(accept)) return JSON_REPRESENTATION
  if (accept.trim() === '') return JSON_REPRESENTATION
  const ranges = accept
    .split(',')
    .map(parseRange)
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
  for (const r of ranges) {
    const picked = pick(r)
    if (picked) return picked
  }
  throw notAcceptable(
    'only the following media types are accepted: application/json, application/yaml, ' +
      'application/vnd.kubernetes.protobuf, application/json;as=Table;v=v1;g=meta.k8s.io',
  )
}
