/**
 * The embedded SQLite backend of the Store; only cmd/ and tests import it
 * (docs/architecture.md#dependency-direction).
 */
export { openSqliteStore } from './sqlite-store.js'
export type { SqliteStoreOptions } from './sqlite-store.js'
export { exportSqliteDump } from './dump.js'
