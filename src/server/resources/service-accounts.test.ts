/**
 * The ServiceAccounts every namespace has (`default`, `builder`, `deployer`), as OpenShift keeps
 * them: made with the namespace, on start for namespaces that lack them, and again when one is
 * deleted, but never in a namespace being deleted.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import type { Namespace, ServiceAccount } from '../../api/index.js'
import { objectKey } from '../../storage/index.js'
import { openSqliteStore } from '../../storage/sqlite/index.js'
import { pollUntil } from '../../../test/harness/process.js'
import { ensureDefaults } from './namespaces.js'
import { startFixture, type Fixture } from './testing/fixture.js'

const ACCOUNTS = ['builder', 'default', 'deployer']

void describe('ensureDefaults', () => {
  void it('gives every namespace already stored the accounts it lacks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'service-accounts-'))
    const store = await openSqliteStore({ path: join(dir, 'store.db') })
    try {
      // A namespace from before builder and deployer were made, with its default account.
      await store.create<Namespace>(objectKey('namespaces', 'old'), {
        kind: 'Namespace',
        apiVersion: 'v1',
        metadata: { name: 'old' },
      })
      const kept = await store.create<ServiceAccount>(
        objectKey('serviceaccounts', 'default', 'old'),
        {
          kind: 'ServiceAccount',
          apiVersion: 'v1',
          metadata: { name: 'default', namespace: 'old' },
        },
      )
      await ensureDefaults(store)
      for (const namespace of ['default', 'old']) {
        const list = await store.list<ServiceAccount>('serviceaccounts', { namespace })
        assert.deepEqual(
          list.items.map((sa) => sa.metadata.name),
          ACCOUNTS,
          namespace,
        )
      }
      const still = await store.get<ServiceAccount>(objectKey('serviceaccounts', 'default', 'old'))
      assert.equal(still.metadata.uid, kept.metadata.uid)
    } finally {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

void describe('the service account controller', () => {
  let fx: Fixture
  before(async () => {
    fx = await startFixture()
    await fx.createNamespace('team-a')
  })
  after(() => fx.close())

  const accounts = async (namespace: string) =>
    (await fx.store.list<ServiceAccount>('serviceaccounts', { namespace })).items

  void it('makes a deleted deployer again, with a new uid', async () => {
    const before = (await accounts('team-a')).find((sa) => sa.metadata.name === 'deployer')
    const res = await fx.request({
      method: 'DELETE',
      url: '/api/v1/namespaces/team-a/serviceaccounts/deployer',
    })
    assert.equal(res.statusCode, 200, res.body)
    await pollUntil('deployer to be made again', async () =>
      (await accounts('team-a')).some(
        (sa) => sa.metadata.name === 'deployer' && sa.metadata.uid !== before?.metadata.uid,
      ),
    )
  })

  void it('gives a namespace stored without them its accounts', async () => {
    await fx.store.create<Namespace>(objectKey('namespaces', 'restored'), {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'restored' },
    })
    await pollUntil(
      'the accounts of restored',
      async () => (await accounts('restored')).length === 3,
    )
  })

  void it('leaves a deleted namespace empty', async () => {
    await fx.createNamespace('gone')
    const res = await fx.request({ method: 'DELETE', url: '/api/v1/namespaces/gone' })
    assert.equal(res.statusCode, 200, res.body)
    await pollUntil('gone to be deleted', async () =>
      (await fx.store.list('namespaces')).items.every((ns) => ns.metadata.name !== 'gone'),
    )
    // Time for a controller that wrongly made them again.
    await delay(200)
    assert.deepEqual(await accounts('gone'), [])
  })
})
