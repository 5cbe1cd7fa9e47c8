import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, beforeEach, describe, it } from 'node:test'
import { pollUntil } from '../../../test/harness/process.js'
import { tokenObjectName } from '../../lib/oauth-token-name.js'
import { objectKey, NotFoundError, type Store } from '../../storage/index.js'
import { openSqliteStore } from '../../storage/sqlite/index.js'
import { ManualClock } from '../../storage/testing/manual-clock.js'
import {
  accessTokenObject,
  newOAuthToken,
  OAUTH_ACCESS_TOKENS,
  OAuthTokenAuthenticator,
  TOKEN_SWEEP_MS,
} from './oauth-tokens.js'

const dir = mkdtempSync(join(tmpdir(), 'imagestreams-oauth-tokens-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('OAuthTokenAuthenticator', () => {
  let store: Store
  let clock: ManualClock
  let auth: OAuthTokenAuthenticator
  let n = 0
  beforeEach(async () => {
    clock = new ManualClock()
    store = await openSqliteStore({ path: join(dir, `db-${n++}.sqlite`), clock })
    // A cache longer than any test: only the watch can make a cached token go.
    auth = new OAuthTokenAuthenticator({
      store,
      logger: { warn: () => {} },
      cacheMs: 3_600_000,
      clock,
    })
    await auth.start()
  })
  afterEach(async () => {
    await auth.close()
    await store.close()
  })

  const issue = async (userName: string, expiresIn = 60) => {
    const token = newOAuthToken()
    await store.create(
      objectKey(OAUTH_ACCESS_TOKENS, tokenObjectName(token)),
      accessTokenObject({
        token,
        userName,
        clientName: 'openshift-challenging-client',
        expiresIn,
        redirectURI: 'https://127.0.0.1:8443/oauth/token/implicit',
      }),
    )
    return token
  }

  it('makes sha256~ tokens of 43 base64url characters', () => {
    assert.match(newOAuthToken(), /^sha256~[A-Za-z0-9_-]{43}$/)
  })

  it('accepts a stored token as its user with the OAuth groups', async () => {
    const token = await issue('alice')
    assert.deepEqual(await auth.authenticate(token), {
      name: 'alice',
      groups: ['system:authenticated:oauth', 'system:authenticated'],
    })
  })

  it('stores the hash, never the token', async () => {
    const token = await issue('alice')
    const list = await store.list(OAUTH_ACCESS_TOKENS)
    assert.equal(JSON.stringify(list).includes(token.slice('sha256~'.length)), false)
  })

  it('knows nothing of other tokens, or of sha256~ tokens it did not issue', async () => {
    assert.equal(await auth.authenticate('admin-token'), undefined)
    assert.equal(await auth.authenticate(newOAuthToken()), undefined)
  })

  it('refuses a token once expiresIn has passed, and drops its object', async () => {
    const token = await issue('alice', 60)
    assert.ok(await auth.authenticate(token))
    clock.advance(59_000)
    assert.ok(await auth.authenticate(token))
    clock.advance(1_000)
    assert.equal(await auth.authenticate(token), undefined)
    // The cached answer expires with the token; the next look-up deletes the object.
    auth.forget(tokenObjectName(token))
    assert.equal(await auth.authenticate(token), undefined)
    await assert.rejects(
      store.get(objectKey(OAUTH_ACCESS_TOKENS, tokenObjectName(token))),
      NotFoundError,
    )
  })

  it('deletes expired token objects every ten minutes, even if never presented again', async () => {
    const short = await issue('alice', 60)
    const long = await issue('bob', 3600)
    clock.advance(TOKEN_SWEEP_MS)
    await pollUntil(
      'the sweep',
      async () => (await store.list(OAUTH_ACCESS_TOKENS)).items.length === 1,
    )
    assert.equal(await auth.authenticate(short), undefined)
    assert.equal((await auth.authenticate(long))?.name, 'bob')
  })

  it('refuses a cached token soon after its object is deleted from the store', async () => {
    const token = await issue('alice')
    assert.ok(await auth.authenticate(token))
    await store.delete(objectKey(OAUTH_ACCESS_TOKENS, tokenObjectName(token)))
    await pollUntil(
      'the deletion to be seen',
      async () => (await auth.authenticate(token)) === undefined,
    )
  })
})
