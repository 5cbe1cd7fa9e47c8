/**
 * undici dispatchers, one per TLS policy, reused for the life of the process (connection
 * reuse is most of a HEAD's cost). A skip-verify pool is never shared with verified traffic.
 */
import { createSecureContext, rootCertificates } from 'node:tls'
import type { Dispatcher } from 'undici'
import { Agent } from './undici.js'

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
  }
  // Node's `ca` option replaces the system roots, so the extra CA is appended to them. The
  // context is built once: passing `ca` per connection re-parses ~140 root PEMs every time.
  const secureContext = opts.additionalCA
    ? createSecureContext({ ca: [...rootCertificates, opts.additionalCA] })
    : undefined
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
