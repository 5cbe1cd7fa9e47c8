/** The PostgreSQL backend: the shared conformance suite, plus what several replicas share. */
import { runStoreConformance } from '../testing/conformance.js'
import type { Store, StoreOptions } from '../store.js'
import { openPostgresStore } from './index.js'
import { testDatabase } from './testing/database.js'

const database = testDatabase()

runStoreConformance('postgres', async (options: StoreOptions) => {
  const db = await database()
  const schema = db.schema()
  let store: Store = await openPostgresStore({ ...options, url: db.url, schema })
  return {
    get store() {
      return store
    },
    async close() {
      await store.close()
      await db.dropSchema(schema)
    },
    async reopen(reopened: StoreOptions = options) {
      await store.close()
      store = await openPostgresStore({ ...reopened, url: db.url, schema })
      return store
    },
  }
})
