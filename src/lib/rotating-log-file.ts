/**
 * A line log on disk that rotates by size, as kube-apiserver's audit log does with lumberjack
 * (gopkg.in/natefinch/lumberjack.v2): when the next lines would take the file past its maximum,
 * it is renamed to `<name>-<UTC time>.<ext>` and a new file is started; only the newest backups
 * are kept. Lines are queued in memory and written in batches by one asynchronous writer, so a
 * caller never waits on the disk, and a rotation only ever happens between whole lines.
 * A failing disk (full, gone) never throws at the caller: the batch is dropped and counted, the
 * first failure is reported once, and writing resumes when the disk takes lines again.
 */
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'

/** RotatingLogOptions configure a RotatingLogFile. */
export interface RotatingLogOptions {
  readonly path: string
  /** The size a file may reach before it is rotated, in bytes. */
  readonly maxBytes: number
  /** How many rotated files are kept; 0 keeps them all (lumberjack's MaxBackups). */
  readonly maxBackups: number
  /** Lines queued beyond this many bytes while the disk is slow are dropped (and counted). */
  readonly maxQueuedBytes?: number
  /** Told of the first failure after writing worked; the lines of the failed batch are dropped. */
  readonly onError?: (err: unknown) => void
  /** Told when writing works again after a failure, with how many lines were lost meanwhile. */
  readonly onRecovered?: (dropped: number) => void
  /** The clock of backup names; default Date.now. */
  readonly now?: () => number
}

const DEFAULT_MAX_QUEUED_BYTES = 64 * 2 ** 20

/** backupTime is lumberjack's backup timestamp, `2006-01-02T15-04-05.000` in UTC. */
function backupTime(ms: number): string {
  return new Date(ms).toISOString().replace(/:/g, '-').replace(/Z$/, '')
}

const BACKUP_TIME = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}$/

/** RotatingLogFile appends lines to a file, rotating it by size; see the module comment. */
export class RotatingLogFile {
  readonly #opts: RotatingLogOptions
  readonly #maxQueued: number
  readonly #prefix: string
  readonly #ext: string
  #queue: string[] = []
  #queuedBytes = 0
  #file: FileHandle | undefined
  #size = 0
  #writing: Promise<void> | undefined
  #failing = false
  #dropped = 0
  #lastBackup = 0
  #closed = false

  private constructor(opts: RotatingLogOptions) {
    this.#opts = opts
    this.#maxQueued = opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES
    this.#ext = extname(opts.path)
    this.#prefix = basename(opts.path, this.#ext)
  }

  /**
   * open creates the file (and its directory) for this user only, as kube-apiserver does, or
   * appends to the one there; a file that cannot be opened is an error now, not a lost log.
   */
  static async open(opts: RotatingLogOptions): Promise<RotatingLogFile> {
    const log = new RotatingLogFile(opts)
    await mkdir(dirname(opts.path), { recursive: true, mode: 0o700 })
    await log.#openFile()
    return log
  }

  /** dropped is how many lines were lost to a failing disk or a full queue. */
  get dropped(): number {
    return this.#dropped
  }

  /** write queues `line` (which must end in a newline) and returns at once. */
  write(line: string): void {
    if (this.#closed) return
    const bytes = Buffer.byteLength(line)
    if (this.#queuedBytes + bytes > this.#maxQueued) {
      this.#dropped++
      return
    }
    this.#queue.push(line)
    this.#queuedBytes += bytes
    this.#writing ??= this.#drain().finally(() => (this.#writing = undefined))
  }

  /** settled resolves once every line queued so far is written or dropped. */
  async settled(): Promise<void> {
    while (this.#writing) await this.#writing
  }

  /** close writes out what is queued, then closes the file; later lines are ignored. */
  async close(): Promise<void> {
    this.#closed = true
    await this.settled()
    await this.#file?.close()
    this.#file = undefined
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const lines = this.#queue
      this.#queue = []
      this.#queuedBytes = 0
      try {
        await this.#writeLines(lines)
        if (this.#failing) {
          this.#failing = false
          this.#opts.onRecovered?.(this.#dropped)
        }
      } catch (err) {
        // Opened afresh for the next batch, its size read again: the failure may have been anywhere.
        await this.#file?.close().catch(() => undefined)
        this.#file = undefined
        this.#dropped += lines.length
        if (!this.#failing) {
          this.#failing = true
          this.#opts.onError?.(err)
        }
      }
    }
  }

  /** writeLines appends `lines` in as few writes as rotation allows, never splitting one. */
  async #writeLines(lines: readonly string[]): Promise<void> {
    if (!this.#file) await this.#openFile()
    let batch: string[] = []
    let batchBytes = 0
    for (const line of lines) {
      const bytes = Buffer.byteLength(line)
      // A line larger than the limit still goes out, alone in a file, rather than being lost.
      if (this.#size + batchBytes + bytes > this.#opts.maxBytes && this.#size + batchBytes > 0) {
        await this.#append(batch.join(''), batchBytes)
        batch = []
        batchBytes = 0
        await this.#rotate()
      }
      batch.push(line)
      batchBytes += bytes
    }
    if (batch.length > 0) await this.#append(batch.join(''), batchBytes)
  }

  async #append(text: string, bytes: number): Promise<void> {
    if (bytes === 0) return
    if (!this.#file) await this.#openFile()
    const file = this.#file as FileHandle
    try {
      await file.appendFile(text)
    } catch (err) {
      // A write cut short (a full disk) must not leave half a line for the next one to follow.
      await file.truncate(this.#size).catch(() => undefined)
      throw err
    }
    this.#size += bytes
  }

  async #openFile(): Promise<void> {
    this.#file = await this.#openHandle()
    this.#size = (await this.#file.stat()).size
  }

  #openHandle(): Promise<FileHandle> {
    return open(this.#opts.path, 'a', 0o600)
  }

  /** rotate renames the file to a backup named after the time (always later than the last one) and starts a new one. */
  async #rotate(): Promise<void> {
    await this.#file?.close()
    this.#file = undefined
    const ms = Math.max((this.#opts.now ?? Date.now)(), this.#lastBackup + 1)
    this.#lastBackup = ms
    const name = `${this.#prefix}-${backupTime(ms)}${this.#ext}`
    await rename(this.#opts.path, join(dirname(this.#opts.path), name))
    this.#size = 0
    await this.#openFile()
    await this.#removeOldBackups()
  }

  async #removeOldBackups(): Promise<void> {
    if (this.#opts.maxBackups === 0) return
    const dir = dirname(this.#opts.path)
    const backups = (await readdir(dir))
      .filter((f) => this.#isBackup(f))
      .sort()
      .reverse()
    for (const old of backups.slice(this.#opts.maxBackups))
      await rm(join(dir, old), { force: true })
  }

  #isBackup(file: string): boolean {
    if (!file.startsWith(`${this.#prefix}-`) || !file.endsWith(this.#ext)) return false
    const time = file.slice(this.#prefix.length + 1, file.length - this.#ext.length)
    return BACKUP_TIME.test(time)
  }
}
