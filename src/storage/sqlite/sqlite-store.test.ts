/** The SQLite backend: the shared conformance suite, plus SQLite-specific crash safety. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStoreConformance } from '../testing/conformance.js'
import type { Store, StoreOptions } from '../store.js'
import { openSqliteStore } from './index.js'

runStoreConformance('sqlite', async (options: StoreOptions) => {
  const dir = await mkdtemp(join(tmpdir(), 'imagestreams-store-'))
  const path = join(dir, 'store.db')
  let store: Store = await openSqliteStore({ ...options, path })
  return {
    get store() {
      return store
    },
    async close() {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
    async reopen() {
      await store.close()
      store = await openSqliteStore({ ...options, path })
      return store
    },
  }
})
