/**
 * Scheduled checks shared by three `isctl serve` replicas on one PostgreSQL database
 * (docs/storage-postgres.md#the-due-queue): 10,000 scheduled tags, each pointing at a tag of its
 * own in the real registry, are made due at once, and the registry's access log shows every tag
 * HEADed exactly once, the work split between the replicas. Then, in a second round, one replica
 * is killed with SIGKILL: no tag goes unchecked, and the only tags HEADed twice are rows leased
 * at the kill that were checked again once their (short) lease had ended on its own.
 */
import assert from 'node:assert/strict'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { mkdir, writeFile } from 'node:fs/promises'
import type { ImageStream } from '../../src/api/index.js'
import { mapLimit } from '../../src/lib/concurrency.js'
import { objectKey } from '../../src/storage/index.js'
import { openPostgresStore } from '../../src/storage/postgres/index.js'
import { testDatabase, type TestDatabase } from '../../src/storage/postgres/testing/database.js'
import {
  MANIFEST_ACCEPT,
  header,
  adminCredentials,
  httpRequest,
  makeAgent,
  makeTempDir,
  removeTempDir,
  scheduledStream,
  startServe,
  stopServe,
  useRegistry,
  type ServeProcess,
} from '../harness/index.js'
import { pollUntil } from '../harness/process.js'

const STREAMS = 100
const TAGS_PER_STREAM = 100
const TAGS = STREAMS * TAGS_PER_STREAM
const NAMESPACE = 'fleet'
const REPOSITORY = 'many/tags'
const LEASE = '15s'
/** Long enough that a checked row is not due again while the test runs. */
const INTERVAL = '1h'
/** Tag links written at once while the tags are made. */
const LINK_CONCURRENCY = 32

const registryTag = (stream: number, tag: number) => `s${stream}-t${tag}`
const manifestPath = (tag: string) => `/v2/${REPOSITORY}/manifests/${tag}`

/** stream builds one stream of scheduled tags whose status already shows the registry's digest. */
function stream(index: number, host: string, digest: string): ImageStream {
  const sources = Array.from(
    { length: TAGS_PER_STREAM },
    (_, i) => `${host}/${REPOSITORY}:${registryTag(index, i)}`,
  )
  return scheduledStream(NAMESPACE, `s-${index}`, sources, `${host}/${REPOSITORY}`, digest)
}

interface Row {
  namespace: string
  stream: string
  tag: string
  lease_until: string
  last_check_at: string | null
}

/** The registry tag a row of the queue points at. */
const rowTag = (row: Pick<Row, 'stream' | 'tag'>) =>
  registryTag(Number(row.stream.slice('s-'.length)), Number(row.tag.slice('t-'.length)))

describe('scheduled checks shared by replicas', () => {
  const env = useRegistry({ auth: 'none' })
  const database = testDatabase()
  let dir: string
  let db: TestDatabase
  const replicas: ServeProcess[] = []
  const streamNames = Array.from({ length: STREAMS }, (_, s) => `s-${s}`)
  const allTags = Array.from({ length: STREAMS }, (_, s) =>
    Array.from({ length: TAGS_PER_STREAM }, (_, t) => registryTag(s, t)),
  ).flat()

  const rows = async (): Promise<Row[]> =>
    (
      await db.admin(
        'SELECT namespace, stream, tag, lease_until::text, last_check_at::text FROM schedule WHERE namespace = $1',
        [NAMESPACE],
      )
    ).rows as Row[]
  /** Makes every row of `streams` due now, as if the interval had passed for all at once. */
  const makeDue = (streams: readonly string[]) =>
    db.admin('UPDATE schedule SET next_check_at = 0 WHERE namespace = $1 AND stream = ANY($2)', [
      NAMESPACE,
      streams,
    ])
  /** How many rows of `streams` were checked at or after `since`, and how many are leased. */
  const progress = async (streams: readonly string[], since: number) => {
    const { rows: counts } = await db.admin(
      'SELECT COUNT(*) FILTER (WHERE last_check_at >= $3)::int AS checked,' +
        ' COUNT(*) FILTER (WHERE lease_until > 0)::int AS leased' +
        ' FROM schedule WHERE namespace = $1 AND stream = ANY($2)',
      [NAMESPACE, streams, since],
    )
    return counts[0] as { checked: number; leased: number }
  }
  /** Waits until every row of `streams` was checked at or after `since` and none is leased. */
  const roundDone = (streams: readonly string[], since: number) =>
    pollUntil(
      'every row to be checked',
      async () => {
        const { checked, leased } = await progress(streams, since)
        return checked === streams.length * TAGS_PER_STREAM && leased === 0
      },
      { timeoutMs: 600_000, intervalMs: 250 },
    )
  /** HEADs of each tag's manifest in the registry's access log from `from` on. */
  const headsPerTag = async (from: number): Promise<Map<string, number>> => {
    const log = (await env.reg.accessLogSettled()).slice(from)
    const heads = new Map<string, number>()
    for (const r of log) {
      if (r.method !== 'HEAD' || !r.path.startsWith(manifestPath(''))) continue
      assert.equal(r.status, 200, `${r.method} ${r.path}`)
      const tag = r.path.slice(manifestPath('').length)
      heads.set(tag, (heads.get(tag) ?? 0) + 1)
    }
    // Unchanged tags cost a HEAD and nothing else: no manifest GET, no import.
    const gets = log.filter((r) => r.method === 'GET' && r.path.startsWith(manifestPath('')))
    assert.deepEqual(gets, [])
    return heads
  }
  /** A replica's scheduled checks that reached the registry (unchanged tags), from /metrics. */
  const checksOf = async (replica: ServeProcess): Promise<number> => {
    const { server, token, caPem } = adminCredentials(replica.kubeconfig)
    const agent = makeAgent(caPem)
    try {
      const res = await httpRequest(`${server}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
        dispatcher: agent,
      })
      assert.equal(res.status, 200)
      let sum = 0
      const text = res.body.toString('utf8')
      for (const m of text.matchAll(/^imagestreams_scheduled_checks_total\{([^}]*)\} (\S+)$/gm)) {
        if (m[1]!.includes('result="unchanged"')) sum += Number(m[2])
      }
      return sum
    } finally {
      await agent.close()
    }
  }

  before(async () => {
    dir = makeTempDir('replicas-scheduled-e2e')
    db = await database()
    // One image, given 10,000 tag names: the tag links distribution's filesystem driver writes
    // for a manifest PUT (a PUT per tag takes minutes on a loaded machine), checked over the API.
    const tags = join(env.reg.dir, 'storage', 'docker/registry/v2/repositories', REPOSITORY)
    const { digest } = env.fx.manyTags
    const link = (tag: string, ...parts: string[]) =>
      join(tags, '_manifests/tags', tag, ...parts, 'link')
    await mapLimit(allTags, LINK_CONCURRENCY, async (tag) => {
      for (const file of [link(tag, 'current'), link(tag, 'index', 'sha256', digest.slice(7))]) {
        await mkdir(dirname(file), { recursive: true })
        await writeFile(file, digest)
      }
    })
    for (const tag of [allTags[0]!, allTags.at(-1)!]) {
      const res = await httpRequest(`${env.reg.url}${manifestPath(tag)}`, {
        method: 'HEAD',
        headers: { accept: MANIFEST_ACCEPT },
        dispatcher: env.reg.agent,
      })
      assert.equal(res.status, 200, `HEAD ${tag}`)
      assert.equal(header(res, 'docker-content-digest'), digest)
    }
    const flags = [
      '--store',
      db.url,
      '--scheduled-import-interval',
      INTERVAL,
      '--scheduled-import-lease',
      LEASE,
      '--scheduled-import-registry-qps',
      '0',
    ]
    // The first creates the identity the others read.
    for (const n of [1, 2, 3]) replicas.push(await startServe(join(dir, `data-${n}`), flags))

    // Written through the store, as a kubectl apply of each would; the replicas watch them.
    const store = await openPostgresStore({ url: db.url })
    try {
      await store.transaction(async (tx) => {
        for (let i = 0; i < STREAMS; i++) {
          await tx.create(
            objectKey('imagestreams', `s-${i}`, NAMESPACE),
            stream(i, env.reg.host, digest),
          )
        }
      })
    } finally {
      await store.close()
    }
    await pollUntil('every scheduled tag queued', async () => (await rows()).length === TAGS, {
      timeoutMs: 120_000,
      intervalMs: 250,
    })
  })
  after(async () => {
    for (const r of replicas) await stopServe(r)
    await removeTempDir(dir)
  })

  it('checks every tag exactly once, the work shared by the three replicas', async () => {
    const logFrom = (await env.reg.accessLogSettled()).length
    const before = await Promise.all(replicas.map(checksOf))
    const since = Date.now()
    await makeDue(streamNames)
    await roundDone(streamNames, since)

    const heads = await headsPerTag(logFrom)
    const known = new Set(allTags)
    const missed = allTags.filter((t) => !heads.has(t))
    const twice = [...heads].filter(([, n]) => n > 1)
    const strange = [...heads.keys()].filter((t) => !known.has(t))
    assert.deepEqual({ missed, twice, strange }, { missed: [], twice: [], strange: [] })
    assert.equal(heads.size, TAGS)

    const done = (await Promise.all(replicas.map(checksOf))).map((n, i) => n - before[i]!)
    assert.equal(
      done.reduce((a, b) => a + b),
      TAGS,
      `checks per replica: ${done.join(', ')}`,
    )
    for (const n of done) assert.ok(n > 0, `every replica checked tags: ${done.join(', ')}`)
  })

  it('after SIGKILL of a replica mid-round, the survivors check what it held once its lease ends', async () => {
    const [, , victim] = replicas as [ServeProcess, ServeProcess, ServeProcess]
    // A fifth of the streams: enough rows for every replica to hold leases when one dies.
    const roundStreams = streamNames.slice(0, STREAMS / 5)
    const roundTags = allTags.slice(0, roundStreams.length * TAGS_PER_STREAM)
    const logFrom = (await env.reg.accessLogSettled()).length
    const since = Date.now()
    await makeDue(roundStreams)
    await pollUntil(
      'the round to be under way',
      async () => (await progress(roundStreams, since)).checked >= roundTags.length / 5,
      { timeoutMs: 300_000, intervalMs: 100 },
    )
    await stopServe(victim, 'SIGKILL')
    const killedAt = Date.now()
    // Every lease the dead replica held is in here (it can take no more), with the survivors'.
    const leasedAtKill = new Map(
      (await rows())
        .filter((r) => Number(r.lease_until) > killedAt)
        .map((r) => [rowTag(r), Number(r.lease_until)]),
    )
    assert.notEqual(leasedAtKill.size, 0)
    await roundDone(roundStreams, since)

    const final = new Map((await rows()).map((r) => [rowTag(r), Number(r.last_check_at)]))
    // Rows leased at the kill and checked only after that lease ended: the dead replica's, and
    // any a survivor left because its lease neared its end while the row waited there.
    const takenOver = new Set(
      [...leasedAtKill].filter(([tag, end]) => final.get(tag)! >= end).map(([tag]) => tag),
    )
    assert.notEqual(takenOver.size, 0, 'the survivors took over rows the dead replica held')

    const heads = await headsPerTag(logFrom)
    const missed = roundTags.filter((t) => !heads.has(t))
    const twice = [...heads].filter(([, n]) => n > 1).map(([t]) => t)
    const others = [...heads.keys()].filter((t) => !roundTags.includes(t))
    assert.deepEqual(others, [], 'only the due rows are checked')
    assert.deepEqual(missed, [])
    // Only a row HEADed by the dead replica but not completed is HEADed again.
    assert.deepEqual(
      twice.filter((t) => !takenOver.has(t)),
      [],
      `HEADed twice: ${twice.length}, taken over: ${takenOver.size}`,
    )
    assert.ok(
      [...heads.values()].every((n) => n <= 2),
      'no tag HEADed more than twice',
    )
  })
})
