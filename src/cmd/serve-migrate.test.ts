/**
 * `isctl serve migrate` from a real SQLite store into a fresh PostgreSQL database: what the
 * PostgreSQL store serves afterwards, and the refusals.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import type { CommandIO } from '../cli/io.js'
import { UsageError } from '../cli/errors.js'
import { DumpError, objectKey, PULL_GRANTS, summarizeDump } from '../storage/index.js'
import type { Store, StoredObject, WatchEvent } from '../storage/index.js'
import { exportPostgresDump, openPostgresStore } from '../storage/postgres/index.js'
import { testDatabase } from '../storage/postgres/testing/database.js'
import { openSqliteStore } from '../storage/sqlite/index.js'
import { DatabaseInUseError, DataDirInUseError } from './data-dir-lock.js'
import { executeServeMigrate } from './serve-migrate.js'
import type { ServeMigrateFlags } from './serve-migrate.js'

const database = testDatabase()

interface Output {
  readonly io: CommandIO
  readonly stdout: () => string
}

function output(): Output {
  let stdout = ''
  return {
    io: {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: () => true },
      env: {},
      now: () => new Date(),
    },
    stdout: () => stdout,
  }
}

const migrate = (flags: ServeMigrateFlags, out = output()): Promise<number> =>
  executeServeMigrate(flags, out.io)

const RESOURCES = ['namespaces', 'imagestreams', PULL_GRANTS, 'serveridentity'] as const

/** fill writes objects in several resources, updates and deletes some, and schedules tags. */
async function fill(store: Store): Promise<void> {
  for (const resource of RESOURCES) {
    for (let i = 0; i < 4; i++) {
      const namespace = resource === 'namespaces' ? '' : `ns${i % 2}`
      await store.create(objectKey(resource, `${resource}-${i}`, namespace), {
        metadata: { name: `${resource}-${i}`, ...(namespace && { namespace }) },
        spec: { i },
      })
    }
  }
  const stream = objectKey('imagestreams', 'imagestreams-1', 'ns1')
  await store.update(stream, { ...(await store.get(stream)), spec: { i: 100 } })
  await store.delete(objectKey('imagestreams', 'imagestreams-2', 'ns0'))
  await store.schedule.syncStream(
    'ns1',
    'imagestreams-1',
    [
      {
        tag: 'latest',
        source: 'docker.io/library/a:latest',
        registry: 'docker.io',
        intervalMs: 900_000,
      },
      { tag: 'v1', source: 'quay.io/b/c:v1', registry: 'quay.io', intervalMs: 60_000 },
    ],
    () => 1_000,
  )
  const [claimed] = await store.schedule.claimDue(2_000, 1, 30_000)
  assert.ok(claimed)
  await store.schedule.complete(claimed, {
    nextCheckAt: 5_000,
    lastCheckAt: 2_000,
    lastDigest: 'sha256:0123',
    failures: 1,
    lastError: 'unauthorized',
  })
  await store.schedule.claimDue(2_500, 1, 30_000)
}

async function watchUntil(
  store: Store,
  resource: string,
  from: string,
  until: number,
): Promise<string[]> {
  const controller = new AbortController()
  const events = await store.watch(resource, {
    fromResourceVersion: from,
    signal: controller.signal,
  })
  const seen: string[] = []
  for await (const event of events as AsyncIterable<WatchEvent>) {
    const rv = Number(event.object.metadata.resourceVersion)
    seen.push(`${event.type} ${rv} ${JSON.stringify(event.object)}`)
    if (rv >= until) break
  }
  controller.abort()
  return seen
}

async function everything(store: Store): Promise<StoredObject[]> {
  const all: StoredObject[] = []
  for (const resource of RESOURCES) all.push(...(await store.list(resource)).items)
  return all
}

describe('isctl serve migrate', () => {
  let dir: string
  let sqlitePath: string
  let url: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'serve-migrate-'))
    sqlitePath = join(dir, 'imagestreams.db')
    const source = await openSqliteStore({ path: sqlitePath })
    await fill(source)
    await source.close()
    url = (await database()).url
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('copies objects, revisions, history and the schedule, and verifies them', async () => {
    const out = output()
    assert.equal(await migrate({ from: `sqlite:${sqlitePath}`, to: url }, out), 0)
    assert.match(
      out.stdout(),
      /objects 15: imagestreams=3 namespaces=4 pullgrants=4 serveridentity=4/,
    )
    assert.match(out.stdout(), /migrated: counts and checksums match/)
    const hashes = [...out.stdout().matchAll(/sha256 ([0-9a-f]{64})/g)].map((m) => m[1])
    assert.equal(hashes.length, 2)
    assert.equal(hashes[0], hashes[1])

    const source = await openSqliteStore({ path: sqlitePath })
    const target = await openPostgresStore({ url })
    try {
      assert.deepEqual(await everything(target), await everything(source))
      for (const resource of RESOURCES) {
        const [s, t] = [await source.list(resource), await target.list(resource)]
        assert.equal(t.resourceVersion, s.resourceVersion)
      }
      const key = objectKey('imagestreams', 'imagestreams-1', 'ns1')
      assert.deepEqual(await target.get(key), await source.get(key))
      const current = await source.currentRevision()
      assert.equal(await target.currentRevision(), current)
      // From the first imagestream's creation: the later creations, the update and the delete.
      const replayed = await watchUntil(source, 'imagestreams', '5', current)
      assert.equal(replayed.length, 5)
      assert.deepEqual(await watchUntil(target, 'imagestreams', '5', current), replayed)
      assert.deepEqual(await target.schedule.list(), await source.schedule.list())
      assert.equal((await target.schedule.list()).length, 2)

      const created = await target.create<StoredObject>(objectKey('namespaces', 'after'), {
        metadata: { name: 'after' },
      })
      assert.equal(created.metadata.resourceVersion, String(current + 1))
    } finally {
      await source.close()
      await target.close()
    }
  })

  it('refuses a target that holds data, writing nothing', async () => {
    const before = summarizeDump(await exportPostgresDump({ url }))
    await assert.rejects(
      migrate({ from: `sqlite:${sqlitePath}`, to: url }),
      (error: unknown) => error instanceof DumpError && error.code === 'TargetNotEmpty',
    )
    assert.deepEqual(summarizeDump(await exportPostgresDump({ url })), before)
  })

  it('refuses a source a running server holds', async () => {
    // Any live process whose arguments include `serve` counts as a server holding the lock.
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'serve'], {
      stdio: 'ignore',
    })
    try {
      const lock = JSON.stringify({ pid: holder.pid })
      await writeFile(join(dir, 'serve.lock'), lock)
      await assert.rejects(
        migrate({ from: `sqlite:${sqlitePath}`, to: url }),
        (error: unknown) => error instanceof DataDirInUseError,
      )
      await rm(join(dir, 'serve.lock'))
      await writeFile(`${sqlitePath}.lock`, lock)
      await assert.rejects(
        migrate({ from: `sqlite:${sqlitePath}`, to: url }),
        (error: unknown) => error instanceof DatabaseInUseError,
      )
      await rm(`${sqlitePath}.lock`)
    } finally {
      holder.kill()
    }
  })

  it('refuses a source that is not a store of this schema, writing nothing', async () => {
    const other = join(dir, 'other.db')
    const db = new Database(other)
    db.exec('CREATE TABLE t (x INTEGER)')
    db.close()
    const before = summarizeDump(await exportPostgresDump({ url }))
    await assert.rejects(
      migrate({ from: `sqlite:${other}`, to: url }),
      (error: unknown) => error instanceof DumpError && error.code === 'SourceSchema',
    )
    assert.deepEqual(summarizeDump(await exportPostgresDump({ url })), before)
  })

  const badFlags: readonly { name: string; flags: ServeMigrateFlags; message: RegExp }[] = [
    { name: 'no --from', flags: { to: 'postgres://u@h:5432/d' }, message: /--from is required/ },
    { name: 'no --to', flags: { from: 'sqlite:/x.db' }, message: /--to is required/ },
    {
      name: 'postgres source',
      flags: { from: 'postgres://u@h:5432/d', to: 'postgres://u@h:5432/e' },
      message: /--from must be an SQLite store/,
    },
    {
      name: 'sqlite target',
      flags: { from: 'sqlite:/x.db', to: 'sqlite:/y.db' },
      message: /--to must be a PostgreSQL store/,
    },
    {
      name: 'target without a database',
      flags: { from: 'sqlite:/x.db', to: 'postgres://u@h:5432' },
      message: /--to: .* names no database/,
    },
    {
      name: 'unknown scheme',
      flags: { from: 'mysql://h/d', to: 'postgres://u@h:5432/d' },
      message: /--from: unsupported store scheme/,
    },
    {
      name: 'missing source file',
      flags: { from: 'sqlite:/nonexistent/imagestreams.db', to: 'postgres://u@h:5432/d' },
      message: /does not exist/,
    },
  ]
  for (const { name, flags, message } of badFlags) {
    it(`refuses bad flags: ${name}`, async () => {
      await assert.rejects(
        migrate(flags),
        (error: unknown) => error instanceof UsageError && message.test(error.message),
      )
    })
  }
})
