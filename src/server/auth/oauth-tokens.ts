/**
 * OAuth access tokens as OpenShift's oauth-server issues them: `sha256~` and 43 base64url
 * characters, stored only as an `oauth.openshift.io/v1` OAuthAccessToken object named
 * `sha256~<base64url(sha256(token))>` (src/lib/oauth-token-name.ts), valid for `expiresIn` seconds from its
 * creation (docs/access-control.md#users-and-login).
 */
import { randomBytes } from 'node:crypto'
import { sleep } from '../../lib/abort.js'
import { SHA256_TOKEN_PREFIX, tokenObjectName } from '../../lib/oauth-token-name.js'
import {
  NotFoundError,
  objectKey,
  systemClock,
  type Clock,
  type Store,
  type StoredObject,
} from '../../storage/index.js'
import type { Authenticator, UserInfo } from './index.js'

/** OAUTH_GROUP is the API group of the token objects. */
export const OAUTH_GROUP = 'oauth.openshift.io'
/** OAUTH_ACCESS_TOKENS is the resource the token objects are stored under. */
export const OAUTH_ACCESS_TOKENS = 'oauthaccesstokens'
/**
 * Groups of every user logged in through OAuth, in OpenShift's order: its token authenticator
 * adds `system:authenticated:oauth`, then the apiserver's union adds `system:authenticated`.
 */
export const OAUTH_USER_GROUPS: readonly string[] = Object.freeze([
  'system:authenticated:oauth',
  'system:authenticated',
])

/** OAuthAccessToken is the stored token: who it is for, for how long; never the token itself. */
export interface OAuthAccessToken extends StoredObject {
  apiVersion: 'oauth.openshift.io/v1'
  kind: 'OAuthAccessToken'
  clientName: string
  userName: string
  /** Seconds from creationTimestamp. */
  expiresIn: number
  scopes: string[]
  redirectURI: string
}

/** newOAuthToken makes a token: `sha256~` and 32 random bytes in base64url. */
export function newOAuthToken(): string {
  return SHA256_TOKEN_PREFIX + randomBytes(32).toString('base64url')
}

/** accessTokenObject is the object stored for a new token. */
export function accessTokenObject(a: {
  token: string
  userName: string
  clientName: string
  expiresIn: number
  redirectURI: string
}): OAuthAccessToken {
  return {
    apiVersion: 'oauth.openshift.io/v1',
    kind: 'OAuthAccessToken',
    metadata: { name: tokenObjectName(a.token) },
    clientName: a.clientName,
    userName: a.userName,
    expiresIn: a.expiresIn,
    scopes: ['user:full'],
    redirectURI: a.redirectURI,
  }
}

/** tokenExpiresAt is when a stored token stops working, in epoch milliseconds. */
export function tokenExpiresAt(object: OAuthAccessToken): number {
  const created = Date.parse(object.metadata.creationTimestamp ?? '')
  return Number.isNaN(created) ? 0 : created + object.expiresIn * 1000
}

/** OAuthTokenLogger is the part of the server's logger the authenticator uses. */
export interface OAuthTokenLogger {
  warn(context: object, message: string): void
}

/** OAuthTokenAuthenticatorOptions are the store and, for tests, the clock and cache time. */
export interface OAuthTokenAuthenticatorOptions {
  readonly store: Store
  readonly logger: OAuthTokenLogger
  /** How long a token read from the store is trusted without reading it again; default 10 s. */
  readonly cacheMs?: number
  /** Time and the expiry sweep's timer; tests pass a ManualClock. */
  readonly clock?: Clock
}

interface Cached {
  readonly user: UserInfo
  readonly expiresAt: number
  readonly until: number
}

/** After a broken watch, the pause before following the store again. */
const REWATCH_MS = 1000
/** How often expired token objects that nobody presents any more are deleted. */
export const TOKEN_SWEEP_MS = 10 * 60_000

/**
 * OAuthTokenAuthenticator accepts the OAuth tokens in the store. A token read from the store is
 * remembered briefly, by its object name (a hash), so a burst of requests reads it once; a watch
 * on the token objects forgets a deleted one at once, so `oc logout` takes effect on every
 * server that shares the store.
 */
export class OAuthTokenAuthenticator implements Authenticator {
  readonly #store: Store
  readonly #logger: OAuthTokenLogger
  readonly #cacheMs: number
  readonly #clock: Clock
  readonly #cache = new Map<string, Cached>()
  readonly #stop = new AbortController()
  /** Bumped by every forget: a read that raced with one is not cached. */
  #epoch = 0
  #started: Promise<void> | undefined
  #following: Promise<void> | undefined
  #stopSweeps: (() => void) | undefined
  #sweeping: Promise<number> = Promise.resolve(0)

  constructor(options: OAuthTokenAuthenticatorOptions) {
    this.#store = options.store
    this.#logger = options.logger
    this.#cacheMs = options.cacheMs ?? 10_000
    this.#clock = options.clock ?? systemClock
  }

  /**
   * start follows the store's token changes until close; resolves once the first watch is open
   * (or has failed, to be retried), so that every deletion from then on is seen.
   */
  start(): Promise<void> {
    this.#started ??= new Promise((opened) => {
      this.#following = this.#follow(opened)
      this.#stopSweeps = this.#clock.every(TOKEN_SWEEP_MS, () => {
        this.#sweeping = this.sweepExpired().catch((err: unknown) => {
          this.#logger.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'deleting expired OAuth tokens failed',
          )
          return 0
        })
      })
    })
    return this.#started
  }

  /** close stops following the store and sweeping it. */
  async close(): Promise<void> {
    this.#stopSweeps?.()
    this.#stop.abort()
    await this.#following
    await this.#sweeping
  }

  /** sweepExpired deletes the token objects whose time is up; resolves to how many. */
  async sweepExpired(): Promise<number> {
    const now = this.#clock.now()
    const { items } = await this.#store.list<OAuthAccessToken>(OAUTH_ACCESS_TOKENS)
    let deleted = 0
    for (const object of items) {
      if (tokenExpiresAt(object) > now) continue
      try {
        await this.#store.delete(objectKey(OAUTH_ACCESS_TOKENS, object.metadata.name ?? ''))
        deleted++
      } catch (err) {
        // Deleted meanwhile by a logout, a look-up or another server: gone all the same.
        if (!(err instanceof NotFoundError)) throw err
      }
    }
    return deleted
  }

  /** forget drops a token object from the cache (deleted here or seen deleted in the store). */
  forget(name: string): void {
    this.#epoch++
    this.#cache.delete(name)
  }

  async authenticate(token: string): Promise<UserInfo | undefined> {
    if (!token.startsWith(SHA256_TOKEN_PREFIX)) return undefined
    const name = tokenObjectName(token)
    const now = this.#clock.now()
    const hit = this.#cache.get(name)
    if (hit && hit.until > now) return hit.expiresAt > now ? hit.user : undefined
    const epoch = this.#epoch
    let object: OAuthAccessToken
    try {
      object = await this.#store.get<OAuthAccessToken>(objectKey(OAUTH_ACCESS_TOKENS, name))
    } catch (err) {
      if (err instanceof NotFoundError) return undefined
      throw err
    }
    const expiresAt = tokenExpiresAt(object)
    if (expiresAt <= now) {
      // Expired tokens are of no use to anyone: dropped when first presented.
      await this.#store.delete(objectKey(OAUTH_ACCESS_TOKENS, name)).catch(() => undefined)
      return undefined
    }
    const user: UserInfo = { name: object.userName, groups: OAUTH_USER_GROUPS }
    if (epoch === this.#epoch) {
      this.#cache.set(name, { user, expiresAt, until: Math.min(expiresAt, now + this.#cacheMs) })
    }
    return user
  }

  async #follow(opened: () => void): Promise<void> {
    const signal = this.#stop.signal
    while (!signal.aborted) {
      try {
        const from = String(await this.#store.currentRevision())
        // Whatever was cached before this watch starts may have missed a deletion.
        this.#epoch++
        this.#cache.clear()
        const events = await this.#store.watch<OAuthAccessToken>(OAUTH_ACCESS_TOKENS, {
          fromResourceVersion: from,
          signal,
        })
        opened()
        for await (const event of events) {
          if (event.type === 'DELETED' || event.type === 'MODIFIED') {
            this.forget(event.object.metadata.name ?? '')
          }
        }
      } catch (err) {
        opened()
        if (signal.aborted) return
        this.#logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'watching OAuth tokens failed: following them again',
        )
      }
      await sleep(REWATCH_MS, signal).catch(() => undefined)
    }
  }
}
