/**
 * undici dispatchers, one per TLS policy, reused for the life of the process (connection
 * reuse is most of a HEAD's cost). A skip-verify pool is never shared with verified traffic.
 */
import { lookup as dnsLookup } from 'node:dns'
import { readFileSync } from 'node:fs'
import { isIP, type LookupFunction } from 'node:net'
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls'
import type { buildConnector as BuildConnector, Dispatcher } from 'undici'
import { Agent, buildConnector } from '../../lib/undici.js'
import {
  isLocalhostName,
  isPrivateAddress,
  isPrivateHost,
  type AddressClassifier,
} from './address.js'

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
  /** Which resolved addresses are private (default isPrivateAddress); tests stand a loopback registry in for a public one. */
  readonly isPrivateAddress?: AddressClassifier
  /** The resolver of host names (default dns.lookup). */
  readonly lookup?: LookupFunction
}

/** A verified and a skip-verify dispatcher. */
export interface DispatcherPair {
  readonly secure: Dispatcher
  readonly insecure: Dispatcher
}

/** Agents holds the dispatchers: unrestricted, and public-only ones that refuse private addresses. */
export interface Agents extends DispatcherPair {
  /**
   * Dispatchers that connect to public addresses only: a private IP literal, a localhost name or
   * a name resolving to any private address fails the connection with PrivateAddressError. For
   * hops a public registry chose (redirects, token realms), checked after resolution.
   */
  readonly publicOnly: DispatcherPair
  /** isPrivate says whether `hostname` is a private literal, a localhost name, or resolves to a private address. */
  isPrivate(hostname: string): Promise<boolean>
  close(): Promise<void>
}

/** PrivateAddressError is a public-only connection refused because its host is or resolves to a private address. */
export class PrivateAddressError extends Error {
  readonly code = 'ERR_PRIVATE_ADDRESS'
  readonly host: string
  readonly address: string
  constructor(host: string, address: string) {
    super(
      host === address
        ? `${host} is a private address`
        : `${host} resolves to the private address ${address}`,
    )
    this.name = 'PrivateAddressError'
    this.host = host
    this.address = address
  }
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

/** Verification failures that more roots could cure: the chain ends at an issuer not trusted. */
const UNKNOWN_ISSUER =
  /^(UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|CERT_UNTRUSTED)/

/**
 * connectTrusting returns a connector whose TLS trusts `pem` as well as the system roots. With
 * NODE_EXTRA_CA_CERTS set, a context of the roots and one more CA must parse that file again
 * (33 ms of a 220 ms `isctl image info` with Debian's bundle of 144 certificates), while a
 * registry given an extra CA is nearly always signed by it. So an origin is first tried trusting
 * `pem` alone; only a chain that ends at an issuer `pem` is not is tried again with the roots as
 * well, and that origin keeps them. A certificate is accepted exactly when the roots and `pem`
 * together accept it.
 */
function connectTrusting(pem: string, opts: BuildConnector.BuildOptions): BuildConnector.connector {
  const own = buildConnector({ ...opts, secureContext: createSecureContext({ ca: pem }) })
  let roots: BuildConnector.connector | undefined
  const withRoots: BuildConnector.connector = (options, callback) => {
    roots ??= buildConnector({ ...opts, secureContext: trustingAlso(pem) })
    roots(options, callback)
  }
  const needRoots = new Set<string>()
  return (options, callback) => {
    const origin = `${options.hostname}:${options.port}`
    if (needRoots.has(origin)) return withRoots(options, callback)
    own(options, (...result) => {
      const [err] = result
      if (!(err && 'code' in err && UNKNOWN_ISSUER.test(String(err.code))))
        return callback(...result)
      needRoots.add(origin)
      withRoots(options, callback)
    })
  }
}

type LookupAll = (
  hostname: string,
  callback: (
    err: NodeJS.ErrnoException | null,
    addresses: { address: string; family: number }[],
  ) => void,
) => void

/** resolverOf resolves every address of a name through `lookup`. */
function resolverOf(lookup: LookupFunction): LookupAll {
  return (hostname, callback) =>
    lookup(hostname, { all: true }, (err, addresses) =>
      callback(err, Array.isArray(addresses) ? addresses : []),
    )
}

/**
 * publicLookup resolves as `resolve` does but fails a name with any private address: one private
 * record among public ones would otherwise be tried too (Node tries each address in turn).
 */
function publicLookup(resolve: LookupAll, classify: AddressClassifier): LookupFunction {
  return (hostname, options, callback) =>
    resolve(hostname, (err, addresses) => {
      if (err) return callback(err, '', 0)
      const found = addresses.filter((a) => !options.family || a.family === options.family)
      const bad = found.find((a) => classify(a.address))
      if (bad) return callback(new PrivateAddressError(hostname, bad.address), '', 0)
      if (options.all) return callback(null, found)
      const first = found[0]
      if (!first)
        return callback(
          Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
          '',
          0,
        )
      callback(null, first.address, first.family)
    })
}

/** publicOnly wraps a connector to refuse a private literal or localhost name before connecting. */
function publicOnly(
  connect: BuildConnector.connector,
  classify: AddressClassifier,
): BuildConnector.connector {
  return (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, '')
    if (isPrivateHost(host, classify)) {
      callback(new PrivateAddressError(host, host), null)
      return
    }
    connect(options, callback)
  }
}

/** createAgents builds the dispatchers; only composition roots should call it. */
export function createAgents(opts: AgentOptions = {}): Agents {
  const t = { ...DEFAULT_TIMEOUTS, ...opts.timeouts }
  const classify = opts.isPrivateAddress ?? isPrivateAddress
  const lookup: LookupFunction = opts.lookup ?? dnsLookup
  const resolve = resolverOf(lookup)
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
  // Contexts are built once: passing `ca` per connection would re-parse it on every handshake.
  const verified = (connect: BuildConnector.BuildOptions) =>
    opts.additionalCA
      ? connectTrusting(opts.additionalCA, { ...connect, allowH2: base.allowH2 })
      : buildConnector({ ...connect, allowH2: base.allowH2 })
  const skipVerify = (connect: BuildConnector.BuildOptions) =>
    buildConnector({ ...connect, allowH2: base.allowH2, rejectUnauthorized: false })
  const open = { timeout: t.connectMs, lookup }
  const guarded = { timeout: t.connectMs, lookup: publicLookup(resolve, classify) }
  const all = [
    new Agent({ ...base, connect: verified(open) }),
    new Agent({ ...base, connect: skipVerify(open) }),
    new Agent({ ...base, connect: publicOnly(verified(guarded), classify) }),
    new Agent({ ...base, connect: publicOnly(skipVerify(guarded), classify) }),
  ] as const
  return {
    secure: all[0],
    insecure: all[1],
    publicOnly: { secure: all[2], insecure: all[3] },
    isPrivate: (hostname) => {
      const host = hostname.replace(/^\[|\]$/g, '')
      if (isIP(host) !== 0 || isLocalhostName(host)) {
        return Promise.resolve(isPrivateHost(host, classify))
      }
      // A name that does not resolve is not known to be private: it grants nothing.
      return new Promise((done) =>
        resolve(host, (err, addresses) => done(!err && addresses.some((a) => classify(a.address)))),
      )
    },
    async close() {
      await Promise.all(all.map((a) => a.close()))
    },
  }
}
