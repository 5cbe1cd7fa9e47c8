/**
 * `isctl serve migrate`: copies a single-node SQLite store into an empty PostgreSQL store, so
 * that several replicas can serve it (docs/storage-postgres.md#migrating-from-sqlite). The
 * source is read in one snapshot under the locks a server takes on it, the target is loaded
 * in one transaction, and both are then counted and hashed: a mismatch fails the command.
 */
import { existsSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import type { Command } from 'commander'
import type { CommandIO } from '../cli/io.js'
import { UsageError } from '../cli/errors.js'
import { summarizeDump } from '../storage/index.js'
import type { DumpSummary } from '../storage/index.js'
import { exportPostgresDump, importPostgresDump } from '../storage/postgres/index.js'
import { exportSqliteDump } from '../storage/sqlite/index.js'
import { lockDatabase, lockDataDir } from './data-dir-lock.js'
import type { DataDirLock } from './data-dir-lock.js'
import { STORE_FILE, parseStoreFlag, redactStoreURL } from './serve-options.js'

/** ServeMigrateFlags are the flags of `serve migrate` as commander hands them over. */
export interface ServeMigrateFlags {
  readonly from?: string | undefined
  readonly to?: string | undefined
}

const DESCRIPTION = [
  'Copy a single-node SQLite store into an empty PostgreSQL store, which several servers can then share (docs/storage-postgres.md).',
  "Every object (internal ones such as pull grants included), the revision counter, the watch history still retained and the scheduled-import queue with its state are copied unchanged: resourceVersions, uids and creation timestamps stay as they were, the next write takes the revision after the source's last, and clients may resume their watches on the new store. The reference index is rebuilt by the first server that opens it.",
  'Stop the server first: the command refuses an SQLite file whose server is running, and a target that holds any data (nothing is written then). When the copy is done, both sides are counted (objects per resource, events, queue rows) and hashed (SHA-256 over the stored rows in key order); the figures are printed, and a mismatch exits with status 1.',
  'The identity of a single server (CA, admin token, service-account signing key) lives in its data directory, not in the store, and is not copied: servers on the PostgreSQL store create a shared one in it, so fetch admin.kubeconfig again and reissue service-account tokens.',
].join('\n\n')

const EXAMPLES = `
Examples:
  # Move a data dir's database to PostgreSQL, then serve from it
  isctl serve migrate --from sqlite:/var/lib/isctl/imagestreams.db \\
    --to postgres://imagestreams@db.example.com:5432/imagestreams
  isctl serve --data-dir /var/lib/isctl --store postgres://imagestreams@db.example.com:5432/imagestreams
`

/** configureServeMigrateCommand declares the flags and help of `serve migrate` on `cmd`. */
export function configureServeMigrateCommand(cmd: Command): Command {
  return cmd
    .summary('Copy an SQLite store into an empty PostgreSQL store')
    .description(DESCRIPTION)
    .addHelpText('after', EXAMPLES)
    .option('--from <store>', 'The store to copy: sqlite:PATH (the server must be stopped)')
    .option(
      '--to <store>',
      'The empty store to fill: postgres://USER@HOST:PORT/DB (password from PGPASSWORD or ~/.pgpass)',
    )
}

function describe(summary: DumpSummary): string[] {
  const resources = Object.entries(summary.objects)
  const total = resources.reduce((n, [, count]) => n + count, 0)
  return [
    `  revision ${summary.revision.current} (history compacted up to ${summary.revision.compacted})`,
    `  objects ${total}: ${resources.map(([r, n]) => `${r}=${n}`).join(' ') || 'none'}`,
    `  events ${summary.events}, schedule rows ${summary.schedule}`,
    `  sha256 ${summary.sha256}`,
  ]
}

async function lockSource(path: string): Promise<DataDirLock[]> {
  const locks: DataDirLock[] = []
  try {
    // A data dir's own database is covered by the data dir's lock; any file also by its own.
    if (basename(path) === STORE_FILE) locks.push(await lockDataDir(dirname(path)))
    locks.push(await lockDatabase(path))
    return locks
  } catch (error) {
    await Promise.all(locks.map((l) => l.release()))
    throw error
  }
}

/** executeServeMigrate runs `serve migrate`; resolves to the exit code. */
export async function executeServeMigrate(
  flags: ServeMigrateFlags,
  io: CommandIO,
): Promise<number> {
  if (flags.from === undefined || flags.from === '') {
    throw new UsageError('--from is required: sqlite:PATH', { seeHelp: true })
  }
  if (flags.to === undefined || flags.to === '') {
    throw new UsageError('--to is required: postgres://USER@HOST:PORT/DB', { seeHelp: true })
  }
  const from = parseStoreFlag(flags.from, undefined, '', '--from')
  const to = parseStoreFlag(flags.to, undefined, '', '--to')
  if (from.kind !== 'sqlite') {
    throw new UsageError('--from must be an SQLite store, sqlite:PATH', { seeHelp: true })
  }
  if (to.kind !== 'postgres') {
    throw new UsageError('--to must be a PostgreSQL store, postgres://USER@HOST:PORT/DB', {
      seeHelp: true,
    })
  }
  const path = resolve(from.path)
  if (!existsSync(path)) throw new UsageError(`--from: ${path} does not exist`)
  const target = { url: to.url }
  const shownTarget = redactStoreURL(to.url)

  const locks = await lockSource(path)
  let source: DumpSummary
  try {
    const dump = exportSqliteDump(path)
    source = summarizeDump(dump)
    await importPostgresDump(target, dump)
  } finally {
    await Promise.all(locks.map((l) => l.release()))
  }
  const copied = summarizeDump(await exportPostgresDump(target))
  io.stdout.write(
    [
      `source sqlite:${path}`,
      ...describe(source),
      `target ${shownTarget}`,
      ...describe(copied),
      '',
    ].join('\n'),
  )
  if (JSON.stringify(source) !== JSON.stringify(copied)) {
    io.stderr.write('error: the target does not match the source (see the figures above)\n')
    return 1
  }
  io.stdout.write('migrated: counts and checksums match\n')
  return 0
}
