/**
 * Connections to the store's PostgreSQL schema: a pool for queries and transactions, and
 * single clients (the LISTEN connection) with the same settings. Every connection's
 * search_path names the store's schema, so the SQL elsewhere never qualifies a table.
 */
import pg from 'pg'
import type { ClientConfig, PoolClient, QueryResultRow } from 'pg'
import { StoreUnavailableError } from '../store.js'
import { asStoreError } from './errors.js'

/** ConnectionSettings are what every connection of one store shares. */
export interface ConnectionSettings {
  readonly url: string
  readonly schema: string
  readonly applicationName: string
  readonly connectTimeoutMs: number
}

// bigint columns (revisions, ms timestamps, counts) as numbers: all stay below 2^53.
const types = new pg.TypeOverrides()
types.setTypeParser(pg.types.builtins.INT8, (text: string) => Number(text))

/** clientConfig is the node-postgres configuration of one connection. */
export function clientConfig(settings: ConnectionSettings): ClientConfig {
  return {
    connectionString: settings.url,
    application_name: settings.applicationName,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    // TCP keepalives from 10 s of silence, so the OS notices a dead peer on idle connections.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // The schema name is checked to be a plain identifier (see the store's options).
    options: `-c search_path=${settings.schema}`,
    types,
  }
}

/** Queryable is a pool or a client: what runs one statement. */
export interface Queryable {
  query<R extends QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>
}

/** rows runs one statement and returns its rows; driver errors become store errors. */
export async function rows<R extends QueryResultRow>(
  on: Queryable,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  try {
    return (await on.query<R>(sql, params)).rows
  } catch (error) {
    throw asStoreError(error)
  }
}

/** changed runs one statement and returns how many rows it changed. */
export async function changed(on: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  try {
    return (await on.query(sql, params)).rowCount ?? 0
  } catch (error) {
    throw asStoreError(error)
  }
}

/** Pool is the store's connection pool. */
export class Pool {
  private readonly pool: pg.Pool

  constructor(settings: ConnectionSettings, size: number, onIdleError: (error: unknown) => void) {
    this.pool = new pg.Pool({ ...clientConfig(settings), max: size, idleTimeoutMillis: 30_000 })
    // An idle connection that drops (server restart) is discarded by the pool; without a
    // listener the error would crash the process.
    this.pool.on('error', (error) => onIdleError(asStoreError(error)))
  }

  get queryable(): Queryable {
    return this.pool
  }

  /**
   * withClient runs fn on a connection of its own. A connection that failed is destroyed
   * rather than returned to the pool.
   */
  async withClient<R>(fn: (client: PoolClient, discard: () => void) => Promise<R>): Promise<R> {
    let client: PoolClient
    try {
      client = await this.pool.connect()
    } catch (error) {
      throw asStoreError(error)
    }
    let broken = false
    // A checked-out connection that drops between queries reports it as an 'error' event,
    // which would crash the process without a listener; the next query fails anyway.
    const onError = (): void => {
      broken = true
    }
    client.on('error', onError)
    try {
      return await fn(client, onError)
    } catch (error) {
      broken ||= isConnectionFailure(error)
      throw error
    } finally {
      client.off('error', onError)
      client.release(broken)
    }
  }

  /**
   * snapshot runs fn in a read-only REPEATABLE READ transaction: every statement sees the same
   * committed state.
   */
  snapshot<R>(fn: (client: PoolClient) => Promise<R>): Promise<R> {
    return this.withClient(async (client, discard) => {
      await rows(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      try {
        const result = await fn(client)
        await rows(client, 'COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(discard)
        throw error
      }
    })
  }

  end(): Promise<void> {
    return this.pool.end()
  }
}

/**
 * isConnectionFailure tells whether an error (as rows() throws it) means the connection it came
 * from is unusable.
 */
export function isConnectionFailure(error: unknown): boolean {
  return error instanceof StoreUnavailableError
}
