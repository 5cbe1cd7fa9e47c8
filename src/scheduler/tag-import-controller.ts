/**
 * Imports spec tags in the background when they are created or changed, as OpenShift's
 * ImageStreamController does: it watches streams in the store and posts each stream's pending
 * tags through the import service. One stream is imported at a time per stream, a few streams
 * at once; a stream changed while it is being imported is looked at again afterwards.
 */
import type { ImageStream } from '../api/index.js'
import { isStoreError, listInPages, type PagedList } from '../storage/index.js'
import { importInto, type ImportServiceDeps } from './import-service.js'
import { importRequestFor, tagsNeedingImport } from './tag-imports.js'

/** ControllerLogger is the narrow logging seam of the controller. */
export interface ControllerLogger {
  warn(context: Record<string, unknown>, message: string): void
  info?(context: Record<string, unknown>, message: string): void
}

/** TagImportControllerDeps configures the controller. */
export interface TagImportControllerDeps extends ImportServiceDeps {
  readonly logger: ControllerLogger
  /** Streams imported at once (default 4). */
  readonly concurrency?: number
  /** The first list of streams, when shared with other controllers (default: its own). */
  readonly initialList?: PagedList<ImageStream>
}

/** TagImportController runs until its signal aborts. */
export class TagImportController {
  readonly #deps: TagImportControllerDeps
  readonly #queue = new Map<string, { namespace: string; name: string }>()
  readonly #running = new Set<string>()
  readonly #dirty = new Set<string>()
  #waiters: (() => void)[] = []
  #idle: (() => void)[] = []
  #initialList: PagedList<ImageStream> | undefined

  constructor(deps: TagImportControllerDeps) {
    this.#deps = deps
    this.#initialList = deps.initialList
  }

  /** run lists and watches streams, importing pending tags, until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const workers = Array.from({ length: this.#deps.concurrency ?? 4 }, () => this.#work(signal))
    while (!signal.aborted) {
      try {
        await this.#watch(signal)
      } catch (err) {
        if (signal.aborted) break
        // An expired watch (compaction) or a transient error: list again from scratch.
        if (!isStoreError(err, 'Expired')) {
          this.#deps.logger.warn({ err: String(err) }, 'image stream watch failed; relisting')
        }
      }
    }
    this.#wakeAll()
    await Promise.all(workers)
  }

  /** settled resolves once no stream is queued or being imported (for tests). */
  settled(): Promise<void> {
    if (this.#queue.size === 0 && this.#running.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  async #watch(signal: AbortSignal): Promise<void> {
    const offer = (streams: ImageStream[]) => {
      for (const stream of streams) this.#offer(stream)
    }
    const list = this.#initialList
    // A relist after a failed watch is the controller's own.
    this.#initialList = undefined
    const resourceVersion = list
      ? await list(offer)
      : await listInPages<ImageStream>(this.#deps.store, 'imagestreams', offer, { signal })
    const events = await this.#deps.store.watch<ImageStream>('imagestreams', {
      fromResourceVersion: resourceVersion,
      signal,
    })
    for await (const event of events) {
      if (event.type === 'ADDED' || event.type === 'MODIFIED') this.#offer(event.object)
    }
  }

  #offer(stream: ImageStream): void {
    if (tagsNeedingImport(stream).length === 0) return
    const key = `${stream.metadata.namespace ?? ''}/${stream.metadata.name ?? ''}`
    if (this.#running.has(key)) {
      this.#dirty.add(key)
      return
    }
    this.#queue.set(key, {
      namespace: stream.metadata.namespace ?? '',
      name: stream.metadata.name ?? '',
    })
    this.#wakeAll()
  }

  async #work(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const next = this.#next()
      if (!next) {
        if (this.#running.size === 0) for (const resolve of this.#idle.splice(0)) resolve()
        await new Promise<void>((resolve) => this.#waiters.push(resolve))
        continue
      }
      const [key, target] = next
      this.#queue.delete(key)
      this.#running.add(key)
      try {
        await this.#importStream(target.namespace, target.name, signal)
      } catch (err) {
        this.#deps.logger.warn({ stream: key, err: String(err) }, 'background import failed')
      } finally {
        this.#running.delete(key)
        if (this.#dirty.delete(key)) this.#queue.set(key, target)
        this.#wakeAll()
      }
    }
  }

  /** #next is the longest-queued stream not being imported, without copying the queue. */
  #next(): [string, { namespace: string; name: string }] | undefined {
    for (const entry of this.#queue) if (!this.#running.has(entry[0])) return entry
    return undefined
  }

  #wakeAll(): void {
    for (const resolve of this.#waiters.splice(0)) resolve()
  }

  async #importStream(namespace: string, name: string, signal: AbortSignal): Promise<void> {
    let stream: ImageStream
    try {
      stream = await this.#deps.store.get<ImageStream>({
        resource: 'imagestreams',
        namespace,
        name,
      })
    } catch (err) {
      if (isStoreError(err, 'NotFound')) return
      throw err
    }
    const tags = tagsNeedingImport(stream)
    if (tags.length === 0) return
    await importInto(this.#deps, namespace, importRequestFor(stream, tags), signal)
  }
}
