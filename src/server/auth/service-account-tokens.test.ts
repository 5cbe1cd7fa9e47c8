/**
 * TokenRequest and the service-account token authenticator against a real API server (the
 * resource fixture: fastify, SQLite) and the real signing-key module: the claims Kubernetes
 * writes, the validation table of spec.expirationSeconds, and every reason a token is refused,
 * an expired one included (the fixture's clock moves past its lifetime).
 */
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { pollUntil } from '../../../test/harness/process.js'
import { startFixture, type Fixture } from '../resources/testing/fixture.js'
import { ensureSigningKey, keyIdOf, type SigningKey } from './service-account-key.js'
import {
  CLOCK_SKEW_SECONDS,
  createServiceAccountAuthenticator,
  serviceAccountUser,
  signToken,
  tokenClaims,
  type ServiceAccountAuthenticator,
} from './service-account-tokens.js'
import {
  DEFAULT_EXPIRATION_SECONDS,
  registerTokenRequest,
  tokenSpec,
  type TokenSpec,
} from './token-request.js'

/** The issuer serve uses by default; the API's audience is its issuer. */
const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc'
const AUDIENCES = [SERVICE_ACCOUNT_ISSUER]
const MAX = 86_400
const TOKEN_URL = (name: string, namespace = 'team-a') =>
  `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`

void describe('tokenSpec: defaults, validation and the server cap', () => {
  const defaults = { audiences: AUDIENCES, maxExpirationSeconds: MAX }
  const granted: readonly [string, unknown, TokenSpec][] = [
    [
      'empty spec: an hour for the API',
      {},
      { audiences: AUDIENCES, expirationSeconds: DEFAULT_EXPIRATION_SECONDS, warnings: [] },
    ],
    [
      'the minimum, ten minutes',
      { expirationSeconds: 600 },
      { audiences: AUDIENCES, expirationSeconds: 600, warnings: [] },
    ],
    [
      'audiences given are kept',
      { audiences: ['vault', 'ci'], expirationSeconds: 3600 },
      { audiences: ['vault', 'ci'], expirationSeconds: 3600, warnings: [] },
    ],
    [
      'over the cap: shortened, with the warning kube-apiserver gives',
      { expirationSeconds: MAX + 1 },
      {
        audiences: AUDIENCES,
        expirationSeconds: MAX,
        warnings: [`requested expiration of ${MAX + 1} seconds shortened to ${MAX} seconds`],
      },
    ],
  ]
  for (const [name, spec, want] of granted) {
    void it(name, () => assert.deepEqual(tokenSpec(spec, defaults), want))
  }

  const refused: readonly [string, number, string][] = [
    [
      'under ten minutes',
      599,
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
    ],
    [
      'zero',
      0,
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 0: may not specify a duration less than 10 minutes',
    ],
    [
      'over 2^32 seconds',
      2 ** 32 + 1,
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds',
    ],
  ]
  for (const [name, expirationSeconds, message] of refused) {
    void it(`refuses ${name}`, () =>
      assert.throws(() => tokenSpec({ expirationSeconds }, defaults), { message }))
  }
})

void describe('service-account tokens through the API', () => {
  let fx: Fixture
  let keyDir: string
  let key: SigningKey
  let auth: ServiceAccountAuthenticator

  const requestToken = (name: string, body: unknown = {}) =>
    fx.request({ method: 'POST', url: TOKEN_URL(name), body })
  const tokenOf = async (name: string, spec: Record<string, unknown> = {}) => {
    const res = await requestToken(name, { spec })
    assert.equal(res.statusCode, 201, res.body)
    return res.json<{ status: { token: string } }>().status.token
  }
  const createAccount = async (name: string) => {
    const res = await fx.request({
      method: 'POST',
      url: '/api/v1/namespaces/team-a/serviceaccounts',
      body: { metadata: { name } },
    })
    assert.equal(res.statusCode, 201, res.body)
  }
  const createSecret = async (name: string) => {
    const res = await fx.request({
      method: 'POST',
      url: '/api/v1/namespaces/team-a/secrets',
      body: { metadata: { name }, stringData: { a: 'b' } },
    })
    assert.equal(res.statusCode, 201, res.body)
    return res.json<{ metadata: { uid: string } }>().metadata.uid
  }
  const deleteAccount = async (name: string) => {
    const res = await fx.request({
      method: 'DELETE',
      url: `/api/v1/namespaces/team-a/serviceaccounts/${name}`,
    })
    assert.equal(res.statusCode, 200, res.body)
  }

  before(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'sa-key-'))
    key = await ensureSigningKey(keyDir)
    fx = await startFixture({}, (app, store) =>
      registerTokenRequest(app, {
        store,
        key,
        issuer: SERVICE_ACCOUNT_ISSUER,
        audiences: AUDIENCES,
        maxExpirationSeconds: MAX,
        now: () => fx.clock.now(),
      }),
    )
    auth = createServiceAccountAuthenticator({
      store: fx.store,
      key,
      issuer: SERVICE_ACCOUNT_ISSUER,
      audiences: AUDIENCES,
      now: () => fx.clock.now(),
    })
    await auth.start()
    await fx.createNamespace('team-a')
    await createAccount('ci')
    await createSecret('bound')
  })
  after(async () => {
    await auth.stop()
    await fx.close()
    rmSync(keyDir, { recursive: true, force: true })
  })

  void it('answers a TokenRequest as kube-apiserver does, with the claims it writes', async () => {
    const res = await requestToken('ci', {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      spec: { expirationSeconds: 600 },
    })
    assert.equal(res.statusCode, 201, res.body)
    const body = res.json<{
      metadata: Record<string, unknown>
      spec: Record<string, unknown>
      status: { token: string; expirationTimestamp: string }
    }>()
    const now = fx.clock.now() / 1000
    assert.deepEqual(body.metadata, {
      name: 'ci',
      namespace: 'team-a',
      creationTimestamp: new Date(now * 1000).toISOString().replace('.000Z', 'Z'),
    })
    assert.deepEqual(body.spec, {
      audiences: AUDIENCES,
      expirationSeconds: 600,
      boundObjectRef: null,
    })
    assert.equal(
      body.status.expirationTimestamp,
      new Date((now + 600) * 1000).toISOString().replace('.000Z', 'Z'),
    )
    assert.deepEqual(decodeProtectedHeader(body.status.token), { alg: 'RS256', kid: key.keyId })
    const claims = decodeJwt(body.status.token)
    const account = (
      await fx.request({ method: 'GET', url: '/api/v1/namespaces/team-a/serviceaccounts/ci' })
    ).json<{ metadata: { uid: string } }>()
    assert.deepEqual(Object.keys(claims), [
      'aud',
      'exp',
      'iat',
      'iss',
      'jti',
      'kubernetes.io',
      'nbf',
      'sub',
    ])
    assert.deepEqual(
      { ...claims, jti: undefined },
      {
        aud: AUDIENCES,
        exp: now + 600,
        iat: now,
        iss: SERVICE_ACCOUNT_ISSUER,
        jti: undefined,
        'kubernetes.io': {
          namespace: 'team-a',
          serviceaccount: { name: 'ci', uid: account.metadata.uid },
        },
        nbf: now,
        sub: 'system:serviceaccount:team-a:ci',
      },
    )
  })

  void it('refuses requests as kube-apiserver does', async () => {
    const cases: readonly [string, string, unknown, number, string][] = [
      ['a missing account', 'nope', {}, 404, 'serviceaccounts "nope" not found'],
      [
        "a name that is not the URL's",
        'ci',
        { metadata: { name: 'other' } },
        422,
        'TokenRequest.authentication.k8s.io "ci" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified',
      ],
      [
        "a namespace that is not the URL's",
        'ci',
        { metadata: { namespace: 'other' } },
        422,
        'TokenRequest.authentication.k8s.io "ci" is invalid: metadata.namespace: Invalid value: "other": must match the service account namespace if specified',
      ],
      [
        'a lifetime under ten minutes',
        'ci',
        { spec: { expirationSeconds: 60 } },
        422,
        'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
      ],
      [
        'a token bound to a Pod (there are none)',
        'ci',
        { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } } },
        400,
        'cannot bind token to object of type /v1, Kind=Pod',
      ],
      [
        'a token bound to a missing Secret',
        'ci',
        { spec: { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'nope' } } },
        404,
        'secrets "nope" not found',
      ],
      [
        'a token bound to a Secret by a uid that is not its own',
        'ci',
        {
          spec: {
            boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'bound', uid: 'old-uid' },
          },
        },
        409,
        'Operation cannot be fulfilled on Secret "bound": the UID in the bound object reference (old-uid) does not match the UID in record. The object might have been deleted and then recreated',
      ],
    ]
    for (const [what, name, body, code, message] of cases) {
      const res = await requestToken(name, body)
      assert.equal(res.statusCode, code, `${what}: ${res.body}`)
      assert.equal(res.json<{ message: string }>().message, message, what)
    }
    const get = await fx.request({ method: 'GET', url: TOKEN_URL('ci') })
    assert.equal(get.statusCode, 405)
  })

  void it('shortens a lifetime over the server cap, with a warning', async () => {
    const res = await requestToken('ci', { spec: { expirationSeconds: MAX * 2 } })
    assert.equal(res.statusCode, 201)
    assert.deepEqual(res.headers.warning, [
      `299 - "requested expiration of ${MAX * 2} seconds shortened to ${MAX} seconds"`,
    ])
  })

  void it('authenticates a token as the account, with its groups', async () => {
    assert.deepEqual(await auth.authenticate(await tokenOf('ci')), {
      name: 'system:serviceaccount:team-a:ci',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'],
    })
  })

  void it("refuses tokens that are not the server's or not for the API", async () => {
    const account = (
      await fx.request({ method: 'GET', url: '/api/v1/namespaces/team-a/serviceaccounts/ci' })
    ).json<{ metadata: { uid: string } }>()
    const now = Math.floor(fx.clock.now() / 1000)
    const claims = (over: Partial<Parameters<typeof tokenClaims>[0]> = {}) =>
      tokenClaims({
        namespace: 'team-a',
        name: 'ci',
        uid: account.metadata.uid,
        audiences: AUDIENCES,
        expirationSeconds: 600,
        now,
        issuer: SERVICE_ACCOUNT_ISSUER,
        ...over,
      })
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const otherKey: SigningKey = {
      privateKey: other.privateKey,
      publicKey: other.publicKey,
      keyId: keyIdOf(other.publicKey),
      state: 'created',
    }
    const good = await signToken(key, claims())
    const [header, payload, signature] = good.split('.') as [string, string, string]
    const forged = Buffer.from(
      JSON.stringify({ ...claims(), sub: 'system:serviceaccount:team-a:admin' }),
    ).toString('base64url')
    const refused: readonly [string, string][] = [
      ['signed with another key', await signToken(otherKey, claims())],
      ['another issuer', await signToken(key, claims({ issuer: 'https://elsewhere' }))],
      ['for another audience', await tokenOf('ci', { audiences: ['vault'] })],
      ['a payload changed after signing', `${header}.${forged}.${signature}`],
      [
        'not valid yet (issued past the allowed skew from now)',
        await signToken(key, claims({ now: now + CLOCK_SKEW_SECONDS + 10 })),
      ],
      ["an account uid that is not the account's", await signToken(key, claims({ uid: 'x' }))],
      ['not a JWT', 'test-admin-token'],
      [
        'bound to a pod',
        await signToken(key, {
          ...claims(),
          // A claim this server never writes: the type of the claims it signs has no pod.
          'kubernetes.io': {
            ...claims()['kubernetes.io'],
            ...({ pod: { name: 'p', uid: 'u' } } as object),
          },
        }),
      ],
      ['a JWT of alg none', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`],
    ]
    for (const [what, token] of refused) {
      assert.equal(await auth.authenticate(token), undefined, what)
    }
  })

  void it('refuses a token once it has expired', async () => {
    const token = await tokenOf('ci', { expirationSeconds: 600 })
    assert.ok(await auth.authenticate(token))
    fx.clock.advance((600 + CLOCK_SKEW_SECONDS + 1) * 1000)
    assert.equal(await auth.authenticate(token), undefined)
  })

  void it('refuses the tokens of a deleted account, also when it is created again', async () => {
    await createAccount('deploy-bot')
    const token = await tokenOf('deploy-bot')
    const user = serviceAccountUser('team-a', 'deploy-bot')
    assert.deepEqual(await auth.authenticate(token), user)
    // Cached now: the deletion reaches the cache through the watch.
    assert.deepEqual(await auth.authenticate(token), user)
    await deleteAccount('deploy-bot')
    await pollUntil(
      "the deleted account's token to be refused",
      async () => (await auth.authenticate(token)) === undefined,
    )
    await createAccount('deploy-bot')
    assert.equal(await auth.authenticate(token), undefined)
    assert.deepEqual(await auth.authenticate(await tokenOf('deploy-bot')), user)
  })

  void it('binds a token to a Secret: it is refused once the Secret is deleted', async () => {
    const uid = await createSecret('ci-token')
    const ref = { kind: 'Secret', apiVersion: 'v1', name: 'ci-token' }
    const res = await requestToken('ci', { spec: { boundObjectRef: ref } })
    assert.equal(res.statusCode, 201, res.body)
    const body = res.json<{ spec: { boundObjectRef: unknown }; status: { token: string } }>()
    assert.deepEqual(body.spec.boundObjectRef, ref)
    const token = body.status.token
    assert.deepEqual(decodeJwt(token)['kubernetes.io'], {
      namespace: 'team-a',
      serviceaccount: {
        name: 'ci',
        uid: (
          await fx.request({ method: 'GET', url: '/api/v1/namespaces/team-a/serviceaccounts/ci' })
        ).json<{ metadata: { uid: string } }>().metadata.uid,
      },
      secret: { name: 'ci-token', uid },
    })
    assert.deepEqual(await auth.authenticate(token), serviceAccountUser('team-a', 'ci'))
    const deleted = await fx.request({
      method: 'DELETE',
      url: '/api/v1/namespaces/team-a/secrets/ci-token',
    })
    assert.equal(deleted.statusCode, 200, deleted.body)
    await pollUntil(
      "the deleted Secret's token to be refused",
      async () => (await auth.authenticate(token)) === undefined,
    )
    await createSecret('ci-token')
    assert.equal(await auth.authenticate(token), undefined)
  })
})
