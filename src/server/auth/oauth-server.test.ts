import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { RESOURCE_LIST } from '../../api/index.js'
import { tokenObjectName } from '../../lib/oauth-token-name.js'
import { pkceS256 } from '../../lib/pkce.js'
import type { Store } from '../../storage/index.js'
import { openSqliteStore } from '../../storage/sqlite/index.js'
import { createServer } from '../app.js'
import { createLogger } from '../logger.js'
import { ensurePki } from '../pki.js'
import { HtpasswdFile } from './htpasswd-file.js'
import {
  ADMIN_USER,
  anyAuthenticator,
  createAdminAuthorizer,
  createTokenAuthenticator,
  hashToken,
} from './index.js'
import { registerOAuthApi } from './oauth-api.js'
import { registerOAuthServer } from './oauth-server.js'
import { OAuthTokenAuthenticator } from './oauth-tokens.js'

const HOST = '127.0.0.1:8443'
const ISSUER = `https://${HOST}`
const REDIRECT = `${ISSUER}/oauth/token/implicit`
const CSRF = { 'x-csrf-token': '1' }
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
})
const CLIENT = basic('openshift-challenging-client', '')

describe('the OAuth endpoints oc login uses', () => {
  let dir: string
  let store: Store
  let tokens: OAuthTokenAuthenticator
  let users: HtpasswdFile
  let app: FastifyInstance
  const logs: string[] = []

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-oauth-server-'))
    const htpasswd = join(dir, 'users.htpasswd')
    writeFileSync(htpasswd, '')
    execFileSync('htpasswd', ['-b', '-B', htpasswd, 'alice', 'wonder land'], { stdio: 'ignore' })
    users = await HtpasswdFile.open(htpasswd, { info: () => {}, warn: () => {} })
    store = await openSqliteStore({ path: join(dir, 'db.sqlite') })
    tokens = new OAuthTokenAuthenticator({ store, logger: { warn: () => {} } })
    await tokens.start()
    const pki = await ensurePki({ dataDir: dir, hosts: [] })
    const logger = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _enc, cb) {
          logs.push(chunk.toString('utf8'))
          cb()
        },
      }),
    })
    app = createServer({
      logger,
      auth: anyAuthenticator([
        createTokenAuthenticator([{ sha256: hashToken('admin-token'), user: ADMIN_USER }]),
        tokens,
      ]),
      authorizer: createAdminAuthorizer(),
      resources: RESOURCE_LIST,
      tls: { cert: pki.certPem, key: pki.keyPem },
    })
    registerOAuthServer(app, {
      store,
      passwords: users,
      tokenMaxAgeSeconds: 3600,
      logger,
      failureDelayMs: 0,
    })
    registerOAuthApi(app, { store, tokens })
    await app.ready()
  })
  after(async () => {
    await app.close()
    await tokens.close()
    users.close()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const authorizeURL = (query: Record<string, string> = {}) =>
    `/oauth/authorize?${new URLSearchParams({
      client_id: 'openshift-challenging-client',
      response_type: 'code',
      redirect_uri: REDIRECT,
      ...query,
    }).toString()}`
  const authorize = (headers: Record<string, string>, query: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: authorizeURL(query), headers: { host: HOST, ...headers } })
  const exchange = (form: Record<string, string>, headers: Record<string, string> = CLIENT) =>
    app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(form).toString(),
    })
  /** codeFor logs alice in with a PKCE challenge of `verifier` and returns the code. */
  const codeFor = async (verifier: string) => {
    const res = await authorize(
      { ...CSRF, ...basic('alice', 'wonder land') },
      { code_challenge: pkceS256(verifier), code_challenge_method: 'S256', state: 'st' },
    )
    assert.equal(res.statusCode, 302)
    const location = new URL(res.headers.location as string)
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT)
    assert.equal(location.searchParams.get('state'), 'st')
    return location.searchParams.get('code')!
  }

  it('publishes the server metadata without a token, issued for the host asked', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/.well-known/oauth-authorization-server',
      headers: { host: HOST },
    })
    assert.equal(res.statusCode, 200)
    assert.deepEqual(res.json(), {
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/oauth/authorize`,
      token_endpoint: `${ISSUER}/oauth/token`,
      scopes_supported: ['user:full'],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      code_challenge_methods_supported: ['S256'],
    })
  })

  it('challenges for Basic credentials only a client that sends X-CSRF-Token', async () => {
    const cli = await authorize(CSRF)
    assert.equal(cli.statusCode, 401)
    assert.equal(cli.headers['www-authenticate'], 'Basic realm="openshift"')
    const browser = await authorize(basic('alice', 'wonder land'))
    assert.equal(browser.statusCode, 401)
    assert.equal(browser.headers['www-authenticate'], undefined)
    assert.equal(
      browser.headers.warning,
      '199 Oauth-Server "A non-empty X-CSRF-Token header is required to receive basic-auth challenges"',
    )
  })

  it('answers a wrong password and an unknown user with the same challenge', async () => {
    for (const who of [basic('alice', 'nope'), basic('nobody', 'wonder land')]) {
      const res = await authorize({ ...CSRF, ...who })
      assert.equal(res.statusCode, 401)
      assert.equal(res.headers['www-authenticate'], 'Basic realm="openshift"')
    }
    assert.equal(logs.join('').includes('nope'), false)
  })

  it('refuses other clients and redirect URIs', async () => {
    const client = await authorize(CSRF, { client_id: 'console' })
    assert.equal(client.statusCode, 400)
    assert.equal(client.json<{ error: string }>().error, 'unauthorized_client')
    const redirect = await authorize(CSRF, { redirect_uri: 'https://evil.example/cb' })
    assert.equal(redirect.statusCode, 400)
    assert.equal(redirect.json<{ error: string }>().error, 'invalid_request')
  })

  it('exchanges a code once, for a token that authenticates as alice', async () => {
    const code = await codeFor('v'.repeat(43))
    const res = await exchange({
      grant_type: 'authorization_code',
      code,
      code_verifier: 'v'.repeat(43),
      redirect_uri: REDIRECT,
    })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['cache-control'], 'no-store')
    const body = res.json<{ access_token: string; token_type: string; expires_in: number }>()
    assert.match(body.access_token, /^sha256~[A-Za-z0-9_-]{43}$/)
    assert.equal(body.token_type, 'Bearer')
    assert.equal(body.expires_in, 3600)
    const me = await app.inject({
      method: 'GET',
      url: '/apis/user.openshift.io/v1/users/~',
      headers: { authorization: `Bearer ${body.access_token}` },
    })
    assert.equal(me.statusCode, 200)
    assert.equal(me.json<{ metadata: { name: string } }>().metadata.name, 'alice')

    const again = await exchange({
      grant_type: 'authorization_code',
      code,
      code_verifier: 'v'.repeat(43),
    })
    assert.equal(again.statusCode, 400)
    assert.equal(again.json<{ error: string }>().error, 'invalid_grant')
  })

  it('refuses a code whose verifier does not match its challenge, and spends it', async () => {
    const code = await codeFor('a'.repeat(43))
    const wrong = await exchange({
      grant_type: 'authorization_code',
      code,
      code_verifier: 'b'.repeat(43),
    })
    assert.equal(wrong.statusCode, 400)
    assert.deepEqual(wrong.json(), {
      error: 'invalid_grant',
      error_description: 'code_verifier does not match the code',
    })
    const right = await exchange({
      grant_type: 'authorization_code',
      code,
      code_verifier: 'a'.repeat(43),
    })
    assert.equal(right.statusCode, 400)
  })

  it('refuses a client with a secret and other grant types', async () => {
    const code = await codeFor('c'.repeat(43))
    const secret = await exchange(
      { grant_type: 'authorization_code', code, code_verifier: 'c'.repeat(43) },
      basic('openshift-challenging-client', 'secret'),
    )
    assert.equal(secret.statusCode, 401)
    assert.equal(secret.json<{ error: string }>().error, 'invalid_client')
    const password = await exchange({ grant_type: 'password', username: 'alice', password: 'x' })
    assert.equal(password.statusCode, 400)
    assert.equal(password.json<{ error: string }>().error, 'unsupported_grant_type')
  })

  it('signs the web console in through its login form, with PKCE and its one redirect URI', async () => {
    const CALLBACK = `${ISSUER}/console/oauth/callback`
    const verifier = 'e'.repeat(43)
    const login = (form: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/oauth/authorize',
        headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          client_id: 'isctl-console',
          response_type: 'code',
          redirect_uri: CALLBACK,
          state: 'st',
          code_challenge: pkceS256(verifier),
          code_challenge_method: 'S256',
          ...form,
        }).toString(),
      })
    const wrong = await login({ username: 'alice', password: 'nope' })
    assert.equal(wrong.statusCode, 302)
    const refused = new URL(wrong.headers.location as string)
    assert.equal(`${refused.origin}${refused.pathname}`, CALLBACK)
    assert.equal(refused.searchParams.get('error'), 'access_denied')
    assert.equal(refused.searchParams.get('state'), 'st')
    assert.equal(refused.searchParams.get('code'), null)

    const elsewhere = await login({
      username: 'alice',
      password: 'wonder land',
      redirect_uri: 'https://evil.example/cb',
    })
    assert.equal(elsewhere.statusCode, 400)
    const noPkce = await login({ username: 'alice', password: 'wonder land', code_challenge: '' })
    assert.equal(
      new URL(noPkce.headers.location as string).searchParams.get('error'),
      'invalid_request',
    )

    const right = await login({ username: 'alice', password: 'wonder land' })
    assert.equal(right.statusCode, 302)
    const code = new URL(right.headers.location as string).searchParams.get('code')!
    assert.ok(code.startsWith('sha256~'))
    // The CLI's client may not spend the console's code, and the failed try spends it.
    const stolen = await exchange({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
    })
    assert.equal(stolen.json<{ error: string }>().error, 'invalid_grant')
    const again = await login({ username: 'alice', password: 'wonder land' })
    const code2 = new URL(again.headers.location as string).searchParams.get('code')!
    const res = await exchange(
      {
        grant_type: 'authorization_code',
        client_id: 'isctl-console',
        code: code2,
        code_verifier: verifier,
        redirect_uri: CALLBACK,
      },
      {},
    )
    assert.equal(res.statusCode, 200)
    const token = res.json<{ access_token: string }>().access_token
    const me = await app.inject({
      method: 'GET',
      url: '/apis/user.openshift.io/v1/users/~',
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(me.json<{ metadata: { name: string } }>().metadata.name, 'alice')
  })

  it('exempts exactly those four endpoints from the bearer token', async () => {
    for (const [method, url] of [
      ['GET', '/oauth/token'],
      ['GET', '/oauth/token/implicit'],
      ['PUT', '/oauth/authorize'],
      ['GET', '/oauth/authorize/x'],
      ['GET', '/oauth'],
      ['DELETE', '/apis/oauth.openshift.io/v1/oauthaccesstokens/sha256~x'],
    ] as const) {
      const res = await app.inject({ method, url })
      assert.equal(res.statusCode, 401, `${method} ${url}`)
      assert.equal(res.json<{ reason: string }>().reason, 'Unauthorized')
    }
  })

  it('deleting a token object revokes the token at once', async () => {
    const code = await codeFor('d'.repeat(43))
    const token = (
      await exchange({ grant_type: 'authorization_code', code, code_verifier: 'd'.repeat(43) })
    ).json<{ access_token: string }>().access_token
    const as = { authorization: `Bearer ${token}` }
    const me = () =>
      app.inject({ method: 'GET', url: '/apis/user.openshift.io/v1/users/~', headers: as })
    assert.equal((await me()).statusCode, 200)
    const name = tokenObjectName(token)
    const del = await app.inject({
      method: 'DELETE',
      url: `/apis/oauth.openshift.io/v1/oauthaccesstokens/${name}`,
      headers: as,
    })
    assert.equal(del.statusCode, 200)
    assert.equal(del.json<{ status: string }>().status, 'Success')
    assert.equal((await me()).statusCode, 401)
    const gone = await app.inject({
      method: 'DELETE',
      url: `/apis/oauth.openshift.io/v1/oauthaccesstokens/${name}`,
      headers: { authorization: 'Bearer admin-token' },
    })
    assert.equal(gone.statusCode, 404)
    assert.equal(
      gone.json<{ message: string }>().message,
      `oauthaccesstokens.oauth.openshift.io "${name}" not found`,
    )
  })
})
