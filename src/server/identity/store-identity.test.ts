/**
 * The identity in a shared store (docs/architecture.md#shared-identity): two or three
 * "replicas" load it from one real SQLite store, as servers on one PostgreSQL database would,
 * and each serves HTTPS with it: one CA, one signing key and one admin token, so any replica
 * accepts the others' tokens and one kubeconfig's CA trusts them all. Races are made certain
 * with the gated store, which holds competing creates and updates until both are in flight.
 */
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { request } from 'node:https'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { describe, it, type TestContext } from 'node:test'
import type { AddressInfo } from 'node:net'
import { RESOURCE_LIST } from '../../api/index.js'
import { objectKey, type Store, type StoredObject } from '../../storage/index.js'
import { openSqliteStore } from '../../storage/sqlite/index.js'
import { GatedStore } from '../../storage/testing/gated-store.js'
import { createServer } from '../app.js'
import {
  ADMIN_USER,
  anyAuthenticator,
  createAdminAuthorizer,
  createTokenAuthenticator,
  type Authenticator,
} from '../auth/index.js'
import {
  createServiceAccountAuthenticator,
  signToken,
  tokenClaims,
} from '../auth/service-account-tokens.js'
import { createLogger } from '../logger.js'
import type { ServerIdentity } from './identity.js'
import { IDENTITY_OBJECTS, IDENTITY_RESOURCE, storeIdentity } from './store-identity.js'

const ISSUER = 'https://kubernetes.default.svc'

async function openStore(t: TestContext): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'imagestreams-identity-'))
  const store = await openSqliteStore({ path: join(dir, 'db.sqlite') })
  t.after(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return store
}

/** authenticatorOf is what serve builds from an identity: the admin token, then service accounts. */
async function authenticatorOf(
  t: TestContext,
  store: Store,
  id: ServerIdentity,
): Promise<Authenticator> {
  const accounts = createServiceAccountAuthenticator({
    store,
    key: id.signingKey,
    issuer: ISSUER,
    audiences: [ISSUER],
  })
  await accounts.start()
  t.after(() => accounts.stop())
  return anyAuthenticator([
    createTokenAuthenticator([{ sha256: id.admin.sha256, user: ADMIN_USER }]),
    accounts,
  ])
}

/** serve starts an HTTPS API server with the identity and returns its port. */
async function serve(t: TestContext, auth: Authenticator, id: ServerIdentity): Promise<number> {
  const quiet = new Writable({ write: (_c, _e, cb) => cb() })
  const app = createServer({
    logger: createLogger({ level: 'warn', destination: quiet }),
    auth,
    authorizer: createAdminAuthorizer(),
    resources: RESOURCE_LIST,
    tls: { cert: id.pki.certPem, key: id.pki.keyPem },
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => app.close())
  return (app.server.address() as AddressInfo).port
}

/** get sends GET /version trusting only `caPem`, as a kubeconfig's certificate-authority-data does. */
function get(port: number, caPem: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/version',
        ca: caPem,
        headers: { authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

function covers(certPem: string, host: string): boolean {
  const cert = new X509Certificate(certPem)
  return /^[\d.]+$|:/.test(host)
    ? cert.checkIP(host) !== undefined
    : cert.checkHost(host) !== undefined
}

function assertShared(a: ServerIdentity, b: ServerIdentity): void {
  assert.equal(a.pki.caCertPem, b.pki.caCertPem, 'one CA')
  assert.equal(a.signingKey.keyId, b.signingKey.keyId, 'one signing key')
  assert.equal(a.admin.token, b.admin.token, 'one admin token')
  for (const id of [a, b]) {
    assert.ok(
      new X509Certificate(id.pki.certPem).verify(new X509Certificate(a.pki.caCertPem).publicKey),
    )
  }
}

describe('store identity', () => {
  it('the first replica creates it, the second reads it, and each accepts the other’s tokens', async (t) => {
    const store = await openStore(t)
    const a = await storeIdentity(store).load(['a.example'])
    const b = await storeIdentity(store).load(['b.example'])
    assert.deepEqual(
      [a.pki.ca, a.admin.state, a.signingKey.state],
      ['created', 'created', 'created'],
    )
    assert.deepEqual([b.pki.ca, b.admin.state, b.signingKey.state], ['reused', 'reused', 'reused'])
    assertShared(a, b)
    // B's name was missing: B re-issued the certificate for both.
    assert.equal(b.pki.serving, 'renewed')
    assert.match(b.pki.renewReason ?? '', /does not cover b\.example/)
    for (const host of ['a.example', 'b.example', '127.0.0.1', 'localhost']) {
      assert.ok(covers(b.pki.certPem, host), host)
    }
    assert.ok(covers(a.pki.certPem, 'a.example'))
    // A restart of A finds its name covered and reuses the wider certificate.
    const again = await storeIdentity(store).load(['a.example'])
    assert.equal(again.pki.serving, 'reused')
    assert.equal(again.pki.certPem, b.pki.certPem)

    const account = await store.create<StoredObject>(
      objectKey('serviceaccounts', 'builder', 'default'),
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'builder', namespace: 'default' },
      },
    )
    const now = Math.floor(Date.now() / 1000)
    const saToken = await signToken(
      a.signingKey,
      tokenClaims({
        namespace: 'default',
        name: 'builder',
        uid: account.metadata.uid ?? '',
        audiences: [ISSUER],
        expirationSeconds: 3600,
        now,
        issuer: ISSUER,
      }),
    )
    const authA = await authenticatorOf(t, store, a)
    const authB = await authenticatorOf(t, store, b)
    assert.equal((await authB.authenticate(saToken))?.name, 'system:serviceaccount:default:builder')
    assert.equal((await authB.authenticate(a.admin.token))?.name, ADMIN_USER.name)
    assert.equal((await authA.authenticate(b.admin.token))?.name, ADMIN_USER.name)

    // One kubeconfig (A's CA and token) against both servers over HTTPS.
    const portA = await serve(t, authA, a)
    const portB = await serve(t, authB, b)
    assert.equal(await get(portA, a.pki.caCertPem, a.admin.token), 200)
    assert.equal(await get(portB, a.pki.caCertPem, a.admin.token), 200)
    assert.notEqual(await get(portB, a.pki.caCertPem, saToken), 401, 'B authenticates A’s SA token')
    assert.equal(await get(portB, a.pki.caCertPem, 'not-a-token'), 401)
  })

  it('two replicas creating it at once end with one identity', async (t) => {
    const store = new GatedStore(await openStore(t))
    const match = { op: 'create', resource: IDENTITY_RESOURCE, name: IDENTITY_OBJECTS.ca } as const
    const holds = [store.hold(match), store.hold(match)]
    const loads = Promise.all([
      storeIdentity(store).load(['a.example']),
      storeIdentity(store).load(['b.example']),
    ])
    // Both have found no CA and made their own before either writes it.
    await Promise.all(holds.map((h) => h.reached))
    for (const h of holds) h.release()
    const [a, b] = await loads
    assertShared(a, b)
    assert.deepEqual([a.pki.ca, b.pki.ca].sort(), ['created', 'reused'])
    const stored = await storeIdentity(store).load([])
    assert.equal(stored.pki.caCertPem, a.pki.caCertPem)
    for (const host of ['a.example', 'b.example']) assert.ok(covers(stored.pki.certPem, host), host)
  })

  it('two replicas widening the certificate at once keep every name', async (t) => {
    const store = new GatedStore(await openStore(t))
    await storeIdentity(store).load(['zero.example'])
    const match = {
      op: 'update',
      resource: IDENTITY_RESOURCE,
      name: IDENTITY_OBJECTS.serving,
    } as const
    const holds = [store.hold(match), store.hold(match)]
    const loads = Promise.all([
      storeIdentity(store).load(['b.example']),
      storeIdentity(store).load(['c.example']),
    ])
    await Promise.all(holds.map((h) => h.reached))
    for (const h of holds) h.release()
    const [b, c] = await loads
    assert.ok(covers(b.pki.certPem, 'b.example'))
    assert.ok(covers(c.pki.certPem, 'c.example'))
    const stored = await storeIdentity(store).load([])
    for (const host of ['zero.example', 'b.example', 'c.example']) {
      assert.ok(covers(stored.pki.certPem, host), host)
    }
  })

  it('lives in a resource no API route serves', () => {
    assert.ok(!RESOURCE_LIST.some((r) => r.plural === IDENTITY_RESOURCE))
  })
})
