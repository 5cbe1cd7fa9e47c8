/**
 * Crash safety of the SQLite backend: a writer killed with SIGKILL in the middle of its writes
 * leaves a database that passes integrity_check, keeps every transaction whole, and continues
 * its revisions upward.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import type { StoredObject } from '../store.js'
import { openSqliteStore } from './index.js'

interface Doc extends StoredObject {
  spec: { n: number; payload: string }
}

const WRITER = fileURLToPath(new URL('./testdata/crash-writer.ts', import.meta.url))
const TSX = import.meta.resolve('tsx')

/** Runs the writer until it has committed `iterations` iterations, then SIGKILLs it. */
async function writeAndKill(path: string, iterations: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', TSX, WRITER, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = once(child, 'exit')
  let buffered = ''
  let lastRevision = 0
  // Keep draining stdout after the target so the child never blocks on a full pipe: it must
  // be busy writing to the database when the signal lands.
  const reached = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        const [i, revision] = line.split(' ').map(Number)
        lastRevision = revision ?? lastRevision
        if ((i ?? 0) >= iterations) resolve()
      }
    })
    void exited.then(([code]) => reject(new Error(`the writer exited early with ${String(code)}`)))
  })
  await reached
  const reported = lastRevision
  child.kill('SIGKILL')
  const [, signal] = (await exited) as [number | null, NodeJS.Signals | null]
  assert.equal(signal, 'SIGKILL')
  return reported
}

describe('sqlite store crash safety', () => {
  it('survives SIGKILL mid-write, three times over', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-crash-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const path = join(dir, 'store.db')
    let floor = 0
    for (let round = 0; round < 3; round++) {
      const reported = await writeAndKill(path, 60)
      assert.ok(reported > floor, `round ${round}: revisions continue upward`)

      const raw = new Database(path)
      assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok')
      const { current } = raw.prepare('SELECT current FROM revision').get() as { current: number }
      const maxEvent = raw.prepare('SELECT MAX(revision) AS m FROM events').get() as { m: number }
      raw.close()
      assert.ok(current >= reported, 'every reported commit survived')
      assert.equal(maxEvent.m, current, 'each committed revision has its history row')

      const store = await openSqliteStore({ path })
      try {
        assert.equal(await store.currentRevision(), current)
        const left = await store.get<Doc>({ resource: 'pairs', namespace: 'crash', name: 'left' })
        const right = await store.get<Doc>({ resource: 'pairs', namespace: 'crash', name: 'right' })
        assert.equal(left.spec.n, right.spec.n, 'a transaction is never half applied')
        const items = await store.list<Doc>('items')
        assert.ok(items.items.length > 0)
        for (const item of items.items) {
          assert.equal(item.spec.payload.length, 32_000)
          const key = { resource: 'items', namespace: 'crash', name: item.metadata.name ?? '' }
          assert.deepEqual(await store.get(key), item)
        }
        const probe = await store.create<StoredObject>(
          { resource: 'probes', namespace: '', name: `round-${round}` },
          { metadata: { name: `round-${round}` } },
        )
        assert.equal(Number(probe.metadata.resourceVersion), current + 1)
        floor = current + 1
      } finally {
        await store.close()
      }
    }
  })
})
