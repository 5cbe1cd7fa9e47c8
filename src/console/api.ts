/**
 * The console's client of the server's public API: every call carries the signed-in user's
 * bearer token, every refusal becomes an ApiError with the server's own Status message, and
 * watches read the API's newline-delimited watch events (docs/console.md).
 */
import { clearToken, currentToken } from './session.js'

/** ApiError is a refused or failed API call: the HTTP status and the server's Status message. */
export class ApiError extends Error {
  readonly status: number
  readonly reason: string | undefined
  constructor(status: number, message: string, reason?: string) {
    super(message)
    this.status = status
    this.reason = reason
  }
}

/** A Kubernetes object as the console reads it: only metadata is assumed. */
export interface KubeObject {
  readonly kind?: string
  readonly metadata: {
    readonly name: string
    readonly namespace?: string
    readonly resourceVersion?: string
    readonly creationTimestamp?: string
    readonly labels?: Record<string, string>
    readonly annotations?: Record<string, string>
  }
}

/** A list answer: its items and the resourceVersion to watch from. */
export interface KubeList<T> {
  readonly items: T[]
  readonly metadata: { readonly resourceVersion?: string }
}

/** A watch event as the API streams it. */
export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'
  readonly object: T
}

function headers(contentType?: string): Headers {
  const h = new Headers({ accept: 'application/json' })
  const token = currentToken()
  if (token) h.set('authorization', `Bearer ${token}`)
  if (contentType) h.set('content-type', contentType)
  return h
}

async function failure(res: Response): Promise<ApiError> {
  const text = await res.text()
  try {
    const status = JSON.parse(text) as { message?: string; reason?: string }
    return new ApiError(
      res.status,
      status.message ?? `${res.status} ${res.statusText}`,
      status.reason,
    )
  } catch {
    return new ApiError(res.status, text.trim() || `${res.status} ${res.statusText}`)
  }
}

/** api calls the API and returns its JSON answer; a 401 ends the session. */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: headers(body === undefined ? undefined : contentType),
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (res.status === 401) clearToken()
  if (!res.ok) throw await failure(res)
  return (await res.json()) as T
}

/**
 * watch follows `path` (a collection URL, possibly with a selector) from `resourceVersion` and
 * calls `onEvent` for each event until `signal` aborts; it resolves when the server ends the
 * stream, so the caller can list again and resume.
 */
export async function watch<T>(
  path: string,
  resourceVersion: string | undefined,
  onEvent: (event: WatchEvent<T>) => void,
  signal: AbortSignal,
): Promise<void> {
  const url = new URL(path, location.origin)
  url.searchParams.set('watch', '1')
  url.searchParams.set('allowWatchBookmarks', 'true')
  if (resourceVersion) url.searchParams.set('resourceVersion', resourceVersion)
  const res = await fetch(url, { headers: headers(), signal })
  if (!res.ok || !res.body) throw await failure(res)
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  let pending = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return
    pending += value
    let newline = pending.indexOf('\n')
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim()
      pending = pending.slice(newline + 1)
      if (line !== '') onEvent(JSON.parse(line) as WatchEvent<T>)
      newline = pending.indexOf('\n')
    }
  }
}

/** canI asks the server whether the signed-in user may do `verb` (a SelfSubjectAccessReview). */
export async function canI(
  verb: string,
  resource: string,
  namespace: string,
  group = 'image.openshift.io',
): Promise<boolean> {
  const review = await api<{ status?: { allowed?: boolean } }>(
    'POST',
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb, resource, namespace, group } },
    },
  )
  return review.status?.allowed === true
}

/** IMAGE_API is the image group's version prefix. */
export const IMAGE_API = '/apis/image.openshift.io/v1'

/** namespaced is the URL of `resource` in `namespace`, with an optional name. */
export function namespaced(namespace: string, resource: string, name?: string): string {
  const base = resource === 'secrets' || resource === 'serviceaccounts' ? '/api/v1' : IMAGE_API
  const path = `${base}/namespaces/${encodeURIComponent(namespace)}/${resource}`
  return name === undefined ? path : `${path}/${encodeURIComponent(name)}`
}
