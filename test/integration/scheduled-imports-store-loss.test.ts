/**
 * Scheduled checks across a store outage: a check that fails part way because the store cannot
 * be reached leaves its row leased, and the scheduler releases it once the store answers again,
 * so the tag is checked again at once rather than when its lease (ten minutes) ends.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { ImageStream } from '../../src/api/index.js'
import { ScheduledImports } from '../../src/scheduler/index.js'
import { objectKey, type ObjectKey, type Store } from '../../src/storage/index.js'
import { StoreUnavailableError } from '../../src/storage/store.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import { pollUntil, useRegistry } from '../harness/index.js'
import { IMPORT_POLICY, testClient } from './support.js'

const NS = 'team'

/** outageOf wraps a store so that its gets fail with Unavailable while `down()` says so. */
function outageOf(store: Store, down: () => boolean): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'get') {
        return (key: ObjectKey) =>
          down() ? Promise.reject(new StoreUnavailableError()) : target.get(key)
      }
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value
    },
  })
}

describe('scheduled imports across a store outage', () => {
  const env = useRegistry({ auth: 'none' })
  let dir: string
  let store: Store
  let scheduled: ScheduledImports | undefined
  const { client, agents } = testClient(undefined)
  const warnings: string[] = []

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-sched-loss-'))
    store = await openSqliteStore({ path: join(dir, 'db.sqlite') })
  })
  after(async () => {
    await scheduled?.stop()
    await store?.close()
    await agents.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('releases the row of a check the outage interrupted and checks it once the store is back', async () => {
    let down = false
    scheduled = new ScheduledImports({
      store: outageOf(store, () => down),
      client,
      policy: IMPORT_POLICY,
      intervalMs: 1000,
      pollMs: 50,
      jitter: 0,
      logger: { warn: (_context, message) => void warnings.push(message) },
    })
    await scheduled.start()
    down = true
    await store.create(objectKey('imagestreams', 'app', NS), {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'app', namespace: NS, generation: 1 },
      spec: {
        tags: [
          {
            name: 'v1',
            generation: 1,
            from: { kind: 'DockerImage', name: env.fx.ociSingle.reference },
            importPolicy: { scheduled: true, insecure: true },
          },
        ],
      },
    } satisfies ImageStream)
    await pollUntil('a check to fail on the outage', () =>
      Promise.resolve(warnings.includes('scheduled check failed')),
    )
    const [interrupted] = await store.schedule.list(NS)
    assert.equal(interrupted?.lastCheckAt, undefined, JSON.stringify(interrupted))
    down = false
    // The default lease is ten minutes: only a release lets the check run within the wait.
    await pollUntil(
      'the tag to be checked once the store answers',
      async () => (await store.schedule.list(NS))[0]?.lastCheckAt !== undefined,
      { timeoutMs: 60_000 },
    )
  })
})
