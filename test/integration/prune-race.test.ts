/**
 * An import racing a prune loses nothing, over a real SQLite store and images imported from a
 * real registry: the store is gated so that the import lands exactly between the pruner's plan
 * and its write (docs/pruning.md#concurrent-writes). Stage 1: a stream the import changed is
 * re-planned, never overwritten with the stale plan. Stage 2: an Image the import named again
 * is refused to the pruner's delete in the delete's own transaction, and stays.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { IMAGE_REFERENCES, type ImageStream } from '../../src/api/index.js'
import { NO_WORKLOADS, runPrune, type RunPruneOptions } from '../../src/pruner/index.js'
import { importInto, storePruneTarget } from '../../src/scheduler/index.js'
import { objectKey, type Store } from '../../src/storage/index.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import { exists } from '../../src/storage/testing/exists.js'
import { GatedStore } from '../../src/storage/testing/gated-store.js'
import { useRegistry } from '../harness/index.js'
import { IMPORT_POLICY, configKeyring, testClient } from './support.js'

describe('an import racing a prune', () => {
  const env = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  let dir: string
  let base: Store
  let store: GatedStore

  const importTag = async (tag: string, from: string) => {
    const { client } = testClient(env.reg)
    const keyring = configKeyring({ [env.reg.host]: 'alice:alice-pass' })
    const { isi } = await importInto(
      { store, client, policy: IMPORT_POLICY, globalKeyring: keyring },
      'team',
      {
        metadata: { name: 'app', namespace: 'team' },
        spec: {
          import: true,
          images: [{ from: { kind: 'DockerImage', name: from }, to: { name: tag } }],
        },
      },
    )
    const status = isi.status?.images?.[0]?.status
    assert.equal(status?.status, 'Success', status?.message)
  }
  const history = async (tag: string) =>
    (await base.get<ImageStream>(objectKey('imagestreams', 'app', 'team'))).status?.tags
      ?.find((t) => t.tag === tag)
      ?.items?.map((i) => i.image)
  const imageExists = (digest: string) => exists(base, objectKey('images', digest))
  // Everything imported is older than keep-younger-than as the pruner sees it.
  const options = (): RunPruneOptions => ({
    keepTagRevisions: 1,
    keepYoungerThanMs: 60 * 60_000,
    keepPulledWithinMs: 0,
    all: true,
    pruneOverSizeLimit: false,
    pruneRegistry: false,
    now: Date.now() + 2 * 60 * 60_000,
    confirm: true,
    numWorkers: 2,
    ignoreInvalidRefs: false,
  })

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-prune-race-'))
    base = await openSqliteStore({ path: join(dir, 'store.db'), references: IMAGE_REFERENCES })
    store = new GatedStore(base)
    // Tag a moved from the Docker image to the OCI one: the Docker image is history.
    await importTag('a', env.fx.dockerSingle.reference)
    await importTag('a', env.fx.ociSingle.reference)
    assert.deepEqual(await history('a'), [env.fx.ociSingle.digest, env.fx.dockerSingle.digest])
  })
  afterEach(async () => {
    await base.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('stage 2: an Image imported again while its delete waits is kept, with its history', async () => {
    const old = env.fx.dockerSingle.digest
    const hold = store.hold({ op: 'delete', resource: 'images', name: old })
    const pruning = runPrune(storePruneTarget({ store }), NO_WORKLOADS, options())
    await hold.reached
    // Stage 1 already took the old item out of tag a; tag b now names the Image again.
    assert.deepEqual(await history('a'), [env.fx.ociSingle.digest])
    await importTag('b', env.fx.dockerSingle.reference)
    hold.release()
    const result = await pruning

    assert.deepEqual(result.keptInUse, [old])
    assert.equal(result.summary.deletedImages, 0)
    assert.deepEqual(result.failures, [])
    assert.equal(await imageExists(old), true)
    assert.deepEqual(await history('b'), [old])
  })

  it('stage 1: a stream an import changed while its write waits is re-planned, not overwritten', async () => {
    const child = env.fx.ociIndex.children.find((c) => c.platform.architecture === 'arm64')!
    const hold = store.hold({ op: 'update', resource: 'imagestreams', name: 'app' })
    const pruning = runPrune(storePruneTarget({ store }), NO_WORKLOADS, options())
    await hold.reached
    await importTag('a', `${env.reg.host}/multi/oci-app@${child.digest}`)
    hold.release()
    const result = await pruning

    // The stale plan would have written [oci]; the re-plan keeps the import's newest item.
    assert.deepEqual(await history('a'), [child.digest])
    assert.equal(await imageExists(child.digest), true)
    assert.deepEqual(result.failures, [])
    assert.equal(await imageExists(env.fx.dockerSingle.digest), false)
  })
})
