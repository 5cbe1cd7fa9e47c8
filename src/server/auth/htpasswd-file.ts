/**
 * The users of `isctl serve --htpasswd FILE`, kept current while the server runs: a change to
 * the file (fs.watch on its folder, since editors and `htpasswd` may replace it) and a stat
 * before each password check (as OpenShift's HTPasswd provider compares the file's modification
 * time) re-read it. A file that cannot be read, or is caught half-written, keeps the previous
 * users and says why in the log (docs/access-control.md#users-and-login).
 */
import { watch, type FSWatcher } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import {
  bcryptRounds,
  dummyHash,
  parseHtpasswd,
  verifyPassword,
  type HtpasswdEntry,
  type ParsedHtpasswd,
} from './htpasswd.js'

/** HtpasswdLogger is the part of the server's logger the file uses; never handed a password. */
export interface HtpasswdLogger {
  info(context: object, message: string): void
  warn(context: object, message: string): void
}

/** PasswordChecker tells whether a user name and password are right. */
export interface PasswordChecker {
  check(user: string, password: string): Promise<boolean>
}

/** HtpasswdLoadError: the file cannot be used at start (unreadable or malformed). */
export class HtpasswdLoadError extends Error {
  override readonly name = 'HtpasswdLoadError'
  readonly code = 'HtpasswdLoad'
}

/** Cost of the dummy comparison when the file has no bcrypt entry: bcryptjs' default. */
const DEFAULT_ROUNDS = 10
/** Events of one save (truncate, write, rename) are read once, after they settle. */
const SETTLE_MS = 50

interface FileStamp {
  readonly ino: number
  readonly size: number
  readonly mtimeMs: number
}

/** UNREADABLE stands for a file stat could not read, so that the problem is logged once. */
const UNREADABLE: FileStamp = { ino: -1, size: -1, mtimeMs: -1 }

const sameStamp = (a: FileStamp | undefined, b: FileStamp): boolean =>
  a !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs

function problemText(err: unknown): string {
  if (err instanceof Error && 'code' in err) {
    if (err.code === 'ENOENT') return 'no such file or directory'
    if (err.code === 'EACCES') return 'permission denied'
    if (err.code === 'EISDIR') return 'is a directory'
  }
  return err instanceof Error ? err.message : String(err)
}

/** HtpasswdFile holds the users of one htpasswd file; open it with HtpasswdFile.open. */
export class HtpasswdFile implements PasswordChecker {
  readonly path: string
  readonly #logger: HtpasswdLogger
  #users: ReadonlyMap<string, HtpasswdEntry> = new Map()
  #rounds = DEFAULT_ROUNDS
  #stamp: FileStamp | undefined
  #watcher: FSWatcher | undefined
  #timer: NodeJS.Timeout | undefined
  #reading: Promise<void> | undefined

  private constructor(path: string, logger: HtpasswdLogger) {
    this.path = path
    this.#logger = logger
  }

  /** open reads the file (failing if it cannot be used) and starts watching it. */
  static async open(path: string, logger: HtpasswdLogger): Promise<HtpasswdFile> {
    const file = new HtpasswdFile(path, logger)
    let text: string
    let stamp: FileStamp
    try {
      stamp = await stat(path)
      text = await readFile(path, 'utf8')
    } catch (err) {
      throw new HtpasswdLoadError(`unable to read --htpasswd: ${path}: ${problemText(err)}`)
    }
    const parsed = parseHtpasswd(text)
    const malformed = parsed.problems.find((p) => p.malformed)
    if (malformed) {
      throw new HtpasswdLoadError(
        `--htpasswd: ${path}: line ${malformed.line}: ${malformed.reason}`,
      )
    }
    file.#take(parsed, stamp)
    file.#watch()
    return file
  }

  /** users are the names that can log in now, sorted. */
  get users(): string[] {
    return [...this.#users.keys()].sort()
  }

  /** check re-reads the file if it changed, then verifies the password (one bcrypt comparison, always). */
  async check(user: string, password: string): Promise<boolean> {
    await this.refresh()
    return verifyPassword(this.#users.get(user), password, this.#rounds)
  }

  /** refresh re-reads the file when its size, time or inode changed since the last read. */
  async refresh(): Promise<void> {
    while (this.#reading) await this.#reading
    let stamp: FileStamp
    try {
      stamp = await stat(this.path)
    } catch (err) {
      this.#keep(`cannot be read: ${problemText(err)}`, UNREADABLE)
      return
    }
    if (sameStamp(this.#stamp, stamp)) return
    this.#reading = this.#reload().finally(() => (this.#reading = undefined))
    await this.#reading
  }

  /** close stops watching the file. */
  close(): void {
    clearTimeout(this.#timer)
    this.#watcher?.close()
    this.#watcher = undefined
  }

  #watch(): void {
    const name = basename(this.path)
    try {
      this.#watcher = watch(dirname(this.path), { persistent: false }, (_event, changed) => {
        if (changed !== null && changed !== name) return
        clearTimeout(this.#timer)
        this.#timer = setTimeout(() => void this.refresh(), SETTLE_MS)
      })
      this.#watcher.on('error', (err) => {
        this.#logger.warn(
          { file: this.path, err: problemText(err) },
          'cannot watch the htpasswd file: changes are read at the next login',
        )
        this.close()
      })
    } catch (err) {
      this.#logger.warn(
        { file: this.path, err: problemText(err) },
        'cannot watch the htpasswd file: changes are read at the next login',
      )
    }
  }

  async #reload(): Promise<void> {
    let text: string
    let stamp: FileStamp
    try {
      stamp = await stat(this.path)
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      this.#keep(`cannot be read: ${problemText(err)}`, UNREADABLE)
      return
    }
    const parsed = parseHtpasswd(text)
    const malformed = parsed.problems.find((p) => p.malformed)
    if (malformed) {
      this.#keep(`line ${malformed.line}: ${malformed.reason}`, stamp)
      return
    }
    if (parsed.users.size === 0 && text.trim() === '' && this.#users.size > 0) {
      // An empty file is what a save looks like between truncating and writing.
      this.#keep('the file is empty', stamp)
      return
    }
    this.#take(parsed, stamp)
  }

  /** keep logs why the file was not taken; the stamp is recorded so one bad state logs once. */
  #keep(why: string, stamp: FileStamp): void {
    if (sameStamp(this.#stamp, stamp)) return
    this.#stamp = stamp
    this.#logger.warn(
      { file: this.path, users: this.#users.size },
      `htpasswd file not re-read, keeping the previous users: ${why}`,
    )
  }

  #take(parsed: ParsedHtpasswd, stamp: FileStamp): void {
    for (const p of parsed.problems) {
      this.#logger.warn(
        { file: this.path, line: p.line, user: p.user },
        `htpasswd entry refused: ${p.reason}`,
      )
    }
    const rounds = [...parsed.users.values()]
      .filter((e) => e.scheme === 'bcrypt')
      .map((e) => bcryptRounds(e.hash))
    this.#rounds = rounds.length > 0 ? Math.max(...rounds) : DEFAULT_ROUNDS
    // Made now, not by the first check of an unknown name, which would take longer for it.
    dummyHash(this.#rounds)
    const first = this.#stamp === undefined
    this.#users = parsed.users
    this.#stamp = stamp
    this.#logger.info(
      { file: this.path, users: parsed.users.size },
      first ? 'htpasswd users loaded' : 'htpasswd users re-read',
    )
  }
}
