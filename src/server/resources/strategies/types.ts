/**
 * A Strategy is what differs between kinds on the way in and out of the store (the apiserver's
 * RESTCreateStrategy/RESTUpdateStrategy plus Decorate): which fields the server owns, what it
 * computes on read. Defaulting and validation come from src/api; metadata rules common to every
 * kind are in object-meta.ts.
 */
import type { FieldError, KindMap, KindName } from '../../../api/index.js'
import type { StoreReader } from '../../../storage/index.js'
import type { Decision, ResourceAttributes } from '../../auth/index.js'
import type { ResourceSettings } from '../context.js'

/**
 * AccessCheck asks the server's authorizer whether the identity making a write may do
 * something else too, as OpenShift's strategies ask with a SubjectAccessReview for the
 * requesting user.
 */
export type AccessCheck = (attrs: ResourceAttributes) => Promise<Decision>

/** StrategyContext is what strategies may consult. */
export interface StrategyContext {
  readonly settings: ResourceSettings
  /** The current time, for server-made timestamps (tag events). */
  readonly now: () => number
  /** The writing identity's access, absent for writes the server makes itself. */
  readonly access?: AccessCheck | undefined
}

/** Strategy holds one kind's server-side rules; every method returns a new object. */
export interface Strategy<K extends KindName> {
  /** prepareForCreate sets the server-owned fields of a new object (after defaulting, before validation). */
  prepareForCreate(object: KindMap[K], ctx: StrategyContext): KindMap[K]
  /** prepareForUpdate carries the server-owned fields over from the stored object. */
  prepareForUpdate(next: KindMap[K], prev: KindMap[K], ctx: StrategyContext): KindMap[K]
  /** prepareForStatusUpdate takes only the status from `next` (the `/status` subresource). */
  prepareForStatusUpdate?(next: KindMap[K], prev: KindMap[K], ctx: StrategyContext): KindMap[K]
  /**
   * admit, when set, completes a prepared and validated object from other stored objects, read
   * through `reader`; `prev` is the stored object of an update. Its field errors refuse the
   * write as validation's do.
   */
  admit?(
    object: KindMap[K],
    prev: KindMap[K] | undefined,
    reader: StoreReader,
    ctx: StrategyContext,
  ): Promise<Admitted<KindMap[K]>>
  /** decorate fills the fields computed on every read; they are never stored. */
  decorate(object: KindMap[K], ctx: StrategyContext): KindMap[K]
  /**
   * decorateJson, when set, does what decorate does on the object's stored JSON text: given
   * where the members after `kind` and `apiVersion` start, it answers the served text from there
   * to its end, byte for byte as JSON.stringify of decorate's answer, as pieces to write one
   * after the other (a new array, the caller's), so that lists are spliced from stored texts;
   * undefined when the text needs
   * decorating as an object.
   */
  decorateJson?(json: string, from: number, ctx: StrategyContext): string[] | undefined
  /**
   * allowUnconditionalUpdate false makes a PUT without `metadata.resourceVersion` a 422, as
   * upstream strategies that return false from AllowUnconditionalUpdate; default true.
   */
  readonly allowUnconditionalUpdate?: boolean
  /**
   * returnDeletedObject makes a delete answer the deleted object instead of a Success Status,
   * as upstream stores with ReturnDeletedObject set; default false.
   */
  readonly returnDeletedObject?: boolean
  /**
   * shouldDeleteDuringUpdate, when set, is a further condition for an update that leaves a
   * marked object without finalizers to remove it, as upstream stores' ShouldDeleteDuringUpdate.
   */
  shouldDeleteDuringUpdate?(next: KindMap[K], prev: KindMap[K]): boolean
  /**
   * deleteOnlyUnreferenced refuses a delete (409 Conflict) while another stored object
   * references the object, checked in the delete's own store transaction; default false.
   */
  readonly deleteOnlyUnreferenced?: boolean
}

/** Admitted is the object `admit` completed and the problems it found. */
export interface Admitted<T> {
  readonly object: T
  readonly errors: readonly FieldError[]
  /**
   * Images the object's namespace may now pull from the registry's caches, to be granted
   * before the object is stored (docs/integrated-registry.md#what-a-namespace-may-pull-from-the-caches).
   */
  readonly pullGrants?: readonly string[]
}

/** passThrough is the strategy of kinds whose every field is the user's (ServiceAccount). */
export function passThrough<K extends KindName>(): Strategy<K> {
  return {
    prepareForCreate: (object) => object,
    prepareForUpdate: (next) => next,
    decorate: (object) => object,
    decorateJson: storedJson,
  }
}

/** storedJson is the decorateJson of kinds without read-time fields: the stored text as it is. */
export function storedJson(json: string, from: number): string[] {
  return [json.slice(from)]
}
