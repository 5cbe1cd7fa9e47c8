/**
 * Pull records (docs/integrated-registry.md#pull-records): the registry notes on each Image
 * when it last served its manifest, in the `imagestreams.io/last-pulled` annotation, so that
 * pruning keeps what a cluster pulling through this registry still runs
 * (docs/pruning.md#in-use). Records are written off the request path: a pull never waits for
 * one, and a record that fails is logged, never passed on to the puller.
 */
import { ANNOTATIONS, type Image } from '../api/index.js'
import { isStoreError, objectKey, type Store } from '../storage/index.js'

/**
 * PULL_RECORD_GRANULARITY_MS is how stale a record may get before a pull writes it again.
 * Pruning asks whether an image was pulled within days (`--keep-pulled-within`, default 7),
 * so an hour's precision costs it nothing, while an image every node pulls at every pod
 * start would otherwise write its Image (a new revision and a watch event) on every pull.
 */
export const PULL_RECORD_GRANULARITY_MS = 60 * 60 * 1000

/** PullLogger is the narrow logging seam of the recorder. */
export interface PullLogger {
  warn(context: Record<string, unknown>, message: string): void
}

/** PullRecorderOptions configures a PullRecorder. */
export interface PullRecorderOptions {
  readonly store: Store
  /** Milliseconds since the epoch: the time a pull is recorded at. */
  readonly now: () => number
  readonly logger: PullLogger
}

/** lastPulled formats a time as the annotation holds it: RFC 3339 in UTC, whole seconds. */
function lastPulled(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** PullRecorder writes pull records in the background, one write per image at a time. */
export class PullRecorder {
  readonly #opts: PullRecorderOptions
  /** Records being written, by image digest: a pull of an image already being written adds nothing. */
  readonly #writing = new Map<string, Promise<void>>()

  constructor(opts: PullRecorderOptions) {
    this.#opts = opts
  }

  /**
   * record notes that the Images `digests` were pulled now, through `repository` (for the log);
   * it returns at once. An image without an Image object (never imported) is not recorded.
   */
  record(digests: readonly string[], repository: string): void {
    const at = this.#opts.now()
    for (const digest of digests) {
      if (this.#writing.has(digest)) continue
      // After the answer is on its way: even the store read that may skip the write waits.
      const write = new Promise((resolve) => setImmediate(resolve))
        .then(() => this.#write(digest, at, repository))
        .finally(() => this.#writing.delete(digest))
      this.#writing.set(digest, write)
    }
  }

  /** settled resolves once every record started so far is written or given up. */
  async settled(): Promise<void> {
    while (this.#writing.size > 0) await Promise.all(this.#writing.values())
  }

  async #write(digest: string, at: number, repository: string): Promise<void> {
    try {
      await this.#opts.store.guaranteedUpdate<Image>(objectKey('images', digest), (image) => {
        const recorded = Date.parse(image.metadata.annotations?.[ANNOTATIONS.lastPulled] ?? '')
        // Recent enough (or newer, written by a clock ahead of ours): nothing to write.
        if (recorded > at - PULL_RECORD_GRANULARITY_MS) return undefined
        const annotations = {
          ...image.metadata.annotations,
          [ANNOTATIONS.lastPulled]: lastPulled(at),
        }
        return { ...image, metadata: { ...image.metadata, annotations } }
      })
    } catch (err) {
      if (isStoreError(err, 'NotFound')) return
      this.#opts.logger.warn(
        { err, image: digest, repository },
        'could not record the pull of an image',
      )
    }
  }
}
