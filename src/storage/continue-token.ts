/**
 * Continue tokens for paged lists: opaque to clients, they carry the resource, the last key of
 * the page and the snapshot revision the list reads at, like the apiserver's
 * `{"v":"meta.k8s.io/v1","rv":...,"start":...}` tokens. Backend-neutral.
 */
import { InvalidContinueError } from './store.js'

/** ContinuePosition is what a continue token encodes. */
export interface ContinuePosition {
  readonly resource: string
  /** The snapshot revision of the first page. */
  readonly revision: number
  /** The last key returned: the next page starts after it. */
  readonly namespace: string
  readonly name: string
  /**
   * How many objects of the snapshot follow the position, when the list counts them: the next
   * page then subtracts its own items instead of counting the rest of the list again.
   */
  readonly remaining?: number
}

interface Wire {
  v: number
  r: string
  rv: number
  ns: string
  n: string
  rc?: number
}

/** encodeContinue makes the opaque token for a position. */
export function encodeContinue(position: ContinuePosition): string {
  const wire: Wire = {
    v: 1,
    r: position.resource,
    rv: position.revision,
    ns: position.namespace,
    n: position.name,
    ...(position.remaining === undefined ? {} : { rc: position.remaining }),
  }
  return Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url')
}

/** decodeContinue reads a token for `resource`; throws InvalidContinue for anything else. */
export function decodeContinue(token: string, resource: string): ContinuePosition {
  let wire: unknown
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error('not base64url')
    wire = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
  } catch (cause) {
    throw new InvalidContinueError('not a token this server issued', { cause })
  }
  const w = wire as Partial<Wire> | null
  if (
    w === null ||
    typeof w !== 'object' ||
    w.v !== 1 ||
    typeof w.r !== 'string' ||
    typeof w.ns !== 'string' ||
    typeof w.n !== 'string' ||
    w.n === '' ||
    typeof w.rv !== 'number' ||
    !Number.isSafeInteger(w.rv) ||
    w.rv < 0 ||
    (w.rc !== undefined && !(Number.isSafeInteger(w.rc) && w.rc >= 0))
  ) {
    throw new InvalidContinueError('not a token this server issued')
  }
  if (w.r !== resource) {
    throw new InvalidContinueError(`the token continues a list of ${w.r}, not ${resource}`)
  }
  return {
    resource: w.r,
    revision: w.rv,
    namespace: w.ns,
    name: w.n,
    ...(w.rc === undefined ? {} : { remaining: w.rc }),
  }
}
