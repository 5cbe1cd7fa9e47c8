/**
 * Image API objects built from what the registry client fetched
 * (docs/kubernetes-api.md#object-model): named by digest, metadata from the config blob, manifest
 * lists with their children.
 */
import type { DockerImage, Image } from '../api/index.js'
import { ANNOTATIONS, DOCKER_IMAGE_METADATA_VERSION } from '../api/index.js'
import type { InspectedImage, InspectedList } from '../registry/index.js'

const DOCKER_IMAGE_TYPE = { kind: 'DockerImage', apiVersion: 'image.openshift.io/1.0' } as const

/** imageFromInspected builds the Image of one runnable image pulled from `repository`. */
export function imageFromInspected(img: InspectedImage, repository: string): Image {
  const layers = img.manifest.layers
  const c = img.config
  const metadata: DockerImage = {
    ...DOCKER_IMAGE_TYPE,
    Id: img.configDigest,
    ...(c.created && { Created: c.created }),
    ...(c.author && { Author: c.author }),
    Architecture: c.architecture,
    Os: c.os,
    ...(c.variant && { Variant: c.variant }),
    Config: {
      ...c.config,
      Env: c.config.Env && [...c.config.Env],
      Cmd: c.config.Cmd && [...c.config.Cmd],
      Entrypoint: c.config.Entrypoint && [...c.config.Entrypoint],
    },
    Size: img.size,
  }
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'Image',
    metadata: { name: img.digest, annotations: { [ANNOTATIONS.layersOrder]: 'ascending' } },
    dockerImageReference: `${repository}@${img.digest}`,
    dockerImageMetadata: JSON.parse(JSON.stringify(metadata)) as DockerImage,
    dockerImageMetadataVersion: DOCKER_IMAGE_METADATA_VERSION,
    dockerImageLayers: layers.map((l) => ({
      name: l.digest,
      size: l.size,
      mediaType: l.mediaType,
    })),
    dockerImageManifestMediaType: img.mediaType,
  }
}

/**
 * imageFromList builds the Image of a manifest list or OCI index. Like OpenShift it has no
 * layers and its Created is the import time; every entry with a platform is recorded,
 * attestations included, so the list can be served whole (docs/imports.md#import-modes).
 */
export function imageFromList(list: InspectedList, repository: string, now: Date): Image {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'Image',
    metadata: { name: list.digest },
    dockerImageReference: `${repository}@${list.digest}`,
    dockerImageMetadata: {
      ...DOCKER_IMAGE_TYPE,
      Id: list.digest,
      Created: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    dockerImageMetadataVersion: DOCKER_IMAGE_METADATA_VERSION,
    dockerImageManifestMediaType: list.mediaType,
    dockerImageManifests: list.manifests
      .filter((d) => d.platform)
      .map((d) => ({
        digest: d.digest,
        mediaType: d.mediaType,
        manifestSize: d.size,
        architecture: d.platform!.architecture,
        os: d.platform!.os,
        ...(d.platform!.variant && { variant: d.platform!.variant }),
      })),
  }
}

/**
 * repositoryAsSpelled is `from.name` without its tag and digest, as the user wrote it:
 * OpenShift records `busybox@sha256:…` for `busybox:latest`, adding no registry.
 */
export function repositoryAsSpelled(name: string): string {
  const noDigest = name.split('@')[0]!
  const slash = noDigest.lastIndexOf('/')
  const colon = noDigest.lastIndexOf(':')
  return colon > slash ? noDigest.slice(0, colon) : noDigest
}
