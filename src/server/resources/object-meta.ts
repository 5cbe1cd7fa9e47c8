/**
 * Metadata rules common to every kind (the apiserver's rest.BeforeCreate/BeforeUpdate): the
 * server owns uid, resourceVersion, creationTimestamp, generation and deletion fields; the
 * namespace and name come from the URL; `generateName` gets five random characters.
 */
import { randomInt } from 'node:crypto'
import type { KindMap, KindName, ResourceInfo } from '../../api/index.js'
import { badRequest } from '../status.js'

// Kube's generator alphabet: no vowels (no words), no look-alike characters.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'
const RANDOM_LENGTH = 5
const MAX_NAME_LENGTH = 63

/** generateName appends five random characters to a base, cut so the result fits a DNS label. */
export function generateName(base: string): string {
  let suffix = ''
  for (let i = 0; i < RANDOM_LENGTH; i++) suffix += ALPHABET[randomInt(ALPHABET.length)]
  return `${base.slice(0, MAX_NAME_LENGTH - RANDOM_LENGTH)}${suffix}`
}

/** checkNamespace refuses a body whose namespace differs from the URL's (an empty one is filled in). */
export function checkNamespace(
  bodyNamespace: string | undefined,
  urlNamespace: string | undefined,
): void {
  if (urlNamespace === undefined || !bodyNamespace || bodyNamespace === urlNamespace) return
  throw badRequest(
    'the namespace of the provided object does not match the namespace sent on the request',
  )
}

/** checkName refuses a body whose name differs from the URL's. */
export function checkName(bodyName: string | undefined, urlName: string): void {
  if (bodyName === urlName) return
  throw badRequest(
    `the name of the object (${bodyName ?? ''}) does not match the name on the URL (${urlName})`,
  )
}

/** dropEmptyMaps removes empty labels, annotations and finalizers, as Go's omitempty does. */
function dropEmptyMaps(meta: {
  labels?: Record<string, string>
  annotations?: Record<string, string>
  finalizers?: string[]
}): void {
  if (meta.labels !== undefined && Object.keys(meta.labels).length === 0) delete meta.labels
  if (meta.annotations !== undefined && Object.keys(meta.annotations).length === 0)
    delete meta.annotations
  if (meta.finalizers?.length === 0) delete meta.finalizers
}

/**
 * prepareCreateMeta clears the server-owned metadata of a new object and places it in its
 * namespace; returns a copy with metadata of its own, sharing the rest with `object`.
 */
export function prepareCreateMeta<K extends KindName>(
  resource: ResourceInfo<K>,
  object: KindMap[K],
  namespace: string | undefined,
): KindMap[K] {
  const meta = { ...object.metadata }
  const copy = { ...object, metadata: meta }
  delete meta.uid
  delete meta.resourceVersion
  delete meta.creationTimestamp
  delete meta.deletionTimestamp
  delete meta.deletionGracePeriodSeconds
  delete meta.selfLink
  delete meta.generation
  if (resource.namespaced && namespace !== undefined) meta.namespace = namespace
  else delete meta.namespace
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName)
  dropEmptyMaps(meta)
  return copy
}

/**
 * prepareUpdateMeta carries the server-owned metadata over from the stored object; returns a
 * copy with metadata of its own, sharing the rest with `next`.
 */
export function prepareUpdateMeta<K extends KindName>(
  next: KindMap[K],
  prev: KindMap[K],
): KindMap[K] {
  const meta = { ...next.metadata }
  const copy = { ...next, metadata: meta }
  const old = prev.metadata
  // An empty uid is the server's to fill; a different one is refused by validateUpdate.
  if (!meta.uid && old.uid) meta.uid = old.uid
  delete meta.selfLink
  delete meta.creationTimestamp
  if (old.creationTimestamp) meta.creationTimestamp = old.creationTimestamp
  // Only a delete sets the deletion fields (docs/kubernetes-api.md#update-and-delete).
  delete meta.deletionTimestamp
  if (old.deletionTimestamp) meta.deletionTimestamp = old.deletionTimestamp
  delete meta.deletionGracePeriodSeconds
  if (old.deletionGracePeriodSeconds !== undefined)
    meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds
  delete meta.generation
  if (old.generation !== undefined) meta.generation = old.generation
  if (old.namespace) meta.namespace = old.namespace
  dropEmptyMaps(meta)
  return copy
}
