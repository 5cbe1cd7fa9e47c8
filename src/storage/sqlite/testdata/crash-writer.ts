/**
 * Child process of the crash-safety test: writes to the store at argv[2] in a loop (multi-write
 * transactions with large documents, single writes, deletes, compaction) and prints
 * `<iteration> <revision>` after each committed iteration, until the parent SIGKILLs it.
 */
import { openSqliteStore } from '../index.js'
import { isStoreError } from '../../store.js'
import type { ObjectKey, Store, StoredObject } from '../../store.js'

interface Doc extends StoredObject {
  spec: { n: number; payload: string }
}

const path = process.argv[2]
if (!path) throw new Error('usage: crash-writer.ts DATABASE')

// Large enough that one write spans many pages, so a kill lands inside a write.
const PAYLOAD = 'x'.repeat(32_000)

function doc(key: ObjectKey, n: number): Doc {
  return {
    kind: 'Doc',
    metadata: { name: key.name, namespace: key.namespace },
    spec: { n, payload: PAYLOAD },
  }
}

async function ensure(store: Store, key: ObjectKey): Promise<void> {
  try {
    await store.get(key)
  } catch (error) {
    if (!isStoreError(error, 'NotFound')) throw error
    await store.create(key, doc(key, 0))
  }
}

const store = await openSqliteStore({ path, compaction: { maxRevisions: 64 } })
const left: ObjectKey = { resource: 'pairs', namespace: 'crash', name: 'left' }
const right: ObjectKey = { resource: 'pairs', namespace: 'crash', name: 'right' }
const loose: ObjectKey = { resource: 'loose', namespace: '', name: 'loose' }
for (const key of [left, right, loose]) await ensure(store, key)
const start = (await store.get<Doc>(left)).spec.n

for (let i = 1; ; i++) {
  const n = start + i
  const item = (k: number): ObjectKey => ({
    resource: 'items',
    namespace: 'crash',
    name: `item-${k}`,
  })
  await store.transaction(async (tx) => {
    await tx.update(left, doc(left, n))
    await tx.create(item(n), doc(item(n), n))
    if (n > 3)
      await tx.delete(item(n - 3)).catch((e: unknown) => {
        if (!isStoreError(e, 'NotFound')) throw e
      })
    await tx.update(right, doc(right, n))
  })
  await store.guaranteedUpdate<Doc>(loose, (d) => ({ ...d, spec: { ...d.spec, n } }))
  process.stdout.write(`${i} ${await store.currentRevision()}\n`)
}
