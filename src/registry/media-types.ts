/** Manifest and config media types (OCI image-spec media-types.md, distribution manifest-v2-2.md). */

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
export const DOCKER_SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws'
export const DOCKER_SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+json'
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json'

/**
 * MANIFEST_ACCEPT goes on every manifest request, HEAD and GET, by tag and by digest: a
 * registry that stores a type missing from Accept answers 404 or rewrites the manifest
 * (docs/registry-protocol.md#media-types-and-accept; distribution answers 404 for OCI content,
 * schema 1 for Docker).
 */
export const MANIFEST_ACCEPT = [
  OCI_INDEX,
  DOCKER_MANIFEST_LIST,
  OCI_MANIFEST,
  DOCKER_MANIFEST,
].join(', ')

/** ManifestKind is what a manifest body is, independent of OCI vs Docker spelling. */
export type ManifestKind = 'index' | 'image' | 'schema1' | 'unknown'

/** manifestKind classifies a media type. */
export function manifestKind(mediaType: string): ManifestKind {
  switch (mediaType) {
    case OCI_INDEX:
    case DOCKER_MANIFEST_LIST:
      return 'index'
    case OCI_MANIFEST:
    case DOCKER_MANIFEST:
      return 'image'
    case DOCKER_SCHEMA1:
    case DOCKER_SCHEMA1_SIGNED:
      return 'schema1'
    default:
      return 'unknown'
  }
}

/** isImageConfigType says whether a config descriptor points at an image config worth fetching. */
export function isImageConfigType(mediaType: string): boolean {
  return mediaType === OCI_CONFIG || mediaType === DOCKER_CONFIG
}

/** simplifyContentType strips parameters and case: registries send `; charset=utf-8` and worse. */
export function simplifyContentType(value: string | undefined): string {
  return (value ?? '').split(';')[0]!.trim().toLowerCase()
}
