import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { RESOURCE_LIST } from '../../api/index.js'
import { createServer } from '../app.js'
import {
  ADMIN_USER,
  createAdminAuthorizer,
  createTokenAuthenticator,
  hashToken,
  type Authorizer,
} from '../auth/index.js'
import { createLogger } from '../logger.js'
import { ensurePki } from '../pki.js'
import { negotiateV2, registerOpenAPI, V2_PROTOBUF_TYPE } from './register.js'

const ADMIN = { authorization: 'Bearer admin-token' }
const BOB = { authorization: 'Bearer bob-token' }
const EVE = { authorization: 'Bearer eve-token' }
const KUBECTL_V2_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf'

/** Admin rules, except that eve may not read OpenAPI: proves the routes ask the authorizer. */
function authorizer(): Authorizer {
  const admin = createAdminAuthorizer()
  return {
    authorize(user, attrs) {
      if (
        user.name === 'eve' &&
        attrs.kind === 'nonResource' &&
        attrs.path.startsWith('/openapi')
      ) {
        return Promise.resolve({ allowed: false, reason: 'no openapi for eve' })
      }
      return admin.authorize(user, attrs)
    },
    rulesFor: (user, namespace) => admin.rulesFor(user, namespace),
    allowedSubjects: (attrs) => admin.allowedSubjects(attrs),
  }
}

describe('OpenAPI routes', () => {
  let app: FastifyInstance
  let dir: string
  let index: { paths: Record<string, { serverRelativeURL: string }> }
  const imageURL = () => index.paths['apis/image.openshift.io/v1']!.serverRelativeURL

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-openapi-'))
    const pki = await ensurePki({ dataDir: dir, hosts: [] })
    const authenticated = ['system:authenticated']
    app = createServer({
      logger: createLogger({
        level: 'warn',
        destination: new Writable({ write: (_chunk, _enc, cb) => cb() }),
      }),
      auth: createTokenAuthenticator([
        { sha256: hashToken('admin-token'), user: ADMIN_USER },
        { sha256: hashToken('bob-token'), user: { name: 'bob', groups: authenticated } },
        { sha256: hashToken('eve-token'), user: { name: 'eve', groups: authenticated } },
      ]),
      authorizer: authorizer(),
      resources: RESOURCE_LIST,
      tls: { cert: pki.certPem, key: pki.keyPem },
    })
    registerOpenAPI(app, RESOURCE_LIST)
    await app.ready()
    const res = await app.inject({ url: '/openapi/v3', headers: ADMIN })
    index = res.json()
  })
  after(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  describe('authentication and authorization', () => {
    const urls = [
      '/openapi/v3',
      '/openapi/v3/api/v1',
      '/openapi/v3/apis/image.openshift.io/v1',
      '/openapi/v2',
    ]

    it('answers 401 without a valid token', async () => {
      for (const url of urls) {
        for (const headers of [{}, { authorization: 'Bearer nope' }]) {
          const res = await app.inject({ url, headers })
          assert.equal(res.statusCode, 401, url)
          assert.equal(res.json<{ reason: string }>().reason, 'Unauthorized')
        }
      }
    })

    it('lets any authenticated user read, as the apiserver lets system:authenticated', async () => {
      for (const url of urls) {
        const res = await app.inject({ url, headers: BOB })
        assert.equal(res.statusCode, 200, url)
      }
    })

    it('asks the authorizer (authorizeNonResourceRequest)', async () => {
      const res = await app.inject({ url: '/openapi/v3/api/v1?hash=X', headers: EVE })
      assert.equal(res.statusCode, 403)
      assert.equal(
        res.json<{ message: string }>().message,
        'forbidden: User "eve" cannot get path "/openapi/v3/api/v1": no openapi for eve',
      )
    })
  })

  describe('/openapi/v3', () => {
    it('lists both group versions with hashed URLs', async () => {
      const res = await app.inject({
        url: '/openapi/v3',
        headers: { ...ADMIN, accept: 'application/json, */*' },
      })
      assert.equal(res.statusCode, 200)
      assert.equal(res.headers['content-type'], 'application/json')
      assert.equal(res.headers['cache-control'], 'no-cache')
      assert.deepEqual(Object.keys(index.paths), [
        'api/v1',
        'apis/image.openshift.io/v1',
        'apis/rbac.authorization.k8s.io/v1',
      ])
      assert.match(
        imageURL(),
        /^\/openapi\/v3\/apis\/image\.openshift\.io\/v1\?hash=[0-9A-F]{128}$/,
      )
    })

    it('answers 304 to a matching If-None-Match', async () => {
      const first = await app.inject({ url: '/openapi/v3', headers: ADMIN })
      const etag = first.headers.etag
      assert.equal(typeof etag, 'string')
      const again = await app.inject({
        url: '/openapi/v3',
        headers: { ...ADMIN, 'if-none-match': String(etag) },
      })
      assert.equal(again.statusCode, 304)
      assert.equal(again.body, '')
    })
  })

  describe('/openapi/v3/<group-version>', () => {
    it('serves the document whose hash the index names, as immutable', async () => {
      const res = await app.inject({
        url: `${imageURL()}&timeout=32s`,
        headers: { ...ADMIN, accept: 'application/json' },
      })
      assert.equal(res.statusCode, 200)
      assert.equal(res.headers['content-type'], 'application/json')
      const hash = createHash('sha512').update(res.rawPayload).digest('hex').toUpperCase()
      assert.equal(imageURL(), `/openapi/v3/apis/image.openshift.io/v1?hash=${hash}`)
      assert.equal(res.headers.etag, `"${hash}"`)
      assert.equal(res.headers['cache-control'], 'public, immutable')
      assert.ok(Date.parse(String(res.headers.expires)) > Date.now() + 300 * 24 * 3600 * 1000)
      assert.equal(res.headers.vary, 'Accept')
      assert.equal(res.json<{ openapi: string }>().openapi, '3.0.0')
    })

    it('is not cacheable forever without a hash', async () => {
      const res = await app.inject({ url: '/openapi/v3/api/v1', headers: ADMIN })
      assert.equal(res.statusCode, 200)
      assert.equal(res.headers['cache-control'], 'no-cache')
      assert.equal(res.headers.expires, undefined)
    })

    it('redirects a stale hash to the current document, as kube-openapi', async () => {
      const res = await app.inject({
        url: '/openapi/v3/apis/image.openshift.io/v1?hash=0123',
        headers: ADMIN,
      })
      assert.equal(res.statusCode, 301)
      assert.equal(res.headers.location, imageURL())
      assert.equal(res.headers['cache-control'], undefined)
    })

    it('answers 304 to a matching If-None-Match', async () => {
      const first = await app.inject({ url: imageURL(), headers: ADMIN })
      const res = await app.inject({
        url: imageURL(),
        headers: { ...ADMIN, 'if-none-match': `"nope", ${String(first.headers.etag)}` },
      })
      assert.equal(res.statusCode, 304)
    })

    it('answers 406 when JSON is not acceptable (there is no protobuf v3)', async () => {
      const res = await app.inject({
        url: imageURL(),
        headers: { ...ADMIN, accept: 'application/com.github.proto-openapi.spec.v3.v1.0+protobuf' },
      })
      assert.equal(res.statusCode, 406)
      assert.equal(res.json<{ reason: string }>().reason, 'NotAcceptable')
      for (const accept of ['*/*', 'application/*', 'application/json;q=0.5, text/html']) {
        const ok = await app.inject({ url: imageURL(), headers: { ...ADMIN, accept } })
        assert.equal(ok.statusCode, 200, accept)
      }
    })

    it('answers a 404 Status for a group version it does not serve', async () => {
      const res = await app.inject({ url: '/openapi/v3/apis/apps/v1', headers: ADMIN })
      assert.equal(res.statusCode, 404)
      assert.equal(res.json<{ reason: string }>().reason, 'NotFound')
    })
  })

  describe('/openapi/v2', () => {
    it('answers kubectl with the protobuf document, Content-Type without @', async () => {
      const res = await app.inject({
        url: '/openapi/v2?timeout=32s',
        headers: { ...ADMIN, accept: KUBECTL_V2_ACCEPT },
      })
      assert.equal(res.statusCode, 200)
      assert.equal(res.headers['content-type'], V2_PROTOBUF_TYPE)
      assert.ok(!String(res.headers['content-type']).includes('@'))
      // Field 1 of openapi.v2.Document, the swagger version: tag 0x0a, length 3, "2.0".
      assert.deepEqual([...res.rawPayload.subarray(0, 5)], [0x0a, 3, ...Buffer.from('2.0')])
    })

    it('answers JSON clients with the swagger 2.0 document', async () => {
      for (const accept of ['application/json', '*/*', undefined]) {
        const headers = accept === undefined ? ADMIN : { ...ADMIN, accept }
        const res = await app.inject({ url: '/openapi/v2', headers })
        assert.equal(res.statusCode, 200, accept)
        assert.equal(res.headers['content-type'], 'application/json')
        const doc = res.json<{ swagger: string; definitions: Record<string, unknown> }>()
        assert.equal(doc.swagger, '2.0')
        assert.ok(doc.definitions['com.github.openshift.api.image.v1.ImageStream'])
      }
    })

    it('answers 304 to a matching If-None-Match, per representation', async () => {
      for (const accept of [KUBECTL_V2_ACCEPT, 'application/json']) {
        const first = await app.inject({ url: '/openapi/v2', headers: { ...ADMIN, accept } })
        const etag = String(first.headers.etag)
        assert.match(etag, /^"[0-9A-F]{128}"$/)
        const again = await app.inject({
          url: '/openapi/v2',
          headers: { ...ADMIN, accept, 'if-none-match': etag },
        })
        assert.equal(again.statusCode, 304, accept)
      }
      const json = await app.inject({ url: '/openapi/v2', headers: ADMIN })
      const protobuf = await app.inject({
        url: '/openapi/v2',
        headers: { ...ADMIN, accept: KUBECTL_V2_ACCEPT },
      })
      assert.notEqual(json.headers.etag, protobuf.headers.etag)
    })

    it('answers 406 to anything else', async () => {
      const res = await app.inject({
        url: '/openapi/v2',
        headers: { ...ADMIN, accept: 'text/html' },
      })
      assert.equal(res.statusCode, 406)
    })
  })

  describe('negotiateV2', () => {
    it('follows the client preference, protobuf whenever kubectl names it', () => {
      assert.equal(negotiateV2(KUBECTL_V2_ACCEPT), 'protobuf')
      assert.equal(negotiateV2(V2_PROTOBUF_TYPE), 'protobuf')
      assert.equal(negotiateV2(`application/json;q=0.5, ${KUBECTL_V2_ACCEPT}`), 'protobuf')
      assert.equal(negotiateV2(`${KUBECTL_V2_ACCEPT};q=0.1, application/json`), 'json')
      assert.equal(negotiateV2(`${KUBECTL_V2_ACCEPT};q=0, application/json`), 'json')
      assert.equal(negotiateV2(''), 'json')
      assert.equal(negotiateV2('text/plain'), undefined)
    })
  })
})
