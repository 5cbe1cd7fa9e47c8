/**
 * Whether a tag copying an image from another stream passes the stream's namespace a pull grant
 * (docs/integrated-registry.md#what-a-namespace-may-pull-from-the-caches): the decision on its
 * own, so that its cases can be tabled.
 */

/** CopiedImage is a tag event a spec tag copied from a stream, as the grant decision sees it. */
export interface CopiedImage {
  /** The namespace of the stream that gets the event. */
  readonly namespace: string
  /** The namespace of the stream the event was copied from. */
  readonly sourceNamespace: string
  /** The event's image digest; '' for an event without one. */
  readonly image: string
  /** Whether the source namespace holds a pull grant for the image. */
  readonly sourceGranted: boolean
  /**
   * Whether the writer may pull from the source stream (`get imagestreams/layers`); undefined
   * when nothing was asked: a source in the same namespace, or a write the server makes itself.
   */
  readonly writerMayRead: boolean | undefined
}

/**
 * grantsCopiedImage says whether the event's namespace gets a grant for the image: only for a
 * source in another namespace, which holds a grant itself, read by a writer shown to be allowed
 * to. A source in the same namespace adds nothing: grants belong to namespaces, not streams.
 */
export function grantsCopiedImage(copied: CopiedImage): boolean {
  return (
    copied.image !== '' &&
    copied.namespace !== copied.sourceNamespace &&
    copied.sourceGranted &&
    copied.writerMayRead === true
  )
}
