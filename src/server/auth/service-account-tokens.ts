/**
 * Service-account tokens (docs/access-control.md#service-accounts-and-tokens): signed JWTs with
 * the claims kube-apiserver puts in a TokenRequest token (kubernetes pkg/serviceaccount/claims.go),
 * and the authenticator that accepts them. A token is good while its signature, issuer,
 * audience and lifetime check out and its ServiceAccount still exists with the uid the token
 * names: deleting the account revokes its tokens, and an account created again under the same
 * name gets a new uid, so the old tokens stay dead.
 *
 * Checking the account on every request would read the store each time; instead a verified
 * token is cached briefly under its SHA-256, and a watch on ServiceAccounts drops the cached
 * tokens of an account the moment it is deleted. While the watch is down nothing is cached.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose'
import type { ServiceAccount } from '../../api/index.js'
import { isStoreError, objectKey, type Store } from '../../storage/index.js'
import { hashToken, type Authenticator, type UserInfo } from './index.js'
import type { SigningKey } from './service-account-key.js'

/**
 * SERVICE_ACCOUNT_ISSUER is the `iss` of every token and, as kube-apiserver's `--api-audiences`
 * defaults to its issuer, the audience the API accepts. It is OpenShift's default service
 * account issuer, so tokens look as they do on a cluster left at its defaults.
 */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc'

/** The JWS algorithm: RS256, the one kube-apiserver signs with for an RSA key. */
const ALGORITHM = 'RS256'

/**
 * CLOCK_SKEW_SECONDS is how far exp and nbf may be off, go-jose's default leeway that the
 * apiserver's validator uses.
 */
export const CLOCK_SKEW_SECONDS = 60

/** serviceAccountUsername is `system:serviceaccount:NS:NAME` (apiserver pkg/authentication/serviceaccount MakeUsername). */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`
}

/** serviceAccountUser is the user a token of this account authenticates as, with the groups Kubernetes gives it. */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    name: serviceAccountUsername(namespace, name),
    groups: [
      'system:serviceaccounts',
      `system:serviceaccounts:${namespace}`,
      'system:authenticated',
    ],
  }
}

/** TokenClaims are the claims of a service-account token, in the order kube-apiserver writes them. */
export interface TokenClaims extends JWTPayload {
  readonly aud: string[]
  readonly exp: number
  readonly iat: number
  readonly iss: string
  readonly jti: string
  readonly 'kubernetes.io': {
    readonly namespace: string
    readonly serviceaccount: { readonly name: string; readonly uid: string }
  }
  readonly nbf: number
  readonly sub: string
}

/** ClaimsRequest is what a token is made for: whom, for which audiences, for how long, from when. */
export interface ClaimsRequest {
  readonly namespace: string
  readonly name: string
  readonly uid: string
  readonly audiences: readonly string[]
  readonly expirationSeconds: number
  /** Issue time, seconds since the epoch. */
  readonly now: number
  readonly issuer: string
}

/** tokenClaims builds the claims of a token (kubernetes pkg/serviceaccount/claims.go Claims). */
export function tokenClaims(r: ClaimsRequest): TokenClaims {
  return {
    aud: [...r.audiences],
    exp: r.now + r.expirationSeconds,
    iat: r.now,
    iss: r.issuer,
    jti: randomUUID(),
    'kubernetes.io': {
      namespace: r.namespace,
      serviceaccount: { name: r.name, uid: r.uid },
    },
    nbf: r.now,
    sub: serviceAccountUsername(r.namespace, r.name),
  }
}

/** signToken signs claims with the service-account key: a compact JWS with the key's kid. */
export function signToken(key: SigningKey, claims: TokenClaims): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALGORITHM, kid: key.keyId })
    .sign(key.privateKey)
}

/** TokenSubject is the account a verified token names. */
interface TokenSubject {
  readonly namespace: string
  readonly name: string
  readonly uid: string
  /** Expiry, seconds since the epoch. */
  readonly exp: number
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** subjectOf reads the account from a payload; undefined when the private claims are missing or disagree with `sub`. */
function subjectOf(payload: JWTPayload): TokenSubject | undefined {
  const k8s = payload['kubernetes.io']
  if (!isObject(k8s) || !isObject(k8s.serviceaccount)) return undefined
  const { namespace } = k8s
  const { name, uid } = k8s.serviceaccount
  if (typeof namespace !== 'string' || typeof name !== 'string' || typeof uid !== 'string') {
    return undefined
  }
  if (namespace === '' || name === '' || uid === '') return undefined
  if (payload.sub !== serviceAccountUsername(namespace, name)) return undefined
  if (typeof payload.exp !== 'number') return undefined
  return { namespace, name, uid, exp: payload.exp }
}

/** looksLikeJwt tells a JWS from the other tokens in the chain without doing any cryptography. */
function looksLikeJwt(token: string): boolean {
  if (token.split('.').length !== 3) return false
  try {
    return decodeProtectedHeader(token).alg === ALGORITHM
  } catch {
    return false
  }
}

/** ServiceAccountAuthenticatorOptions configure createServiceAccountAuthenticator. */
export interface ServiceAccountAuthenticatorOptions {
  readonly store: Store
  readonly key: SigningKey
  readonly issuer: string
  /** The audiences the API accepts; a token must name at least one. */
  readonly audiences: readonly string[]
  /** Milliseconds since the epoch; default Date.now (tests move it). */
  readonly now?: () => number
  /** How long a verified token is trusted without checking its account again (default 60 s). */
  readonly cacheTtlMs?: number
  /** Most tokens cached at once (default 4,096); the oldest go first. */
  readonly cacheEntries?: number
  /** Called when the ServiceAccount watch fails; it is started again a second later. */
  readonly onWatchError?: (err: unknown) => void
}

/** ServiceAccountAuthenticator is an Authenticator that watches ServiceAccounts until stopped. */
export interface ServiceAccountAuthenticator extends Authenticator {
  /** start opens the ServiceAccount watch that revokes cached tokens; resolves once it is open. */
  start(): Promise<void>
  /** stop ends the watch. */
  stop(): Promise<void>
}

interface CacheEntry {
  readonly user: UserInfo
  readonly uid: string
  /** Milliseconds since the epoch after which the entry is not used. */
  readonly until: number
}

/**
 * createServiceAccountAuthenticator accepts tokens signed with `key` for one of `audiences`,
 * within their lifetime, whose ServiceAccount exists with the uid they name.
 */
export function createServiceAccountAuthenticator(
  opts: ServiceAccountAuthenticatorOptions,
): ServiceAccountAuthenticator {
  const now = opts.now ?? Date.now
  const ttl = opts.cacheTtlMs ?? 60_000
  const maxEntries = opts.cacheEntries ?? 4096
  const cache = new Map<string, CacheEntry>()
  // Uids of accounts deleted while the watch was open: a lookup that raced the deletion must
  // not cache a token of one of them. Uids are never reused.
  const deleted = new Set<string>()
  const stopping = new AbortController()
  let watching = false
  let running: Promise<void> | undefined
  let started: Promise<void> | undefined

  const forget = (uid: string) => {
    deleted.add(uid)
    for (const [hash, entry] of cache) if (entry.uid === uid) cache.delete(hash)
    // The set only guards lookups in flight; past this size it is cheaper to drop everything.
    if (deleted.size > maxEntries) {
      deleted.clear()
      cache.clear()
    }
  }

  const follow = async (opened: () => void): Promise<void> => {
    const signal = stopping.signal
    while (!signal.aborted) {
      try {
        const events = await opts.store.watch<ServiceAccount>('serviceaccounts', { signal })
        watching = true
        opened()
        for await (const event of events) {
          if (event.type !== 'DELETED') continue
          const uid = event.object.metadata.uid
          if (uid) forget(uid)
        }
      } catch (err) {
        if (!signal.aborted) opts.onWatchError?.(err)
        opened()
      }
      watching = false
      cache.clear()
      deleted.clear()
      if (!signal.aborted) await delay(1000, undefined, { signal }).catch(() => undefined)
    }
  }

  const verify = async (token: string): Promise<CacheEntry | undefined> => {
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, opts.key.publicKey, {
        algorithms: [ALGORITHM],
        issuer: opts.issuer,
        audience: [...opts.audiences],
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'sub'],
      }))
    } catch {
      return undefined
    }
    const subject = subjectOf(payload)
    if (!subject) return undefined
    let account: ServiceAccount
    try {
      account = await opts.store.get<ServiceAccount>(
        objectKey('serviceaccounts', subject.name, subject.namespace),
      )
    } catch (err) {
      if (isStoreError(err, 'NotFound')) return undefined
      throw err
    }
    if (account.metadata.uid !== subject.uid) return undefined
    return {
      user: serviceAccountUser(subject.namespace, subject.name),
      uid: subject.uid,
      until: Math.min(now() + ttl, (subject.exp + CLOCK_SKEW_SECONDS) * 1000),
    }
  }

  return {
    async authenticate(token: string): Promise<UserInfo | undefined> {
      if (!looksLikeJwt(token)) return undefined
      const hash = hashToken(token).toString('base64')
      const cached = cache.get(hash)
      if (cached && cached.until > now()) return cached.user
      if (cached) cache.delete(hash)
      const entry = await verify(token)
      if (!entry) return undefined
      if (watching && !deleted.has(entry.uid)) {
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!)
        cache.set(hash, entry)
      }
      return entry.user
    },
    start() {
      started ??= new Promise((resolve) => {
        running = follow(resolve)
      })
      return started
    },
    async stop() {
      stopping.abort()
      await running
    },
  }
}
