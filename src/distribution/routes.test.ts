import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { fastify, type FastifyInstance } from 'fastify'
import type { Image, ImageStream } from '../api/index.js'
import { EMPTY_KEYRING } from '../credentials/index.js'
import {
  RateLimitedError,
  RegistryClientError,
  type FetchedManifest,
  type RegistryClient,
} from '../registry/index.js'
import { NotFoundError, type ObjectKey, type Store } from '../storage/index.js'
import { registerDistribution } from './routes.js'

const TOKEN = 'secret-token'
const MANIFEST = Buffer.from('{"schemaVersion":2}')
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`
const MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json'
const BLOB = Buffer.from('layer bytes')
const BLOB_DIGEST = `sha256:${createHash('sha256').update(BLOB).digest('hex')}`
const LIMITED = `sha256:${'1'.repeat(64)}`
const GONE = `sha256:${'2'.repeat(64)}`

const stream: ImageStream = {
  metadata: { name: 'app', namespace: 'ns' },
  status: {
    tags: [
      ['v1', DIGEST],
      ['limited', LIMITED],
      ['gone', GONE],
    ].map(([tag, image]) => ({
      tag: tag!,
      items: [
        {
          created: '2026-01-01T00:00:00Z',
          dockerImageReference: `up.example/r@${image}`,
          image: image!,
          generation: 1,
        },
      ],
    })),
  },
}

/** A store holding one stream, and a client whose upstream has one manifest, a 429 and a 404. */
const image: Image = {
  metadata: { name: DIGEST },
  dockerImageLayers: [{ name: BLOB_DIGEST, size: BLOB.length, mediaType: 'x' }],
}
const store = {
  get: (key: ObjectKey) => {
    if (key.resource === 'imagestreams' && key.namespace === 'ns' && key.name === 'app') {
      return Promise.resolve(stream)
    }
    if (key.resource === 'images' && key.name === DIGEST) return Promise.resolve(image)
    return Promise.reject(new NotFoundError(key))
  },
} as unknown as Store
const ctx = { registry: 'up.example', repository: 'r' }
const client = {
  repository: () => ({
    blob: () => Promise.resolve({ size: BLOB.length, body: Readable.from([BLOB]) }),
    blobHead: ({ digest }: { digest: string }) => Promise.resolve({ size: BLOB.length, digest }),
    manifest: (digest: string): Promise<FetchedManifest> => {
      if (digest === LIMITED) {
        return Promise.reject(
          new RateLimitedError('slow down', { ...ctx, retryAt: new Date(Date.now() + 30_000) }),
        )
      }
      if (digest === GONE) return Promise.reject(new RegistryClientError('NotFound', 'gone', ctx))
      return Promise.resolve({
        digest,
        mediaType: MEDIA_TYPE,
        bytes: MANIFEST,
        manifest: {} as FetchedManifest['manifest'],
      })
    },
  }),
} as unknown as RegistryClient

describe('registerDistribution', () => {
  let app: FastifyInstance
  before(async () => {
    app = fastify({ exposeHeadRoutes: false })
    registerDistribution(app, {
      store,
      client,
      auth: {
        authenticate: (token) =>
          Promise.resolve(token === TOKEN ? { name: 'admin', groups: [] } : undefined),
      },
      mayPull: (_user, namespace) => Promise.resolve(namespace !== 'private'),
      mayPrune: () => Promise.resolve(false),
      keyringFor: () => Promise.resolve(EMPTY_KEYRING),
    })
    await app.ready()
  })
  after(() => app.close())

  const basic = `Basic ${Buffer.from(`any:${TOKEN}`).toString('base64')}`
  const cases: {
    name: string
    method?: 'GET' | 'HEAD' | 'PUT'
    url: string
    authorization?: string
    status: number
    code?: string
    headers?: Record<string, string>
    body?: string
  }[] = [
    {
      name: 'the ping needs credentials and challenges with Basic',
      url: '/v2/',
      status: 401,
      code: 'UNAUTHORIZED',
      headers: {
        'www-authenticate': 'Basic realm="imagestreams"',
        'docker-distribution-api-version': 'registry/2.0',
      },
    },
    {
      name: 'a wrong token is refused',
      url: '/v2/',
      authorization: 'Bearer nope',
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'the ping answers {} to a bearer token',
      url: '/v2/',
      authorization: `Bearer ${TOKEN}`,
      status: 200,
      body: '{}',
      headers: { 'docker-distribution-api-version': 'registry/2.0' },
    },
    {
      name: 'a manifest by tag is the upstream bytes',
      url: '/v2/ns/app/manifests/v1',
      authorization: basic,
      status: 200,
      body: MANIFEST.toString(),
      headers: {
        'content-type': MEDIA_TYPE,
        'docker-content-digest': DIGEST,
        'content-length': String(MANIFEST.length),
      },
    },
    {
      name: 'HEAD has the same headers',
      method: 'HEAD',
      url: `/v2/ns/app/manifests/${DIGEST}`,
      authorization: basic,
      status: 200,
      body: '',
      headers: {
        'content-type': MEDIA_TYPE,
        'docker-content-digest': DIGEST,
        'content-length': String(MANIFEST.length),
      },
    },
    {
      name: 'an unknown stream is NAME_UNKNOWN',
      url: '/v2/ns/nope/manifests/v1',
      authorization: basic,
      status: 404,
      code: 'NAME_UNKNOWN',
    },
    {
      name: 'an unknown tag is MANIFEST_UNKNOWN',
      url: '/v2/ns/app/manifests/v9',
      authorization: basic,
      status: 404,
      code: 'MANIFEST_UNKNOWN',
    },
    {
      name: 'an unknown digest is MANIFEST_UNKNOWN',
      url: `/v2/ns/app/manifests/sha256:${'3'.repeat(64)}`,
      authorization: basic,
      status: 404,
      code: 'MANIFEST_UNKNOWN',
    },
    {
      name: 'a manifest gone upstream is MANIFEST_UNKNOWN',
      url: '/v2/ns/app/manifests/gone',
      authorization: basic,
      status: 404,
      code: 'MANIFEST_UNKNOWN',
    },
    {
      name: 'an upstream 429 is passed on',
      url: '/v2/ns/app/manifests/limited',
      authorization: basic,
      status: 429,
      code: 'TOOMANYREQUESTS',
      headers: { 'retry-after': '30' },
    },
    {
      name: 'a namespace the user may not pull from is DENIED',
      url: '/v2/private/app/tags/list',
      authorization: basic,
      status: 403,
      code: 'DENIED',
    },
    {
      name: 'tags/list lists the tags with images',
      url: '/v2/ns/app/tags/list',
      authorization: basic,
      status: 200,
      body: '{"name":"ns/app","tags":["gone","limited","v1"]}',
    },
    {
      name: 'a blob of an image of the stream streams through',
      url: `/v2/ns/app/blobs/${BLOB_DIGEST}`,
      authorization: basic,
      status: 200,
      body: BLOB.toString(),
      headers: { 'docker-content-digest': BLOB_DIGEST, 'content-length': String(BLOB.length) },
    },
    {
      name: 'HEAD of a blob has its length and no body',
      method: 'HEAD',
      url: `/v2/ns/app/blobs/${BLOB_DIGEST}`,
      authorization: basic,
      status: 200,
      body: '',
      headers: { 'docker-content-digest': BLOB_DIGEST, 'content-length': String(BLOB.length) },
    },
    {
      name: 'a blob of no image of the stream is BLOB_UNKNOWN',
      url: `/v2/ns/app/blobs/sha256:${'4'.repeat(64)}`,
      authorization: basic,
      status: 404,
      code: 'BLOB_UNKNOWN',
    },
    {
      name: 'an unknown path needs credentials first',
      url: '/v2/ns/app/uploads/x',
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'pushes are unsupported',
      method: 'PUT',
      url: '/v2/ns/app/manifests/v1',
      authorization: basic,
      status: 405,
      code: 'UNSUPPORTED',
    },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const res = await app.inject({
        method: c.method ?? 'GET',
        url: c.url,
        headers: c.authorization ? { authorization: c.authorization } : {},
      })
      assert.equal(res.statusCode, c.status, res.body)
      if (c.code) assert.equal(res.json<{ errors: { code: string }[] }>().errors[0]?.code, c.code)
      if (c.body !== undefined) assert.equal(res.body, c.body)
      for (const [name, value] of Object.entries(c.headers ?? {})) {
        assert.equal(res.headers[name], value, name)
      }
    })
  }
})

describe('registerDistribution with concurrent pulls', () => {
  it('fetches a manifest upstream once for requests of one namespace that arrive together', async () => {
    let streamReads = 0
    let fetches = 0
    let release!: () => void
    const upstreamAnswers = new Promise<void>((resolve) => (release = resolve))
    const counting = {
      get: (key: ObjectKey) => {
        if (key.resource === 'imagestreams') streamReads++
        return store.get(key)
      },
    } as unknown as Store
    const gated = {
      repository: () => ({
        manifest: async (digest: string): Promise<FetchedManifest> => {
          fetches++
          await upstreamAnswers
          return {
            digest,
            mediaType: MEDIA_TYPE,
            bytes: MANIFEST,
            manifest: {} as FetchedManifest['manifest'],
          }
        },
      }),
    } as unknown as RegistryClient
    const app = fastify({ exposeHeadRoutes: false })
    registerDistribution(app, {
      store: counting,
      client: gated,
      auth: { authenticate: () => Promise.resolve({ name: 'admin', groups: [] }) },
      mayPull: () => Promise.resolve(true),
      mayPrune: () => Promise.resolve(false),
      keyringFor: () => Promise.resolve(EMPTY_KEYRING),
    })
    await app.ready()
    try {
      const pull = () =>
        app.inject({
          url: '/v2/ns/app/manifests/v1',
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      const answers = Promise.all([pull(), pull()])
      const turn = () => new Promise((resolve) => setImmediate(resolve))
      while (streamReads < 2 || fetches < 1) await turn()
      // Turns enough for the second request to reach the fetch the first started.
      for (let i = 0; i < 20; i++) await turn()
      release()
      const [first, second] = await answers
      assert.equal(first.statusCode, 200, first.body)
      assert.equal(second.statusCode, 200, second.body)
      assert.equal(second.body, MANIFEST.toString())
      assert.equal(fetches, 1)
    } finally {
      await app.close()
    }
  })
})
