import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { RESOURCE_LIST } from '../../api/index.js'
import { createServer } from '../app.js'
import { ADMIN_USER, createAdminAuthorizer, createTokenAuthenticator, hashToken } from './index.js'
import { createLogger } from '../logger.js'
import { ensurePki } from '../pki.js'
import {
  SELF_SUBJECT_REVIEW_PATH,
  checkReviewBody,
  protobufTypeMeta,
} from './self-subject-review.js'

const ADMIN = { authorization: 'Bearer admin-token' }
const BOB = { authorization: 'Bearer bob-token' }
const PROTOBUF = 'application/vnd.kubernetes.protobuf'

/** The body kubectl 1.32 sends for `kubectl auth whoami`, as captured with -v=8. */
const KUBECTL_BODY = Buffer.from(
  '6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375' +
    '626a656374526576696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200',
  'hex',
)

/** envelope builds `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}}. */
function envelope(apiVersion: string, kind: string): Buffer {
  const str = (n: number, s: string) => {
    const b = Buffer.from(s, 'utf8')
    return Buffer.concat([Buffer.from([(n << 3) | 2, b.length]), b])
  }
  const meta = Buffer.concat([str(1, apiVersion), str(2, kind)])
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    Buffer.from([(1 << 3) | 2, meta.length]),
    meta,
  ])
}

void describe('protobufTypeMeta', () => {
  void it('reads what kubectl sends', () => {
    assert.deepEqual(protobufTypeMeta(envelope('authentication.k8s.io/v1', 'SelfSubjectReview')), {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    })
  })
  void it('refuses a body without the prefix', () => {
    assert.throws(() => protobufTypeMeta(Buffer.from('{}')), /protobuf prefix/)
  })
})

void describe('checkReviewBody', () => {
  const ok: unknown[] = [
    undefined,
    null,
    {},
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  ]
  for (const body of ok) {
    void it(`accepts ${JSON.stringify(body)}`, () => checkReviewBody(body))
  }
  const bad: unknown[] = [
    [],
    'x',
    { apiVersion: 'v1', kind: 'Secret' },
    { apiVersion: 'authentication.k8s.io/v1beta1', kind: 'SelfSubjectReview' },
  ]
  for (const body of bad) {
    void it(`refuses ${JSON.stringify(body)}`, () =>
      assert.throws(() => checkReviewBody(body), { code: 'BadRequest' }))
  }
})

void describe(`POST ${SELF_SUBJECT_REVIEW_PATH}`, () => {
  let app: FastifyInstance
  let dir: string
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-ssr-'))
    const pki = await ensurePki({ dataDir: dir, hosts: [] })
    app = createServer({
      logger: createLogger({
        level: 'info',
        destination: new Writable({ write: (_c, _e, cb) => cb() }),
      }),
      auth: createTokenAuthenticator([
        { sha256: hashToken('admin-token'), user: ADMIN_USER },
        { sha256: hashToken('bob-token'), user: { name: 'bob', groups: ['system:authenticated'] } },
      ]),
      authorizer: createAdminAuthorizer(),
      resources: RESOURCE_LIST,
      tls: { cert: pki.certPem, key: pki.keyPem },
    })
    await app.ready()
  })
  after(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const post = (o: Omit<InjectOptions, 'method' | 'url'>) =>
    app.inject({ method: 'POST', url: SELF_SUBJECT_REVIEW_PATH, ...o })
  const review = (username: string, groups: string[]) => ({
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    status: { userInfo: { username, groups } },
  })

  const cases: {
    what: string
    headers: Record<string, string>
    payload?: string | Buffer
    status: number
    body?: unknown
    reason?: string
  }[] = [
    {
      what: 'JSON, as isctl sends it',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      payload: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}',
      status: 201,
      body: review('admin', ['system:masters', 'system:authenticated']),
    },
    {
      what: 'protobuf, as kubectl 1.32 sends it',
      headers: { ...ADMIN, 'content-type': PROTOBUF },
      payload: KUBECTL_BODY,
      status: 201,
      body: review('admin', ['system:masters', 'system:authenticated']),
    },
    {
      what: 'no body, by a user who may do nothing else',
      headers: BOB,
      status: 201,
      body: review('bob', ['system:authenticated']),
    },
    {
      what: 'another kind in protobuf',
      headers: { ...ADMIN, 'content-type': PROTOBUF },
      payload: envelope('v1', 'Secret'),
      status: 400,
      reason: 'BadRequest',
    },
    {
      what: 'garbage labelled protobuf',
      headers: { ...ADMIN, 'content-type': PROTOBUF },
      payload: 'nope',
      status: 415,
      reason: 'UnsupportedMediaType',
    },
    {
      what: 'an unknown token',
      headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
      payload: '{}',
      status: 401,
      reason: 'Unauthorized',
    },
  ]
  for (const c of cases) {
    void it(`${c.what}: ${c.status}`, async () => {
      const res = await post({
        headers: c.headers,
        ...(c.payload !== undefined && { payload: c.payload }),
      })
      assert.equal(res.statusCode, c.status, res.body)
      if (c.body !== undefined) assert.deepEqual(res.json(), c.body)
      if (c.reason !== undefined) assert.equal(res.json<{ reason: string }>().reason, c.reason)
    })
  }

  void it('leaves the protobuf parser of other routes alone', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/namespaces',
      headers: { ...ADMIN, 'content-type': PROTOBUF },
      payload: envelope('authentication.k8s.io/v1', 'SelfSubjectReview'),
    })
    assert.equal(res.statusCode, 415, res.body)
  })
})
