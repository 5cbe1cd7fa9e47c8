/**
 * Upstreams that stall, from the harness fault proxy in front of a real registry: an import
 * whose HEAD never answers ends at the import deadline with a failure naming the registry, and a
 * blob pulled through `/v2/` whose upstream drips is ended by the minimum body rate, in the
 * registry error dialect before the answer started and by a cut connection after. Deadline and
 * rate window are shortened through options, so nothing waits the production minutes.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, describe, it } from 'node:test'
import { fastify, type FastifyInstance } from 'fastify'
import { request } from 'undici'
import type { ImageStream } from '../../src/api/index.js'
import { registerDistribution, type Distribution } from '../../src/distribution/index.js'
import { importInto } from '../../src/scheduler/index.js'
import { objectKey, type Store } from '../../src/storage/index.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import {
  pushLargeImage,
  startFaultProxy,
  useRegistry,
  type FaultProxy,
  type LargeImage,
} from '../harness/index.js'
import { IMPORT_POLICY, configKeyring, testClient } from './support.js'

const TOKEN = { authorization: 'Bearer puller-token' }
/** The test-short limits: an import deadline of 1.5 s, and at least 64 bytes every 0.3 s. */
const ENTRY_DEADLINE_MS = 1500
const MIN_RATE = { bytes: 64, windowMs: 300 }

describe('stalling upstreams', () => {
  const env = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  let dir: string
  let store: Store
  let proxy: FaultProxy
  let app: FastifyInstance
  let distribution: Distribution
  let base: string
  let large: LargeImage
  let imports: Parameters<typeof importInto>[0]
  const closers: (() => Promise<void>)[] = []

  const importTag = (stream: string, tag: string, from: string) =>
    importInto(imports, 'team', {
      metadata: { name: stream, namespace: 'team' },
      spec: {
        import: true,
        images: [{ from: { kind: 'DockerImage', name: from }, to: { name: tag } }],
      },
    })

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-upstream-stalls-'))
    store = await openSqliteStore({ path: join(dir, 'store.db') })
    proxy = await startFaultProxy({ upstream: env.reg })
    large = await pushLargeImage(env.reg, 'drip/blob:latest', { layers: 1, layerBytes: 4096 })
    const keyring = configKeyring({ [proxy.host]: 'alice:alice-pass' })
    const { client, agents } = testClient(env.reg, { blobMinRate: MIN_RATE })
    closers.push(() => agents.close())
    imports = {
      store,
      client,
      policy: { ...IMPORT_POLICY, entryDeadlineMs: ENTRY_DEADLINE_MS },
      globalKeyring: keyring,
    }
    const { isi } = await importTag('drip', 'latest', `${proxy.host}/drip/blob:latest`)
    const status = isi.status?.images?.[0]?.status
    assert.equal(status?.status, 'Success', status?.message)

    app = fastify({ exposeHeadRoutes: false })
    distribution = registerDistribution(app, {
      store,
      client,
      auth: {
        authenticate: (token) =>
          Promise.resolve(token === 'puller-token' ? { name: 'puller', groups: [] } : undefined),
      },
      mayPull: () => Promise.resolve(true),
      mayPrune: () => Promise.resolve(false),
      keyringFor: () => Promise.resolve(keyring),
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  })
  beforeEach(() => {
    proxy.setFault(undefined)
    proxy.clearRequests()
  })
  after(async () => {
    await app?.close()
    await distribution?.settled()
    await Promise.all(closers.map((c) => c()))
    await proxy?.stop()
    await store?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('ends an import whose HEAD never answers at the deadline, naming the registry', async () => {
    proxy.setFault({ kind: 'slow-headers', ms: 600_000, method: 'HEAD', times: 'always' })
    const started = Date.now()
    const { isi, stream } = await importTag('stalled', 'v1', `${proxy.host}/drip/blob:latest`)
    // Far below one attempt's headers timeout (30 s), let alone four of them.
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`)
    const status = isi.status?.images?.[0]?.status
    assert.equal(status?.status, 'Failure')
    assert.equal(status?.reason, 'Timeout')
    assert.equal(status?.code, 504)
    assert.match(
      status?.message ?? '',
      new RegExp(`${proxy.host}.*within the import deadline of 1\\.5 s`),
    )
    assert.ok(proxy.requests().some((r) => r.fault === 'slow-headers'))
    const stored = await store.get<ImageStream>(objectKey('imagestreams', 'stalled', 'team'))
    assert.equal(stream?.metadata.resourceVersion, stored.metadata.resourceVersion)
    const condition = stored.status?.tags?.find((t) => t.tag === 'v1')?.conditions?.[0]
    assert.equal(condition?.reason, 'Timeout')
    assert.equal(condition?.message, status?.message)
  })

  it('cuts a blob pulled through whose upstream drips, once the answer has started', async () => {
    const layer = large.layers[0]!
    proxy.setFault({ kind: 'drip-body', everyMs: 20, method: 'GET', path: /\/blobs\// })
    const res = await request(`${base}/v2/team/drip/blobs/${layer.digest}`, { headers: TOKEN })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['content-length'], String(layer.size))
    let received = 0
    await assert.rejects(async () => {
      for await (const chunk of res.body) received += (chunk as Buffer).length
    })
    assert.ok(received < MIN_RATE.bytes, `received ${received} of ${layer.size} bytes`)
    assert.ok(proxy.requests().some((r) => r.fault === 'drip-body'))
  })

  it('answers in the registry dialect when the upstream stalls before the first byte', async () => {
    const layer = large.layers[0]!
    proxy.setFault({ kind: 'drip-body', everyMs: 600_000, method: 'GET', path: /\/blobs\// })
    const res = await request(`${base}/v2/team/drip/blobs/${layer.digest}`, { headers: TOKEN })
    assert.equal(res.statusCode, 504)
    const body = (await res.body.json()) as { errors: { code: string; message: string }[] }
    assert.equal(body.errors[0]?.code, 'UNKNOWN')
    assert.match(body.errors[0]?.message ?? '', new RegExp(proxy.host))
    assert.match(body.errors[0]?.message ?? '', /fewer than 64 bytes in 0\.3 s/)
  })
})
