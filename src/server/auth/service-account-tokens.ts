/**
 * Service-account tokens (docs/access-control.md#service-accounts-and-tokens): signed JWTs with
 * the claims kube-apiserver puts in a TokenRequest token (kubernetes pkg/serviceaccount/claims.go),
 * and the authenticator that accepts them. A token is good while its signature, issuer,
 * audience and lifetime check out and its ServiceAccount (and the Secret it is bound to, if any)
 * still exists with the uid the token names: deleting the account or the Secret revokes the
 * token, and one created again under the same name gets a new uid, so the old tokens stay dead.
 *
 * Checking them on every request would read the store each time; instead a verified token is
 * cached briefly under its SHA-256, and watches on ServiceAccounts and Secrets drop the cached
 * tokens of an object the moment it is deleted. While a watch is down nothing is cached.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose'
import { isStoreError, objectKey, type Store } from '../../storage/index.js'
import { hashToken, type Authenticator, type UserInfo } from './index.js'
import type { SigningKey } from './service-account-key.js'

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

/** ObjectRef names an object a token names: the account, or the Secret it is bound to. */
export interface ObjectRef {
  readonly name: string
  readonly uid: string
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
    readonly serviceaccount: ObjectRef
    readonly secret?: ObjectRef
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
  /** The Secret the token is bound to: it is good only while that Secret exists. */
  readonly secret?: ObjectRef
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
      ...(r.secret && { secret: { name: r.secret.name, uid: r.secret.uid } }),
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

/** TokenSubject is the account a verified token names, and the Secret it is bound to. */
interface TokenSubject {
  readonly namespace: string
  readonly account: ObjectRef
  readonly secret?: ObjectRef
  /** Expiry, seconds since the epoch. */
  readonly exp: number
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** refOf reads a `{name, uid}` claim; undefined unless both are non-empty strings. */
function refOf(claim: unknown): ObjectRef | undefined {
  if (!isObject(claim)) return undefined
  const { name, uid } = claim
  if (typeof name !== 'string' || typeof uid !== 'string' || name === '' || uid === '') {
    return undefined
  }
  return { name, uid }
}

/** subjectOf reads the private claims; undefined when they are missing, malformed or disagree with `sub`. */
function subjectOf(payload: JWTPayload): TokenSubject | undefined {
  const k8s = payload['kubernetes.io']
  if (!isObject(k8s)) return undefined
  const { namespace } = k8s
  const account = refOf(k8s.serviceaccount)
  if (typeof namespace !== 'string' || namespace === '' || !account) return undefined
  if (payload.sub !== serviceAccountUsername(namespace, account.name)) return undefined
  if (typeof payload.exp !== 'number') return undefined
  // Pod- and node-bound tokens are never issued here: one that claims a binding is refused.
  if (k8s.pod !== undefined || k8s.node !== undefined) return undefined
  if (k8s.secret === undefined) return { namespace, account, exp: payload.exp }
  const secret = refOf(k8s.secret)
  return secret && { namespace, account, secret, exp: payload.exp }
}

/** currentUid is the uid of the stored object, or undefined when there is none. */
async function currentUid(store: Store, resource: string, namespace: string, name: string) {
  try {
    return (await store.get(objectKey(resource, name, namespace))).metadata.uid
  } catch (err) {
    if (isStoreError(err, 'NotFound')) return undefined
    throw err
  }
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
  /** Called when a watch fails; it is started again a second later. */
  readonly onWatchError?: (err: unknown) => void
}

/** ServiceAccountAuthenticator is an Authenticator that watches ServiceAccounts until stopped. */
export interface ServiceAccountAuthenticator extends Authenticator {
  /** start opens the ServiceAccount and Secret watches that revoke cached tokens; resolves once they are open. */
  start(): Promise<void>
  /** stop ends the watches. */
  stop(): Promise<void>
}

/** REVOKING are the resources whose deletion revokes tokens: the account, a bound Secret. */
const REVOKING = ['serviceaccounts', 'secrets'] as const

interface CacheEntry {
  readonly user: UserInfo
  /** The uids of the account and of the bound Secret, if any: deleting either drops the entry. */
  readonly uids: readonly string[]
  /** Milliseconds since the epoch after which the entry is not used. */
  readonly until: number
}

/**
 * createServiceAccountAuthenticator accepts tokens signed with `key` for one of `audiences`,
 * within their lifetime, whose ServiceAccount (and bound Secret) exist with the uids they name.
 */
export function createServiceAccountAuthenticator(
  opts: ServiceAccountAuthenticatorOptions,
): ServiceAccountAuthenticator {
  const now = opts.now ?? Date.now
  const ttl = opts.cacheTtlMs ?? 60_000
  const maxEntries = opts.cacheEntries ?? 4096
  const cache = new Map<string, CacheEntry>()
  // Uids of objects deleted while the watches were open: a lookup that raced the deletion must
  // not cache a token naming one of them. Uids are never reused.
  const deleted = new Set<string>()
  const stopping = new AbortController()
  let watching = 0
  // Counts watch closes: a lookup that began before one may have missed a deletion.
  let closes = 0
  const running: Promise<void>[] = []
  let started: Promise<void> | undefined

  const forget = (uid: string) => {
    deleted.add(uid)
    for (const [hash, entry] of cache) if (entry.uids.includes(uid)) cache.delete(hash)
    // The set only guards lookups in flight; past this size it is cheaper to drop everything.
    if (deleted.size > maxEntries) {
      deleted.clear()
      cache.clear()
    }
  }

  const follow = async (resource: string, opened: () => void): Promise<void> => {
    const signal = stopping.signal
    while (!signal.aborted) {
      let open = false
      try {
        const events = await opts.store.watch(resource, { signal })
        open = true
        watching++
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
      if (open) watching--
      closes++
      cache.clear()
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
    const { namespace, account, secret } = subject
    if (
      (await currentUid(opts.store, 'serviceaccounts', namespace, account.name)) !== account.uid
    ) {
      return undefined
    }
    if (
      secret &&
      (await currentUid(opts.store, 'secrets', namespace, secret.name)) !== secret.uid
    ) {
      return undefined
    }
    return {
      user: serviceAccountUser(namespace, account.name),
      uids: secret ? [account.uid, secret.uid] : [account.uid],
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
      const closesBefore = closes
      const entry = await verify(token)
      if (!entry) return undefined
      const watched = watching === REVOKING.length && closes === closesBefore
      if (watched && !entry.uids.some((uid) => deleted.has(uid))) {
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!)
        cache.set(hash, entry)
      }
      return entry.user
    },
    start() {
      started ??= Promise.all(
        REVOKING.map(
          (resource) =>
            new Promise<void>((resolve) => {
              running.push(follow(resource, resolve))
            }),
        ),
      ).then(() => undefined)
      return started
    },
    async stop() {
      stopping.abort()
      await Promise.all(running)
    },
  }
}
