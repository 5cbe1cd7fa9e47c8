/**
 * Workload 8: the image streams API at scale. N streams (API_BENCH_STREAMS, default 10,000)
 * spread over 100 namespaces are written through the SQLite store, then served by a real
 * `isctl serve` (the built binary). Each figure is set against a baseline measured in the same
 * run, in alternating rounds:
 * - GET one stream by name: requests/s and p99 with 64 keep-alive HTTPS connections (a worker
 *   thread's undici Pool), against a bare fastify 5 server answering the same bytes over the
 *   same TLS certificate;
 * - a paged walk of every stream across namespaces (limit=500, following `continue`), against
 *   reading the same rows from SQLite in pages of 500 and parsing them;
 * - GET p99 while unpaged lists of all streams run back to back, against GET p99 alone, for
 *   JSON lists and for Tables (what `kubectl get` asks for);
 * - start-up: process start to `/readyz` 200 and the RSS 2 s after, on a copy of the populated
 *   data dir, against a data dir without streams;
 * - watch fan-out: WATCHERS watches of one namespace (API_BENCH_WATCHERS, default 1,000), each
 *   its own connection, and UPDATES patches of a stream there; delivery completeness and the
 *   server's RSS growth;
 * - writes: creates (POST, a new name each) and merge patches of the stored streams, with 64
 *   keep-alive HTTPS connections, against the same writes by raw better-sqlite3 prepared
 *   statements with the store's durability (WAL, synchronous=FULL, a transaction per write).
 *   The target's baseline writes the rows the store writes (the revision, the objects row under
 *   its five indexes, the events row), so that the ratio measures the server's overhead rather
 *   than the store's schema; earlier runs inserted the JSON alone into a one-table database, a
 *   baseline still measured and reported beside it (bareRowPerSecond, ratioToBareRow).
 * - GET by name on PostgreSQL: the same streams written through the PostgreSQL store into a
 *   database of the run's own, GET with the same 64 connections from one replica, and from
 *   three replicas sharing the database (the connections dealt over them), against the SQLite
 *   server in rotating rounds; the ratio of p99s of the same round;
 * API_BENCH_ONLY=get, postgres, startup, walk, watch or writes runs that section alone; the walk alone
 * runs WALK_ONLY_ROUNDS rounds (API_BENCH_WALK_ROUNDS), since its figure is its only one.
 */
import { randomUUID } from 'node:crypto'
import { cpSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { loadavg } from 'node:os'
import Database from 'better-sqlite3'
import Fastify from 'fastify'
import { Pool, type Dispatcher } from 'undici'
import type { ImageStream } from '../src/api/index.js'
import { objectKey, type Store } from '../src/storage/index.js'
import { openPostgresStore } from '../src/storage/postgres/index.js'
import { openSqliteStore } from '../src/storage/sqlite/index.js'
import { openConnection, Writes } from '../src/storage/sqlite/statements.js'
import {
  adminCredentials,
  makeTempDir,
  removeTempDir,
  startServe,
  stopServe,
  type ServeProcess,
} from '../test/harness/index.js'
import { pollUntil } from '../test/harness/process.js'
import type { LoadOptions, LoadResult, WriteLoad } from './api-load.js'
import { createBenchDatabase, type BenchDatabase } from './postgres.js'
import { rssOf } from './proc.js'
import { serverMemory, type ServerMemory } from './server-memory.js'
import { median, round } from './stats.js'

const STREAMS = Number(process.env.API_BENCH_STREAMS ?? 10_000)
const WATCHERS = Number(process.env.API_BENCH_WATCHERS ?? 1_000)
const UPDATES = Number(process.env.API_BENCH_UPDATES ?? 1_000)
const ONLY = process.env.API_BENCH_ONLY ?? ''
const NAMESPACES = 100
const CONNECTIONS = 64
const GET_ROUNDS = 3
const GET_SECONDS = 3
const BLOCKING_SECONDS = 5
const WALK_ROUNDS = 2
const WALK_ONLY_ROUNDS = Number(process.env.API_BENCH_WALK_ROUNDS ?? 4)
const STARTUP_ROUNDS = 2
const WRITE_ROUNDS = 3
const WRITE_SECONDS = 3
const PAGE = 500
const IS = '/apis/image.openshift.io/v1'
const TAGS = ['latest', 'v1']
const MB = 2 ** 20
// The stream every GET measurement reads: the middle one.
const GET_TARGET = `${IS}/namespaces/ns-${Math.floor(STREAMS / 2) % NAMESPACES}/imagestreams/s-${Math.floor(STREAMS / 2)}`
// What `kubectl get` asks for.
const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'
// How long a server is left after /readyz before it is measured: its start-up work may go on.
const SETTLE_MS = 2000
const STARTUP_TARGET = 'startup readyzMs < 1000 and idleRssMB < 200'
const POSTGRES_GET_TARGET = 'postgresGet pg1P99ToSqlite <= 2'

/**
 * stream builds stream `i`: two imported tags whose status matches their spec generation, and
 * checked (the annotation an import leaves), so that the server has nothing to import at start.
 */
function stream(i: number): ImageStream {
  const namespace = `ns-${i % NAMESPACES}`
  const digest = `sha256:${i.toString(16).padStart(64, '0')}`
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: {
      name: `s-${i}`,
      namespace,
      generation: 1,
      labels: { app: `app-${i % 37}`, tier: 'backend' },
      annotations: {
        'openshift.io/display-name': `Stream ${i}`,
        'openshift.io/image.dockerRepositoryCheck': '2026-01-01T00:00:00Z',
      },
    },
    spec: {
      lookupPolicy: { local: false },
      tags: TAGS.map((name) => ({
        name,
        annotations: { description: `the ${name} build of app ${i}` },
        from: { kind: 'DockerImage', name: `quay.example.com/team-${i % 50}/app-${i}:${name}` },
        importPolicy: { importMode: 'Legacy' },
        referencePolicy: { type: 'Source' },
        generation: 1,
      })),
    },
    status: {
      dockerImageRepository: '',
      tags: TAGS.map((tag) => ({
        tag,
        items: [
          {
            created: '2026-01-01T00:00:00Z',
            dockerImageReference: `quay.example.com/team-${i % 50}/app-${i}@${digest}`,
            image: digest,
            generation: 1,
          },
        ],
      })),
    },
  }
}

/** populate writes the namespaces and streams through `store`, 1,000 to a transaction, and closes it. */
async function populate(store: Store): Promise<void> {
  try {
    await store.transaction(async (tx) => {
      for (let n = 0; n < NAMESPACES; n++) {
        await tx.create(objectKey('namespaces', `ns-${n}`), { metadata: { name: `ns-${n}` } })
      }
      await tx.create(objectKey('namespaces', 'watch'), { metadata: { name: 'watch' } })
    })
    for (let from = 0; from < STREAMS; from += 1000) {
      await store.transaction(async (tx) => {
        for (let i = from; i < Math.min(STREAMS, from + 1000); i++) {
          const s = stream(i)
          await tx.create(objectKey('imagestreams', s.metadata.name!, s.metadata.namespace), s)
        }
      })
    }
  } finally {
    await store.close()
  }
}

/** Client is an admin HTTPS client of one server. */
interface Client {
  readonly origin: string
  readonly token: string
  readonly caPem: string
  json(
    method: Dispatcher.HttpMethod,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }>
  /** bytes GETs `path` (as `accept`, JSON by default) and returns its status and body, unparsed. */
  bytes(path: string, accept?: string): Promise<{ status: number; length: number; body: Buffer }>
  close(): Promise<void>
}

function clientOf(server: ServeProcess): Client {
  const { token, caPem } = adminCredentials(server.kubeconfig)
  const origin = server.address
  const pool = new Pool(origin, { connections: 4, connect: { ca: caPem } })
  const authorization = `Bearer ${token}`
  return {
    origin,
    token,
    caPem,
    async json(method, path, body) {
      const res = await pool.request({
        method,
        path,
        headers: {
          authorization,
          accept: 'application/json',
          ...(body === undefined
            ? {}
            : {
                'content-type':
                  method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
              }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      return { status: res.statusCode, body: await res.body.json() }
    },
    async bytes(path, accept = 'application/json') {
      const res = await pool.request({
        method: 'GET',
        path,
        headers: { authorization, accept },
      })
      const body = Buffer.from(await res.body.arrayBuffer())
      return { status: res.statusCode, length: body.length, body }
    },
    close: () => pool.close(),
  }
}

// A worker does not inherit the parent's `--import tsx` hooks on Node 20: it loads tsx's API
// itself to import the TypeScript load generator.
const LOAD_WORKER = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) =>
  tsx.tsImport(${JSON.stringify(new URL('./api-load.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`

/** load runs the load generator in a worker thread against `origin` + `path` (or `write`'s paths). */
function load(
  client: Pick<Client, 'token' | 'caPem'>,
  origin: string | readonly string[],
  path: string,
  seconds: number,
  write?: WriteLoad,
): Promise<LoadResult> {
  const options: LoadOptions = {
    origins: typeof origin === 'string' ? [origin] : origin,
    path,
    token: client.token,
    caPem: client.caPem,
    connections: CONNECTIONS,
    warmupMs: 500,
    durationMs: seconds * 1000,
    ...(write && { write }),
  }
  const worker = new Worker(LOAD_WORKER, { eval: true, workerData: options })
  return new Promise((resolve, reject) => {
    worker.once('message', (m: LoadResult) => resolve(m))
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited ${code}`))
    })
  })
}

/** startBare serves `body` at `path` from fastify with the server's own certificate. */
async function startBare(dataDir: string, path: string, body: Buffer) {
  const app = Fastify({
    logger: false,
    https: {
      cert: readFileSync(join(dataDir, 'serving.crt')),
      key: readFileSync(join(dataDir, 'serving.key')),
    },
  })
  app.get(path, (_req, reply) => reply.type('application/json').send(body))
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, origin: address }
}

/** serveReady starts `isctl serve` on `dataDir` and waits for /readyz 200, timed from the spawn. */
async function serveReady(
  dataDir: string,
  extra: readonly string[] = [],
): Promise<{ server: ServeProcess; readyMs: number }> {
  const start = performance.now()
  // Its log is drained, not kept: the figures are the server's, not the bench collecting its lines.
  const server = await startServe(dataDir, extra, { keepLog: false, listenTimeoutMs: 120_000 })
  const { caPem, token } = adminCredentials(server.kubeconfig)
  const pool = new Pool(server.address, { connect: { ca: caPem } })
  const headers = { authorization: `Bearer ${token}` }
  try {
    await pollUntil(
      '/readyz to answer 200',
      async () => {
        const res = await pool.request({ method: 'GET', path: '/readyz', headers })
        await res.body.dump()
        return res.statusCode === 200
      },
      { intervalMs: 5, timeoutMs: 120_000 },
    )
  } catch (err) {
    await stopServe(server)
    throw err
  } finally {
    await pool.close()
  }
  return { server, readyMs: performance.now() - start }
}

/** startup times `isctl serve` on a copy of `dataDir` to /readyz 200, and reads its RSS 2 s on. */
async function startup(dataDir: string, scratch: string) {
  const copy = join(scratch, `copy-${performance.now().toFixed(0)}`)
  cpSync(dataDir, copy, { recursive: true })
  const { server, readyMs } = await serveReady(copy)
  try {
    await sleep(SETTLE_MS)
    return { readyMs, idleRss: rssOf(server.child.pid!).rss }
  } finally {
    await stopServe(server)
    await removeTempDir(copy)
  }
}

/** walk follows `continue` through every stream across namespaces, `limit` at a time. */
async function walk(client: Client): Promise<number> {
  let items = 0
  let token: string | undefined = ''
  do {
    const query = `limit=${PAGE}${token ? `&continue=${encodeURIComponent(token)}` : ''}`
    const res = await client.json('GET', `${IS}/imagestreams?${query}`)
    if (res.status !== 200) throw new Error(`list: ${res.status} ${JSON.stringify(res.body)}`)
    const list = res.body as { items: unknown[]; metadata: { continue?: string } }
    items += list.items.length
    token = list.metadata.continue
  } while (token)
  return items
}

/** rawWalk reads the same rows from SQLite by key, PAGE at a time, parsing each document. */
function rawWalk(db: Database.Database): number {
  const page = db.prepare<[string, string], { namespace: string; name: string; object: string }>(
    `SELECT namespace, name, object FROM objects WHERE resource = 'imagestreams'
       AND (namespace, name) > (?, ?) ORDER BY namespace, name LIMIT ${PAGE}`,
  )
  let items = 0
  let after = ['', '']
  for (;;) {
    const rows = page.all(after[0]!, after[1]!)
    for (const row of rows) JSON.parse(row.object)
    items += rows.length
    if (rows.length < PAGE) return items
    const last = rows[rows.length - 1]!
    after = [last.namespace, last.name]
  }
}

/**
 * pagedWalks times `rounds` walks through the server against as many raw walks of `db`, in
 * alternating rounds, and reports their medians.
 */
async function pagedWalks(client: Client, db: Database.Database, rounds: number) {
  const timed = async (run: () => Promise<number> | number) => {
    const start = performance.now()
    const items = await run()
    return { ms: performance.now() - start, items }
  }
  const walks = await alternate(
    rounds,
    () => timed(() => walk(client)),
    () => timed(() => rawWalk(db)),
  )
  if (walks.a.some((w) => w.items !== STREAMS)) throw new Error('the walk missed streams')
  const walkMs = median(walks.a.map((w) => w.ms))
  const rawMs = median(walks.b.map((w) => w.ms))
  return {
    limit: PAGE,
    pages: Math.ceil(STREAMS / PAGE),
    rounds,
    ms: round(walkMs, 0),
    rawSqliteMs: round(rawMs, 0),
    ratioToRaw: round(walkMs / rawMs, 2),
    ratios: walks.a.map((w, i) => round(w.ms / walks.b[i]!.ms, 2)),
  }
}

/**
 * getDuringUnpagedLists measures GET `target` under load alone and while unpaged lists of every
 * stream, asked for as `accept`, run back to back, in alternating rounds.
 */
async function getDuringUnpagedLists(c: Client, target: string, accept: string) {
  const unpaged: { ms: number; bytes: number }[] = []
  const blocking = await alternate(
    2,
    () => load(c, c.origin, target, BLOCKING_SECONDS),
    async () => {
      const running = load(c, c.origin, target, BLOCKING_SECONDS)
      let done = false
      const finish = () => (done = true)
      running.then(finish, finish)
      while (!done) {
        const start = performance.now()
        const res = await c.bytes(`${IS}/imagestreams`, accept)
        if (res.status !== 200) throw new Error(`unpaged list: ${res.status}`)
        unpaged.push({ ms: performance.now() - start, bytes: res.length })
      }
      return running
    },
  )
  const rps = (r: LoadResult) => r.requests / r.seconds
  const listingP99 = median(blocking.b.map((r) => r.p99Ms))
  const quietP99 = median(blocking.a.map((r) => r.p99Ms))
  return {
    p99Ms: round(listingP99, 1),
    quietP99Ms: round(quietP99, 1),
    ratioToQuiet: round(listingP99 / quietP99, 1),
    maxMs: round(median(blocking.b.map((r) => r.maxMs)), 0),
    requestsPerSecond: round(median(blocking.b.map(rps)), 0),
    quietRequestsPerSecond: round(median(blocking.a.map(rps)), 0),
    unpagedLists: unpaged.length,
    unpagedListMs: round(median(unpaged.map((u) => u.ms)), 0),
    unpagedListMB: round((unpaged[0]?.bytes ?? 0) / MB, 1),
  }
}

/** alternate runs `a` and `b` `rounds` times, swapping which goes first every round. */
async function alternate<A, B>(
  rounds: number,
  a: () => Promise<A>,
  b: () => Promise<B>,
): Promise<{ a: A[]; b: B[] }> {
  const as: A[] = []
  const bs: B[] = []
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      as.push(await a())
      bs.push(await b())
    } else {
      bs.push(await b())
      as.push(await a())
    }
  }
  return { a: as, b: bs }
}

/** watchFanOut opens WATCHERS watches of the `watch` namespace and patches a stream there UPDATES times. */
async function watchFanOut(client: Client, pid: number) {
  const created = await client.json('POST', `${IS}/namespaces/watch/imagestreams`, {
    metadata: { name: 'watched' },
  })
  if (created.status !== 201) throw new Error(`create: ${created.status}`)
  const rv = (created.body as ImageStream).metadata.resourceVersion!
  const memory = async () =>
    serverMemory((await client.bytes('/metrics', 'text/plain')).body.toString())
  const memoryBefore = await memory()
  const rssBefore = rssOf(pid).rss
  let peak = rssBefore
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid).rss)), 100)
  // The breakdown at the highest RSS of readings every 500 ms while the events go out.
  let memoryPeak: ServerMemory | undefined
  let breakdowns: NodeJS.Timeout | undefined
  // A thousand TLS handshakes at once on a loaded machine outlast undici's 10 s default.
  const pool = new Pool(client.origin, {
    connections: WATCHERS,
    connect: { ca: client.caPem, timeout: 120_000 },
  })
  const counts = new Array<number>(WATCHERS).fill(0)
  const ended: Promise<void>[] = []
  try {
    const path = `${IS}/namespaces/watch/imagestreams?watch=true&resourceVersion=${rv}`
    const connectStart = performance.now()
    const bodies = await Promise.all(
      counts.map(async (_, w) => {
        const res = await pool.request({
          method: 'GET',
          path,
          headers: { authorization: `Bearer ${client.token}` },
        })
        if (res.statusCode !== 200) throw new Error(`watch ${w}: ${res.statusCode}`)
        ended.push(
          (async () => {
            // Events are newline-delimited JSON: counting newlines counts events without parsing.
            for await (const chunk of res.body as AsyncIterable<Buffer>) {
              for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) counts[w]!++
            }
          })().catch(() => undefined),
        )
        return res.body
      }),
    )
    const connectMs = performance.now() - connectStart
    const rssConnected = rssOf(pid).rss
    const memoryConnected = await memory()
    breakdowns = setInterval(() => {
      memory().then(
        (m) => (memoryPeak = m.rssMB > (memoryPeak?.rssMB ?? 0) ? m : memoryPeak),
        () => undefined,
      )
    }, 500)
    const updateStart = performance.now()
    for (let u = 0; u < UPDATES; u++) {
      const res = await client.json('PATCH', `${IS}/namespaces/watch/imagestreams/watched`, {
        metadata: { labels: { update: String(u) } },
      })
      if (res.status !== 200) throw new Error(`patch ${u}: ${res.status}`)
    }
    const updatesMs = performance.now() - updateStart
    const total = () => counts.reduce((a, b) => a + b, 0)
    // Delivered when every watcher has every event, or when nothing more arrives for 5 s.
    let last = -1
    let quietSince = performance.now()
    while (total() < WATCHERS * UPDATES && performance.now() - quietSince < 5000) {
      await sleep(100)
      if (total() !== last) {
        last = total()
        quietSince = performance.now()
      }
    }
    const deliveredMs = performance.now() - updateStart
    clearInterval(breakdowns)
    const rssAfter = rssOf(pid).rss
    const memoryAfter = await memory()
    for (const body of bodies) body.destroy()
    await Promise.all(ended)
    return {
      watchers: WATCHERS,
      updates: UPDATES,
      eventsDelivered: total(),
      completeness: round(total() / (WATCHERS * UPDATES), 4),
      watchersWithEveryEvent: counts.filter((c) => c >= UPDATES).length,
      connectMs: round(connectMs, 0),
      updatesMs: round(updatesMs, 0),
      deliveredMs: round(deliveredMs, 0),
      // Absolute figures besides the deltas: a server still collecting its start-up garbage
      // shrinks while the watchers connect, which makes a delta from before alone misleading.
      serverRssBeforeMB: round(rssBefore / MB, 1),
      serverRssConnectedMB: round(rssConnected / MB, 1),
      serverRssPeakMB: round(peak / MB, 1),
      serverRssAfterMB: round(rssAfter / MB, 1),
      serverRssDeltaPeakMB: round((peak - rssBefore) / MB, 1),
      serverRssDeltaFromConnectedMB: round((rssAfter - rssConnected) / MB, 1),
      serverRssPeakFromConnectedMB: round((peak - rssConnected) / MB, 1),
      // From the server's /metrics: what the RSS is made of (V8 heap, Buffers, watch queues).
      serverMemory: {
        before: memoryBefore,
        connected: memoryConnected,
        peak: memoryPeak,
        after: memoryAfter,
      },
    }
  } finally {
    clearInterval(sampler)
    clearInterval(breakdowns)
    await pool.destroy()
  }
}

/** newStream is a create's body: stream `i`'s labels and spec, its tags references so that nothing is imported. */
function newStream(name: string, i: number): ImageStream {
  const { metadata, spec } = stream(i)
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: {
      name,
      labels: metadata.labels,
      annotations: { 'openshift.io/display-name': `Stream ${i}` },
    },
    spec: {
      lookupPolicy: { local: false },
      tags: (spec?.tags ?? []).map(({ generation: _, ...tag }) => ({ ...tag, reference: true })),
    },
  }
}

/** openRaw creates a bare database of the streams' JSON rows with the store's pragmas. */
function openRaw(path: string): Database.Database {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec(
    'CREATE TABLE objects (id INTEGER PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL,' +
      ' object TEXT NOT NULL, UNIQUE (namespace, name))',
  )
  const insert = db.prepare('INSERT INTO objects (namespace, name, object) VALUES (?, ?, ?)')
  db.transaction(() => {
    for (let i = 0; i < STREAMS; i++) {
      const s = stream(i)
      insert.run(s.metadata.namespace, s.metadata.name, JSON.stringify(s))
    }
  })()
  return db
}

/** rawWrites runs `write(n)`, one autocommitted statement each, for `seconds`, timing each. */
function rawWrites(seconds: number, write: (n: number) => void): LoadResult {
  const latencies: number[] = []
  const start = performance.now()
  const until = start + seconds * 1000
  for (let n = 0; performance.now() < until; n++) {
    const t = performance.now()
    write(n)
    latencies.push(performance.now() - t)
  }
  const elapsed = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.floor(q * latencies.length)]!
  return {
    requests: latencies.length,
    errors: 0,
    seconds: elapsed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies[latencies.length - 1]!,
  }
}

/** StoreRows writes the rows a create or patch of the store writes, with raw prepared statements. */
interface StoreRows {
  /** insert: the revision, the objects row and its ADDED events row, in one transaction. */
  insert(namespace: string, name: string, json: string): void
  /** update: the revision, the objects row and its MODIFIED events row, in one transaction. */
  update(namespace: string, name: string, json: string, prev: string): void
  close(): void
}

/**
 * storeRows opens a copy of the store's database at `path` with the store's pragmas and
 * statements (statements.ts): what a write costs SQLite alone, a COMMIT with synchronous=FULL
 * each. The created streams reference no images, so neither writes object_refs rows.
 */
function storeRows(path: string): StoreRows {
  const db = openConnection(path, 5_000)
  const writes = new Writes(db)
  const bump = (): number => writes.bump.get()!.current
  const insert = db.transaction((namespace: string, name: string, json: string) => {
    const revision = bump()
    writes.insertObject.run('imagestreams', namespace, name, randomUUID(), revision, revision, json)
    writes.insertEvent.run(
      revision,
      'imagestreams',
      namespace,
      name,
      'ADDED',
      json,
      null,
      Date.now(),
    )
  })
  const update = db.transaction((namespace: string, name: string, json: string, prev: string) => {
    const revision = bump()
    writes.updateObject.run(json, revision, 'imagestreams', namespace, name)
    writes.insertEvent.run(
      revision,
      'imagestreams',
      namespace,
      name,
      'MODIFIED',
      json,
      prev,
      Date.now(),
    )
  })
  return {
    insert: (namespace, name, json) => insert.immediate(namespace, name, json),
    update: (namespace, name, json, prev) => update.immediate(namespace, name, json, prev),
    close: () => db.close(),
  }
}

/** Baselines are one round of each raw baseline a server round is set against. */
interface Baselines {
  /** The store's rows (storeRows): the figure the target is judged on. */
  readonly rows: LoadResult
  /** One row of one indexed table (openRaw): the figure earlier runs reported. */
  readonly bare: LoadResult
}

/**
 * writeThroughput measures creates and merge patches through a server on a copy of `dataDir`,
 * alternating with the same writes made by raw prepared statements with the same durability:
 * - the rows the store writes (storeRows: the revision, the objects row under its five indexes
 *   and the events row), a transaction each: the target's baseline, so that the ratio is the
 *   server's own overhead (HTTP, admission, validation, managed fields, watch fan-out);
 * - the JSON alone in a one-table database (openRaw), as reported before the store's rows were:
 *   kept for comparison with earlier runs, since it leaves the store's bookkeeping out.
 * Each raw write commits alone, while the server commits the writes that arrive together in one
 * transaction (group commit), each acknowledged only after that COMMIT.
 */
async function writeThroughput(dataDir: string, scratch: string) {
  const copy = join(scratch, 'writes')
  cpSync(dataDir, copy, { recursive: true })
  const raw = openRaw(join(scratch, 'raw-writes.db'))
  const rowsPath = join(scratch, 'raw-store.db')
  cpSync(join(dataDir, 'imagestreams.db'), rowsPath)
  const rows = storeRows(rowsPath)
  const { server } = await serveReady(copy)
  const client = clientOf(server)
  try {
    await sleep(SETTLE_MS)
    const sample = await client.json(
      'POST',
      `${IS}/namespaces/ns-0/imagestreams`,
      newStream('sample', 0),
    )
    if (sample.status !== 201) throw new Error(`create: ${sample.status}`)
    // The raw rows are the JSON the server stored, under the name each insert takes.
    const created = JSON.stringify(sample.body).split('"sample"')
    const insert = raw.prepare('INSERT INTO objects (namespace, name, object) VALUES (?, ?, ?)')
    const collections = Array.from(
      { length: NAMESPACES },
      (_, k) => `${IS}/namespaces/ns-${k}/imagestreams`,
    )
    let serverRound = 0
    let rawRound = 0
    const creates = await alternate(
      WRITE_ROUNDS,
      () =>
        load(client, client.origin, '', WRITE_SECONDS, {
          method: 'POST',
          paths: collections,
          contentType: 'application/json',
          body: JSON.stringify(newStream(`w${serverRound++}-{{n}}`, 1)),
          status: 201,
        }),
      (): Promise<Baselines> => {
        const r = rawRound++
        const name = (n: number) => `w${r}-${n}`
        return Promise.resolve({
          rows: rawWrites(WRITE_SECONDS, (n) =>
            rows.insert(`ns-${n % NAMESPACES}`, name(n), created.join(`"${name(n)}"`)),
          ),
          bare: rawWrites(WRITE_SECONDS, (n) =>
            insert.run(`ns-${n % NAMESPACES}`, name(n), created.join(`"${name(n)}"`)),
          ),
        })
      },
    )

    const one = await client.json('GET', `${IS}/namespaces/ns-1/imagestreams/s-1`)
    if (one.status !== 200) throw new Error(`get: ${one.status}`)
    const labelled = one.body as ImageStream
    const before = JSON.stringify(labelled)
    labelled.metadata.labels = { ...labelled.metadata.labels, rev: '{{n}}' }
    const patched = JSON.stringify(labelled).split('{{n}}')
    const update = raw.prepare('UPDATE objects SET object = ? WHERE namespace = ? AND name = ?')
    const streams = Array.from(
      { length: STREAMS },
      (_, i) => `${IS}/namespaces/ns-${i % NAMESPACES}/imagestreams/s-${i}`,
    )
    serverRound = 0
    rawRound = 0
    const patches = await alternate(
      WRITE_ROUNDS,
      () =>
        load(client, client.origin, '', WRITE_SECONDS, {
          method: 'PATCH',
          paths: streams,
          contentType: 'application/merge-patch+json',
          body: JSON.stringify({ metadata: { labels: { rev: `r${serverRound++}-{{n}}` } } }),
          status: 200,
        }),
      (): Promise<Baselines> => {
        const r = rawRound++
        return Promise.resolve({
          rows: rawWrites(WRITE_SECONDS, (n) => {
            const i = n % STREAMS
            rows.update(`ns-${i % NAMESPACES}`, `s-${i}`, patched.join(`r${r}-${n}`), before)
          }),
          bare: rawWrites(WRITE_SECONDS, (n) => {
            const i = n % STREAMS
            update.run(patched.join(`r${r}-${n}`), `ns-${i % NAMESPACES}`, `s-${i}`)
          }),
        })
      },
    )
    const rps = (r: LoadResult) => r.requests / r.seconds
    const figures = (runs: { a: LoadResult[]; b: Baselines[] }) => {
      const perSecond = median(runs.a.map(rps))
      const rawPerSecond = median(runs.b.map((b) => rps(b.rows)))
      const barePerSecond = median(runs.b.map((b) => rps(b.bare)))
      return {
        perSecond: round(perSecond, 0),
        rawPerSecond: round(rawPerSecond, 0),
        ratioToRaw: round(perSecond / rawPerSecond),
        // The one-table baseline earlier runs were set against.
        bareRowPerSecond: round(barePerSecond, 0),
        ratioToBareRow: round(perSecond / barePerSecond),
        p99Ms: round(median(runs.a.map((r) => r.p99Ms)), 1),
        rawP99Ms: round(median(runs.b.map((b) => b.rows.p99Ms)), 2),
        bareRowP99Ms: round(median(runs.b.map((b) => b.bare.p99Ms)), 2),
        errors: runs.a.reduce((n, r) => n + r.errors, 0),
      }
    }
    return {
      connections: CONNECTIONS,
      rounds: WRITE_ROUNDS,
      seconds: WRITE_SECONDS,
      creates: figures(creates),
      patches: figures(patches),
      target: 'creates ratioToRaw >= 0.6',
    }
  } finally {
    raw.close()
    rows.close()
    await client.close()
    await stopServe(server)
    await removeTempDir(copy)
  }
}

/**
 * getThroughput measures GET `target` through the server against a bare fastify server answering
 * the same bytes over the same certificate, in alternating rounds.
 */
async function getThroughput(client: Client, dataDir: string, target: string) {
  const sample = await client.bytes(target)
  if (sample.status !== 200) throw new Error(`GET ${target}: ${sample.status}`)
  const bare = await startBare(dataDir, target, sample.body)
  try {
    const gets = await alternate(
      GET_ROUNDS,
      () => load(client, client.origin, target, GET_SECONDS),
      () => load(client, bare.origin, target, GET_SECONDS),
    )
    const rps = (r: LoadResult) => r.requests / r.seconds
    const get = median(gets.a.map(rps))
    const bareGet = median(gets.b.map(rps))
    return {
      connections: CONNECTIONS,
      rounds: GET_ROUNDS,
      bodyBytes: sample.length,
      requestsPerSecond: round(get, 0),
      bareRequestsPerSecond: round(bareGet, 0),
      ratioToBare: round(get / bareGet),
      p99Ms: round(median(gets.a.map((r) => r.p99Ms)), 1),
      bareP99Ms: round(median(gets.b.map((r) => r.p99Ms)), 1),
      errors: [...gets.a, ...gets.b].reduce((n, r) => n + r.errors, 0),
    }
  } finally {
    await bare.app.close()
  }
}

/**
 * postgresGets measures GET `target` on a PostgreSQL store of the same streams against the
 * SQLite server `client` talks to, in rotating rounds: one replica with every connection, and
 * three replicas sharing the database with the connections dealt over them.
 */
async function postgresGets(client: Client, scratch: string, target: string) {
  let database: BenchDatabase | undefined
  const replicas: ServeProcess[] = []
  try {
    database = await createBenchDatabase('isb_api')
    const populateStart = performance.now()
    await populate(await openPostgresStore({ url: database.url }))
    const populateMs = performance.now() - populateStart
    // One after another: the first creates the identity (CA, admin token) the others read.
    for (const n of [1, 2, 3]) {
      const dataDir = join(scratch, `pg-${n}`)
      replicas.push((await serveReady(dataDir, ['--store', database.url])).server)
    }
    await sleep(SETTLE_MS)
    const origins = replicas.map((r) => r.address)
    // The identity lives in the database, so one admin token and CA serve every replica.
    const pgClient = adminCredentials(replicas[0]!.kubeconfig)
    const runs = { sqlite: [] as LoadResult[], pg1: [] as LoadResult[], pg3: [] as LoadResult[] }
    const steps: [keyof typeof runs, () => Promise<LoadResult>][] = [
      ['sqlite', () => load(client, client.origin, target, GET_SECONDS)],
      ['pg1', () => load(pgClient, origins[0]!, target, GET_SECONDS)],
      ['pg3', () => load(pgClient, origins, target, GET_SECONDS)],
    ]
    for (let r = 0; r < GET_ROUNDS; r++) {
      for (let j = 0; j < steps.length; j++) {
        const [name, run] = steps[(r + j) % steps.length]!
        runs[name].push(await run())
      }
    }
    const rps = (r: LoadResult) => r.requests / r.seconds
    const figures = (results: LoadResult[]) => ({
      requestsPerSecond: round(median(results.map(rps)), 0),
      p99Ms: round(median(results.map((r) => r.p99Ms)), 1),
      p99MsPerRound: results.map((r) => round(r.p99Ms, 1)),
      errors: results.reduce((n, r) => n + r.errors, 0),
    })
    // Ratios of the same round, so that a slow moment of the machine weighs on both sides.
    const ratios = (a: LoadResult[], f: (r: LoadResult) => number) =>
      a.map((r, i) => f(r) / f(runs.sqlite[i]!))
    const p99Ratio = (a: LoadResult[]) => round(median(ratios(a, (r) => r.p99Ms)), 2)
    const rpsRatio = (a: LoadResult[]) => round(median(ratios(a, rps)), 2)
    return {
      connections: CONNECTIONS,
      rounds: GET_ROUNDS,
      populateMs: round(populateMs, 0),
      sqlite: figures(runs.sqlite),
      pg1: figures(runs.pg1),
      pg3: figures(runs.pg3),
      pg1P99ToSqlite: p99Ratio(runs.pg1),
      pg3P99ToSqlite: p99Ratio(runs.pg3),
      pg1RequestsPerSecondToSqlite: rpsRatio(runs.pg1),
      pg3RequestsPerSecondToSqlite: rpsRatio(runs.pg3),
    }
  } finally {
    for (const r of replicas) await stopServe(r)
    await database?.drop()
  }
}

/** runApi executes the workload and returns its report. */
export async function runApi(): Promise<Record<string, unknown>> {
  const started = performance.now()
  const loadAtStart = loadavg()
  const dir = makeTempDir('bench-api-')
  const dataDir = join(dir, 'data')
  const emptyDir = join(dir, 'empty')
  let server: ServeProcess | undefined
  let client: Client | undefined
  let db: Database.Database | undefined
  /** sectionReport is what a run of one section (API_BENCH_ONLY) reports around its figures. */
  const sectionReport = (figures: Record<string, unknown>, target?: string) => ({
    workload: 'api',
    only: ONLY,
    streams: STREAMS,
    ...figures,
    loadAverageAtStart: loadAtStart.map((l) => round(l, 2)),
    loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
    benchSeconds: round((performance.now() - started) / 1000, 0),
    ...(target !== undefined && { target }),
  })
  /** startSettled starts the server on the populated data dir and lets its start-up work settle. */
  const startSettled = async (): Promise<{ serve: ServeProcess; api: Client }> => {
    const serve = (await serveReady(dataDir)).server
    server = serve
    await sleep(SETTLE_MS)
    const api = clientOf(serve)
    client = api
    return { serve, api }
  }
  try {
    const populateStart = performance.now()
    await populate(await openSqliteStore({ path: join(dataDir, 'imagestreams.db') }))
    const populateMs = performance.now() - populateStart
    if (ONLY === 'watch') {
      const { serve, api } = await startSettled()
      const watch = await watchFanOut(api, serve.child.pid!)
      return sectionReport({ watch })
    }
    if (ONLY === 'writes') {
      // One start beforehand, as for the full run: the data dir then holds its PKI and defaults.
      await stopServe(await startServe(dataDir))
      return sectionReport({ writes: await writeThroughput(dataDir, dir) })
    }
    if (ONLY === 'walk') {
      const { api } = await startSettled()
      db = new Database(join(dataDir, 'imagestreams.db'), { readonly: true })
      return sectionReport(
        { pagedWalk: await pagedWalks(api, db, WALK_ONLY_ROUNDS) },
        'pagedWalk ratioToRaw <= 2',
      )
    }
    if (ONLY === 'get') {
      // One start beforehand, as for the full run: the data dir then holds its PKI and defaults.
      await stopServe(await startServe(dataDir))
      const { api } = await startSettled()
      return sectionReport(
        { get: await getThroughput(api, dataDir, GET_TARGET) },
        'get ratioToBare >= 0.6 and p99Ms <= 15 at 50k',
      )
    }
    if (ONLY === 'postgres') {
      await stopServe(await startServe(dataDir))
      const { api } = await startSettled()
      return sectionReport(
        { postgresGet: await postgresGets(api, dir, GET_TARGET) },
        POSTGRES_GET_TARGET,
      )
    }
    if (!['', 'startup'].includes(ONLY)) throw new Error(`API_BENCH_ONLY: unknown section ${ONLY}`)
    // One start of each data dir beforehand: both then hold their PKI and defaults, so the
    // timed starts differ by the streams only.
    for (const d of [dataDir, emptyDir]) await stopServe(await startServe(d))

    const starts = await alternate(
      STARTUP_ROUNDS,
      () => startup(dataDir, dir),
      () => startup(emptyDir, dir),
    )
    const readyMs = median(starts.a.map((s) => s.readyMs))
    const emptyReadyMs = median(starts.b.map((s) => s.readyMs))
    const startupReport = {
      rounds: STARTUP_ROUNDS,
      readyzMs: round(readyMs, 0),
      emptyReadyzMs: round(emptyReadyMs, 0),
      ratioToEmpty: round(readyMs / emptyReadyMs, 2),
      idleRssMB: round(median(starts.a.map((s) => s.idleRss)) / MB, 1),
      emptyIdleRssMB: round(median(starts.b.map((s) => s.idleRss)) / MB, 1),
    }
    if (ONLY === 'startup') {
      return { workload: 'api', streams: STREAMS, startup: startupReport, target: STARTUP_TARGET }
    }

    const first = await startSettled()
    const pid = first.serve.child.pid!
    const c = first.api
    const target = GET_TARGET
    const get = await getThroughput(c, dataDir, target)
    const postgresGet = await postgresGets(c, dir, target)

    db = new Database(join(dataDir, 'imagestreams.db'), { readonly: true })
    const pagedWalk = await pagedWalks(c, db, WALK_ROUNDS)

    const json = await getDuringUnpagedLists(c, target, 'application/json')
    const table = await getDuringUnpagedLists(c, target, TABLE_ACCEPT)
    const peakRss = rssOf(pid).hwm

    // A fresh server for the watchers, so its RSS before them is not the lists' garbage.
    await c.close()
    await stopServe(first.serve)
    client = undefined
    const second = await startSettled()
    const watch = await watchFanOut(second.api, second.serve.child.pid!)
    await second.api.close()
    await stopServe(second.serve)
    client = undefined
    server = undefined
    const writes = await writeThroughput(dataDir, dir)

    return {
      workload: 'api',
      streams: STREAMS,
      namespaces: NAMESPACES,
      populateMs: round(populateMs, 0),
      get,
      postgresGet,
      pagedWalk,
      getDuringUnpagedLists: { ...json, serverPeakRssMB: round(peakRss / MB, 1) },
      getDuringUnpagedTables: table,
      startup: startupReport,
      watch,
      writes,
      loadAverageAtStart: loadAtStart.map((l) => round(l, 2)),
      loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
      benchSeconds: round((performance.now() - started) / 1000, 0),
      target: `get ratioToBare >= 0.6 and p99Ms <= 15 at 50k; pagedWalk ratioToRaw <= 2; getDuringUnpagedLists p99Ms <= 100; ${STARTUP_TARGET}; watch completeness 1; ${POSTGRES_GET_TARGET}`,
    }
  } finally {
    db?.close()
    await client?.close()
    if (server) await stopServe(server)
    await removeTempDir(dir)
  }
}
