/**
 * Workload 3: scheduled checks of 10,000 tags (100 streams of 100 tags, all on the real local
 * registry, sharing its 150-tag repository) by real `isctl serve` processes (the built binary)
 * on stores populated beforehand through the store. Each round compresses the interval by
 * making every row of the due-queue due at once; the servers' /metrics count the checks. In
 * the same run, the registry's own limit: bare undici HEADs of the same manifests at the same
 * concurrency. Rounds alternate between the stores and the raw HEADs.
 *
 * The stores (SCHEDULED_BENCH_STORES, a comma-separated selection, default all three):
 * - `sqlite`: one server on a SQLite file, the figures at the top level of the report;
 * - `pg1`: one replica on a PostgreSQL database of the run's own;
 * - `pg3`: three replicas sharing another such database, each claiming from the one queue.
 * Each server checks at most 8 tags of the registry at once, so three replicas may have 24 in
 * flight. Reports checks per second, their ratio to the raw HEAD rate, the 3-replica/1-replica
 * ratio, CPU seconds per 1,000 checks of each server process, of the database's backends
 * (their /proc stat) and of the registry, the cores all of them kept busy against the
 * machine's (/proc/stat, which counts every other process too), the servers' peak RSS, and
 * registry requests per check (from the registry's access log).
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Agent, request } from 'undici'
import type { ImageStream } from '../src/api/index.js'
import { mapLimit } from '../src/lib/concurrency.js'
import { objectKey, type Store } from '../src/storage/index.js'
import { openPostgresStore } from '../src/storage/postgres/index.js'
import { openSqliteStore } from '../src/storage/sqlite/index.js'
import {
  adminCredentials,
  makeTempDir,
  MANIFEST_ACCEPT,
  pushFixtures,
  removeTempDir,
  scheduledStream,
  startRegistry,
  startServe,
  stopServe,
  type RunningRegistry,
  type ServeProcess,
} from '../test/harness/index.js'
import { pollUntil } from '../test/harness/process.js'
import { createBenchDatabase, cpuSpent, type BenchDatabase } from './postgres.js'
import { cpuSecondsOf, machineCpu, pidsWithArgument, rssOf } from './proc.js'
import { median, round } from './stats.js'

const STREAMS = 100
const TAGS_PER_STREAM = 100
const CHECKS = STREAMS * TAGS_PER_STREAM
const CONCURRENCY = 8
const ROUNDS = 3

/** stream builds one stream of scheduled tags whose status already holds the current digest. */
function stream(index: number, host: string, tags: readonly string[], digest: string): ImageStream {
  const sources = Array.from(
    { length: TAGS_PER_STREAM },
    (_, i) => `${host}/many/tags:${tags[(index * TAGS_PER_STREAM + i) % tags.length]}`,
  )
  return scheduledStream('bench', `s-${index}`, sources, `${host}/many/tags`, digest)
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

const STORE_NAMES = ['sqlite', 'pg1', 'pg3'] as const
type StoreName = (typeof STORE_NAMES)[number]

/** selectedStores reads SCHEDULED_BENCH_STORES. */
function selectedStores(): StoreName[] {
  const wanted = (process.env.SCHEDULED_BENCH_STORES ?? STORE_NAMES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  const unknown = wanted.filter((s) => !(STORE_NAMES as readonly string[]).includes(s))
  if (unknown.length > 0 || wanted.length === 0) {
    throw new Error(
      `SCHEDULED_BENCH_STORES: want some of ${STORE_NAMES.join(',')}, got ${wanted.join(',')}`,
    )
  }
  return wanted as StoreName[]
}

/** Setup is one store and the servers checking its queue. */
interface Setup {
  readonly name: StoreName
  readonly servers: readonly ServeProcess[]
  readonly scrapes: readonly ReturnType<typeof metricsOf>[]
  /** The PostgreSQL database, whose backends' CPU each round reads. */
  readonly database?: BenchDatabase
  readonly populateMs: number
  makeAllDue(): Promise<void>
  close(): Promise<void>
}

/** populate writes the bench's streams through `store` in one transaction, then closes it. */
async function populate(
  store: Store,
  reg: RunningRegistry,
  tags: readonly string[],
  digest: string,
) {
  const start = performance.now()
  try {
    await store.transaction(async (tx) => {
      for (let i = 0; i < STREAMS; i++) {
        await tx.create(
          objectKey('imagestreams', `s-${i}`, 'bench'),
          stream(i, reg.host, tags, digest),
        )
      }
    })
  } finally {
    await store.close()
  }
  return performance.now() - start
}

const SERVE_FLAGS = [
  '--scheduled-import-interval=15m',
  `--scheduled-import-registry-concurrency=${CONCURRENCY}`,
  '--scheduled-import-registry-qps=0',
]

/** startServers starts `count` servers one after another (the first creates a shared identity). */
async function startServers(dirs: readonly string[], extra: readonly string[]) {
  const servers: ServeProcess[] = []
  for (const d of dirs) {
    servers.push(await startServe(d, [...SERVE_FLAGS, ...extra], { listenTimeoutMs: 120_000 }))
  }
  return servers
}

/** setUp populates the store `name` and starts its servers. */
async function setUp(
  name: StoreName,
  dir: string,
  reg: RunningRegistry,
  tags: readonly string[],
  digest: string,
): Promise<Setup> {
  if (name === 'sqlite') {
    const dataDir = join(dir, 'data')
    const dbPath = join(dataDir, 'imagestreams.db')
    const populateMs = await populate(await openSqliteStore({ path: dbPath }), reg, tags, digest)
    const servers = await startServers([dataDir], [])
    const db = new Database(dbPath)
    db.pragma('busy_timeout = 5000')
    const makeAllDue = db.prepare('UPDATE schedule SET next_check_at = 0')
    const scrapes = servers.map(metricsOf)
    return {
      name,
      servers,
      scrapes,
      populateMs,
      makeAllDue: () => Promise.resolve(void makeAllDue.run()),
      async close() {
        db.close()
        for (const s of scrapes) await s.close()
        for (const s of servers) await stopServe(s)
      },
    }
  }
  const database = await createBenchDatabase(`isb_sched_${name}`)
  const servers: ServeProcess[] = []
  const scrapes: ReturnType<typeof metricsOf>[] = []
  const close = async () => {
    for (const s of scrapes) await s.close()
    for (const s of servers) await stopServe(s)
    await database.drop()
  }
  try {
    const populateMs = await populate(
      await openPostgresStore({ url: database.url }),
      reg,
      tags,
      digest,
    )
    const replicas = name === 'pg3' ? 3 : 1
    const dirs = Array.from({ length: replicas }, (_, n) => join(dir, `${name}-${n + 1}`))
    servers.push(...(await startServers(dirs, ['--store', database.url])))
    scrapes.push(...servers.map(metricsOf))
    return {
      name,
      servers,
      scrapes,
      database,
      populateMs,
      makeAllDue: async () => void (await database.admin('UPDATE schedule SET next_check_at = 0')),
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

/** Round is one store's figures for one round. */
interface Round {
  readonly checksPerSecond: number
  readonly cpuSecondsPer1000: number
  readonly serverCpuSecondsPer1000: readonly number[]
  readonly postgresCpuSecondsPer1000: number
  readonly registryCpuSecondsPer1000: number
  readonly benchCpuSecondsPer1000: number
  /** Cores the servers, database backends, registry and bench kept busy while checks ran. */
  readonly measuredCores: number
  /** Cores the whole machine kept busy meanwhile (every process, other sessions' too). */
  readonly machineCores: number
  readonly requestsPerCheck: number
  readonly heads: number
  readonly gets: number
}

/** CpuSnapshot is every measured process's CPU seconds at one moment. */
interface CpuSnapshot {
  readonly at: number
  readonly servers: number[]
  readonly postgres: Map<number, number>
  readonly registry: number
  readonly bench: number
  readonly machine: number
}

/** runScheduledChecks executes the workload and returns its report. */
export async function runScheduledChecks(): Promise<Record<string, unknown>> {
  const stores = selectedStores()
  const reg = await startRegistry({ auth: 'none' })
  const dir = makeTempDir('bench-scheduled-')
  const bare = new Agent({ connections: CONCURRENCY })
  const setups: Setup[] = []
  try {
    const fx = await pushFixtures(reg)
    const { tags, digest } = fx.manyTags
    for (const name of stores) setups.push(await setUp(name, dir, reg, tags, digest))
    const registryPids = pidsWithArgument(reg.dir)
    for (const setup of setups) {
      await pollUntil(
        `the ${setup.name} scheduler to queue every tag`,
        async () => {
          for (const scrape of setup.scrapes) {
            if ((await scrape.read()).get('imagestreams_schedule_queue_depth') !== CHECKS) {
              return false
            }
          }
          return true
        },
        // Each replica syncs the streams into the queue as it starts: slow on a loaded machine.
        { timeoutMs: 600_000 },
      )
    }
    const idleRss = new Map(
      setups.map((s) => [s.name, s.servers.map((p) => procStats(p.child.pid!).peakRss)]),
    )

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
    const checked = async (setup: Setup) => {
      let sum = 0
      for (const scrape of setup.scrapes) {
        sum += (await scrape.read()).get('imagestreams_scheduled_checks_total') ?? 0
      }
      return sum
    }
    const snapshot = async (setup: Setup): Promise<CpuSnapshot> => {
      const usage = process.cpuUsage()
      return {
        at: performance.now(),
        servers: setup.servers.map((s) => procStats(s.child.pid!).cpuSeconds),
        postgres: (await setup.database?.backendCpu()) ?? new Map<number, number>(),
        registry: registryPids.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0),
        bench: (usage.user + usage.system) / 1e6,
        machine: machineCpu().busy,
      }
    }
    const schedulerRound = async (setup: Setup): Promise<Round> => {
      const logBefore = (await reg.accessLogSettled()).length
      const before = await checked(setup)
      await setup.makeAllDue()
      // Timed from the first scrape that sees progress: the scheduler polls an idle queue once
      // a second, and that wait is not checking. CPU is read over the same span.
      let first: { snap: CpuSnapshot; count: number } | undefined
      let last = before
      await pollUntil(
        'every tag to be checked',
        async () => {
          last = await checked(setup)
          if (!first && last > before) first = { snap: await snapshot(setup), count: last }
          return last >= before + CHECKS
        },
        // Every scrape costs each server a queue count and a render, three times over with three
        // replicas: a poll every 250 ms keeps that small against rounds of tens of seconds.
        { intervalMs: 250, timeoutMs: 300_000 },
      )
      const end = await snapshot(setup)
      const start = first!.snap
      const seconds = (end.at - start.at) / 1000
      const done = last - first!.count
      const per1000 = (cpu: number) => (cpu / done) * 1000
      const servers = end.servers.map((c, i) => c - start.servers[i]!)
      const postgres = cpuSpent(start.postgres, end.postgres)
      const registry = end.registry - start.registry
      const bench = end.bench - start.bench
      const serversTotal = servers.reduce((a, b) => a + b, 0)
      const log = (await reg.accessLogSettled()).slice(logBefore)
      const all = last - before
      return {
        checksPerSecond: done / seconds,
        cpuSecondsPer1000: per1000(serversTotal),
        serverCpuSecondsPer1000: servers.map(per1000),
        postgresCpuSecondsPer1000: per1000(postgres),
        registryCpuSecondsPer1000: per1000(registry),
        benchCpuSecondsPer1000: per1000(bench),
        measuredCores: (serversTotal + postgres + registry + bench) / seconds,
        machineCores: (end.machine - start.machine) / seconds,
        requestsPerCheck: log.length / all,
        heads: log.filter((r) => r.method === 'HEAD').length,
        gets: log.filter((r) => r.method === 'GET').length,
      }
    }

    const raw: number[] = []
    const runs = new Map<StoreName, Round[]>(setups.map((s) => [s.name, []]))
    // Each round runs the raw HEADs and every store, in an order rotated by one every round.
    const steps: (Setup | 'raw')[] = ['raw', ...setups]
    for (let i = 0; i < ROUNDS; i++) {
      for (let j = 0; j < steps.length; j++) {
        const step = steps[(i + j) % steps.length]!
        if (step === 'raw') raw.push(await rawRound())
        else runs.get(step.name)!.push(await schedulerRound(step))
      }
    }
    const rawHeadsPerSecond = median(raw)
    const summary = (setup: Setup) => {
      const rounds = runs.get(setup.name)!
      const m = (f: (r: Round) => number, digits = 3) => round(median(rounds.map(f)), digits)
      return {
        replicas: setup.servers.length,
        populateMs: round(setup.populateMs, 0),
        checksPerSecondMedian: m((r) => r.checksPerSecond, 0),
        checksPerSecondPerRound: rounds.map((r) => round(r.checksPerSecond, 0)),
        ratioToRawHeads: round(median(rounds.map((r) => r.checksPerSecond)) / rawHeadsPerSecond),
        cpuSecondsPer1000ChecksMedian: m((r) => r.cpuSecondsPer1000),
        serverCpuSecondsPer1000Checks: setup.servers.map((_, i) =>
          m((r) => r.serverCpuSecondsPer1000[i]!),
        ),
        postgresCpuSecondsPer1000Checks: m((r) => r.postgresCpuSecondsPer1000),
        registryCpuSecondsPer1000Checks: m((r) => r.registryCpuSecondsPer1000),
        benchCpuSecondsPer1000Checks: m((r) => r.benchCpuSecondsPer1000),
        measuredCoresBusy: m((r) => r.measuredCores, 2),
        machineCoresBusy: m((r) => r.machineCores, 2),
        registryRequestsPerCheck: rounds.map((r) => round(r.requestsPerCheck, 4)),
        headsAndGetsPerRound: rounds.map((r) => ({ heads: r.heads, gets: r.gets })),
        serverIdleRssMB: idleRss.get(setup.name)!.map((b) => round(b / 2 ** 20, 1)),
        serverPeakRssMB: setup.servers.map((s) =>
          round(procStats(s.child.pid!).peakRss / 2 ** 20, 1),
        ),
      }
    }
    const byName = new Map(setups.map((s) => [s.name, summary(s)]))
    const sqlite = setups.find((s) => s.name === 'sqlite')
    const sqliteReport = sqlite && byName.get('sqlite')!
    const results: Record<string, number> = {}
    if (sqlite) {
      const prefix = 'imagestreams_scheduled_checks_total:'
      for (const [k, v] of await sqlite.scrapes[0]!.read()) {
        if (k.startsWith(prefix)) results[k.slice(prefix.length)] = v
      }
    }
    const pg1 = runs.get('pg1')
    const pg3 = runs.get('pg3')
    // Ratios of the same round, so that a slow moment of the machine weighs on both sides.
    const perRound = (a: Round[] | undefined, b: Round[] | undefined) =>
      a && b ? a.map((r, i) => r.checksPerSecond / b[i]!.checksPerSecond) : undefined
    const threeToOne = perRound(pg3, pg1)
    const pg1ToSqlite = perRound(pg1, runs.get('sqlite'))
    return {
      workload: 'scheduled-checks',
      stores,
      tags: CHECKS,
      rounds: ROUNDS,
      concurrency: CONCURRENCY,
      rawHeadsPerSecondMedian: round(rawHeadsPerSecond, 0),
      ...(sqliteReport && {
        populateMs: sqliteReport.populateMs,
        checksPerSecondMedian: sqliteReport.checksPerSecondMedian,
        ratioToRawHeads: sqliteReport.ratioToRawHeads,
        cpuSecondsPer1000ChecksMedian: sqliteReport.cpuSecondsPer1000ChecksMedian,
        registryRequestsPerCheck: sqliteReport.registryRequestsPerCheck,
        headsAndGetsPerRound: sqliteReport.headsAndGetsPerRound,
        checkResults: results,
        serverIdleRssMB: sqliteReport.serverIdleRssMB[0],
        serverPeakRssMB: sqliteReport.serverPeakRssMB[0],
      }),
      ...Object.fromEntries(byName),
      ...(threeToOne && {
        pg3ToPg1Ratios: threeToOne.map((r) => round(r, 2)),
        pg3ToPg1RatioMedian: round(median(threeToOne), 2),
      }),
      ...(pg1ToSqlite && {
        pg1ToSqliteRatios: pg1ToSqlite.map((r) => round(r, 2)),
        pg1ToSqliteRatioMedian: round(median(pg1ToSqlite), 2),
      }),
      target:
        'ratioToRawHeads >= 0.5, 1 request per unchanged tag, serverPeakRssMB <= 300; pg3ToPg1RatioMedian >= 1.5 (or the bottleneck named with figures)',
    }
  } finally {
    for (const setup of setups) await setup.close()
    await bare.close()
    await reg.stop()
    await removeTempDir(dir)
  }
}
