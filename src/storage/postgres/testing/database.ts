/**
 * A PostgreSQL database of a test file's own on the server the tests use: created on first use
 * with a unique name, dropped when the file's tests end. Stores of one test live in a schema of
 * their own, so a test costs a CREATE SCHEMA rather than a CREATE DATABASE (whose DROP waits
 * for a checkpoint). A server that cannot be reached fails the test.
 */
import { randomBytes } from 'node:crypto'
import { after } from 'node:test'
import pg from 'pg'

/** The server the tests use: IMAGESTREAMS_TEST_POSTGRES or the local one, trust auth. */
export const TEST_SERVER =
  process.env.IMAGESTREAMS_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432'

/** TestDatabase is a database of its own for one test file. */
export interface TestDatabase {
  /** The URL of the database. */
  readonly url: string
  readonly name: string
  /** admin runs a statement as the server's superuser in the test database. */
  admin(sql: string, params?: unknown[]): Promise<pg.QueryResult>
  /** schema returns a fresh schema name (the database goes with everything in it). */
  schema(): string
  /** dropSchema drops a schema and everything in it. */
  dropSchema(schema: string): Promise<void>
}

/**
 * testDatabase registers the file's database, to be called at the top of a test file: the
 * returned function creates it on first call (later calls return it), and it is dropped after
 * the file's tests.
 */
export function testDatabase(): () => Promise<TestDatabase> {
  let created: Promise<{ database: TestDatabase; drop: () => Promise<void> }> | undefined
  after(async () => {
    if (created) await (await created).drop()
  })
  return async () => {
    created ??= create()
    return (await created).database
  }
}

async function create(): Promise<{ database: TestDatabase; drop: () => Promise<void> }> {
  const name = `isp_${process.pid}_${randomBytes(4).toString('hex')}`
  const server = new pg.Client({ connectionString: `${TEST_SERVER}/postgres` })
  await server.connect()
  await server.query(`CREATE DATABASE ${name}`)
  const url = `${TEST_SERVER}/${name}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  const drop = async (): Promise<void> => {
    await admin.end()
    await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await server.end()
  }
  let schemas = 0
  const database: TestDatabase = {
    url,
    name,
    admin: (sql, params) => admin.query(sql, params),
    schema: () => `t${++schemas}`,
    async dropSchema(schema) {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    },
  }
  return { database, drop }
}
