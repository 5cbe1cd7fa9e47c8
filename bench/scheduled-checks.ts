/**
 * Workload 3: scheduled checks of 10,000 tags (100 streams of 100 tags, all on the real local
 * registry, sharing its 150-tag repository) by a real `isctl serve` (the built binary) on a
 * SQLite store populated beforehand. Each round compresses the interval by making every row of
 * the due-queue due at once; the server's /metrics counts the checks. In the same run, the
 * registry's own limit: bare undici HEADs of the same manifests at the same concurrency. Rounds
 * alternate. Reports checks per second, their ratio to the raw HEAD rate, the server's CPU
 * seconds per 1,000 checks and peak RSS (/proc), and registry requests per check (from the
 * registry's access log).
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Agent, request } from 'undici'
import type { ImageStream } from '../src/api/index.js'
import { mapLimit } from '../src/lib/concurrency.js'
import { objectKey } from '../src/storage/index.js'
import { openSqliteStore } from '../src/storage/sqlite/index.js'
import {
  adminCredentials,
  makeTempDir,
  MANIFEST_ACCEPT,
  pushFixtures,
  removeTempDir,
  startRegistry,
  startServe,
  stopServe,
  type ServeProcess,
} from '../test/harness/index.js'
import { pollUntil } from '../test/harness/process.js'
import { cpuSecondsOf, rssOf } from './proc.js'
import { median, round } from './stats.js'

const STREAMS = 100
const TAGS_PER_STREAM = 100
const CHECKS = STREAMS * TAGS_PER_STREAM
const CONCURRENCY = 8
const ROUNDS = 3

/** stream builds one stream of scheduled tags whose status already holds the current digest. */
function stream(index: number, host: string, tags: readonly string[], digest: string): ImageStream {
  const created = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
  const names = Array.from({ length: TAGS_PER_STREAM }, (_, i) => `t-${i}`)
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: `s-${index}`, namespace: 'bench', generation: 1 },
    spec: {
      tags: names.map((name, i) => ({
        name,
        from: {
          kind: 'DockerImage',
          name: `${host}/many/tags:${tags[(index * TAGS_PER_STREAM + i) % tags.length]}`,
        },
        importPolicy: { scheduled: true, insecure: true, importMode: 'Legacy' },
        referencePolicy: { type: 'Source' },
        generation: 1,
      })),
    },
    status: {
      dockerImageRepository: '',
      tags: names.map((tag) => ({
        tag,
        items: [
          {
            created,
            dockerImageReference: `${host}/many/tags@${digest}`,
            image: digest,
            generation: 1,
          },
        ],
      })),
    },
  }
}

/** Metrics is a scraper of the server's /metrics. */
function metricsOf(server: ServeProcess): {
  read(): Promise<Map<string, number>>
  close(): Promise<void>
} {
  const { caPem, token } = adminCredentials(server.kubeconfig)
  const agent = new Agent({ connect: { ca: caPem } })
  return {
    async read() {
      const res = await request(`${server.address}/metrics`, {
        dispatcher: agent,
        headers: { authorization: `Bearer ${token}` },
      })
      const text = await res.body.text()
      // Sum each metric over its labels (`name{labels} value`), and checks by result too.
      const sums = new Map<string, number>()
      for (const m of text.matchAll(/^([a-z_]+)(\{[^}]*\})? (\S+)$/gm)) {
        const result = /result="([^"]+)"/.exec(m[2] ?? '')?.[1]
        for (const key of [m[1]!, ...(result ? [`${m[1]!}:${result}`] : [])]) {
          sums.set(key, (sums.get(key) ?? 0) + Number(m[3]))
        }
      }
      return sums
    },
    close: () => agent.close(),
  }
}

/** procStats reads a process's CPU seconds and peak RSS. */
function procStats(pid: number): { cpuSeconds: number; peakRss: number } {
  return { cpuSeconds: cpuSecondsOf(pid), peakRss: rssOf(pid).hwm }
}

/** runScheduledChecks executes the workload and returns its report. */
export async function runScheduledChecks(): Promise<Record<string, unknown>> {
  const reg = await startRegistry({ auth: 'none' })
  const dir = makeTempDir('bench-scheduled-')
  const dataDir = join(dir, 'data')
  const dbPath = join(dataDir, 'imagestreams.db')
  const bare = new Agent({ connections: CONCURRENCY })
  let server: ServeProcess | undefined
  let metrics: ReturnType<typeof metricsOf> | undefined
  let db: Database.Database | undefined
  try {
    const fx = await pushFixtures(reg)
    const { tags, digest } = fx.manyTags
    const populateStart = performance.now()
    const store = await openSqliteStore({ path: dbPath })
    await store.transaction(async (tx) => {
      for (let i = 0; i < STREAMS; i++) {
        await tx.create(
          objectKey('imagestreams', `s-${i}`, 'bench'),
          stream(i, reg.host, tags, digest),
        )
      }
    })
    await store.close()
    const populateMs = performance.now() - populateStart

    server = await startServe(dataDir, [
      '--scheduled-import-interval=15m',
      `--scheduled-import-registry-concurrency=${CONCURRENCY}`,
      '--scheduled-import-registry-qps=0',
    ])
    const pid = server.child.pid!
    const scrape = metricsOf(server)
    metrics = scrape
    await pollUntil(
      'the scheduler to queue every tag',
      async () => {
        return (await scrape.read()).get('imagestreams_schedule_queue_depth') === CHECKS
      },
      { timeoutMs: 120_000 },
    )
    const idleRss = procStats(pid).peakRss
    db = new Database(dbPath)
    db.pragma('busy_timeout = 5000')
    const makeAllDue = db.prepare('UPDATE schedule SET next_check_at = 0')

    const urls = tags.map((t) => `${reg.url}/v2/many/tags/manifests/${t}`)
    const rawRound = async (): Promise<number> => {
      const start = performance.now()
      await mapLimit(
        Array.from({ length: CHECKS }, (_, i) => urls[i % urls.length]!),
        CONCURRENCY,
        async (url) => {
          const res = await request(url, {
            method: 'HEAD',
            dispatcher: bare,
            headers: { accept: MANIFEST_ACCEPT },
          })
          await res.body.dump()
          if (res.statusCode !== 200) throw new Error(`HEAD ${url}: ${res.statusCode}`)
        },
      )
      return CHECKS / ((performance.now() - start) / 1000)
    }
    const checked = async () =>
      (await scrape.read()).get('imagestreams_scheduled_checks_total') ?? 0
    const schedulerRound = async () => {
      const logBefore = (await reg.accessLogSettled()).length
      const before = await checked()
      const cpuBefore = procStats(pid).cpuSeconds
      makeAllDue.run()
      // Timed from the first scrape that sees progress: the scheduler polls an idle queue once
      // a second, and that wait is not checking.
      let first: { at: number; count: number } | undefined
      let last = before
      await pollUntil(
        'every tag to be checked',
        async () => {
          last = await checked()
          if (!first && last > before) first = { at: performance.now(), count: last }
          return last >= before + CHECKS
        },
        { intervalMs: 50, timeoutMs: 300_000 },
      )
      const seconds = (performance.now() - first!.at) / 1000
      const cpu = procStats(pid).cpuSeconds - cpuBefore
      const log = (await reg.accessLogSettled()).slice(logBefore)
      const done = last - before
      return {
        checksPerSecond: (last - first!.count) / seconds,
        cpuSecondsPer1000: (cpu / done) * 1000,
        requestsPerCheck: log.length / done,
        heads: log.filter((r) => r.method === 'HEAD').length,
        gets: log.filter((r) => r.method === 'GET').length,
      }
    }

    const raw: number[] = []
    const runs: Awaited<ReturnType<typeof schedulerRound>>[] = []
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) {
        raw.push(await rawRound())
        runs.push(await schedulerRound())
      } else {
        runs.push(await schedulerRound())
        raw.push(await rawRound())
      }
    }
    const checksPerSecond = median(runs.map((r) => r.checksPerSecond))
    const rawHeadsPerSecond = median(raw)
    const final = await scrape.read()
    const prefix = 'imagestreams_scheduled_checks_total:'
    const results: Record<string, number> = {}
    for (const [k, v] of final) if (k.startsWith(prefix)) results[k.slice(prefix.length)] = v
    return {
      workload: 'scheduled-checks',
      tags: CHECKS,
      rounds: ROUNDS,
      concurrency: CONCURRENCY,
      populateMs: round(populateMs, 0),
      checksPerSecondMedian: round(checksPerSecond, 0),
      rawHeadsPerSecondMedian: round(rawHeadsPerSecond, 0),
      ratioToRawHeads: round(checksPerSecond / rawHeadsPerSecond),
      cpuSecondsPer1000ChecksMedian: round(median(runs.map((r) => r.cpuSecondsPer1000))),
      registryRequestsPerCheck: runs.map((r) => round(r.requestsPerCheck, 4)),
      headsAndGetsPerRound: runs.map((r) => ({ heads: r.heads, gets: r.gets })),
      checkResults: results,
      serverIdleRssMB: round(idleRss / 2 ** 20, 1),
      serverPeakRssMB: round(procStats(pid).peakRss / 2 ** 20, 1),
      target: 'ratioToRawHeads >= 0.5, 1 request per unchanged tag, serverPeakRssMB <= 300',
    }
  } finally {
    db?.close()
    await metrics?.close()
    if (server) await stopServe(server)
    await bare.close()
    await reg.stop()
    await removeTempDir(dir)
  }
}
