/**
 * The metadata rules every backend applies to a write: the key and the object's name and
 * namespace must agree, and the store stamps uid, creationTimestamp and resourceVersion.
 * Backend-neutral.
 */
import { InvalidObjectError } from './store.js'
import type { ObjectKey, ObjectMeta, StoredObject } from './store.js'

/** withMeta returns a copy of object with some metadata fields replaced. */
export function withMeta<T extends StoredObject>(object: T, meta: Partial<ObjectMeta>): T {
  return { ...object, metadata: { ...object.metadata, ...meta } }
}

/** checkObject throws InvalidObject unless the object's metadata agrees with its key. */
export function checkObject(key: ObjectKey, object: StoredObject): void {
  if (key.resource === '' || key.name === '') {
    throw new InvalidObjectError(key, 'the key needs a resource and a name')
  }
  const meta: unknown = (object as { metadata?: unknown } | null)?.metadata
  if (meta === null || typeof meta !== 'object') {
    throw new InvalidObjectError(key, 'metadata must be an object')
  }
  const { name, namespace } = meta as ObjectMeta
  if (name !== key.name) {
    throw new InvalidObjectError(
      key,
      `metadata.name ${JSON.stringify(name)} does not match the key`,
    )
  }
  if ((namespace ?? '') !== key.namespace) {
    throw new InvalidObjectError(
      key,
      `metadata.namespace ${JSON.stringify(namespace)} does not match the key`,
    )
  }
}
