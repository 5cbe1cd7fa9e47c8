/**
 * A large single-arch image of random layers (nothing compresses or dedupes), as an OCI
 * layout: what pull-through streaming is measured and tested with.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { OCI_CONFIG, OCI_LAYER_GZIP, OCI_MANIFEST, sha256 } from './oci-layout.js'

/** LargeImage says what a built image holds. */
export interface LargeImage {
  /** The manifest's digest. */
  readonly digest: string
  readonly layers: readonly { readonly digest: string; readonly size: number }[]
  /** Bytes of the config and the layers. */
  readonly bytes: number
}

/** tarOf wraps `content` as the single regular file of a ustar archive, so the layer is a real one. */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512)
  const field = (offset: number, length: number, value: string) =>
    header.write(value, offset, length, 'ascii')
  field(0, 100, name)
  field(100, 8, '0000644\0')
  field(108, 8, '0000000\0')
  field(116, 8, '0000000\0')
  field(124, 12, `${content.length.toString(8).padStart(11, '0')}\0`)
  field(136, 12, '00000000000\0')
  field(156, 1, '0')
  field(257, 8, 'ustar\x0000')
  // The checksum is computed with its own field read as eight spaces.
  field(148, 8, '        ')
  let sum = 0
  for (const byte of header) sum += byte
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `)
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512)
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)])
}

/** buildLargeLayout writes to `dir` an OCI layout of one image, tagged `tag`, of `layers` random layers of `layerBytes` each. */
export function buildLargeLayout(
  dir: string,
  tag: string,
  opts: { readonly layers: number; readonly layerBytes: number },
): LargeImage {
  const blobs = join(dir, 'blobs', 'sha256')
  mkdirSync(blobs, { recursive: true })
  const writeBlob = (data: Buffer | string) => {
    const digest = sha256(data)
    writeFileSync(join(blobs, digest.slice(7)), data)
    return digest
  }
  const layers = []
  const diffIds = []
  for (let i = 0; i < opts.layers; i++) {
    const tar = tarOf(`layer-${i}.bin`, randomBytes(opts.layerBytes))
    diffIds.push(sha256(tar))
    // Level 0 stores the random bytes as they are: valid gzip, no time spent compressing noise.
    const gz = gzipSync(tar, { level: 0 })
    layers.push({ mediaType: OCI_LAYER_GZIP, digest: writeBlob(gz), size: gz.length })
  }
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: diffIds },
  })
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: writeBlob(config), size: Buffer.byteLength(config) },
    layers,
  })
  const digest = writeBlob(manifest)
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest,
          size: Buffer.byteLength(manifest),
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  )
  return {
    digest,
    layers: layers.map(({ digest, size }) => ({ digest, size })),
    bytes: layers.reduce((n, l) => n + l.size, 0) + Buffer.byteLength(config),
  }
}
