/** The embedded SQLite backend of the Store; only cmd/ and tests import it (DESIGN.md). */
export { openSqliteStore } from './sqlite-store.js'
export type { SqliteStoreOptions } from './sqlite-store.js'
