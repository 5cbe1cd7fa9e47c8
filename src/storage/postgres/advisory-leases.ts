/**
 * Store.singleton on PostgreSQL: a named lease is the in-process grant (LocalSingletons) plus a
 * session-level advisory lock (pg_try_advisory_lock) held by a connection of its own, so it
 * excludes every replica on the same schema and ends, on the server's side, the moment that
 * connection does (https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS).
 */
import pg from 'pg'
import { LocalSingletons } from '../local-singletons.js'
import type { SingletonLease } from '../store.js'
import { clientConfig, type ConnectionSettings } from './connection.js'
import { asStoreError } from './errors.js'

/** AdvisoryLeases hands out the named leases of one store instance. */
export class AdvisoryLeases {
  readonly #settings: ConnectionSettings
  readonly #local = new LocalSingletons()
  readonly #clients = new Set<pg.Client>()

  constructor(settings: ConnectionSettings) {
    this.#settings = settings
  }

  /** take grants `name` when neither this instance nor another replica holds it. */
  async take(name: string, signal: AbortSignal): Promise<SingletonLease | undefined> {
    const client = new pg.Client(clientConfig(this.#settings))
    // Unlocking is ending the session: the server drops its advisory locks with it.
    const end = async (): Promise<void> => {
      this.#clients.delete(client)
      await client.end().catch(() => undefined)
    }
    const lease = this.#local.tryTake(name, signal, end)
    if (!lease) return undefined
    this.#clients.add(client)
    // A connection that drops takes the lock with it: the holder must stop.
    client.on('error', () => void lease.release())
    client.on('end', () => void lease.release())
    try {
      await client.connect()
      const [row] = (
        await client.query<{ held: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS held',
          [`imagestreams-lease:${this.#settings.schema}`, name],
        )
      ).rows
      if (row?.held !== true) {
        await lease.release()
        return undefined
      }
    } catch (error) {
      await lease.release()
      throw asStoreError(error)
    }
    return lease
  }

  /** close ends every lease and closes their connections. */
  async close(): Promise<void> {
    this.#local.closeAll()
    await Promise.all([...this.#clients].map((client) => client.end().catch(() => undefined)))
    this.#clients.clear()
  }
}
