/**
 * Background imports of spec tags, as OpenShift's ImageStreamController does them: a stream
 * created or changed in the store gets its DockerImage tags imported from the real registry.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { ImageStream } from '../../src/api/index.js'
import { parsePlatform } from '../../src/registry/index.js'
import { TagImportController } from '../../src/scheduler/index.js'
import { objectKey, type Store } from '../../src/storage/index.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import { useRegistry } from '../harness/index.js'
import { testClient } from './support.js'

describe('tag import controller', () => {
  const env = useRegistry({ auth: 'none' })
  let dir: string
  let store: Store
  let controller: TagImportController
  const stop = new AbortController()
  let running: Promise<void>

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-ctrl-'))
    store = await openSqliteStore({ path: join(dir, 'db.sqlite') })
    controller = new TagImportController({
      store,
      client: testClient(env.reg).client,
      policy: {
        defaultImportMode: 'Legacy',
        platform: parsePlatform('linux/amd64'),
        maxImagesBulkImportedPerRepository: 50,
        concurrency: 4,
      },
      logger: { warn: () => {} },
    })
    running = controller.run(stop.signal)
  })
  after(async () => {
    stop.abort()
    await running
    await store?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const key = objectKey('imagestreams', 'app', 'team')
  const stream = (tags: NonNullable<ImageStream['spec']>['tags']): ImageStream => ({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 'app', namespace: 'team', generation: 1 },
    spec: { tags },
  })
  const until = async (check: (s: ImageStream) => boolean): Promise<ImageStream> => {
    for (;;) {
      await controller.settled()
      const s = await store.get<ImageStream>(key)
      if (check(s)) return s
      await new Promise((r) => setImmediate(r))
    }
  }

  it('imports a new DockerImage tag, insecurely as its policy says, and leaves reference tags alone', async () => {
    await store.create(
      key,
      stream([
        {
          name: 'v1',
          generation: 1,
          from: { kind: 'DockerImage', name: env.fx.dockerSingle.reference },
          importPolicy: { insecure: true },
        },
        {
          name: 'ref',
          generation: 1,
          reference: true,
          from: { kind: 'DockerImage', name: 'example.com/x:y' },
        },
      ]),
    )
    const s = await until((x) => (x.status?.tags ?? []).length > 0)
    const v1 = s.status?.tags?.find((t) => t.tag === 'v1')
    assert.equal(v1?.items?.[0]?.image, env.fx.dockerSingle.digest)
    assert.equal(
      s.status?.tags?.find((t) => t.tag === 'ref'),
      undefined,
    )
  })

  it('re-imports a tag whose generation is reset to 0 by a new stream generation', async () => {
    const before = await store.get<ImageStream>(key)
    const g = (before.metadata.generation ?? 1) + 1
    const next = structuredClone(before)
    next.metadata.generation = g
    // Tags are stored sorted by name ('ref' before 'v1'), so they are found by name.
    const v1 = next.spec!.tags!.find((t) => t.name === 'v1')!
    v1.from = { kind: 'DockerImage', name: env.fx.ociSingle.reference }
    v1.generation = g
    await store.update(key, next)
    const history = (x: ImageStream) => x.status?.tags?.find((t) => t.tag === 'v1')?.items
    const s = await until((x) => history(x)?.[0]?.image === env.fx.ociSingle.digest)
    assert.equal(history(s)?.length, 2)
  })

  it('records a failure once instead of looping', async () => {
    const before = await store.get<ImageStream>(key)
    const g = (before.metadata.generation ?? 1) + 1
    const next = structuredClone(before)
    next.metadata.generation = g
    next.spec!.tags!.push({
      name: 'broken',
      generation: g,
      from: { kind: 'DockerImage', name: `${env.reg.host}/nope/nothing:1` },
      importPolicy: { insecure: true },
    })
    await store.update(key, next)
    const s = await until((x) =>
      Boolean(x.status?.tags?.find((t) => t.tag === 'broken')?.conditions),
    )
    const rv = s.metadata.resourceVersion
    await controller.settled()
    const later = await store.get<ImageStream>(key)
    assert.equal(later.metadata.resourceVersion, rv)
    assert.equal(
      later.status?.tags?.find((t) => t.tag === 'broken')?.conditions?.[0]?.reason,
      'NotFound',
    )
  })
})
