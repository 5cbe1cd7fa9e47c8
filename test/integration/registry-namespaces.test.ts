/**
 * The integrated registry's shared caches do not cross namespaces
 * (docs/integrated-registry.md#what-a-namespace-may-pull-from-the-caches), over a real API server
 * (imports, `/status` writes and spec tags through its routes), a real SQLite store, a real blob
 * cache and a real Basic-auth registry: team-a imports a private image with its own pull secret
 * and pulls it (filling the caches); team-b, without a secret, names the same digest in a status
 * it writes itself and is refused exactly as it is with empty caches; a status team-a writes
 * naming an image it never imported is not served from the caches either; a cross-namespace tag
 * by a writer who may read team-a lets team-b pull the image, from the caches; a namespace whose
 * own pull from the upstream succeeds is served from the caches afterwards. Real skopeo pulls
 * through the listening server where a client's view matters.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { BlobCache, registerDistribution } from '../../src/distribution/index.js'
import { namespaceKeyring } from '../../src/scheduler/index.js'
import { registerImageStreamImports } from '../../src/server/imagestreamimports.js'
import {
  REGISTRY,
  startFixture,
  TOKEN,
  type Fixture,
} from '../../src/server/resources/testing/fixture.js'
import { CommandError, runCommand, succeeded, useRegistry } from '../harness/index.js'
import { IMPORT_POLICY, testClient } from './support.js'

const G = '/apis/image.openshift.io/v1'

/** Outcome is what a puller sees of a `/v2/` answer: its status and registry error code. */
interface Outcome {
  readonly status: number
  readonly code: string | undefined
}

describe('the integrated registry caches across namespaces', () => {
  const env = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  let dir: string
  let fx: Fixture
  let blobs: BlobCache
  let host: string
  const served: string[] = []

  /** skopeoCopy copies `<server>/<repo>` into an OCI layout, with the API token as password; a failed run is a result too. */
  const skopeoCopy = (repo: string, layout: string) =>
    runCommand('skopeo', [
      '--policy',
      join(dir, 'policy.json'),
      'copy',
      '--src-cert-dir',
      join(dir, 'certs'),
      '--src-creds',
      `any:${TOKEN}`,
      `docker://${host}/${repo}`,
      `oci:${join(dir, layout)}`,
    ]).catch((err: unknown) => {
      if (err instanceof CommandError) return err.result
      throw err
    })

  const ok = async (method: 'POST' | 'PUT' | 'PATCH', url: string, body: unknown) => {
    const res = await fx.request({
      method,
      url,
      body,
      ...(method === 'PATCH' ? { contentType: 'application/merge-patch+json' } : {}),
    })
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json<Record<string, unknown>>()
  }
  /** pull GETs a `/v2/` path with the API token as Basic password, as skopeo sends it. */
  const pull = (path: string): Promise<LightMyRequestResponse> =>
    fx.app.inject({
      method: 'GET',
      url: `/v2/${path}`,
      headers: { authorization: `Basic ${Buffer.from(`any:${TOKEN}`).toString('base64')}` },
    })
  const outcome = async (path: string): Promise<Outcome> => {
    const res = await pull(path)
    const body = res.statusCode === 200 ? undefined : res.json<{ errors: { code: string }[] }>()
    return { status: res.statusCode, code: body?.errors[0]?.code }
  }
  const importTag = async (ns: string, stream: string, tag: string, from: string) => {
    const isi = await ok('POST', `${G}/namespaces/${ns}/imagestreamimports`, {
      metadata: { name: stream },
      spec: {
        import: true,
        images: [{ from: { kind: 'DockerImage', name: from }, to: { name: tag } }],
      },
    })
    const status = (isi.status as { images: { status: { status: string; message?: string } }[] })
      .images[0]!.status
    assert.equal(status.status, 'Success', status.message)
  }
  /** writeStatus creates `stream` in `ns` with a status tag naming `digest` at `repository`, as a client can. */
  const writeStatus = async (ns: string, stream: string, digest: string, repository: string) => {
    const created = await ok('POST', `${G}/namespaces/${ns}/imagestreams`, {
      metadata: { name: stream },
    })
    await ok('PUT', `${G}/namespaces/${ns}/imagestreams/${stream}/status`, {
      ...created,
      status: {
        tags: [
          {
            tag: 'v1',
            items: [
              {
                created: '2026-01-01T00:00:00Z',
                dockerImageReference: `${repository}@${digest}`,
                image: digest,
                generation: 1,
              },
            ],
          },
        ],
      },
    })
  }
  const pullSecret = (ns: string) =>
    ok('POST', `/api/v1/namespaces/${ns}/secrets`, {
      metadata: { name: 'pull' },
      type: 'kubernetes.io/dockerconfigjson',
      data: {
        '.dockerconfigjson': Buffer.from(
          JSON.stringify({
            auths: {
              [env.reg.host]: { auth: Buffer.from('alice:alice-pass').toString('base64') },
            },
          }),
        ).toString('base64'),
      },
    })
  /** pullAll pulls an image's manifest by tag and every blob through `<ns>/<stream>`, each 200. */
  const pullAll = async (repo: string, blobs: readonly string[]) => {
    for (const path of [`${repo}/manifests/v1`, ...blobs.map((b) => `${repo}/blobs/${b}`)]) {
      const res = await pull(path)
      assert.equal(res.statusCode, 200, `${path}: ${res.body}`)
    }
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-registry-namespaces-'))
    blobs = await BlobCache.open({
      dir: join(dir, 'registry-cache'),
      maxBytes: 2 ** 30,
      logger: { warn: () => undefined },
    })
    const { client } = testClient(env.reg)
    fx = await startFixture({}, (app, store) => {
      registerImageStreamImports(app, {
        store,
        client,
        policy: IMPORT_POLICY,
        registryHostname: () => REGISTRY,
      })
      registerDistribution(app, {
        store,
        client,
        blobs,
        auth: {
          authenticate: (t) =>
            Promise.resolve(
              t === TOKEN ? { name: 'admin', groups: ['system:masters'] } : undefined,
            ),
        },
        mayPull: () => Promise.resolve(true),
        mayPrune: () => Promise.resolve(false),
        keyringFor: async (ns) => (await namespaceKeyring(store, ns, undefined)).keyring,
        onServed: (kind, from) => served.push(`${kind} from ${from}`),
      })
    })
    mkdirSync(join(dir, 'certs'))
    writeFileSync(join(dir, 'certs', 'ca.crt'), fx.caCertPem)
    writeFileSync(
      join(dir, 'policy.json'),
      JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }),
    )
    await fx.app.listen({ host: '127.0.0.1', port: 0 })
    const address = fx.app.server.address()
    host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    for (const ns of ['team-a', 'team-b', 'team-c']) await fx.createNamespace(ns)
    await pullSecret('team-a')
    await pullSecret('team-c')
  })
  after(async () => {
    await fx?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const image = () => env.fx.ociSingle
  const blobsOf = () => [image().config.digest, ...image().layers.map((l) => l.digest)]
  /** What team-b's pulls of the image through its status-written stream answer. */
  const teamB = async () => ({
    byTag: await outcome('team-b/written/manifests/v1'),
    byDigest: await outcome(`team-b/written/manifests/${image().digest}`),
    blobs: await Promise.all(blobsOf().map((b) => outcome(`team-b/written/blobs/${b}`))),
  })
  let emptyCaches: Awaited<ReturnType<typeof teamB>>

  it('team-b, naming team-a’s private image in a status it wrote, is refused with empty caches', async () => {
    await importTag('team-a', 'app', 'v1', image().reference)
    await writeStatus('team-b', 'written', image().digest, `${env.reg.host}/${image().repository}`)
    emptyCaches = await teamB()
    assert.deepEqual(emptyCaches, {
      byTag: { status: 404, code: 'MANIFEST_UNKNOWN' },
      byDigest: { status: 404, code: 'MANIFEST_UNKNOWN' },
      blobs: blobsOf().map(() => ({ status: 404, code: 'BLOB_UNKNOWN' })),
    })
  })

  it('team-a pulls the image it imported, from the upstream and then from the caches', async () => {
    served.length = 0
    await pullAll('team-a/app', blobsOf())
    await blobs.settled()
    await pullAll('team-a/app', blobsOf())
    const upstream = ['manifest from upstream', ...blobsOf().map(() => 'blob from upstream')]
    const cached = ['manifest from cache', ...blobsOf().map(() => 'blob from cache')]
    assert.deepEqual(served, [...upstream, ...cached])
  })

  it('team-b is refused exactly as with empty caches once team-a filled them', async () => {
    served.length = 0
    assert.deepEqual(await teamB(), emptyCaches)
    const copy = await skopeoCopy('team-b/written:v1', 'refused')
    assert.notEqual(copy.code, 0)
    assert.match(copy.stderr, /manifest unknown/)
    assert.ok(!served.some((s) => s.endsWith('from cache')), served.join(', '))
  })

  it('a status team-a writes naming an image it never imported is not served from the caches', async () => {
    // team-c imports and pulls another image, filling the caches with it.
    const other = env.fx.dockerSingle
    const otherBlobs = [other.config.digest, ...other.layers.map((l) => l.digest)]
    await importTag('team-c', 'tool', 'v1', other.reference)
    await pullAll('team-c/tool', otherBlobs)
    await blobs.settled()
    // team-a names it in a status of its own, from a repository that does not have it.
    await writeStatus('team-a', 'written', other.digest, `${env.reg.host}/nowhere/none`)
    served.length = 0
    assert.deepEqual(await outcome('team-a/written/manifests/v1'), {
      status: 404,
      code: 'MANIFEST_UNKNOWN',
    })
    assert.deepEqual(await outcome(`team-a/written/blobs/${otherBlobs[1]!}`), {
      status: 404,
      code: 'BLOB_UNKNOWN',
    })
    assert.deepEqual(served, [])
  })

  it('a stream with no grant (written before grants existed) heals on its first successful pull', async () => {
    // team-c has a pull secret for the registry, but only a status it wrote names the image.
    await writeStatus('team-c', 'legacy', image().digest, `${env.reg.host}/${image().repository}`)
    served.length = 0
    await pullAll('team-c/legacy', blobsOf())
    await pullAll('team-c/legacy', blobsOf())
    const blobsFrom = (from: string) => blobsOf().map(() => `blob from ${from}`)
    assert.deepEqual(served, [
      'manifest from upstream',
      ...blobsFrom('cache'),
      'manifest from cache',
      ...blobsFrom('cache'),
    ])
  })

  it('a cross-namespace tag by a writer who may read team-a lets team-b pull, from the caches', async () => {
    await ok('POST', `${G}/namespaces/team-b/imagestreams`, {
      metadata: { name: 'tagged' },
      spec: {
        tags: [
          { name: 'v1', from: { kind: 'ImageStreamTag', namespace: 'team-a', name: 'app:v1' } },
        ],
      },
    })
    served.length = 0
    await pullAll('team-b/tagged', blobsOf())
    assert.deepEqual(served, ['manifest from cache', ...blobsOf().map(() => 'blob from cache')])
    served.length = 0
    await succeeded(skopeoCopy('team-b/tagged:v1', 'tagged'))
    assert.ok(served.length > 0 && served.every((s) => s.endsWith('from cache')), served.join())
  })
})
