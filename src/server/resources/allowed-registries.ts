/**
 * The allow-list's part of validation (docs/imports.md#allowed-registries): the field errors
 * `--allowed-registries-for-import` adds to a write, merged with validation's as OpenShift's
 * strategies return them together. Nothing without a list.
 */
import {
  streamAllowListErrors,
  type FieldError,
  type ImageStream,
  type KindMap,
  type KindName,
} from '../../api/index.js'
import type { ResourceSettings } from './context.js'

/** allowListErrors checks a stored kind's write; only image streams name registries. */
export function allowListErrors<K extends KindName>(
  kind: K,
  next: KindMap[K],
  prev: KindMap[K] | undefined,
  settings: ResourceSettings,
): FieldError[] {
  const list = settings.allowedRegistries
  if (!list || kind !== 'ImageStream') return []
  return streamAllowListErrors(next as ImageStream, prev as ImageStream | undefined, list)
}
