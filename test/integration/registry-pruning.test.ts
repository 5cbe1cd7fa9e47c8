/**
 * What the integrated registry does for pruning, over a real SQLite store, a real blob cache
 * and a real Basic-auth registry the images were imported from: the pull records it writes on
 * Images (a pull by digest, a list child marking its list, at most one write per granularity,
 * nothing for a failed pull) and `DELETE /admin/blobs/<digest>` (a cached blob or manifest
 * dropped and fetched from the upstream again, 404 when nothing is cached, refusals).
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fastify, type FastifyInstance } from 'fastify'
import { ANNOTATIONS, type Image, type ImportMode } from '../../src/api/index.js'
import { EMPTY_KEYRING } from '../../src/credentials/index.js'
import {
  BlobCache,
  PULL_RECORD_GRANULARITY_MS,
  registerDistribution,
  type Distribution,
} from '../../src/distribution/index.js'
import { importInto } from '../../src/scheduler/index.js'
import { objectKey, type Store } from '../../src/storage/index.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import { useRegistry } from '../harness/index.js'
import { IMPORT_POLICY, configKeyring, testClient } from './support.js'

const ADMIN = { authorization: 'Bearer admin-token' }
const BOB = { authorization: 'Bearer bob-token' }
const START = Date.parse('2026-03-01T10:00:00Z')
describe('the integrated registry for pruning', () => {
  const env = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  let dir: string
  let store: Store
  let blobs: BlobCache
  let app: FastifyInstance
  let distribution: Distribution
  let clock = START
  const served: string[] = []

  const get = (url: string, headers: Record<string, string> = ADMIN) =>
    app.inject({ method: 'GET', url, headers })
  const remove = (digest: string, headers: Record<string, string> = ADMIN) =>
    app.inject({ method: 'DELETE', url: `/admin/blobs/${digest}`, headers })
  const errorCode = (body: string) =>
    (JSON.parse(body) as { errors: { code: string }[] }).errors[0]?.code
  const image = (digest: string) => store.get<Image>(objectKey('images', digest))
  const pulled = async (digest: string) =>
    (await image(digest)).metadata.annotations?.[ANNOTATIONS.lastPulled]

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-registry-pruning-'))
    store = await openSqliteStore({ path: join(dir, 'store.db') })
    blobs = await BlobCache.open({
      dir: join(dir, 'registry-cache'),
      maxBytes: 2 ** 30,
      logger: { warn: () => undefined },
    })
    const { client } = testClient(env.reg)
    const keyring = configKeyring({ [env.reg.host]: 'alice:alice-pass' })
    const imports = { store, client, policy: IMPORT_POLICY, globalKeyring: keyring }
    // Namespaces that exist: an import grants its namespace the images it read, which the
    // registry's caches then serve it (docs/integrated-registry.md#what-a-namespace-may-pull-from-the-caches).
    for (const ns of ['team', 'other']) {
      await store.create(objectKey('namespaces', ns), { metadata: { name: ns } })
    }
    const importTag = async (ns: string, tag: string, from: string, mode: ImportMode) => {
      const { isi } = await importInto(imports, ns, {
        metadata: { name: 'app', namespace: ns },
        spec: {
          import: true,
          images: [
            {
              from: { kind: 'DockerImage', name: from },
              to: { name: tag },
              importPolicy: { importMode: mode },
            },
          ],
        },
      })
      const status = isi.status?.images?.[0]?.status
      assert.equal(status?.status, 'Success', status?.message)
    }
    await importTag('team', 'single', env.fx.ociSingle.reference, 'Legacy')
    await importTag('team', 'v1', env.fx.ociIndex.reference, 'PreserveOriginal')
    await importTag('team', 'docker', env.fx.dockerList.reference, 'PreserveOriginal')
    // Imported with the global pull secret, pulled through with none: the upstream refuses.
    await importTag('other', 'single', env.fx.dockerSingle.reference, 'Legacy')

    app = fastify({ exposeHeadRoutes: false })
    const users: Record<string, { name: string; groups: string[] }> = {
      'admin-token': { name: 'admin', groups: ['system:masters'] },
      'bob-token': { name: 'bob', groups: [] },
    }
    distribution = registerDistribution(app, {
      store,
      client,
      blobs,
      auth: { authenticate: (token) => Promise.resolve(users[token]) },
      mayPull: () => Promise.resolve(true),
      mayPrune: (user) => Promise.resolve(user.groups.includes('system:masters')),
      keyringFor: (ns) => Promise.resolve(ns === 'team' ? keyring : EMPTY_KEYRING),
      onServed: (kind, from) => served.push(`${kind} from ${from}`),
      now: () => clock,
    })
    await app.ready()
  })
  after(async () => {
    await app?.close()
    await distribution?.settled()
    await store?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  describe('pull records', () => {
    it('a manifest pulled by digest records the time on its Image, in RFC 3339 seconds', async () => {
      const single = env.fx.ociSingle
      const res = await get(`/v2/team/app/manifests/${single.digest}`)
      assert.equal(res.statusCode, 200, res.body)
      await distribution.settled()
      assert.equal(await pulled(single.digest), '2026-03-01T10:00:00Z')
    })

    it('writes nothing again within the granularity, and again after it', async () => {
      const single = env.fx.ociSingle
      const before = await image(single.digest)
      clock = START + PULL_RECORD_GRANULARITY_MS - 1000
      const again = await get(`/v2/team/app/manifests/single`)
      assert.equal(again.statusCode, 200, again.body)
      await distribution.settled()
      const unchanged = await image(single.digest)
      assert.equal(unchanged.metadata.resourceVersion, before.metadata.resourceVersion)
      assert.equal(unchanged.metadata.annotations?.[ANNOTATIONS.lastPulled], '2026-03-01T10:00:00Z')

      clock = START + PULL_RECORD_GRANULARITY_MS + 1000
      const later = await get(`/v2/team/app/manifests/${single.digest}`)
      assert.equal(later.statusCode, 200, later.body)
      await distribution.settled()
      assert.equal(await pulled(single.digest), '2026-03-01T11:00:01Z')
      clock = START
    })

    it('a child of a list pulled by digest marks the child and the list, not its siblings', async () => {
      const list = env.fx.ociIndex
      const [child, sibling] = list.children.filter((c) => !c.attestation)
      const res = await get(`/v2/team/app/manifests/${child!.digest}`)
      assert.equal(res.statusCode, 200, res.body)
      await distribution.settled()
      assert.equal(await pulled(child!.digest), '2026-03-01T10:00:00Z')
      assert.equal(await pulled(list.digest), '2026-03-01T10:00:00Z')
      assert.equal(await pulled(sibling!.digest), undefined)
    })

    it('a HEAD by tag that a list answers with its linux/amd64 image marks that image and the list', async () => {
      const list = env.fx.dockerList
      const amd64 = list.children.find((c) => c.platform.architecture === 'amd64')!
      const res = await app.inject({
        method: 'HEAD',
        url: '/v2/team/app/manifests/docker',
        headers: { ...ADMIN, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      })
      assert.equal(res.statusCode, 200, res.body)
      assert.equal(res.headers['docker-content-digest'], amd64.digest)
      await distribution.settled()
      assert.equal(await pulled(amd64.digest), '2026-03-01T10:00:00Z')
      assert.equal(await pulled(list.digest), '2026-03-01T10:00:00Z')
    })

    it('a pull that fails records nothing', async () => {
      const single = env.fx.dockerSingle
      const before = await image(single.digest)
      const refused = await get(`/v2/other/app/manifests/${single.digest}`)
      assert.equal(refused.statusCode, 404, 'the upstream refuses a namespace without credentials')
      assert.equal(errorCode(refused.body), 'MANIFEST_UNKNOWN')
      const anonymous = await get(`/v2/other/app/manifests/${single.digest}`, {})
      assert.equal(anonymous.statusCode, 401)
      await distribution.settled()
      const after = await image(single.digest)
      assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion)
      assert.equal(after.metadata.annotations?.[ANNOTATIONS.lastPulled], undefined)
    })
  })

  describe('DELETE /admin/blobs/<digest>', () => {
    const single = () => env.fx.ociSingle
    const layerUrl = () => `/v2/team/app/blobs/${single().layers[0]!.digest}`
    const cachedFile = (digest: string) =>
      join(dir, 'registry-cache', 'sha256', digest.slice('sha256:'.length))

    it('drops a cached blob: 202, then 404 BLOB_UNKNOWN, and the next pull fetches it upstream', async () => {
      const layer = single().layers[0]!
      assert.equal((await get(layerUrl())).statusCode, 200)
      await blobs.settled()
      assert.equal(blobs.size(layer.digest), layer.size)
      assert.equal((await get(layerUrl())).statusCode, 200)
      assert.equal(served.at(-1), 'blob from cache')

      const dropped = await remove(layer.digest)
      assert.equal(dropped.statusCode, 202, dropped.body)
      assert.equal(dropped.body, '')
      assert.equal(blobs.size(layer.digest), undefined)
      assert.equal(existsSync(cachedFile(layer.digest)), false)
      const again = await remove(layer.digest)
      assert.equal(again.statusCode, 404)
      assert.equal(errorCode(again.body), 'BLOB_UNKNOWN')

      env.reg.clearAccessLog()
      const pull = await get(layerUrl())
      assert.equal(pull.statusCode, 200)
      assert.equal(pull.rawPayload.length, layer.size)
      assert.equal(served.at(-1), 'blob from upstream')
      const fetched = (await env.reg.accessLogSettled()).filter(
        (r) => r.method === 'GET' && r.path.endsWith(`/blobs/${layer.digest}`) && r.status === 200,
      )
      assert.equal(fetched.length, 1, 'the upstream served the blob again')
    })

    it('drops a cached manifest, which the next pull fetches upstream', async () => {
      const url = `/v2/team/app/manifests/${single().digest}`
      assert.equal((await get(url)).statusCode, 200)
      assert.equal(served.at(-1), 'manifest from cache')
      const dropped = await remove(single().digest)
      assert.equal(dropped.statusCode, 202, dropped.body)
      env.reg.clearAccessLog()
      assert.equal((await get(url)).statusCode, 200)
      assert.equal(served.at(-1), 'manifest from upstream')
      const fetched = (await env.reg.accessLogSettled()).filter(
        (r) => r.path.endsWith(`/manifests/${single().digest}`) && r.status === 200,
      )
      assert.equal(fetched.length, 1)
    })

    it('refuses callers who may not delete images, in the registry dialect, and keeps the blob', async () => {
      const config = single().config
      assert.equal((await get(`/v2/team/app/blobs/${config.digest}`)).statusCode, 200)
      await blobs.settled()
      const cases: [string, Record<string, string>, number, string][] = [
        ['no credentials', {}, 401, 'UNAUTHORIZED'],
        ['an unknown token', { authorization: 'Bearer nope' }, 401, 'UNAUTHORIZED'],
        ['a user without delete on images', BOB, 403, 'DENIED'],
      ]
      for (const [what, headers, status, code] of cases) {
        const res = await remove(config.digest, headers)
        assert.equal(res.statusCode, status, what)
        assert.equal(errorCode(res.body), code, what)
        assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0')
        if (status === 401) {
          assert.equal(res.headers['www-authenticate'], 'Basic realm="imagestreams"')
        }
      }
      assert.equal(blobs.size(config.digest), config.size, 'nothing was dropped')
      const basic = `Basic ${Buffer.from('any:admin-token').toString('base64')}`
      assert.equal((await remove(config.digest, { authorization: basic })).statusCode, 202)
    })

    it('answers a malformed digest 400 DIGEST_INVALID, and other methods UNSUPPORTED', async () => {
      const bad = await remove('sha256:nothex')
      assert.equal(bad.statusCode, 400)
      assert.equal(errorCode(bad.body), 'DIGEST_INVALID')
      const put = await app.inject({
        method: 'PUT',
        url: `/admin/blobs/${single().digest}`,
        headers: ADMIN,
      })
      assert.equal(put.statusCode, 405)
      assert.equal(errorCode(put.body), 'UNSUPPORTED')
    })
  })
})
