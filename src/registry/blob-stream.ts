/**
 * Digest verification of a streamed blob: bytes pass through as they arrive, hashed on the way,
 * with backpressure from the reader to the source. The last chunk is held back until the digest
 * is checked, so a reader never receives the whole of a blob that does not match. A source that
 * delivers less than a minimum rate while the reader waits for it is ended.
 */
import { createHash } from 'node:crypto'
import { Transform, type Readable } from 'node:stream'
import { parseDigest } from '../reference/index.js'

/** VerifyOptions says what the bytes must be and how failures are reported. */
export interface VerifyOptions {
  readonly digest: string
  /** The blob's length, when known: more or fewer bytes fail too. */
  readonly size: number | undefined
  /** Builds the error for bytes that are not the blob; `actual` says what came instead. */
  readonly mismatch: (actual: string) => Error
  /** Maps an error of the source (a reset, a body timeout, an abort) to what the reader sees. */
  readonly sourceError: (err: unknown) => Error
  /** The least the source must deliver; without it, any rate is accepted. */
  readonly minRate?: MinRate | undefined
  /** Builds the error for a source slower than `minRate`. */
  readonly tooSlow?: (rate: MinRate) => Error
}

function tooSlowError(rate: MinRate): Error {
  return new Error(`fewer than ${rate.bytes} bytes arrived in ${rate.windowMs} ms`)
}

/** MinRate is the least a body must deliver: `bytes` in every window of `windowMs`. */
export interface MinRate {
  readonly bytes: number
  readonly windowMs: number
}

/** verifyingStream passes `source` through, verified; destroying the result destroys the source. */
export function verifyingStream(source: Readable, opts: VerifyOptions): Readable {
  const { algorithm } = parseDigest(opts.digest)
  const hash = createHash(algorithm)
  let seen = 0
  let held: Buffer | undefined
  const minRate = opts.minRate
  const tooSlow = opts.tooSlow ?? tooSlowError
  // The callback runs a window later, when `out` exists.
  const rate = minRate && new RateWindow(source, minRate, () => out.destroy(tooSlow(minRate)))
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length
      rate?.count(chunk.length)
      if (opts.size !== undefined && seen > opts.size) {
        done(opts.mismatch(`more than ${opts.size} bytes`))
        return
      }
      hash.update(chunk)
      const previous = held
      held = chunk
      done(null, previous)
    },
    flush(done) {
      if (opts.size !== undefined && seen !== opts.size) {
        done(opts.mismatch(`${seen} bytes instead of ${opts.size}`))
        return
      }
      const actual = `${algorithm}:${hash.digest('hex')}`
      if (actual !== opts.digest) done(opts.mismatch(actual))
      else done(null, held)
    },
  })
  source.on('error', (err) => out.destroy(opts.sourceError(err)))
  // Once the source has delivered everything, nothing is owed: the rest is the reader's pace.
  source.once('end', () => rate?.stop())
  // A reader that stops (a client gone, a mismatch) must stop the upstream request too.
  out.on('close', () => {
    rate?.stop()
    source.destroy()
  })
  source.pipe(out)
  return out
}

/**
 * RateWindow counts the bytes a source delivers per window and calls `slow` when, in a window
 * during which the source was never paused, fewer than `rate.bytes` arrived. A paused source is
 * a slow reader's backpressure, not a slow upstream, so such a window is not judged.
 */
class RateWindow {
  #received = 0
  #paused = false
  readonly #timer: NodeJS.Timeout
  readonly #source: Readable
  readonly #onPause = () => {
    this.#paused = true
  }

  constructor(source: Readable, rate: MinRate, slow: () => void) {
    this.#source = source
    source.on('pause', this.#onPause)
    this.#timer = setInterval(() => {
      if (!this.#paused && !source.isPaused() && this.#received < rate.bytes) {
        this.stop()
        slow()
        return
      }
      this.#received = 0
      this.#paused = source.isPaused()
    }, rate.windowMs)
  }

  /** count notes bytes that arrived. */
  count(bytes: number): void {
    this.#received += bytes
  }

  /** stop ends the watch. */
  stop(): void {
    clearInterval(this.#timer)
    this.#source.off('pause', this.#onPause)
  }
}
