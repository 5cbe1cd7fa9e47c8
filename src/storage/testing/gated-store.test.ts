/** The race-test gate over a real SQLite store: what it holds, where, and for how long. */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'
import { openSqliteStore } from '../sqlite/index.js'
import { isStoreError } from '../store.js'
import type { ObjectKey, StoredObject } from '../store.js'
import { GatedStore } from './gated-store.js'

interface Stream extends StoredObject {
  images: string[]
}

const IMAGE = 'sha256:aaa'
const imageKey: ObjectKey = { resource: 'images', namespace: '', name: IMAGE }
const streamKey: ObjectKey = { resource: 'imagestreams', namespace: 'ns', name: 'app' }
const stream = (images: string[]): Stream => ({
  metadata: { name: 'app', namespace: 'ns' },
  images,
})

async function open(t: TestContext): Promise<GatedStore> {
  const dir = await mkdtemp(join(tmpdir(), 'imagestreams-gate-'))
  const inner = await openSqliteStore({
    path: join(dir, 'store.db'),
    references: {
      imagestreams: (o) =>
        (o as Stream).images.map((name) => ({ resource: 'images', namespace: '', name })),
    },
  })
  t.after(async () => {
    await inner.close()
    await rm(dir, { recursive: true, force: true })
  })
  const gate = new GatedStore(inner)
  await gate.create(imageKey, { metadata: { name: IMAGE } })
  await gate.create(streamKey, stream([]))
  return gate
}

describe('GatedStore', () => {
  it('holds a delete before it reaches the store; other writes go on meanwhile', async (t) => {
    const gate = await open(t)
    const hold = gate.hold({ op: 'delete', resource: 'images', name: IMAGE })
    const deleting = gate.delete(imageKey)
    assert.deepEqual(await hold.reached, { op: 'delete', key: imageKey, inTransaction: false })
    await gate.update(streamKey, stream(['other']))
    await gate.get(imageKey)
    hold.release()
    await deleting
    await assert.rejects(gate.get(imageKey), (e) => isStoreError(e, 'NotFound'))
  })

  it('an import that re-references the image while the prune delete waits wins', async (t) => {
    const gate = await open(t)
    const hold = gate.hold({ op: 'delete', resource: 'images' })
    const deleting = gate.delete(imageKey, { unreferenced: true })
    await hold.reached
    await gate.guaranteedUpdate<Stream>(streamKey, (s) => ({ ...s, images: [IMAGE] }))
    hold.release()
    await assert.rejects(deleting, (e) => isStoreError(e, 'Referenced'))
    await gate.get(imageKey)
  })

  it('holds guaranteedUpdate between its computation and its write, so a competing write makes it re-run', async (t) => {
    const gate = await open(t)
    const hold = gate.hold({ op: 'guaranteedUpdate', resource: 'imagestreams', namespace: 'ns' })
    let runs = 0
    const updating = gate.guaranteedUpdate<Stream>(streamKey, (s) => {
      runs++
      return { ...s, images: [...s.images, 'mine'] }
    })
    await hold.reached
    await gate.update(streamKey, stream(['theirs']))
    hold.release()
    assert.deepEqual((await updating).images, ['theirs', 'mine'])
    assert.equal(runs, 2)
  })

  it('holds writes of transaction handles too, inside their transaction', async (t) => {
    const gate = await open(t)
    const hold = gate.hold({ op: 'update', resource: 'imagestreams', name: 'app' })
    const importing = gate.transaction(async (tx) => {
      const current = await tx.get<Stream>(streamKey)
      return tx.update(streamKey, { ...current, images: [IMAGE] })
    })
    assert.deepEqual(await hold.reached, { op: 'update', key: streamKey, inTransaction: true })
    // The prune's delete queues behind the open transaction and then finds the reference.
    const deleting = gate.delete(imageKey, { unreferenced: true })
    hold.release()
    await importing
    await assert.rejects(deleting, (e) => isStoreError(e, 'Referenced'))
  })

  it('a hold catches one matching write; others, and writes after a release, pass', async (t) => {
    const gate = await open(t)
    const early = gate.hold({ op: 'delete', resource: 'images', name: 'sha256:other' })
    early.release()
    const hold = gate.hold({ op: 'update', resource: 'imagestreams' })
    await gate.create({ ...imageKey, name: 'sha256:other' }, { metadata: { name: 'sha256:other' } })
    await gate.delete({ ...imageKey, name: 'sha256:other' })
    const first = gate.update(streamKey, stream(['one']))
    await hold.reached
    hold.release()
    await first
    await gate.update(streamKey, stream(['two']))
    assert.deepEqual((await gate.get<Stream>(streamKey)).images, ['two'])
  })
})
