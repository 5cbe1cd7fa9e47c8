/**
 * Scheduled imports against the real registry with a short interval: one HEAD per unchanged
 * tag, upstream changes imported, a 429 pausing only its registry, failing tags backing off,
 * and a restart keeping the schedule. Assertions are on counts, order and the schedule rows
 * (without jitter, each row's next check is its last check plus an exact delay), never on the
 * time that passed between two checks.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { ImageStream, TagReference } from '../../src/api/index.js'
import type { ImportPolicy } from '../../src/importer/index.js'
import { createRegistryAllowList, type RegistryAllowList } from '../../src/reference/index.js'
import { parsePlatform } from '../../src/registry/index.js'
import {
  ScheduledImports,
  TagImportController,
  type CheckResult,
  type EventSpec,
  type ScheduleMetrics,
} from '../../src/scheduler/index.js'
import { objectKey, type ScheduleEntry, type Store } from '../../src/storage/index.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import {
  RegistryClient as PushClient,
  sha256,
  startFaultProxy,
  useRegistry,
  type FaultProxy,
} from '../harness/index.js'
import { testClient } from './support.js'

const INTERVAL_MS = 1500
const FAILURE_BASE_MS = 150
const NS = 'team'

/** Counts checks per registry and result, as a metrics endpoint would. */
class CountingMetrics implements ScheduleMetrics {
  readonly counts = new Map<string, number>()
  checks(result: CheckResult, registry: string): void {
    this.#add(`check ${result} ${registry}`)
  }
  imports(result: string, registry: string): void {
    this.#add(`import ${result} ${registry}`)
  }
  checkSeconds(): void {}
  registryPaused(registry: string): void {
    this.#add(`paused ${registry}`)
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0
  }
  #add(key: string): void {
    this.counts.set(key, this.get(key) + 1)
  }
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('scheduled imports', () => {
  const env = useRegistry({ auth: 'none' })
  let dir: string
  let proxy: FaultProxy
  let store: Store
  let controller: TagImportController
  let controllerStop: AbortController
  let controllerDone: Promise<void>
  let scheduled: ScheduledImports
  let metrics: CountingMetrics
  /** Every Event the controllers record, in order. */
  const recorded: EventSpec[] = []
  const events = { record: (e: EventSpec) => void recorded.push(e) }
  const { client, agents } = testClient(undefined, {
    // A Retry-After above half a second fails the check at once, so the scheduler sees it.
    retry: { baseMs: 20, maxMs: 200, attempts: 2, maxRetryAfterMs: 500 },
  })
  // The allow-list is set by the one test of it, as a restart with a changed file would.
  const policy: ImportPolicy & { allowedRegistries?: RegistryAllowList } = {
    defaultImportMode: 'Legacy' as const,
    platform: parsePlatform('linux/amd64'),
    maxImagesBulkImportedPerRepository: 50,
    concurrency: 4,
  }

  const start = async () => {
    store = await openSqliteStore({ path: join(dir, 'db.sqlite') })
    controllerStop = new AbortController()
    controller = new TagImportController({
      store,
      client,
      policy,
      events,
      logger: { warn: () => {} },
    })
    controllerDone = controller.run(controllerStop.signal)
    metrics = new CountingMetrics()
    scheduled = new ScheduledImports({
      store,
      client,
      policy,
      intervalMs: INTERVAL_MS,
      pollMs: 50,
      failureBaseMs: FAILURE_BASE_MS,
      // Exact delays, so the rows say what the schedule decided.
      jitter: 0,
      metrics,
      events,
      logger: { warn: () => {} },
    })
    await scheduled.start()
  }
  const stop = async () => {
    await scheduled.stop()
    controllerStop.abort()
    await controllerDone
    await store.close()
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-sched-'))
    proxy = await startFaultProxy({ upstream: env.reg, tls: false })
    await start()
  })
  after(async () => {
    await stop().catch(() => undefined)
    await proxy?.stop()
    await agents.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const tag = (name: string, from: string): TagReference => ({
    name,
    generation: 1,
    from: { kind: 'DockerImage', name: from },
    importPolicy: { scheduled: true, insecure: true },
  })
  const createStream = (name: string, tags: TagReference[]) =>
    store.create(objectKey('imagestreams', name, NS), {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name, namespace: NS, generation: 1 },
      spec: { tags },
    } satisfies ImageStream)
  const getStream = (name: string) => store.get<ImageStream>(objectKey('imagestreams', name, NS))
  const rows = () => store.schedule.list(NS)
  const row = async (stream: string, t: string) =>
    (await rows()).find((r) => r.stream === stream && r.tag === t)
  /**
   * A row claimed for its next check is leased for minutes: its nextCheckAt is the lease's end,
   * beyond any delay a check sets here (none is longer than the interval).
   */
  const leased = (r: ScheduleEntry) => r.nextCheckAt - (r.lastCheckAt ?? 0) > INTERVAL_MS
  /**
   * Waits until the row has been checked `n` more times, collecting the rows as checks left
   * them (one that was claimed again before it was read is not seen).
   */
  const checks = async (stream: string, t: string, n: number): Promise<ScheduleEntry[]> => {
    const seen: ScheduleEntry[] = []
    let last = (await row(stream, t))?.lastCheckAt
    let checked = 0
    await until(`${n} checks of ${stream}:${t}`, async () => {
      const r = await row(stream, t)
      if (r?.lastCheckAt !== undefined && r.lastCheckAt !== last) {
        checked++
        last = r.lastCheckAt
        if (!leased(r)) seen.push(r)
      }
      return checked >= n ? true : undefined
    })
    return seen
  }
  /** Each check ran when its row was due: at or after the next check the one before set. */
  const assertRanWhenDue = (seen: readonly ScheduleEntry[]) => {
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i]!.lastCheckAt! >= seen[i - 1]!.nextCheckAt, 'no check before it was due')
    }
  }
  const manifestRequests = (repoTag: string) =>
    env.reg.accessLog().filter((r) => r.path === `/v2/${repoTag.replace(':', '/manifests/')}`)

  it('checks an unchanged tag with exactly one HEAD and no GET per interval', async () => {
    const a = env.reg.host
    await createStream('direct', [
      tag('one', `${a}/many/tags:tag-001`),
      tag('two', `${a}/many/tags:tag-002`),
      tag('list', `${a}/multi/oci-app:v1`),
    ])
    await controller.settled()
    await until('rows for the scheduled tags', async () =>
      (await rows()).length === 3 ? true : undefined,
    )
    // The Legacy list's first check imports once to learn the list digest; after it, HEADs only.
    await checks('direct', 'list', 1)
    await env.reg.accessLogSettled()
    env.reg.clearAccessLog()
    const before = metrics.get(`check unchanged ${a}`)
    const seen = await checks('direct', 'one', 3)
    await checks('direct', 'list', 2)
    const log = await env.reg.accessLogSettled()
    for (const repoTag of ['many/tags:tag-001', 'many/tags:tag-002', 'multi/oci-app:v1']) {
      const reqs = manifestRequests(repoTag)
      assert.ok(reqs.length >= 2, `${repoTag} was checked`)
      assert.deepEqual(new Set(reqs.map((r) => r.method)), new Set(['HEAD']), repoTag)
    }
    // One HEAD per check: every manifest request in the log is one counted unchanged check.
    const heads = log.filter((r) => r.method === 'HEAD').length
    assert.equal(heads, metrics.get(`check unchanged ${a}`) - before)
    assert.equal(log.filter((r) => r.method === 'GET' && r.path !== '/v2/').length, 0)
    // Pings are cached by the client: none per check.
    assert.ok(log.filter((r) => r.path === '/v2/').length <= 1)
    // Every unchanged check set the next one exactly an interval after itself.
    assert.ok(seen.length >= 2, 'checks were seen between claims')
    for (const r of seen) {
      assert.equal(r.nextCheckAt - r.lastCheckAt!, INTERVAL_MS)
      assert.equal(r.failures, 0)
    }
    assertRanWhenDue(seen)
  })

  it('stops checking a stream a delete marked while it waits for its finalizers', async () => {
    const a = env.reg.host
    await createStream('held', [tag('one', `${a}/many/tags:tag-001`)])
    await controller.settled()
    await until('the row of the held stream', () => row('held', 'one'))
    await store.guaranteedUpdate<ImageStream>(objectKey('imagestreams', 'held', NS), (s) => ({
      ...s,
      metadata: {
        ...s.metadata,
        finalizers: ['example.com/hold'],
        deletionTimestamp: '2026-01-01T00:00:00Z',
        deletionGracePeriodSeconds: 0,
      },
    }))
    await until('the held stream leaves the schedule', async () =>
      (await row('held', 'one')) === undefined ? true : undefined,
    )
    assert.equal((await getStream('held')).metadata.deletionTimestamp, '2026-01-01T00:00:00Z')
  })

  it('imports an upstream change at the next check', async () => {
    const push = new PushClient({ url: env.reg.url, dispatcher: env.reg.agent })
    const res = await push.request('GET', '/v2/many/tags/manifests/tag-001', {
      headers: { accept: env.fx.manyTags.mediaType },
    })
    const manifest = JSON.parse(res.body.toString()) as { annotations?: Record<string, string> }
    manifest.annotations = { ...manifest.annotations, 'test.example/rev': '2' }
    const bytes = Buffer.from(JSON.stringify(manifest))
    const moved = sha256(bytes)
    const pushedAt = Date.now()
    const put = await push.request('PUT', '/v2/many/tags/manifests/tag-001', {
      headers: { 'content-type': env.fx.manyTags.mediaType },
      body: bytes,
    })
    assert.equal(put.status, 201)
    const s = await until('the new digest in the stream', async () => {
      const x = await getStream('direct')
      return x.status?.tags?.find((t) => t.tag === 'one')?.items?.[0]?.image === moved
        ? x
        : undefined
    })
    const latency = Date.now() - pushedAt
    console.log(`upstream change visible after ${latency} ms (interval ${INTERVAL_MS} ms)`)
    assert.equal(s.status?.tags?.find((t) => t.tag === 'one')?.items?.length, 2)
    // The check's outcome is committed with the next group of completions, a turn after the
    // import wrote the stream.
    await until('the check to record the new digest', async () =>
      (await row('direct', 'one'))?.lastDigest === moved ? true : undefined,
    )
  })

  it('pauses a registry answering 429 with Retry-After while another keeps its cadence', async () => {
    await createStream('proxied', [tag('p', `${proxy.host}/many/tags:tag-003`)])
    await controller.settled()
    await until('the proxied tag imported and scheduled', async () =>
      (await getStream('proxied')).status?.tags?.[0]?.items?.[0] && (await row('proxied', 'p'))
        ? true
        : undefined,
    )
    proxy.clearRequests()
    proxy.setFault({
      kind: 'status',
      status: 429,
      retryAfter: '10',
      method: 'HEAD',
      times: 'always',
    })
    await until('a 429 from the proxy', () =>
      proxy.requests().some((r) => r.status === 429) ? true : undefined,
    )
    await until('the pause recorded', () =>
      metrics.get(`paused ${proxy.host}`) >= 1 ? true : undefined,
    )
    const pausedRow = await row('proxied', 'p')
    assert.equal(pausedRow?.failures, 0, 'a rate limit is not the tag failing')
    // While the proxy's registry is paused, the direct registry's tags keep being checked.
    await checks('direct', 'two', 3)
    assert.equal(proxy.requests().length, 1, 'nothing more was sent to the paused registry')
    proxy.setFault(undefined)
    // After the pause the tag is checked again (a HEAD) and the registry is back to normal.
    await until(
      'a check after the pause',
      () => (proxy.requests().some((r) => r.status === 200) ? true : undefined),
      40_000,
    )
  })

  it("waits out Docker Hub's used-up pull allowance instead of importing a change", async () => {
    const image = (await getStream('proxied')).status?.tags?.[0]?.items?.[0]?.image
    proxy.clearRequests()
    const paused = metrics.get(`paused ${proxy.host}`)
    // A changed digest, announced by a HEAD that also says no pulls are left for 2 s.
    proxy.setFault({
      kind: 'status',
      status: 200,
      body: '',
      headers: {
        'content-type': env.fx.manyTags.mediaType,
        'docker-content-digest': `sha256:${'f'.repeat(64)}`,
        'ratelimit-remaining': '0;w=2',
      },
      method: 'HEAD',
      times: 'always',
    })
    await until('the registry paused for its pull window', () =>
      metrics.get(`paused ${proxy.host}`) > paused ? true : undefined,
    )
    proxy.setFault(undefined)
    assert.deepEqual(
      proxy.requests().filter((r) => r.method === 'GET' && r.path.includes('/manifests/')),
      [],
      'no manifest GET while the allowance is used up',
    )
    assert.equal((await getStream('proxied')).status?.tags?.[0]?.items?.[0]?.image, image)
  })

  it('backs a failing tag off with growing gaps and writes its condition once', async () => {
    await createStream('broken', [tag('gone', `${env.reg.host}/nope/nothing:1`)])
    await controller.settled()
    const s = await until('the import failure condition', async () => {
      const x = await getStream('broken')
      return x.status?.tags?.[0]?.conditions ? x : undefined
    })
    const seen = await checks('broken', 'gone', 4)
    // Each failure doubles the wait the row sets, from the base up to the interval.
    for (const r of seen) {
      const backoff = Math.min(INTERVAL_MS, FAILURE_BASE_MS * 2 ** (r.failures - 1))
      assert.equal(r.nextCheckAt - r.lastCheckAt!, backoff, `after ${r.failures} failures`)
    }
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i]!.failures > seen[i - 1]!.failures, 'one more failure per check')
    }
    assert.ok(seen.length >= 2, 'checks were seen between claims')
    assertRanWhenDue(seen)
    const r = (await row('broken', 'gone')) as ScheduleEntry
    assert.ok(r.failures >= 4)
    assert.match(r.lastError ?? '', /not found/)
    // The HEAD failures carry the same message as the import's: the stream was not rewritten.
    assert.equal((await getStream('broken')).metadata.resourceVersion, s.metadata.resourceVersion)
    // The first import's failure, then one Event per failed check (the recorder counts them).
    const mine = recorded.filter((e) => e.involvedObject.name === 'broken')
    assert.equal(mine[0]?.reason, 'ImportFailed')
    const checksFailed = mine.filter((e) => e.reason === 'ScheduledImportFailed')
    assert.ok(checksFailed.length >= 4, JSON.stringify(mine))
    assert.equal(new Set(checksFailed.map((e) => e.message)).size, 1)
    assert.match(
      checksFailed[0]?.message ?? '',
      new RegExp(
        `^Scheduled check of "${env.reg.host}/nope/nothing:1" for tag "gone" failed \\(NotFound\\): `,
      ),
    )
    assert.equal(checksFailed[0]?.involvedObject.uid, s.metadata.uid)
  })

  it('keeps the schedule across a restart and spreads overdue checks', async () => {
    const before = await rows()
    await stop()
    // Downtime: every row falls due meanwhile.
    const lastDue = Math.max(...before.map((r) => r.nextCheckAt))
    await until('every row due', () => (Date.now() > lastDue ? true : undefined))
    env.reg.clearAccessLog()
    await start()
    const after = await rows()
    assert.deepEqual(
      after.map((r) => [r.stream, r.tag, r.lastDigest]),
      before.map((r) => [r.stream, r.tag, r.lastDigest]),
    )
    // Overdue rows were moved forward, past the time they were due at before the restart.
    for (const [i, r] of after.entries()) {
      assert.ok(r.nextCheckAt > before[i]!.nextCheckAt, `${r.stream}:${r.tag} moved forward`)
    }
    const next = after.filter((r) => r.registry === env.reg.host).map((r) => r.nextCheckAt)
    assert.ok(new Set(next).size === next.length, 'overdue rows do not share one instant')
    // Every tag is checked once more after the restart, HEAD only, and none twice in a burst.
    await checks('direct', 'two', 1)
    await checks('direct', 'list', 1)
    const log = await env.reg.accessLogSettled()
    // The broken tag's HEAD 404 is confirmed with a GET
    // (docs/registry-protocol.md#resolving-a-tag); the rest HEAD only.
    const gets = log.filter((r) => r.method === 'GET' && r.path !== '/v2/')
    assert.deepEqual(
      gets.filter((r) => !r.path.startsWith('/v2/nope/')),
      [],
    )
    for (const repoTag of ['many/tags:tag-002', 'multi/oci-app:v1']) {
      assert.ok(manifestRequests(repoTag).length <= 2, `${repoTag}: no burst`)
    }
  })

  it('checks no registry the allow-list does not allow, and says so in the condition', async () => {
    proxy.setFault(undefined)
    proxy.clearRequests()
    policy.allowedRegistries = createRegistryAllowList([{ domainName: env.reg.host }])
    try {
      const failed = metrics.get(`check failed ${proxy.host}`)
      await createStream('guarded', [tag('g', `${proxy.host}/many/tags:tag-004`)])
      // The background import and then the scheduled check are refused before any request.
      await until('a refused scheduled check', () =>
        metrics.get(`check failed ${proxy.host}`) > failed ? true : undefined,
      )
      const condition = (await getStream('guarded')).status?.tags?.[0]?.conditions?.[0]
      assert.equal(condition?.reason, 'Forbidden')
      assert.equal(
        condition?.message,
        `importing images from registry "${proxy.host}" is forbidden: registry "${proxy.host}" not allowed by whitelist: "${env.reg.host}"`,
      )
      assert.deepEqual(proxy.requests(), [])
    } finally {
      delete policy.allowedRegistries
      await store.delete(objectKey('imagestreams', 'guarded', NS))
    }
  })
})
