/**
 * The PostgreSQL backend of the Store, for replicas sharing one database; only cmd/ and tests
 * import it (docs/architecture.md#dependency-direction, docs/storage-postgres.md).
 */
export { openPostgresStore } from './postgres-store.js'
export type { PostgresStoreOptions } from './postgres-store.js'
export { exportPostgresDump, importPostgresDump } from './dump.js'
export type { DumpTarget } from './dump.js'
