/**
 * An in-memory PruneTarget for the executor's unit tests: it keeps resourceVersions and refuses
 * to delete an Image a stream or a list still references, as the store does, and records every
 * call so a test can check their order.
 */
import type { Image, ImageStream } from '../../api/index.js'
import { StreamConflict, type DeleteOutcome, type PruneTarget } from '../types.js'

/** MemoryTarget is a PruneTarget over maps; hooks let a test write "concurrently". */
export class MemoryTarget implements PruneTarget {
  readonly streams = new Map<string, ImageStream>()
  readonly images = new Map<string, Image>()
  readonly blobs = new Set<string>()
  /** Every call, e.g. `update ns/app`, `get ns/app`, `image sha256:...`, `blob sha256:...`. */
  readonly calls: string[] = []
  /** Runs before a status update is checked: change a stream here to make it conflict. */
  beforeUpdate?: (key: string) => void
  /** Runs before an Image is deleted: reference it here to make it in use. */
  beforeDeleteImage?: (name: string) => void
  /** Makes deleteBlob fail for these digests. */
  readonly failingBlobs = new Set<string>()
  #revision = 1

  constructor(init: { streams?: ImageStream[]; images?: Image[]; blobs?: Iterable<string> } = {}) {
    for (const s of init.streams ?? []) this.putStream(s)
    for (const i of init.images ?? []) this.images.set(i.metadata.name!, structuredClone(i))
    for (const b of init.blobs ?? []) this.blobs.add(b)
  }

  /** putStream stores a stream under a new resourceVersion, as any write would. */
  putStream(stream: ImageStream): void {
    const copy = structuredClone(stream)
    copy.metadata.resourceVersion = String(++this.#revision)
    this.streams.set(`${copy.metadata.namespace}/${copy.metadata.name}`, copy)
  }

  listStreams(namespace?: string): Promise<ImageStream[]> {
    const all = [...this.streams.values()].filter(
      (s) => namespace === undefined || s.metadata.namespace === namespace,
    )
    return Promise.resolve(structuredClone(all))
  }

  listImages(): Promise<Image[]> {
    return Promise.resolve(structuredClone([...this.images.values()]))
  }

  getStream(namespace: string, name: string): Promise<ImageStream | undefined> {
    this.calls.push(`get ${namespace}/${name}`)
    const s = this.streams.get(`${namespace}/${name}`)
    return Promise.resolve(s && structuredClone(s))
  }

  updateStreamStatus(stream: ImageStream): Promise<void> {
    const key = `${stream.metadata.namespace}/${stream.metadata.name}`
    this.calls.push(`update ${key}`)
    this.beforeUpdate?.(key)
    const current = this.streams.get(key)
    // A stream deleted meanwhile changed too: the pruner's re-read finds it gone.
    if (current?.metadata.resourceVersion !== stream.metadata.resourceVersion) {
      return Promise.reject(new StreamConflict(`imagestream ${key} changed`))
    }
    this.putStream({ ...current!, status: { ...current!.status, tags: stream.status?.tags ?? [] } })
    return Promise.resolve()
  }

  deleteImage(name: string): Promise<DeleteOutcome> {
    this.calls.push(`image ${name}`)
    this.beforeDeleteImage?.(name)
    if (!this.images.has(name)) return Promise.resolve('not-found')
    const inStream = [...this.streams.values()].some((s) =>
      (s.status?.tags ?? []).some((t) => (t.items ?? []).some((i) => i.image === name)),
    )
    const inList = [...this.images.values()].some((i) =>
      (i.dockerImageManifests ?? []).some((m) => m.digest === name),
    )
    if (inStream || inList) return Promise.resolve('in-use')
    this.images.delete(name)
    return Promise.resolve('deleted')
  }

  deleteBlob(digest: string): Promise<void> {
    this.calls.push(`blob ${digest}`)
    if (this.failingBlobs.has(digest)) return Promise.reject(new Error(`blob ${digest}: 500`))
    this.blobs.delete(digest)
    return Promise.resolve()
  }
}
