import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { RESOURCE_LIST } from '../../api/index.js'
import { createServer } from '../app.js'
import {
  ADMIN_USER,
  authorizeRequest,
  createAdminAuthorizer,
  createTokenAuthenticator,
  hashToken,
} from '../auth/index.js'
import { createLogger } from '../logger.js'
import { ensurePki } from '../pki.js'
import {
  AuditLog,
  authMethods,
  bodyStatus,
  microTime,
  sourceIPs,
  type AuditEvent,
} from './index.js'

const ADMIN = { authorization: 'Bearer admin-token' }
const BOB = { authorization: 'Bearer bob-token' }
const BOB_USER = { name: 'bob', groups: ['system:authenticated'] }

describe('the audit log of the API server', () => {
  let app: FastifyInstance
  let dir: string
  const lines: string[] = []
  const events = () => lines.map((l) => JSON.parse(l) as AuditEvent)
  /** settled waits for the Events of answered requests (written when their responses close). */
  const settled = () => new Promise((resolve) => setImmediate(resolve))

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-audit-'))
    const pki = await ensurePki({ dataDir: dir, hosts: [] })
    app = createServer({
      logger: createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
      auth: createTokenAuthenticator([
        { sha256: hashToken('admin-token'), user: ADMIN_USER },
        { sha256: hashToken('bob-token'), user: BOB_USER },
      ]),
      authorizer: createAdminAuthorizer(),
      resources: RESOURCE_LIST,
      tls: { cert: pki.certPem, key: pki.keyPem },
      audit: new AuditLog({ sink: { write: (line) => void lines.push(line) } }),
    })
    const secrets = '/api/v1/namespaces/:ns/secrets'
    app.post(secrets, async (request, reply) => {
      await authorizeRequest(request, {
        kind: 'resource',
        verb: 'create',
        group: '',
        resource: 'secrets',
        namespace: (request.params as { ns: string }).ns,
      })
      return reply.code(201).send(request.body)
    })
    app.get('/api/v1/namespaces/:ns/secrets/:name', (request) => {
      // What authentication does once it has checked that admin may act as bob.
      Object.assign(request, { impersonator: request.user, user: { ...BOB_USER, uid: '42' } })
      return {}
    })
    app.get(secrets, async (request, reply) => {
      await authorizeRequest(request, {
        kind: 'resource',
        verb: 'watch',
        group: '',
        resource: 'secrets',
        namespace: (request.params as { ns: string }).ns,
      })
      void reply.hijack()
      reply.raw.writeHead(200, { 'content-type': 'application/json' })
      reply.raw.end('{"type":"BOOKMARK","object":{}}\n')
    })
    await app.ready()
  })
  after(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })
  beforeEach(() => void lines.splice(0))

  it('records a create with who, what, from where, the answer and the decision, and never the body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/demo/secrets',
      headers: {
        ...ADMIN,
        'user-agent': 'kubectl/v1.32.0',
        'x-forwarded-for': '10.0.0.1, 10.0.0.2',
      },
      payload: { metadata: { name: 's1' }, stringData: { password: 'hunter2-secret' } },
    })
    assert.equal(res.statusCode, 201)
    await settled()
    assert.equal(lines.length, 1)
    assert.ok(!lines[0]!.includes('hunter2'), lines[0])
    assert.ok(!lines[0]!.includes('admin-token'), lines[0])
    const [event] = events()
    assert.equal(res.headers['audit-id'], event!.auditID)
    assert.match(event!.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    assert.match(event!.stageTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    assert.deepEqual(
      { ...event, auditID: '', requestReceivedTimestamp: '', stageTimestamp: '' },
      {
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        level: 'Metadata',
        auditID: '',
        stage: 'ResponseComplete',
        requestURI: '/api/v1/namespaces/demo/secrets',
        verb: 'create',
        user: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
        sourceIPs: ['10.0.0.1', '10.0.0.2', '127.0.0.1'],
        userAgent: 'kubectl/v1.32.0',
        objectRef: {
          resource: 'secrets',
          namespace: 'demo',
          name: 's1',
          apiGroup: '',
          apiVersion: 'v1',
        },
        responseStatus: { metadata: {}, code: 201 },
        requestReceivedTimestamp: '',
        stageTimestamp: '',
        annotations: {
          'authorization.k8s.io/decision': 'allow',
          'authorization.k8s.io/reason': '',
        },
      },
    )
    // Field order as the apiserver writes an Event.
    assert.deepEqual(Object.keys(JSON.parse(lines[0]!) as object), [
      'kind',
      'apiVersion',
      'level',
      'auditID',
      'stage',
      'requestURI',
      'verb',
      'user',
      'sourceIPs',
      'userAgent',
      'objectRef',
      'responseStatus',
      'requestReceivedTimestamp',
      'stageTimestamp',
      'annotations',
    ])
  })

  it('records a denial with the forbid decision, its reason and the Status', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/demo/secrets',
      headers: BOB,
      payload: { metadata: { name: 's2' }, data: { k: 'c2VjcmV0' } },
    })
    assert.equal(res.statusCode, 403)
    await settled()
    const [event] = events()
    assert.deepEqual(event!.user, { username: 'bob', groups: ['system:authenticated'] })
    assert.deepEqual(event!.responseStatus, {
      metadata: {},
      status: 'Failure',
      message: (JSON.parse(res.body) as { message: string }).message,
      reason: 'Forbidden',
      details: { kind: 'secrets' },
      code: 403,
    })
    assert.deepEqual(event!.annotations, {
      'authorization.k8s.io/decision': 'forbid',
      'authorization.k8s.io/reason': 'only the admin user has access for now',
    })
    assert.ok(!lines[0]!.includes('c2VjcmV0'))
  })

  it('records a failed authentication once, at ResponseStarted, with no user and no token', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/namespaces/demo/secrets/s1?access_token=leaked-token',
      headers: { authorization: 'Bearer wrong-token' },
    })
    assert.equal(res.statusCode, 401)
    await settled()
    assert.equal(lines.length, 1)
    assert.ok(!lines[0]!.includes('wrong-token') && !lines[0]!.includes('leaked-token'))
    const [event] = events()
    assert.equal(event!.stage, 'ResponseStarted')
    assert.equal(event!.requestURI, '/api/v1/namespaces/demo/secrets/s1?access_token=REDACTED')
    assert.equal(event!.verb, 'get')
    assert.deepEqual(event!.user, {})
    assert.deepEqual(event!.objectRef, {
      resource: 'secrets',
      namespace: 'demo',
      name: 's1',
      apiGroup: '',
      apiVersion: 'v1',
    })
    assert.deepEqual(event!.responseStatus, {
      metadata: {},
      message: 'Authentication failed, attempted: bearer, access_token',
      code: 401,
    })
    assert.equal(event!.annotations, undefined)
  })

  it('records a watch when its response starts and when it ends, under one audit ID', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/namespaces/demo/secrets?watch=true',
      headers: ADMIN,
    })
    assert.equal(res.statusCode, 200)
    await settled()
    const [started, complete] = events()
    assert.equal(lines.length, 2)
    assert.equal(started!.stage, 'ResponseStarted')
    assert.equal(complete!.stage, 'ResponseComplete')
    assert.equal(started!.auditID, complete!.auditID)
    for (const e of [started!, complete!]) {
      assert.equal(e.verb, 'watch')
      assert.deepEqual(e.responseStatus, { metadata: {}, code: 200 })
    }
  })

  it('records a request the router refused before any hook ran', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/namespaces/%zz/secrets',
      headers: ADMIN,
    })
    assert.equal(res.statusCode, 400)
    await settled()
    assert.equal(lines.length, 1)
    assert.equal(events()[0]!.responseStatus.code, 400)
  })

  it('names who authenticated and who they acted as when a request impersonates', async () => {
    await app.inject({ method: 'GET', url: '/api/v1/namespaces/demo/secrets/s1', headers: ADMIN })
    await settled()
    const [event] = events()
    assert.deepEqual(event!.user, {
      username: 'admin',
      groups: ['system:masters', 'system:authenticated'],
    })
    assert.deepEqual(event!.impersonatedUser, {
      username: 'bob',
      uid: '42',
      groups: ['system:authenticated'],
    })
  })

  it('records non-resource requests with the method as verb and no objectRef', async () => {
    await app.inject({ method: 'GET', url: '/version', headers: ADMIN })
    await settled()
    const [event] = events()
    assert.equal(event!.verb, 'get')
    assert.equal(event!.objectRef, undefined)
    assert.equal(event!.annotations?.['authorization.k8s.io/decision'], 'allow')
  })
})

describe('audit helpers', () => {
  it('microTime writes six fractional digits in UTC', () => {
    assert.equal(
      microTime(Date.UTC(2026, 11, 7, 14, 5, 1, 123) + 0.456),
      '2026-12-07T14:05:01.123456Z',
    )
    assert.equal(microTime(Date.UTC(2026, 0, 1)), '2026-01-01T00:00:00.000000Z')
  })

  it('sourceIPs lists forwarded addresses, then the real IP and the peer when new', () => {
    assert.deepEqual(sourceIPs(undefined, undefined, '::ffff:127.0.0.1'), ['127.0.0.1'])
    assert.deepEqual(sourceIPs('1.1.1.1, junk, 2.2.2.2', '2.2.2.2', '2.2.2.2'), [
      '1.1.1.1',
      '2.2.2.2',
    ])
    assert.deepEqual(sourceIPs(undefined, '3.3.3.3', '::1'), ['3.3.3.3', '::1'])
  })

  it('authMethods names what a failed authentication tried', () => {
    assert.equal(authMethods(undefined, '/api'), 'Authentication failed, no credentials provided')
    assert.equal(authMethods('Basic YTpi', '/v2/'), 'Authentication failed, attempted: basic')
    assert.equal(authMethods('Bearer x', '/api'), 'Authentication failed, attempted: bearer')
  })

  it('bodyStatus keeps a Status’s bounded fields and a registry error’s first entry', () => {
    const status = JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'secrets "x" not found',
      reason: 'NotFound',
      details: { name: 'x', kind: 'secrets' },
      code: 404,
    })
    assert.deepEqual(bodyStatus(status, 404, false), {
      metadata: {},
      status: 'Failure',
      message: 'secrets "x" not found',
      reason: 'NotFound',
      details: { name: 'x', kind: 'secrets' },
    })
    assert.equal(bodyStatus('{"kind":"Secret","data":{"a":"b"}}', 200, false), undefined)
    assert.equal(bodyStatus(Buffer.from(status), 404, false), undefined)
    const denied =
      '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied","detail":null}]}'
    assert.deepEqual(bodyStatus(denied, 403, true), {
      metadata: {},
      status: 'Failure',
      message: 'requested access to the resource is denied',
      reason: 'DENIED',
    })
  })
})
