/**
 * One `isctl serve` per data directory (docs/architecture.md#one-server-per-data-directory): a
 * lock file created with O_EXCL holds the owner's pid and, once bound, its address. Watch
 * fan-out is in memory and admin.kubeconfig names one address, so a second server on the same
 * directory would split the watchers' view and rewrite the kubeconfig. A lock left by a killed
 * server (kill -9, power loss) is stale once its pid is gone or is no `isctl serve`, and is taken
 * over. An SQLite database named by `--store sqlite:PATH` gets the same lock beside it, since
 * servers with different data dirs could otherwise open one file.
 */
import { readFileSync } from 'node:fs'
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** LOCK_FILE is the lock's name in the data dir. */
export const LOCK_FILE = 'serve.lock'

/** DataDirInUseError: another live server holds the data dir. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError'
  readonly pid: number

  constructor(dataDir: string, holder: LockContent) {
    const where = holder.address ? `, listening on ${holder.address}` : ''
    super(
      `data directory ${dataDir} is in use by another isctl serve (pid ${holder.pid}${where}); ` +
        'stop it first or choose another --data-dir',
    )
    this.pid = holder.pid
  }
}

/** DatabaseInUseError: another live server holds the SQLite database. */
export class DatabaseInUseError extends Error {
  override readonly name = 'DatabaseInUseError'
  readonly pid: number

  constructor(database: string, holder: LockContent) {
    const where = holder.address ? `, listening on ${holder.address}` : ''
    super(
      `database ${database} is in use by another isctl serve (pid ${holder.pid}${where}); ` +
        'stop it first, or serve several replicas from one PostgreSQL store (--store postgres://...)',
    )
    this.pid = holder.pid
  }
}

interface LockContent {
  readonly pid: number
  readonly address?: string
}

/** DataDirLock is a held lock; release it on shutdown. */
export interface DataDirLock {
  /** setAddress records the bound address for the message a second server prints. */
  setAddress(address: string): Promise<void>
  /** release removes the lock file if it is still this process's. */
  release(): Promise<void>
}

function parseLock(text: string): LockContent | undefined {
  try {
    const value = JSON.parse(text) as { pid?: unknown; address?: unknown }
    if (typeof value.pid !== 'number' || !Number.isSafeInteger(value.pid) || value.pid <= 0) {
      return undefined
    }
    return typeof value.address === 'string'
      ? { pid: value.pid, address: value.address }
      : { pid: value.pid }
  } catch {
    return undefined
  }
}

/** isServeProcess says whether pid is alive and, where /proc can tell, runs `isctl serve`. */
function isServeProcess(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    // EPERM: alive but another user's; it may well be a server on this directory.
    return err instanceof Error && 'code' in err && err.code === 'EPERM'
  }
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    return argv.includes('serve')
  } catch {
    // No /proc (not Linux): an alive pid is taken as the holder.
    return true
  }
}

/**
 * lockDataDir takes the data dir's lock or throws DataDirInUseError naming the holder. A lock
 * whose owner is gone, or that cannot be read (a crash between create and write), is removed
 * and taken.
 */
export function lockDataDir(dataDir: string): Promise<DataDirLock> {
  return takeLock(join(dataDir, LOCK_FILE), (holder) => new DataDirInUseError(dataDir, holder))
}

/** lockDatabase takes the lock `<database>.lock` beside an SQLite file, as lockDataDir does. */
export function lockDatabase(database: string): Promise<DataDirLock> {
  return takeLock(`${database}.lock`, (holder) => new DatabaseInUseError(database, holder))
}

async function takeLock(path: string, busy: (holder: LockContent) => Error): Promise<DataDirLock> {
  const readHolder = async () => parseLock(await readFile(path, 'utf8').catch(() => ''))
  // Written aside and linked into place: the lock never exists without its pid.
  const aside = `${path}.${process.pid}`
  await writeFile(aside, JSON.stringify({ pid: process.pid }), { mode: 0o600 })
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(aside, path)
        break
      } catch (err) {
        if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err
      }
      const holder = await readHolder()
      if (holder && holder.pid !== process.pid && isServeProcess(holder.pid)) {
        throw busy(holder)
      }
      // Stale; a second stale lock in a row means another server is racing for it.
      if (attempt > 0) throw new Error(`cannot take the lock ${path}: another server is starting`)
      await unlink(path).catch(() => undefined)
    }
  } finally {
    await unlink(aside).catch(() => undefined)
  }
  const stillMine = async () => (await readHolder())?.pid === process.pid
  return {
    setAddress: async (address) => {
      if (!(await stillMine())) return
      // Replaced by rename, so a reader never sees a half-written file.
      await writeFile(aside, JSON.stringify({ pid: process.pid, address }), { mode: 0o600 })
      await rename(aside, path)
    },
    release: async () => {
      if (await stillMine()) await unlink(path).catch(() => undefined)
    },
  }
}
