/**
 * openStore opens the backend `--store` names (docs/architecture.md#several-replicas): the
 * embedded SQLite file, or a PostgreSQL database that several servers share. The only place
 * that knows the concrete backends, beside the tests.
 */
import type { Store, StoreOptions } from '../storage/index.js'
import { openSqliteStore, type SqliteStoreOptions } from '../storage/sqlite/index.js'
import type { StoreLocation } from './serve-options.js'

/** OpenStoreOptions are the common store options plus the SQLite backend's own. */
export interface OpenStoreOptions extends StoreOptions {
  /** Called when writes start or stop failing for want of disk space (SQLite only). */
  readonly onSpaceChange?: SqliteStoreOptions['onSpaceChange']
  /** Resources whose committed text the store keeps in memory for reads (SQLite only). */
  readonly cachedResources?: SqliteStoreOptions['cachedResources']
}

/** openStore opens (creating or migrating) the store at `location`. */
export async function openStore(
  location: StoreLocation,
  options: OpenStoreOptions,
): Promise<Store> {
  switch (location.kind) {
    case 'sqlite':
      return openSqliteStore({ ...options, path: location.path })
    case 'postgres': {
      // SQLite's own options (disk-space events, read cache) do not apply to a shared database.
      const { onSpaceChange: _space, cachedResources: _cached, ...common } = options
      // Loaded only here: pg and the backend are ~90 ms of a start that does not use them.
      const { openPostgresStore } = await import('../storage/postgres/index.js')
      return openPostgresStore({ ...common, url: location.url })
    }
  }
}

/** isSharedStore says whether several servers may share the store, so their identity must live in it. */
export function isSharedStore(location: StoreLocation): boolean {
  return location.kind === 'postgres'
}
