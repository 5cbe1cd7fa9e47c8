/**
 * A private PostgreSQL cluster for one test: initdb into a temp dir, trust authentication, the
 * server on 127.0.0.1 at a free port with a socket dir of its own, stopped with pg_ctl in any
 * shutdown mode and started again on the same port and data. Unlike the machine's shared server,
 * a test may stop and restart it at will. The postmaster is a child of the test process, so a
 * crashed test's exit hook kills it (its backends follow the postmaster's death).
 * https://www.postgresql.org/docs/15/app-pg-ctl.html
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import {
  freePort,
  makeTempDir,
  pollUntil,
  removeTempDir,
  runCommand,
  trackChild,
} from './process.js'

/** The tools a cluster needs from a PostgreSQL server installation. */
const TOOLS = ['initdb', 'pg_ctl', 'postgres'] as const

/** What to install when the server binaries are missing (Debian 12's PostgreSQL 15). */
export const POSTGRES_INSTALL = 'apt-get install -y postgresql-15'

/** The shutdown modes of pg_ctl stop: smart waits for clients, fast ends them, immediate aborts. */
export type ShutdownMode = 'smart' | 'fast' | 'immediate'

/** PostgresCluster is a running (or stopped) private cluster. */
export interface PostgresCluster {
  readonly port: number
  /** The URL of a database of the cluster, as the superuser `postgres` (trust authentication). */
  url(database?: string): string
  /** query runs one statement on a fresh connection, so it works across restarts. */
  query(sql: string, params?: unknown[], database?: string): Promise<pg.QueryResult>
  /** The postmaster's pid while it runs. */
  readonly pid: number | undefined
  /** stop shuts the server down with pg_ctl and waits for the postmaster to exit. */
  stop(mode: ShutdownMode): Promise<void>
  /** start runs the server again on the same port and data, once it accepts connections. */
  start(): Promise<void>
  /** restart is stop(mode) then start(). */
  restart(mode: ShutdownMode): Promise<void>
  /** The server's log (its stderr) so far, for failure messages. */
  log(): string
  /** destroy stops the server (immediate) and removes its files. */
  destroy(): Promise<void>
}

/** postgresBinDir finds the newest /usr/lib/postgresql/N/bin holding the server's tools. */
export function postgresBinDir(root = '/usr/lib/postgresql'): string {
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : []
  for (const version of versions) {
    const bin = join(root, version, 'bin')
    if (TOOLS.every((tool) => existsSync(join(bin, tool)))) return bin
  }
  throw new Error(
    `the PostgreSQL server binaries (${TOOLS.join(', ')}) are missing under ${root}/*/bin: ` +
      `install them with \`${POSTGRES_INSTALL}\``,
  )
}

/** The account initdb, pg_ctl and postgres run as: they refuse root, so root runs them as `postgres`. */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'postgres')
  if (!entry) {
    throw new Error(
      `running as root, the cluster needs the OS user postgres, which is missing: install it with \`${POSTGRES_INSTALL}\``,
    )
  }
  return { uid: Number(entry[2]), gid: Number(entry[3]) }
}

/** The most of the server's log kept in memory. */
const MAX_LOG = 256 * 1024

/** startPostgresCluster creates a cluster in a temp dir and starts it. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBinDir()
  const account = serverAccount()
  const root = makeTempDir('postgres')
  const data = join(root, 'data')
  const sockets = join(root, 'sockets')
  mkdirSync(sockets, { mode: 0o700 })
  if (account) {
    for (const dir of [root, sockets]) chownSync(dir, account.uid, account.gid)
  }
  const as = { ...account, cwd: root, env: { PATH: process.env.PATH, LANG: 'C.UTF-8' } }
  try {
    await runCommand(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
      as,
    )
  } catch (error) {
    await removeTempDir(root)
    throw error
  }
  const port = await freePort()
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()
  let log = ''
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`

  const query = async (sql: string, params?: unknown[], database?: string) => {
    const client = new pg.Client({
      connectionString: url(database),
      connectionTimeoutMillis: 10_000,
    })
    // A server going away mid-query reports an 'error' event besides the failed query.
    client.on('error', () => undefined)
    await client.connect()
    try {
      return await client.query(sql, params)
    } finally {
      await client.end().catch(() => undefined)
    }
  }

  const start = async (): Promise<void> => {
    if (child) throw new Error('the PostgreSQL cluster is already running')
    const server = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        sockets,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'max_connections=100',
        '-c',
        'shared_buffers=16MB',
      ],
      {
        cwd: root,
        env: as.env,
        stdio: ['ignore', 'ignore', 'pipe'],
        ...(account && { uid: account.uid, gid: account.gid }),
      },
    )
    trackChild(server)
    child = server
    server.stderr.on('data', (b: Buffer) => {
      log = (log + b.toString('utf8')).slice(-MAX_LOG)
    })
    exited = new Promise((resolve) =>
      server.once('exit', () => {
        if (child === server) child = undefined
        resolve()
      }),
    )
    await pollUntil(
      'the private PostgreSQL cluster to accept connections',
      async () => {
        await query('SELECT 1')
        return true
      },
      {
        timeoutMs: 120_000,
        intervalMs: 100,
        abort: () =>
          server.exitCode === null && server.signalCode === null
            ? undefined
            : new Error(`postgres exited ${server.exitCode ?? server.signalCode}: ${log}`),
      },
    )
  }

  const stop = async (mode: ShutdownMode): Promise<void> => {
    if (!child) return
    await runCommand(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', mode, '-w', '-t', '120'], as)
    await exited
  }

  const cluster: PostgresCluster = {
    port,
    url,
    query,
    get pid() {
      return child?.pid
    },
    stop,
    start,
    async restart(mode) {
      await stop(mode)
      await start()
    },
    log: () => log,
    async destroy() {
      try {
        await stop('immediate')
      } catch {
        child?.kill('SIGKILL')
        await exited
      }
      await removeTempDir(root)
    },
  }
  try {
    await start()
  } catch (error) {
    await cluster.destroy()
    throw error
  }
  return cluster
}
