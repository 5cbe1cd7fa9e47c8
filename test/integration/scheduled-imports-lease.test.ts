/**
 * The lease on a claimed due-queue row, with two schedulers sharing one store as two replicas
 * do: a row whose lease ended while it waited in one scheduler for its registry's turn is
 * checked by the other, which claimed it meanwhile, and not HEADed again by the first.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ANNOTATIONS, type ImageStream } from '../../src/api/index.js'
import { ScheduledImports, type CheckResult } from '../../src/scheduler/index.js'
import { scheduleSpecs } from '../../src/scheduler/schedule-spec.js'
import { objectKey, type Store } from '../../src/storage/index.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import { startFaultProxy, useRegistry, type FaultProxy } from '../harness/index.js'
import { pollUntil } from '../harness/process.js'
import { IMPORT_POLICY, testClient } from './support.js'

const NS = 'team'
const INTERVAL_MS = 60 * 60_000
const LEASE_MS = 1000
/** Longer than the lease, so the first HEAD outlives it. */
const SLOW_HEAD_MS = 4 * LEASE_MS

describe('scheduled checks under a lease that ends while rows wait', () => {
  const env = useRegistry({ auth: 'none' })
  const { client, agents } = testClient(undefined)
  let dir: string
  let proxy: FaultProxy
  let store: Store

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-sched-lease-'))
    proxy = await startFaultProxy({ upstream: env.reg, tls: false })
    store = await openSqliteStore({ path: join(dir, 'db.sqlite') })
  })
  after(async () => {
    await store?.close()
    await proxy?.stop()
    await agents.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a row whose lease ended while it waited is left to the scheduler that claimed it next', async () => {
    const { digest } = env.fx.manyTags
    const tags = ['tag-001', 'tag-002', 'tag-003']
    const created = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
    const stream: ImageStream = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: {
        name: 'app',
        namespace: NS,
        generation: 1,
        annotations: { [ANNOTATIONS.dockerRepositoryCheck]: created },
      },
      spec: {
        tags: tags.map((t) => ({
          name: t,
          generation: 1,
          from: { kind: 'DockerImage', name: `${proxy.host}/many/tags:${t}` },
          importPolicy: { scheduled: true, insecure: true },
        })),
      },
      status: {
        dockerImageRepository: '',
        tags: tags.map((t) => ({
          tag: t,
          items: [{ created, dockerImageReference: '', image: digest, generation: 1 }],
        })),
      },
    }
    await store.create(objectKey('imagestreams', 'app', NS), stream)
    const { specs } = scheduleSpecs(stream, INTERVAL_MS)
    await store.schedule.syncStream(NS, 'app', specs, () => Date.now() - 1)

    const results = new Map<string, number>()
    const scheduler = (name: string) =>
      new ScheduledImports({
        store,
        client,
        policy: IMPORT_POLICY,
        intervalMs: INTERVAL_MS,
        leaseMs: LEASE_MS,
        // One check at a time: the second and third rows wait for the first.
        perRegistryConcurrency: 1,
        jitter: 0,
        logger: { warn: () => {} },
        metrics: {
          checks: (result: CheckResult) =>
            results.set(`${name} ${result}`, (results.get(`${name} ${result}`) ?? 0) + 1),
          imports() {},
          checkSeconds() {},
          registryPaused() {},
        },
      })
    const [first, second] = [scheduler('first'), scheduler('second')]

    proxy.setFault({ kind: 'slow-headers', ms: SLOW_HEAD_MS, method: 'HEAD', times: 1 })
    const claimedAt = Date.now()
    const firstRun = first.runDue()
    await pollUntil('the first HEAD to be held', () =>
      Promise.resolve(proxy.requests().some((r) => r.fault === 'slow-headers')),
    )
    // Once the leases end, the second scheduler claims the rows and checks them; the first,
    // when its held HEAD returns, finds the waiting rows' leases over and leaves them.
    await new Promise((r) => setTimeout(r, claimedAt + LEASE_MS - Date.now() + 50))
    await second.runDue()
    assert.equal(await firstRun, tags.length)
    await second.runDue()

    const heads = new Map<string, number>()
    for (const r of proxy.requests()) {
      if (r.method === 'HEAD') heads.set(r.path, (heads.get(r.path) ?? 0) + 1)
    }
    // The held row may be HEADed by both (its check outlived its lease); the waiting ones once.
    const path = (tag: string) => `/v2/many/tags/manifests/${tag}`
    assert.equal(heads.get(path('tag-002')), 1, JSON.stringify([...heads]))
    assert.equal(heads.get(path('tag-003')), 1, JSON.stringify([...heads]))
    assert.equal(results.get('first unchanged'), 1, JSON.stringify([...results]))
    assert.equal(results.get('first deferred'), 2, JSON.stringify([...results]))
    for (const row of await store.schedule.list(NS)) {
      assert.equal(row.lastDigest, digest, row.tag)
      assert.ok(row.nextCheckAt > Date.now(), `${row.tag} is not due again`)
    }
  })
})
