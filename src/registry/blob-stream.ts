/**
 * Digest verification of a streamed blob: bytes pass through as they arrive, hashed on the way,
 * with backpressure from the reader to the source. The last chunk is held back until the digest
 * is checked, so a reader never receives the whole of a blob that does not match.
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
}

/** verifyingStream passes `source` through, verified; destroying the result destroys the source. */
export function verifyingStream(source: Readable, opts: VerifyOptions): Readable {
  const { algorithm } = parseDigest(opts.digest)
  const hash = createHash(algorithm)
  let seen = 0
  let held: Buffer | undefined
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length
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
  // A reader that stops (a client gone, a mismatch) must stop the upstream request too.
  out.on('close', () => source.destroy())
  source.pipe(out)
  return out
}
