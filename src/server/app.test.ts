import assert from 'node:assert/strict'
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { RESOURCE_LIST } from '../api/index.js'
import { createServer, DEFAULT_BODY_LIMIT } from './app.js'
import {
  ADMIN_USER,
  authorizeRequest,
  createAdminAuthorizer,
  createTokenAuthenticator,
  hashToken,
} from './auth/index.js'
import { createLogger } from './logger.js'
import { ensurePki } from './pki.js'
import { conflict } from './status.js'
import { createStoreErrorMapper, STORE_UNAVAILABLE_RETRY_SECONDS } from './store-errors.js'
import { StoreUnavailableError } from '../storage/index.js'

const ADMIN = { authorization: 'Bearer admin-token' }
const BOB = { authorization: 'Bearer bob-token' }
const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'

const UNAUTHORIZED = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
}

interface Fixture {
  app: FastifyInstance
  logs: string[]
  dir: string
}

async function startApp(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'imagestreams-app-'))
  const pki = await ensurePki({ dataDir: dir, hosts: [] })
  const logs: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'))
      cb()
    },
  })
  const app = createServer({
    logger: createLogger({ level: 'info', destination }),
    auth: createTokenAuthenticator([
      { sha256: hashToken('admin-token'), user: ADMIN_USER },
      { sha256: hashToken('bob-token'), user: { name: 'bob', groups: ['system:authenticated'] } },
    ]),
    authorizer: createAdminAuthorizer(),
    resources: RESOURCE_LIST,
    tls: { cert: pki.certPem, key: pki.keyPem },
    serverVersion: '9.9.9',
    errorMappers: [createStoreErrorMapper(() => '')],
  })
  // Stand-ins for the resource handlers to come: echo the parsed body, throw, authorize.
  app.post('/echo', (request) => ({
    body: request.body ?? null,
    raw: request.rawBody?.toString('utf8') ?? null,
  }))
  app.delete('/echo', (request) => ({ body: request.body ?? null }))
  // Where the integrated registry mounts itself, with its own authentication.
  app.get('/v2/probe', () => ({ reached: true }))
  app.get('/admin/probe', () => ({ reached: true }))
  app.get('/boom', () => {
    throw new Error('database password=hunter2 exploded')
  })
  app.get('/unavailable', () => {
    throw new StoreUnavailableError({ cause: new Error('connect ECONNREFUSED 127.0.0.1:5432') })
  })
  app.get('/conflict', () => {
    throw conflict({ group: 'image.openshift.io', resource: 'imagestreams' }, 'ruby')
  })
  app.get('/apis/image.openshift.io/v1/namespaces/:ns/imagestreams/:name', async (request) => {
    const { ns, name } = request.params as { ns: string; name: string }
    const attrs = {
      kind: 'resource',
      verb: 'get',
      group: 'image.openshift.io',
      resource: 'imagestreams',
      namespace: ns,
      name,
    } as const
    await authorizeRequest(request, attrs)
    return { ok: name }
  })
  await app.ready()
  return { app, logs, dir }
}

describe('API server app', () => {
  let fx: Fixture
  before(async () => {
    fx = await startApp()
  })
  after(async () => {
    await fx.app.close()
    rmSync(fx.dir, { recursive: true, force: true })
  })
  const inject = (o: InjectOptions) => fx.app.inject(o)

  describe('authentication', () => {
    const routes: { method: 'GET' | 'POST'; url: string; payload?: object }[] = [
      { method: 'GET', url: '/version' },
      { method: 'GET', url: '/healthz' },
      { method: 'GET', url: '/api' },
      { method: 'GET', url: '/apis' },
      { method: 'GET', url: '/api/v1' },
      { method: 'GET', url: '/apis/image.openshift.io/v1' },
      { method: 'GET', url: '/no/such/path' },
      { method: 'GET', url: '/v2x' },
      { method: 'GET', url: '/administrators' },
      { method: 'POST', url: '/echo', payload: { a: 1 } },
    ]
    const credentials: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      ['an unknown token', { authorization: 'Bearer nope' }],
      ['an empty bearer token', { authorization: 'Bearer ' }],
      [
        'Basic credentials',
        { authorization: `Basic ${Buffer.from('admin:admin-token').toString('base64')}` },
      ],
    ]
    for (const route of routes) {
      for (const [what, headers] of credentials) {
        it(`${route.method} ${route.url} with ${what} is a 401 Status`, async () => {
          const res = await inject({ ...route, headers })
          assert.equal(res.statusCode, 401)
          assert.deepEqual(res.json(), UNAUTHORIZED)
        })
      }
    }

    for (const url of ['/v2/probe', '/admin/probe']) {
      it(`leaves ${url} to the integrated registry, which authenticates on its own`, async () => {
        const res = await inject({ method: 'GET', url })
        assert.equal(res.statusCode, 200)
        assert.deepEqual(res.json(), { reached: true })
      })
    }

    it('refuses an unauthenticated request before parsing its body (401, not 413)', async () => {
      const res = await inject({
        method: 'POST',
        url: '/echo',
        headers: { 'content-type': 'application/json' },
        payload: 'x'.repeat(DEFAULT_BODY_LIMIT + 10),
      })
      assert.equal(res.statusCode, 401)
    })

    it('never logs the token', async () => {
      await inject({ method: 'GET', url: '/version', headers: ADMIN })
      await inject({ method: 'GET', url: '/version', headers: { authorization: 'Bearer leaked' } })
      const text = fx.logs.join('')
      assert.ok(!text.includes('admin-token') && !text.includes('leaked'))
      assert.match(text, /"url":"\/version","statusCode":200,"user":"admin"/)
    })

    it('writes one access line per request, its credential query values redacted', async () => {
      await inject({
        method: 'GET',
        url: '/version?access_token=secret-in-query&x=1',
        headers: ADMIN,
      })
      const lines = fx.logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === 'request' && String(l.url).startsWith('/version?'))
      assert.equal(lines.length, 1)
      const { time, pid, hostname, ms, ...line } = lines[0]!
      assert.equal(typeof time, 'number')
      assert.equal(typeof pid, 'number')
      assert.equal(typeof hostname, 'string')
      assert.equal(typeof ms, 'number')
      assert.deepEqual(Object.keys(lines[0]!).slice(0, 5), [
        'level',
        'time',
        'pid',
        'hostname',
        'reqId',
      ])
      assert.deepEqual(line, {
        level: 30,
        reqId: line.reqId,
        method: 'GET',
        url: '/version?access_token=REDACTED&x=1',
        statusCode: 200,
        user: 'admin',
        msg: 'request',
      })
      assert.match(String(line.reqId), /^req-/)
      assert.ok(!fx.logs.join('').includes('secret-in-query'))
    })
  })

  describe('authorization', () => {
    it('lets the admin through', async () => {
      const res = await inject({
        url: '/apis/image.openshift.io/v1/namespaces/default/imagestreams/ruby',
        headers: ADMIN,
      })
      assert.deepEqual(res.json(), { ok: 'ruby' })
    })

    it('answers others with the apiserver 403', async () => {
      const res = await inject({
        url: '/apis/image.openshift.io/v1/namespaces/default/imagestreams/ruby',
        headers: BOB,
      })
      assert.equal(res.statusCode, 403)
      assert.deepEqual(res.json(), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'imagestreams.image.openshift.io "ruby" is forbidden: User "bob" cannot get resource "imagestreams" in API group "image.openshift.io" in the namespace "default": only the admin user has access for now',
        reason: 'Forbidden',
        details: { name: 'ruby', group: 'image.openshift.io', kind: 'imagestreams' },
        code: 403,
      })
    })

    it('lets any authenticated user read /version and discovery', async () => {
      for (const url of ['/version', '/api', '/apis', '/apis/image.openshift.io/v1', '/readyz']) {
        assert.equal((await inject({ url, headers: BOB })).statusCode, 200, url)
      }
    })
  })

  describe('/version and health', () => {
    it('reports Kubernetes 1.32 (the dispatcher kubectl picks its binary from minor)', async () => {
      const res = await inject({ url: '/version?timeout=5s', headers: ADMIN })
      assert.equal(res.statusCode, 200)
      const v = res.json<Record<string, string>>()
      assert.equal(v.major, '1')
      assert.equal(v.minor, '32')
      assert.equal(v.gitVersion, 'v1.32.0')
      assert.equal(v.gitCommit, 'imagestreams-9.9.9')
      assert.deepEqual(Object.keys(v), [
        'major',
        'minor',
        'gitVersion',
        'gitCommit',
        'gitTreeState',
        'buildDate',
        'goVersion',
        'compiler',
        'platform',
      ])
    })

    for (const url of ['/healthz', '/livez', '/readyz']) {
      it(`${url} answers ok`, async () => {
        const res = await inject({ url, headers: ADMIN })
        assert.equal(res.statusCode, 200)
        assert.equal(res.body, 'ok')
      })
    }

    it('does not answer HEAD from GET routes (exposeHeadRoutes: false)', async () => {
      const res = await inject({ method: 'HEAD', url: '/version', headers: ADMIN })
      assert.equal(res.statusCode, 404)
    })
  })

  describe('discovery', () => {
    it('answers aggregated v2 with the exact Content-Type kubectl requires', async () => {
      for (const url of ['/api', '/apis']) {
        const res = await inject({
          url: `${url}?timeout=32s`,
          headers: {
            ...ADMIN,
            accept: `${AGGREGATED_V2},application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json`,
          },
        })
        assert.equal(res.statusCode, 200)
        assert.equal(res.headers['content-type'], AGGREGATED_V2)
        assert.equal(res.headers.vary, 'Accept')
        const body = res.json<{ kind: string; items: { metadata: { name: string } }[] }>()
        assert.equal(body.kind, 'APIGroupDiscoveryList')
        assert.deepEqual(
          body.items.map((i) => i.metadata.name),
          url === '/api'
            ? ['']
            : [
                'image.openshift.io',
                'rbac.authorization.k8s.io',
                'authorization.k8s.io',
                'authorization.openshift.io',
              ],
        )
      }
    })

    it('answers aggregated v2beta1 when only that is asked for', async () => {
      const accept = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList'
      const res = await inject({ url: '/apis', headers: { ...ADMIN, accept } })
      assert.equal(res.headers['content-type'], accept)
      assert.equal(res.json<{ apiVersion: string }>().apiVersion, 'apidiscovery.k8s.io/v2beta1')
    })

    const legacy: [string, string][] = [
      ['/api', 'APIVersions'],
      ['/apis', 'APIGroupList'],
      ['/api/v1', 'APIResourceList'],
      ['/apis/image.openshift.io', 'APIGroup'],
      ['/apis/image.openshift.io/v1', 'APIResourceList'],
    ]
    for (const [url, kind] of legacy) {
      it(`answers ${url} with a legacy ${kind}`, async () => {
        const res = await inject({ url, headers: { ...ADMIN, accept: 'application/json, */*' } })
        assert.equal(res.statusCode, 200)
        assert.match(res.headers['content-type'] as string, /^application\/json/)
        assert.equal(res.json<{ kind: string }>().kind, kind)
      })
    }

    it('answers 406 when no acceptable representation exists', async () => {
      const res = await inject({
        url: '/apis',
        headers: { ...ADMIN, accept: 'application/vnd.kubernetes.protobuf' },
      })
      assert.equal(res.statusCode, 406)
      assert.equal(res.json<{ reason: string }>().reason, 'NotAcceptable')
    })

    it('answers 404 Status for a group or version it does not serve', async () => {
      for (const url of ['/apis/apps', '/apis/image.openshift.io/v2', '/api/v2']) {
        const res = await inject({ url, headers: ADMIN })
        assert.equal(res.statusCode, 404, url)
        assert.equal(res.json<{ reason: string }>().reason, 'NotFound')
      }
    })
  })

  describe('errors', () => {
    it('answers unknown paths with a 404 Status', async () => {
      const res = await inject({ url: '/apis/image.openshift.io/v1/nothing', headers: ADMIN })
      assert.equal(res.statusCode, 404)
      assert.deepEqual(res.json(), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        code: 404,
      })
    })

    const longName = 'a'.repeat(2000)
    const routerErrors: [string, Record<string, string>, number, string][] = [
      ['/apis/image.openshift.io/v1/namespaces/%zz/imagestreams/x', ADMIN, 400, 'BadRequest'],
      ['/apis/image.openshift.io/v1/namespaces/%zz/imagestreams/x', {}, 401, 'Unauthorized'],
      [
        `/apis/image.openshift.io/v1/namespaces/default/imagestreams/${longName}`,
        ADMIN,
        400,
        'BadRequest',
      ],
      [
        `/apis/image.openshift.io/v1/namespaces/default/imagestreams/${longName}`,
        BOB,
        400,
        'BadRequest',
      ],
      [
        `/apis/image.openshift.io/v1/namespaces/default/imagestreams/${longName}`,
        {},
        401,
        'Unauthorized',
      ],
    ]
    for (const [url, headers, code, reason] of routerErrors) {
      const who = headers.authorization ?? 'no token'
      it(`answers the router error of ${url.slice(0, 64)}... with ${who} by ${code} ${reason}`, async () => {
        const res = await inject({ url, headers })
        assert.equal(res.statusCode, code)
        const status = res.json<{ kind: string; reason: string }>()
        assert.equal(status.kind, 'Status')
        assert.equal(status.reason, reason)
      })
    }

    it('accepts a path segment of 253 characters (the longest object name)', async () => {
      const name = 'a'.repeat(253)
      const res = await inject({
        url: `/apis/image.openshift.io/v1/namespaces/default/imagestreams/${name}`,
        headers: ADMIN,
      })
      assert.equal(res.statusCode, 200)
    })

    it('answers a thrown StatusError as is', async () => {
      const res = await inject({ url: '/conflict', headers: ADMIN })
      assert.equal(res.statusCode, 409)
      assert.equal(res.json<{ reason: string }>().reason, 'Conflict')
    })

    it('answers an unreachable store with a 503 ServiceUnavailable and Retry-After, and logs the cause', async () => {
      const res = await inject({ url: '/unavailable', headers: ADMIN })
      assert.equal(res.statusCode, 503)
      assert.equal(res.headers['retry-after'], String(STORE_UNAVAILABLE_RETRY_SECONDS))
      const status = res.json<{ reason: string; details?: { retryAfterSeconds?: number } }>()
      assert.equal(status.reason, 'ServiceUnavailable')
      assert.equal(status.details?.retryAfterSeconds, STORE_UNAVAILABLE_RETRY_SECONDS)
      assert.ok(!res.body.includes('ECONNREFUSED'), 'the cause stays in the log')
      assert.ok(fx.logs.some((l) => l.includes('ECONNREFUSED')))
    })

    it('sends no Retry-After with a Status that suggests no delay', async () => {
      const res = await inject({ url: '/conflict', headers: ADMIN })
      assert.equal(res.headers['retry-after'], undefined)
    })

    it('answers an unexpected error with a 500 that leaks nothing, and logs it', async () => {
      const res = await inject({ url: '/boom', headers: ADMIN })
      assert.equal(res.statusCode, 500)
      const status = res.json<{ reason: string; message: string }>()
      assert.equal(status.reason, 'InternalError')
      assert.match(
        status.message,
        /^Internal error occurred: .*\(request req-\w+; see the server log\)$/,
      )
      assert.ok(!res.body.includes('hunter2') && !res.body.includes(' at '))
      assert.ok(fx.logs.some((l) => l.includes('"msg":"request failed"')))
    })
  })

  describe('bodies', () => {
    const post = (contentType: string | undefined, payload: string | Buffer) =>
      inject({
        method: 'POST',
        url: '/echo',
        headers: { ...ADMIN, ...(contentType ? { 'content-type': contentType } : {}) },
        payload,
      })

    // No Content-Type is JSON, as the apiserver reads it (kubectl 1.20 sends creates so).
    const parsed: [string | undefined, string, unknown][] = [
      [undefined, '{"a":1}', { a: 1 }],
      ['application/json', '{"a":1}', { a: 1 }],
      ['application/json; charset=utf-8', '{"a":[1,2]}', { a: [1, 2] }],
      ['application/merge-patch+json', '{"spec":null}', { spec: null }],
      [
        'application/json-patch+json',
        '[{"op":"remove","path":"/a"}]',
        [{ op: 'remove', path: '/a' }],
      ],
      ['application/strategic-merge-patch+json', '{"$patch":"replace"}', { $patch: 'replace' }],
      ['application/apply-patch+yaml', '{"kind":"ImageStream"}', { kind: 'ImageStream' }],
      [
        'application/apply-patch+yaml',
        'kind: ImageStream\nspec:\n  tags: [{name: a}]\n',
        { kind: 'ImageStream', spec: { tags: [{ name: 'a' }] } },
      ],
      ['application/yaml', 'a: 1\n', { a: 1 }],
    ]
    for (const [type, payload, body] of parsed) {
      it(`parses ${type ?? 'a body without Content-Type'} and keeps the raw body`, async () => {
        const res = await post(type, payload)
        assert.equal(res.statusCode, 200, res.body)
        assert.deepEqual(res.json(), { body, raw: payload })
      })
    }

    it('decodes Kubernetes protobuf bodies from kubectl 1.32', async () => {
      const testdata = JSON.parse(
        readFileSync(new URL('./protobuf/testdata/kubectl-bodies.json', import.meta.url), 'utf8'),
      ) as { cases: { name: string; protobufHex: string; json: string }[] }
      const secret = testdata.cases.find((c) => c.name === 'secret-generic')!
      const res = await post(
        'application/vnd.kubernetes.protobuf',
        Buffer.from(secret.protobufHex, 'hex'),
      )
      assert.equal(res.statusCode, 200, res.body)
      const { body } = res.json<{
        body: { kind: string; metadata: { name: string }; data: unknown }
      }>()
      const want = JSON.parse(secret.json) as {
        kind: string
        metadata: { name: string }
        data: unknown
      }
      assert.equal(body.kind, want.kind)
      assert.equal(body.metadata.name, want.metadata.name)
      assert.deepEqual(body.data, want.data)
    })

    const rejected: [string, string | undefined, string | Buffer, number, string, RegExp][] = [
      [
        'bad JSON',
        'application/json',
        '{"a":1',
        400,
        'BadRequest',
        /^the request body is not valid JSON: Expected ',' or '}'/,
      ],
      [
        'non-JSON, without echoing it',
        'application/json',
        'password=hunter2',
        400,
        'BadRequest',
        /^the request body is not valid JSON: Unexpected token 'p'$/,
      ],
      [
        'a __proto__ key',
        'application/merge-patch+json',
        '{"__proto__":{"x":1}}',
        400,
        'BadRequest',
        /__proto__/,
      ],
      [
        'a constructor.prototype key',
        'application/json',
        '{"constructor":{"prototype":{}}}',
        400,
        'BadRequest',
        /constructor\.prototype/,
      ],
      [
        'a YAML __proto__ key',
        'application/apply-patch+yaml',
        'a:\n  __proto__: {x: 1}\n',
        400,
        'BadRequest',
        /__proto__/,
      ],
      [
        'bad YAML',
        'application/apply-patch+yaml',
        'a: [1\n',
        400,
        'BadRequest',
        /^the request body is not valid YAML/,
      ],
      [
        'duplicate YAML keys',
        'application/yaml',
        'a: 1\na: 2\n',
        400,
        'BadRequest',
        /not valid YAML/,
      ],
      [
        'an unknown media type',
        'text/plain',
        'hello',
        415,
        'UnsupportedMediaType',
        /^the body of the request was in an unknown format/,
      ],
      [
        'a body without a media type that is not JSON',
        undefined,
        'hello',
        400,
        'BadRequest',
        /^the request body is not valid JSON/,
      ],
      [
        'undecodable protobuf',
        'application/vnd.kubernetes.protobuf',
        'hello',
        415,
        'UnsupportedMediaType',
        /^cannot decode the protobuf request body/,
      ],
    ]
    for (const [name, type, payload, code, reason, message] of rejected) {
      it(`answers ${name} with ${code} ${reason}`, async () => {
        const res = await post(type, payload)
        assert.equal(res.statusCode, code, res.body)
        const status = res.json<{ kind: string; reason: string; message: string; code: number }>()
        assert.equal(status.kind, 'Status')
        assert.equal(status.reason, reason)
        assert.equal(status.code, code)
        assert.match(status.message, message)
        assert.ok(!res.body.includes('hunter2'))
      })
    }

    it('answers a body over 3 MiB with 413 RequestEntityTooLarge', async () => {
      const res = await post('application/json', `"${'x'.repeat(DEFAULT_BODY_LIMIT)}"`)
      assert.equal(res.statusCode, 413)
      assert.deepEqual(res.json(), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Request entity too large: limit is 3145728',
        reason: 'RequestEntityTooLarge',
        code: 413,
      })
    })

    it('accepts a body of exactly the limit', async () => {
      const res = await post('application/json', `"${'x'.repeat(DEFAULT_BODY_LIMIT - 2)}"`)
      assert.equal(res.statusCode, 200)
    })

    it('takes an empty body with a JSON media type as no body (DELETE without options)', async () => {
      const res = await inject({
        method: 'DELETE',
        url: '/echo',
        headers: { ...ADMIN, 'content-type': 'application/json' },
      })
      assert.equal(res.statusCode, 200)
      assert.deepEqual(res.json(), { body: null })
    })
  })
})

describe('API server shutdown', () => {
  it('aborts shutdownSignal when closing', async () => {
    const fx = await startApp()
    try {
      assert.equal(fx.app.shutdownSignal.aborted, false)
      await fx.app.close()
      assert.equal(fx.app.shutdownSignal.aborted, true)
    } finally {
      rmSync(fx.dir, { recursive: true, force: true })
    }
  })
})
