/**
 * A PostgreSQL database of a bench run's own on the local server (or IMAGESTREAMS_TEST_POSTGRES),
 * created with a unique name and dropped at the end, and the CPU its server processes spend:
 * each connection is a backend process, whose /proc stat counts its CPU time.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { cpuSecondsOf } from './proc.js'

const SERVER = process.env.IMAGESTREAMS_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432'

/** BenchDatabase is one created database and a superuser connection to it. */
export interface BenchDatabase {
  readonly url: string
  readonly name: string
  /** admin runs a statement in the database as the server's superuser. */
  admin(sql: string, params?: unknown[]): Promise<pg.QueryResult>
  /** backendCpu reads the CPU seconds of every backend connected to this database, by pid. */
  backendCpu(): Promise<Map<number, number>>
  /** drop closes the admin connection and drops the database. */
  drop(): Promise<void>
}

/** createBenchDatabase creates a database named after the bench and this process. */
export async function createBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
  const server = new pg.Client({ connectionString: `${SERVER}/postgres` })
  await server.connect()
  await server.query(`CREATE DATABASE ${name}`)
  const url = `${SERVER}/${name}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  return {
    url,
    name,
    admin: (sql, params) => admin.query(sql, params),
    async backendCpu() {
      const { rows } = await admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      )
      const cpu = new Map<number, number>()
      for (const { pid } of rows) {
        try {
          cpu.set(pid, cpuSecondsOf(pid))
        } catch {
          // A backend that ended since the query.
        }
      }
      return cpu
    },
    async drop() {
      await admin.end()
      await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await server.end()
    },
  }
}

/**
 * cpuSpent is the CPU the backends in `after` spent since `before`; a backend that started
 * between counts from zero. One that ended between is missed, so rounds are kept short of the
 * pool's 30 s idle timeout.
 */
export function cpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0
  for (const [pid, seconds] of after) spent += seconds - (before.get(pid) ?? 0)
  return spent
}
