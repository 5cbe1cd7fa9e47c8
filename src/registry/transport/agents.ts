/**
 * undici dispatchers, one per TLS policy, reused for the life of the process (connection
 * reuse is most of a HEAD's cost). A skip-verify pool is never shared with verified traffic.
 */
import { readFileSync } from 'node:fs'
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls'
import type { Dispatcher } from 'undici'
import { Agent } from '../../lib/undici.js'

/** TransportTimeouts bound each phase of a request (undici's 300 s defaults are far too long). */
export interface TransportTimeouts {
  /** TCP + TLS connect, in ms (default 10 s). */
  readonly connectMs: number
  /** From request sent to response headers, in ms (default 30 s). */
  readonly headersMs: number
  /** Longest pause between two body chunks, in ms (default 30 s). */
  readonly bodyIdleMs: number
}

/** AgentOptions configures both dispatchers. */
export interface AgentOptions {
  /** Extra PEM CA certificates trusted for registry TLS besides the system roots. */
  readonly additionalCA?: string | undefined
  /** Connections per origin (default 16). */
  readonly connectionsPerOrigin?: number
  readonly timeouts?: Partial<TransportTimeouts>
  /** Offer HTTP/2 through ALPN on TLS connections (default true). */
  readonly allowH2?: boolean
}

/** Agents holds the verified and the skip-verify dispatcher. */
export interface Agents {
  readonly secure: Dispatcher
  readonly insecure: Dispatcher
  close(): Promise<void>
}

/** DEFAULT_TIMEOUTS are the per-phase limits used when none are given. */
export const DEFAULT_TIMEOUTS: TransportTimeouts = {
  connectMs: 10_000,
  headersMs: 30_000,
  bodyIdleMs: 30_000,
}

/**
 * extraRoots is the PEM text of NODE_EXTRA_CA_CERTS, which Node adds to its roots at start-up
 * (it has warned already if the file is unreadable); a context that trusts more than the roots
 * must add it again, as Node builds such a context from its bundled roots alone.
 */
function extraRoots(): string[] {
  const path = process.env.NODE_EXTRA_CA_CERTS
  if (!path) return []
  try {
    return [readFileSync(path, 'utf8')]
  } catch {
    return []
  }
}

/**
 * trustingAlso returns a TLS context that trusts the system roots and `pem`. Node's `ca` option
 * replaces the roots, and passing them back as `ca: [...rootCertificates, pem]` re-parses ~140
 * PEM strings: 26-42 ms measured. A default context holds Node's shared native root store, and
 * adding one CA to it copies that store natively (under 1 ms). `addCACert` is what Node's own
 * `ca` option calls, but not public API, so the documented form stays as the fallback.
 */
function trustingAlso(pem: string): SecureContext {
  const added = [pem, ...extraRoots()]
  const context = createSecureContext()
  const native = (context as { context?: { addCACert?: unknown } }).context
  if (typeof native?.addCACert === 'function') {
    for (const text of added) (native.addCACert as (pem: string) => void).call(native, text)
    return context
  }
  return createSecureContext({ ca: [...rootCertificates, ...added] })
}

/** createAgents builds the two dispatchers; only composition roots should call it. */
export function createAgents(opts: AgentOptions = {}): Agents {
  const t = { ...DEFAULT_TIMEOUTS, ...opts.timeouts }
  const base = {
    connections: opts.connectionsPerOrigin ?? 16,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: t.headersMs,
    bodyTimeout: t.bodyIdleMs,
    connectTimeout: t.connectMs,
    // undici closes an HTTP/1.1 connection after every HEAD unless the server answers
    // `Connection: keep-alive`, which Go registries never do: each tag check would pay a new
    // TLS handshake. Over HTTP/2 one connection carries them all (measured: 200 HEADs to
    // docker-registry took 200 connections over h1, 1 over h2, and 40% less time).
    allowH2: opts.allowH2 ?? true,
  }
  // Built once: passing `ca` per connection would re-parse it on every handshake.
  const secureContext = opts.additionalCA ? trustingAlso(opts.additionalCA) : undefined
  const secure = new Agent({
    ...base,
    connect: { timeout: t.connectMs, ...(secureContext && { secureContext }) },
  })
  const insecure = new Agent({
    ...base,
    connect: { timeout: t.connectMs, rejectUnauthorized: false },
  })
  return {
    secure,
    insecure,
    async close() {
      await Promise.all([secure.close(), insecure.close()])
    },
  }
}
