/**
 * The integrated registry's local mirror of pulled-through blobs (OpenShift's registry mirrors
 * by default, docs/integrated-registry.md#blob-cache). A blob is written to disk while it streams
 * to its first puller and kept only once the whole of it passed digest verification; later pulls
 * are read from disk, sparing the upstream (often rate-limited) and this process's hashing. Files
 * are content-addressed, so a file under its digest is that blob; the least recently used ones go
 * when the cache would exceed its size.
 */
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { SizedLru } from '../lib/sized-lru.js'
import { isDigest, parseDigest } from '../reference/index.js'

/** CacheLogger is the narrow logging seam of the cache: its failures never fail a pull. */
export interface CacheLogger {
  warn(context: Record<string, unknown>, message: string): void
}

/** BlobCacheOptions configures a cache. */
export interface BlobCacheOptions {
  /** The cache's own directory; created if missing. */
  readonly dir: string
  /** Most bytes kept; a blob larger than this is streamed without being kept. */
  readonly maxBytes: number
  readonly logger: CacheLogger
}

/** CachedBlob is a blob found in the cache, opened for reading. */
export interface CachedBlob {
  readonly size: number
  readonly body: Readable
}

/** ByteRange is an inclusive range of byte offsets, as HTTP's Range header counts them. */
export interface ByteRange {
  readonly start: number
  readonly end: number
}

/** READ_CHUNK is large so that a blob goes out in few writes (each a TLS encryption call). */
const READ_CHUNK = 256 * 1024

/** BlobCache is a size-bounded, least-recently-used store of verified blobs. */
export class BlobCache {
  readonly #dir: string
  readonly #tmp: string
  readonly #logger: CacheLogger
  /** Digest to size; an evicted blob's file is removed (open readers keep theirs). */
  readonly #entries: SizedLru<string, number>
  readonly #commits = new Set<Promise<void>>()

  private constructor(opts: BlobCacheOptions) {
    this.#dir = opts.dir
    this.#tmp = join(opts.dir, 'tmp')
    this.#logger = opts.logger
    this.#entries = new SizedLru({
      maxSize: opts.maxBytes,
      sizeOf: (size) => size,
      onEvict: (digest) =>
        this.#track(
          unlink(this.#path(digest)).catch((err: unknown) =>
            this.#logger.warn({ err, digest }, 'could not remove an evicted blob'),
          ),
        ),
    })
  }

  /** open loads the cache in `opts.dir`, dropping unfinished writes of an earlier run. */
  static async open(opts: BlobCacheOptions): Promise<BlobCache> {
    const cache = new BlobCache(opts)
    await rm(cache.#tmp, { recursive: true, force: true })
    await mkdir(cache.#tmp, { recursive: true, mode: 0o700 })
    const found: { digest: string; size: number; used: number }[] = []
    for (const algorithm of await readdir(opts.dir, { withFileTypes: true })) {
      if (!algorithm.isDirectory() || algorithm.name === 'tmp') continue
      for (const hex of await readdir(join(opts.dir, algorithm.name))) {
        // Only what the cache itself wrote: a file not named by its digest is not a blob.
        const digest = `${algorithm.name}:${hex}`
        if (!isDigest(digest)) continue
        const info = await stat(join(opts.dir, algorithm.name, hex))
        found.push({ digest, size: info.size, used: info.mtimeMs })
      }
    }
    // A hit touches the file's mtime, so the recency order outlives a restart; adding the
    // oldest first leaves the newest when a smaller size makes some go.
    for (const f of found.sort((a, b) => a.used - b.used)) {
      if (!cache.#entries.set(f.digest, f.size)) await unlink(cache.#path(f.digest))
    }
    return cache
  }

  /** bytes is how much the cache holds. */
  get bytes(): number {
    return this.#entries.size
  }

  /** size is the size of a cached blob, or undefined when it is not cached. */
  size(digest: string): number | undefined {
    return this.#entries.peek(digest)
  }

  /**
   * read opens a cached blob, or the inclusive byte range `range` of it; undefined when it is not
   * cached (or its file went missing).
   */
  async read(digest: string, range?: ByteRange): Promise<CachedBlob | undefined> {
    const size = this.#entries.get(digest)
    if (size === undefined) return undefined
    const now = new Date()
    void utimes(this.#path(digest), now, now).catch(() => undefined)
    let handle
    try {
      handle = await open(this.#path(digest), 'r')
    } catch (err) {
      this.#logger.warn({ err, digest }, 'cached blob could not be opened; pulling it through')
      this.#entries.delete(digest)
      return undefined
    }
    return { size, body: handle.createReadStream({ highWaterMark: READ_CHUNK, ...range }) }
  }

  /**
   * capture passes `body` through, writing it to a new file on the way; the file is kept under
   * `digest` once `body` ends, which a verifying stream does only when every byte matched. An
   * error of `body` or a reader that leaves discards the file. The disk is written at the
   * reader's pace: a write that lags pauses the stream rather than buffering it.
   */
  capture(digest: string, size: number | undefined, body: Readable): Readable {
    const { algorithm, hex } = parseDigest(digest)
    if (size !== undefined && size > this.#entries.maxSize) return body
    const tmp = join(this.#tmp, `${algorithm}-${hex}-${randomUUID()}`)
    const file = createWriteStream(tmp, { flags: 'wx', mode: 0o600 })
    let failed = false
    let complete = false
    file.on('error', (err) => {
      if (failed) return
      failed = true
      this.#logger.warn({ err, digest }, 'could not write blob to the cache; still streaming it')
      void unlink(tmp).catch(() => undefined)
    })
    const out = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        if (failed || file.write(chunk)) done(null, chunk)
        else whenWritable(file, () => done(null, chunk))
      },
      flush: (done) => {
        complete = true
        done()
        if (failed) return
        file.end()
        this.#track(finished(file).then(() => this.#commit(digest, tmp)))
      },
    })
    out.on('close', () => {
      if (complete) return
      // A reader that leaves must stop the upstream request too.
      body.destroy()
      failed = true
      file.destroy()
      void unlink(tmp).catch(() => undefined)
    })
    body.on('error', (err) => out.destroy(err))
    body.pipe(out)
    return out
  }

  /**
   * delete drops a cached blob, its file and its entry, and returns whether it was cached. A
   * reader that already opened the file keeps reading it: an unlinked file lives on until its
   * last descriptor closes.
   */
  async delete(digest: string): Promise<boolean> {
    if (!this.#entries.delete(digest)) return false
    try {
      await unlink(this.#path(digest))
    } catch (err) {
      // Gone already (removed by hand): dropping the entry was all there was to do.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    return true
  }

  /** settled resolves once every blob that finished streaming is kept (or given up) and every evicted one is gone. */
  async settled(): Promise<void> {
    while (this.#commits.size > 0) await Promise.all(this.#commits)
  }

  #track(commit: Promise<void>): void {
    const tracked = commit.catch(() => undefined)
    this.#commits.add(tracked)
    void tracked.finally(() => this.#commits.delete(tracked))
  }

  async #commit(digest: string, tmp: string): Promise<void> {
    try {
      // On disk before it is named: a file under a digest must never be a torn one.
      const handle = await open(tmp, 'r')
      const { size } = await handle.stat()
      await handle.sync()
      await handle.close()
      const { algorithm } = parseDigest(digest)
      await mkdir(join(this.#dir, algorithm), { recursive: true, mode: 0o700 })
      await rename(tmp, this.#path(digest))
      const kept = this.#entries.peek(digest) !== undefined || this.#entries.set(digest, size)
      // Larger than the whole cache (its size was not known before it streamed).
      if (!kept) await unlink(this.#path(digest))
    } catch (err) {
      this.#logger.warn({ err, digest }, 'could not keep blob in the cache')
      await unlink(tmp).catch(() => undefined)
    }
  }

  #path(digest: string): string {
    const { algorithm, hex } = parseDigest(digest)
    return join(this.#dir, algorithm, hex)
  }
}

/** whenWritable calls `next` once `file` drains or fails (a failed file is no longer written). */
function whenWritable(file: NodeJS.WritableStream, next: () => void): void {
  const go = () => {
    file.off('drain', go)
    file.off('error', go)
    next()
  }
  file.on('drain', go)
  file.on('error', go)
}
