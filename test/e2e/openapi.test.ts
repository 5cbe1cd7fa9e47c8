/**
 * OpenAPI end to end with real kubectl: an in-process API server (createServer plus
 * registerOpenAPI, as `isctl serve` will wire it) on 127.0.0.1, a temp PKI and token, and a
 * kubeconfig. No resource routes are registered here, so writes end in 404s: what is checked is
 * everything kubectl does before the write (docs/kubernetes-api.md#openapi): `kubectl explain`
 * renders our v3 schemas, and create/apply pass the OpenAPI validation probe, skip client-side
 * validation and leave unknown fields to the server (`fieldValidation=Strict`).
 */
import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ImageStream, RESOURCE_LIST, unknownFields } from '../../src/api/index.js'
import { renderKubeconfig, serverURL } from '../../src/server/auth/admin-credentials.js'
import { createServer } from '../../src/server/app.js'
import {
  ADMIN_USER,
  createAdminAuthorizer,
  createTokenAuthenticator,
  hashToken,
} from '../../src/server/auth/index.js'
import { createLogger } from '../../src/server/logger.js'
import { registerOpenAPI } from '../../src/server/openapi/index.js'
import { ensurePki } from '../../src/server/pki.js'
import {
  CommandError,
  makeTempDir,
  removeTempDir,
  runCommand,
  type CommandResult,
} from '../harness/index.js'
import { IMAGE_STREAM } from './manifests.js'

// The pinned 1.32 binary, not the Debian dispatcher (docs/kubernetes-api.md#version).
const PINNED_KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32'
const KUBECTL = existsSync(PINNED_KUBECTL) ? PINNED_KUBECTL : 'kubectl'
const TOKEN = 'openapi-e2e-token'

/** One request the server answered, as kubectl sent it. */
interface Logged {
  readonly method: string
  readonly url: string
  readonly accept: string | undefined
  readonly status: number
}

const UNKNOWN_FIELDS = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: bogus
bogusTopLevel: 1
spec:
  tags:
  - name: latest
    bogusNested: true
`

/** A write a stub route received: what kubectl sent after its OpenAPI checks. */
interface Received {
  readonly method: string
  readonly url: string
  readonly contentType: string | undefined
  readonly body: unknown
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'

/** live builds an existing object as kubectl apply left it: the last-applied annotation included. */
function live(apiVersion: string, kind: string, applied: object, fields: object): object {
  const metadata = { name: 'live', namespace: 'default' }
  const annotation = JSON.stringify({
    apiVersion,
    kind,
    metadata: { annotations: {}, ...metadata },
    ...applied,
  })
  return {
    apiVersion,
    kind,
    metadata: {
      ...metadata,
      resourceVersion: '1',
      annotations: { [LAST_APPLIED]: `${annotation}\n` },
    },
    ...fields,
  }
}

/**
 * registerStubs stands in for the resource handlers in the few places a test needs an answer:
 * existing objects for `kubectl apply` (whose patch type depends on the OpenAPI documents), and
 * a create in namespace `strict` that records the body and answers as the apiserver's Strict
 * field validation does. Everything else is a 404.
 */
function registerStubs(app: FastifyInstance, received: Received[]): void {
  const objects: Record<string, object> = {
    '/apis/image.openshift.io/v1/namespaces/default/imagestreams/live': live(
      'image.openshift.io/v1',
      'ImageStream',
      { spec: { tags: [{ name: 'a', from: { kind: 'DockerImage', name: 'x/y:a' } }] } },
      { spec: { tags: [{ name: 'a', from: { kind: 'DockerImage', name: 'x/y:a' } }] } },
    ),
    '/api/v1/namespaces/default/serviceaccounts/live': live(
      'v1',
      'ServiceAccount',
      { secrets: [{ name: 's1' }] },
      { secrets: [{ name: 's1' }] },
    ),
  }
  const record = (request: FastifyRequest) =>
    received.push({
      method: request.method,
      url: request.url,
      contentType: request.headers['content-type'],
      body: request.body,
    })
  for (const [path, object] of Object.entries(objects)) {
    app.get(path, () => object)
    app.patch(path, (request) => {
      record(request)
      return object
    })
  }
  app.post('/apis/image.openshift.io/v1/namespaces/strict/imagestreams', (request, reply) => {
    record(request)
    const unknown = unknownFields(ImageStream, request.body)
    const message = `ImageStream in version "v1" cannot be handled as a ImageStream: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`
    return reply.code(400).send({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason: 'BadRequest',
      code: 400,
    })
  })
}

describe('OpenAPI with real kubectl', () => {
  let dir: string
  let app: FastifyInstance
  let kubeconfig: string
  let cache = 0
  const log: Logged[] = []
  const received: Received[] = []

  before(async () => {
    dir = makeTempDir('openapi-e2e')
    const pki = await ensurePki({ dataDir: join(dir, 'pki'), hosts: [] })
    app = createServer({
      logger: createLogger({
        level: 'warn',
        destination: new Writable({ write: (_chunk, _enc, cb) => cb() }),
      }),
      auth: createTokenAuthenticator([{ sha256: hashToken(TOKEN), user: ADMIN_USER }]),
      authorizer: createAdminAuthorizer(),
      resources: RESOURCE_LIST,
      tls: { cert: pki.certPem, key: pki.keyPem },
    })
    registerOpenAPI(app, RESOURCE_LIST)
    registerStubs(app, received)
    app.addHook('onResponse', (request, reply, done) => {
      log.push({
        method: request.method,
        url: request.url,
        accept: request.headers.accept,
        status: reply.statusCode,
      })
      done()
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const port = (app.server.address() as AddressInfo).port
    kubeconfig = join(dir, 'kubeconfig')
    writeFileSync(
      kubeconfig,
      renderKubeconfig({
        server: serverURL('127.0.0.1', port),
        caCertPem: pki.caCertPem,
        token: TOKEN,
      }),
      { mode: 0o600 },
    )
  })
  after(async () => {
    await app.close()
    await removeTempDir(dir)
  })

  /** Runs kubectl with a fresh cache (discovery and the HTTP cache), so each run asks the server. */
  async function kubectl(args: readonly string[]): Promise<CommandResult & { requests: Logged[] }> {
    const cacheDir = join(dir, `cache-${++cache}`)
    const from = log.length
    let result: CommandResult
    try {
      result = await runCommand(
        KUBECTL,
        ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
        { env: { PATH: process.env.PATH, HOME: cacheDir } },
      )
    } catch (err) {
      if (!(err instanceof CommandError)) throw err
      result = err.result
    }
    return { ...result, requests: log.slice(from) }
  }

  function manifest(name: string, text: string): string {
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }

  it('kubectl explain imagestream.spec prints our descriptions and fields', async () => {
    const res = await kubectl(['explain', 'imagestream.spec'])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^KIND:\s+ImageStream$/m)
    assert.match(res.stdout, /^VERSION:\s+v1$/m)
    assert.match(res.stdout, /^FIELD: spec <ImageStreamSpec>$/m)
    assert.match(res.stdout, /Spec describes the desired state of this stream\./)
    assert.match(res.stdout, /ImageStreamSpec represents options for ImageStreams\./)
    assert.match(res.stdout, /^ {2}dockerImageRepository\s+<string>$/m)
    assert.match(res.stdout, /^ {2}lookupPolicy\s+<ImageLookupPolicy>$/m)
    assert.match(res.stdout, /^ {2}tags\s+<\[\]TagReference>$/m)
    assert.match(res.stdout, /tags map arbitrary string values to specific image locators/)
    // Only the v3 documents were needed.
    const paths = res.requests.map((r) => r.url.split('?')[0])
    assert.ok(paths.includes('/openapi/v3'), paths.join('\n'))
    assert.ok(paths.includes('/openapi/v3/apis/image.openshift.io/v1'), paths.join('\n'))
    assert.ok(!paths.includes('/openapi/v2'), paths.join('\n'))
    assert.ok(
      res.requests.every((r) => r.status < 400),
      JSON.stringify(res.requests),
    )
  })

  it('kubectl explain imagestream.spec.tags.importPolicy prints TagImportPolicy', async () => {
    const res = await kubectl(['explain', 'imagestream.spec.tags.importPolicy'])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^FIELD: importPolicy <TagImportPolicy>$/m)
    assert.match(
      res.stdout,
      /TagImportPolicy controls how images related to this tag will be imported\./,
    )
    assert.match(res.stdout, /^ {2}importMode\s+<string>$/m)
    assert.match(res.stdout, /^ {2}insecure\s+<boolean>$/m)
    assert.match(res.stdout, /^ {2}scheduled\s+<boolean>$/m)
    assert.match(res.stdout, /PreserveOriginal imports the whole manifest list/)
  })

  it('kubectl explain --recursive walks the whole ImageStream schema', async () => {
    const res = await kubectl(['explain', 'is', '--recursive'])
    assert.equal(res.code, 0, res.stderr)
    for (const field of ['metadata', 'creationTimestamp', 'tags', 'referencePolicy', 'items']) {
      assert.match(res.stdout, new RegExp(`^\\s+${field}\\s+<`, 'm'), field)
    }
    // Required fields are marked: a spec tag needs its name, a history entry its image.
    assert.match(res.stdout, /^\s+name\s+<string> -required-$/m)
    assert.match(res.stdout, /^\s+image\s+<string> -required-$/m)
  })

  it('kubectl explain renders the core kinds and the maps of Image', async () => {
    const secret = await kubectl(['explain', 'secret.data'])
    assert.equal(secret.code, 0, secret.stderr)
    assert.match(secret.stdout, /^FIELD: data <map\[string\]string>$/m)
    const image = await kubectl(['explain', 'image.dockerImageLayers'])
    assert.equal(image.code, 0, image.stderr)
    assert.match(image.stdout, /^FIELD: dockerImageLayers <\[\]ImageLayer>$/m)
    assert.match(image.stdout, /^ {2}mediaType\s+<string> -required-$/m)
    const status = await kubectl(['explain', 'is.status.tags.items.created'])
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout, /^FIELD: created <string>$/m)
  })

  it('kubectl create -f passes the OpenAPI probe and asks the server to validate', async () => {
    const res = await kubectl(['create', '-f', manifest('is.yaml', IMAGE_STREAM)])
    assert.doesNotMatch(res.stderr, /failed to download openapi|error validating data/)
    // No resource routes in this server: the POST itself is what fails.
    assert.notEqual(res.code, 0)
    assert.match(res.stderr, /Error from server \(NotFound\)/)
    const post = res.requests.find((r) => r.method === 'POST')
    assert.ok(post, JSON.stringify(res.requests))
    assert.equal(
      post.url,
      '/apis/image.openshift.io/v1/namespaces/default/imagestreams?fieldManager=kubectl-create&fieldValidation=Strict',
    )
    const gv = res.requests.find((r) => r.url.startsWith('/openapi/v3/apis/image.openshift.io/v1?'))
    assert.ok(gv, JSON.stringify(res.requests))
    assert.match(gv.url, /hash=[0-9A-F]{128}(&|$)/)
    assert.equal(gv.status, 200)
    assert.ok(!res.requests.some((r) => r.url.startsWith('/openapi/v2')))
  })

  it('kubectl leaves unknown fields to server-side validation (fieldValidation=Strict)', async () => {
    // With a v3 PATCH operation that has fieldValidation, kubectl does no client-side schema
    // check: the manifest goes out as written, and the server's Strict decoding rejects it.
    const res = await kubectl([
      'create',
      '-n',
      'strict',
      '-f',
      manifest('unknown.yaml', UNKNOWN_FIELDS),
    ])
    assert.notEqual(res.code, 0)
    assert.doesNotMatch(res.stderr, /error validating|failed to download openapi/)
    const post = received.find((r) => r.method === 'POST' && r.url.includes('/namespaces/strict/'))
    assert.ok(post, `no POST: kubectl rejected the manifest itself:\n${res.stderr}`)
    assert.match(post.url, /[?&]fieldValidation=Strict(&|$)/)
    assert.deepEqual(unknownFields(ImageStream, post.body), [
      'bogusTopLevel',
      'spec.tags[0].bogusNested',
    ])
    // What the user sees is the server's message.
    assert.match(
      res.stderr,
      /^Error from server \(BadRequest\): error when creating ".*unknown\.yaml": ImageStream in version "v1" cannot be handled as a ImageStream: strict decoding error: unknown field "bogusTopLevel", unknown field "spec\.tags\[0\]\.bogusNested"$/m,
    )
  })

  it('kubectl apply -f passes the probe too (GET, then POST with fieldValidation)', async () => {
    const res = await kubectl(['apply', '-f', manifest('apply.yaml', IMAGE_STREAM)])
    assert.doesNotMatch(res.stderr, /failed to download openapi|error validating data/)
    const trace = JSON.stringify(res.requests.map((r) => `${r.method} ${r.url} ${r.status}`))
    assert.deepEqual(
      res.requests
        .filter((r) => r.method !== 'GET' || r.url.includes('/imagestreams'))
        .map((r) => `${r.method} ${r.url.split('?')[0]}`),
      [
        'GET /apis/image.openshift.io/v1/namespaces/default/imagestreams/ruby',
        'POST /apis/image.openshift.io/v1/namespaces/default/imagestreams',
      ],
      trace,
    )
    assert.ok(
      res.requests.some((r) => r.url.startsWith('/openapi/v3/apis/')),
      trace,
    )
    const post = res.requests.find((r) => r.method === 'POST')
    assert.match(post?.url ?? '', /fieldManager=kubectl-client-side-apply&fieldValidation=Strict/)
  })

  it('kubectl apply to an existing ImageStream builds its SMP from our v3 schema', async () => {
    const from = received.length
    const res = await kubectl([
      'apply',
      '-f',
      manifest(
        'live-is.yaml',
        'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: live\nspec:\n  tags:\n  - name: b\n    from:\n      kind: DockerImage\n      name: x/y:b\n',
      ),
    ])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout.trim(), 'imagestream.image.openshift.io/live configured')
    // No "error calculating patch from openapi v3 spec" warning: the schema had what it needed.
    assert.equal(res.stderr, '')
    const patch = received.slice(from).find((r) => r.method === 'PATCH')
    assert.equal(patch?.contentType, 'application/strategic-merge-patch+json')
    // Tags merge by name: b is added and a deleted by name, not the whole list replaced.
    assert.deepEqual((patch?.body as { spec: unknown }).spec, {
      '$setElementOrder/tags': [{ name: 'b' }],
      tags: [
        { from: { kind: 'DockerImage', name: 'x/y:b' }, name: 'b' },
        { $patch: 'delete', name: 'a' },
      ],
    })
    assert.ok(!res.requests.some((r) => r.url.startsWith('/openapi/v2')))
  })

  it('kubectl apply to an existing ServiceAccount builds its SMP from our v3 schema', async () => {
    const from = received.length
    const res = await kubectl([
      'apply',
      '-f',
      manifest(
        'live-sa.yaml',
        'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: live\nsecrets:\n- name: s2\n',
      ),
    ])
    assert.equal(res.code, 0, res.stderr)
    // No "error calculating patch from openapi v3 spec" warning: the schema had what it needed.
    assert.equal(res.stderr, '')
    const patch = received.slice(from).find((r) => r.method === 'PATCH')
    assert.equal(patch?.contentType, 'application/strategic-merge-patch+json')
    const body = patch?.body as Record<string, unknown>
    // The merge key `name` of ServiceAccount.secrets comes from the document.
    assert.deepEqual(body['$setElementOrder/secrets'], [{ name: 's2' }])
    assert.deepEqual(body.secrets, [{ name: 's2' }, { $patch: 'delete', name: 's1' }])
    // The core document sufficed: no v2 fallback.
    assert.ok(!res.requests.some((r) => r.url.startsWith('/openapi/v2')))
  })

  it('kubectl create of a core kind (Secret) passes the probe of the core document', async () => {
    const res = await kubectl([
      'create',
      '-f',
      manifest(
        'secret.yaml',
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: pull\nstringData:\n  a: b\n',
      ),
    ])
    assert.doesNotMatch(res.stderr, /failed to download openapi|error validating data/)
    assert.ok(res.requests.some((r) => r.url.startsWith('/openapi/v3/api/v1?hash=')))
    const post = res.requests.find((r) => r.method === 'POST')
    assert.match(
      post?.url ?? '',
      /^\/api\/v1\/namespaces\/default\/secrets\?.*fieldValidation=Strict/,
    )
  })

  it('kubectl explain --output=plaintext-openapiv2 renders the /openapi/v2 protobuf document', async () => {
    const res = await kubectl(['explain', '--output=plaintext-openapiv2', 'imagestreams.spec.tags'])
    assert.equal(res.code, 0, res.stderr)
    const v2 = res.requests.find((r) => r.url.split('?')[0] === '/openapi/v2')
    assert.ok(v2, JSON.stringify(res.requests))
    assert.equal(v2.status, 200)
    assert.match(v2.accept ?? '', /com\.github\.proto-openapi\.spec\.v2/)
    assert.match(res.stdout, /^KIND: +ImageStream$/m)
    assert.match(res.stdout, /^VERSION: +image\.openshift\.io\/v1$/m)
    assert.match(res.stdout, /^RESOURCE: tags <\[\]Object>$/m)
    assert.match(res.stdout, /tags map arbitrary string values to specific image locators\./)
    assert.match(res.stdout, /^ {3}name\t<string> -required-\n {5}Name of the tag\.$/m)
    assert.match(res.stdout, /^ {3}importPolicy\t<Object>\n {5}ImportPolicy is information/m)
    assert.match(res.stdout, /^ {3}annotations\t<map\[string\]string>$/m)
  })
})
