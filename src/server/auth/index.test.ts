import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { parse } from 'yaml'
import {
  ADMIN_FILES,
  ensureAdminToken,
  generateToken,
  renderKubeconfig,
  serverURL,
  writeKubeconfig,
} from './admin-credentials.js'
import {
  ADMIN_USER,
  anyAuthenticator,
  bearerToken,
  createAdminAuthorizer,
  rulesAllow,
  createTokenAuthenticator,
  hashToken,
  isOAuthRequest,
  OAUTH_ENDPOINTS,
  type AuthorizationAttributes,
  type UserInfo,
} from './index.js'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'imagestreams-auth-'))
  dirs.push(dir)
  return dir
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('createTokenAuthenticator', () => {
  const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] }
  const auth = createTokenAuthenticator([
    { sha256: hashToken('admin-token'), user: ADMIN_USER },
    { sha256: hashToken('alice-token'), user: alice },
  ])
  const cases: [string, UserInfo | undefined][] = [
    ['admin-token', ADMIN_USER],
    ['alice-token', alice],
    ['admin-token ', undefined],
    ['ADMIN-TOKEN', undefined],
    ['', undefined],
    ['x'.repeat(10_000), undefined],
  ]
  for (const [token, user] of cases) {
    it(`${JSON.stringify(token.slice(0, 20))} -> ${user?.name ?? 'unknown'}`, async () => {
      assert.equal(await auth.authenticate(token), user)
      // Again, once matches are remembered: the same answer.
      assert.equal(await auth.authenticate(token), user)
    })
  }

  it('answers near misses of a remembered token as unknown', async () => {
    const fresh = createTokenAuthenticator([{ sha256: hashToken('admin-token'), user: ADMIN_USER }])
    assert.equal(await fresh.authenticate('admin-token'), ADMIN_USER)
    for (const guess of ['admin-token ', 'admin-toke', 'admin-tokeN', 'xadmin-token']) {
      assert.equal(await fresh.authenticate(guess), undefined, guess)
    }
    assert.equal(await fresh.authenticate('admin-token'), ADMIN_USER)
  })

  it('refuses a hash that is not SHA-256', () => {
    assert.throws(() => createTokenAuthenticator([{ sha256: Buffer.alloc(16), user: alice }]))
  })
})

describe('anyAuthenticator', () => {
  const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] }
  const bob: UserInfo = { name: 'bob', groups: ['system:authenticated'] }
  const auth = anyAuthenticator([
    createTokenAuthenticator([{ sha256: hashToken('alice-token'), user: alice }]),
    createTokenAuthenticator([
      { sha256: hashToken('alice-token'), user: bob },
      { sha256: hashToken('bob-token'), user: bob },
    ]),
  ])
  const cases: [string, UserInfo | undefined][] = [
    ['alice-token', alice],
    ['bob-token', bob],
    ['carol-token', undefined],
  ]
  for (const [token, user] of cases) {
    it(`${token} -> ${user?.name ?? 'unknown'} (the first authenticator that knows a token wins)`, async () => {
      assert.equal(await auth.authenticate(token), user)
    })
  }
})

describe('bearerToken', () => {
  const cases: [string | undefined, string | undefined][] = [
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER  abc ', 'abc'],
    ['Bearer ', undefined],
    ['Bearer', undefined],
    ['Basic dXNlcjpwYXNz', undefined],
    ['abc', undefined],
    ['', undefined],
    [undefined, undefined],
  ]
  for (const [header, token] of cases) {
    it(`${JSON.stringify(header)} -> ${JSON.stringify(token)}`, () => {
      assert.equal(bearerToken(header), token)
    })
  }
})

describe('isOAuthRequest', () => {
  for (const endpoint of OAUTH_ENDPOINTS) {
    const [method = '', path = ''] = endpoint.split(' ')
    it(`tells ${endpoint}, with or without a query`, () => {
      assert.equal(isOAuthRequest(method, path), true)
      assert.equal(isOAuthRequest(method, `${path}?x=1`), true)
    })
  }
  const others: [string, string][] = [
    ['PUT', '/oauth/authorize'],
    ['GET', '/oauth/token'],
    ['GET', '/oauth/authorizex'],
    ['GET', '/apis/image.openshift.io/v1/namespaces/ns/imagestreams/s'],
    ['GET', '/x/oauth/authorize'],
    ['GET', '/.well-known/openid-configuration'],
  ]
  for (const [method, url] of others) {
    it(`does not tell ${method} ${url}`, () => {
      assert.equal(isOAuthRequest(method, url), false)
    })
  }
})

describe('createAdminAuthorizer', () => {
  const authorizer = createAdminAuthorizer()
  const bob: UserInfo = { name: 'bob', groups: ['system:authenticated'] }
  const get = (path: string): AuthorizationAttributes => ({
    kind: 'nonResource',
    verb: 'get',
    path,
  })
  const listIS: AuthorizationAttributes = {
    kind: 'resource',
    verb: 'list',
    group: 'image.openshift.io',
    resource: 'imagestreams',
    namespace: 'default',
  }
  const cases: [string, UserInfo, AuthorizationAttributes, boolean][] = [
    ['admin lists imagestreams', ADMIN_USER, listIS, true],
    ['admin reads any path', ADMIN_USER, get('/metrics'), true],
    ['others read /version', bob, get('/version'), true],
    ['others read discovery', bob, get('/apis/image.openshift.io/v1'), true],
    ['others read /healthz', bob, get('/healthz'), true],
    ['others may not list imagestreams', bob, listIS, false],
    ['others may not read other paths', bob, get('/metrics'), false],
    ['others may not post to discovery paths', bob, { ...get('/api'), verb: 'post' }, false],
    ['/apis-like prefixes are not discovery', bob, get('/apisx'), false],
    [
      'others may ask what they may do',
      bob,
      {
        kind: 'resource',
        verb: 'create',
        group: 'authorization.k8s.io',
        resource: 'selfsubjectaccessreviews',
      },
      true,
    ],
  ]
  for (const [name, user, attrs, allowed] of cases) {
    it(name, async () => {
      const decision = await authorizer.authorize(user, attrs)
      assert.equal(decision.allowed, allowed)
      if (!decision.allowed) assert.ok(decision.reason.length > 0)
    })
  }
  it('lists the rules its decisions follow', async () => {
    const admin = await authorizer.rulesFor(ADMIN_USER, 'default')
    assert.deepEqual(admin.resourceRules[0], { verbs: ['*'], apiGroups: ['*'], resources: ['*'] })
    const others = await authorizer.rulesFor(bob, 'default')
    assert.ok(!others.resourceRules.some((r) => r.verbs.includes('*')))
    for (const [, user, attrs, allowed] of cases) {
      const rules = user === ADMIN_USER ? admin : others
      assert.equal(rulesAllow(rules, attrs), allowed)
    }
  })
  it('names who may: system:masters, and system:authenticated for what everyone may', async () => {
    const names = async (attrs: AuthorizationAttributes) =>
      (await authorizer.allowedSubjects(attrs)).subjects.map((s) => `${s.kind}/${s.name}`)
    assert.deepEqual(await names(listIS), ['Group/system:masters'])
    assert.deepEqual(await names(get('/version')), [
      'Group/system:masters',
      'Group/system:authenticated',
    ])
  })
})

describe('admin token', () => {
  it('is 32 random bytes, base64url', () => {
    const token = generateToken()
    assert.match(token, /^[A-Za-z0-9_-]{43}$/)
    assert.equal(Buffer.from(token, 'base64url').length, 32)
    assert.notEqual(generateToken(), token)
  })

  it('is created once, stored only as its hash, and read back from admin.kubeconfig', async () => {
    const dataDir = tempDir()
    const first = await ensureAdminToken(dataDir)
    assert.equal(first.state, 'created')
    const hashFile = join(dataDir, ADMIN_FILES.tokenHash)
    const stored = await readFile(hashFile, 'utf8')
    assert.equal(stored, `${hashToken(first.token).toString('hex')}\n`)
    assert.ok(!stored.includes(first.token))
    assert.equal(statSync(hashFile).mode & 0o777, 0o600)

    await writeKubeconfig(dataDir, {
      server: 'https://127.0.0.1:8443',
      caCertPem: 'PEM',
      token: first.token,
    })
    const second = await ensureAdminToken(dataDir)
    assert.equal(second.state, 'reused')
    assert.equal(second.token, first.token)
  })

  it('is replaced when admin.kubeconfig no longer holds it', async () => {
    const dataDir = tempDir()
    const first = await ensureAdminToken(dataDir)
    const third = await ensureAdminToken(dataDir) // no kubeconfig written
    assert.equal(third.state, 'replaced')
    assert.notEqual(third.token, first.token)

    await writeKubeconfig(dataDir, { server: 'https://h:1', caCertPem: 'x', token: 'forged' })
    const fourth = await ensureAdminToken(dataDir)
    assert.equal(fourth.state, 'replaced')
    assert.notEqual(fourth.token, 'forged')

    writeFileSync(join(dataDir, ADMIN_FILES.kubeconfig), ':: not yaml [')
    assert.equal((await ensureAdminToken(dataDir)).state, 'replaced')
    unlinkSync(join(dataDir, ADMIN_FILES.tokenHash))
    assert.equal((await ensureAdminToken(dataDir)).state, 'created')
  })
})

describe('admin.kubeconfig', () => {
  it('has the server, the CA data, the token and a current context, in oc login names', () => {
    const doc = parse(
      renderKubeconfig({ server: 'https://127.0.0.1:8443', caCertPem: 'CA PEM', token: 'tok' }),
    ) as Record<string, unknown>
    assert.deepEqual(doc, {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: '127-0-0-1:8443',
          cluster: {
            server: 'https://127.0.0.1:8443',
            'certificate-authority-data': Buffer.from('CA PEM').toString('base64'),
          },
        },
      ],
      users: [{ name: 'admin/127-0-0-1:8443', user: { token: 'tok' } }],
      contexts: [
        {
          name: 'default/127-0-0-1:8443/admin',
          context: {
            cluster: '127-0-0-1:8443',
            namespace: 'default',
            user: 'admin/127-0-0-1:8443',
          },
        },
      ],
      'current-context': 'default/127-0-0-1:8443/admin',
      preferences: {},
    })
  })

  it('is written 0600', async () => {
    const dataDir = tempDir()
    const path = await writeKubeconfig(dataDir, {
      server: 'https://[::1]:1',
      caCertPem: 'x',
      token: 't',
    })
    assert.equal(statSync(path).mode & 0o777, 0o600)
    const doc = parse(await readFile(path, 'utf8')) as { clusters: { name: string }[] }
    // As oc names it (netutil.CanonicalAddr keeps the brackets), so isctl login agrees.
    assert.equal(doc.clusters[0]!.name, '[::1]:1')
  })

  const urls: [string, number, string][] = [
    ['127.0.0.1', 8443, 'https://127.0.0.1:8443'],
    ['0.0.0.0', 8443, 'https://127.0.0.1:8443'],
    ['::', 1, 'https://[::1]:1'],
    ['::1', 2, 'https://[::1]:2'],
    ['api.example.test', 443, 'https://api.example.test:443'],
  ]
  for (const [host, port, url] of urls) {
    it(`serverURL(${host}, ${port}) = ${url}`, () => assert.equal(serverURL(host, port), url))
  }
})
