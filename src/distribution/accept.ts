/**
 * Manifest content negotiation, as distribution 2.8 (and so OpenShift's registry) answers a
 * client whose `Accept` lacks the stored manifest's type: a Docker manifest list asked for by
 * tag is answered with its linux/amd64 image, OCI content is refused with MANIFEST_UNKNOWN.
 * Where distribution would rewrite a Docker image into schema 1, which we never produce, the
 * manifest is served as stored; without `Accept`, or with a wildcard, everything is.
 */
import type { FetchedManifest } from '../registry/index.js'
import {
  DOCKER_MANIFEST_LIST,
  matchPlatform,
  normalizePlatform,
  OCI_INDEX,
  OCI_MANIFEST,
} from '../registry/index.js'

/** Negotiated is the answer to give: the manifest, one child of it, or a refusal. */
export type Negotiated =
  | { readonly kind: 'manifest' }
  | { readonly kind: 'child'; readonly digest: string }
  | { readonly kind: 'refused'; readonly message: string }

const LINUX_AMD64 = normalizePlatform({ os: 'linux', architecture: 'amd64' })

/** acceptedTypes reads the media types of `Accept` headers; undefined accepts any type. */
export function acceptedTypes(
  header: string | readonly string[] | undefined,
): ReadonlySet<string> | undefined {
  if (header === undefined) return undefined
  const types = new Set<string>()
  for (const value of typeof header === 'string' ? [header] : header) {
    for (const part of value.split(',')) {
      const type = part.split(';')[0]!.trim().toLowerCase()
      if (type === '*/*' || type === 'application/*') return undefined
      if (type !== '') types.add(type)
    }
  }
  return types.size === 0 ? undefined : types
}

/** negotiate decides how to answer a request for `fetched` (named by tag or not) under `accepted`. */
export function negotiate(
  accepted: ReadonlySet<string> | undefined,
  fetched: FetchedManifest,
  byTag: boolean,
): Negotiated {
  if (accepted === undefined || accepted.has(fetched.mediaType)) return { kind: 'manifest' }
  switch (fetched.mediaType) {
    case OCI_INDEX:
      return {
        kind: 'refused',
        message: 'OCI index found, but accept header does not support OCI indexes',
      }
    case OCI_MANIFEST:
      return {
        kind: 'refused',
        message: 'OCI manifest found, but accept header does not support OCI manifests',
      }
    case DOCKER_MANIFEST_LIST: {
      // By digest the answer must be the manifest with that digest.
      if (!byTag || fetched.manifest.kind !== 'index') return { kind: 'manifest' }
      const child = matchPlatform(fetched.manifest.manifests, LINUX_AMD64)
      return child
        ? { kind: 'child', digest: child.digest }
        : { kind: 'refused', message: 'manifest list has no linux/amd64 image' }
    }
    default:
      return { kind: 'manifest' }
  }
}
