/** Builds the OCI image layout the fixtures are pushed from: real tar+gzip layers and configs. */
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

import { OCI_CONFIG, OCI_INDEX, OCI_MANIFEST } from '../../src/registry/media-types.js'

export {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST as DOCKER_LIST,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
} from '../../src/registry/media-types.js'
/** OCI gzip layer media type. */
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip'
/** in-toto attestation layer media type (BuildKit provenance/SBOM). */
export const IN_TOTO = 'application/vnd.in-toto+json'

/** An OCI/Docker platform. */
export interface Platform {
  os: string
  architecture: string
  variant?: string
}

/** A content descriptor. */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: Platform
  annotations?: Record<string, string>
}

/** The image config (subset we set) every fixture image carries, for importer assertions. */
export interface FixtureImageConfig {
  created: string
  author: string
  architecture: string
  os: string
  variant?: string
  config: {
    User: string
    ExposedPorts: Record<string, Record<string, never>>
    Env: string[]
    Entrypoint: string[]
    Cmd: string[]
    WorkingDir: string
    Labels: Record<string, string>
  }
  rootfs: { type: 'layers'; diff_ids: string[] }
  history: { created: string; created_by: string; empty_layer?: boolean }[]
}

/** The four platforms of the multi-arch fixtures, in index order. */
export const FIXTURE_PLATFORMS: readonly Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
  { os: 'linux', architecture: 'ppc64le' },
]

/** Fixed so every run and every registry gets byte-identical OCI content (stable digests). */
export const FIXTURE_CREATED = '2024-05-06T07:08:09Z'
/** Author recorded in every fixture config. */
export const FIXTURE_AUTHOR = 'imagestreams test harness <harness@example.invalid>'
const MTIME = Date.parse(FIXTURE_CREATED) / 1000

/** `os/arch[/variant]`. */
export function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined).join('/')
}

/** `sha256:<hex>` of some bytes. */
export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0'
}

/** A minimal ustar archive with fixed owners and mtimes (reproducible bytes). */
export function tar(entries: { path: string; content?: string; mode?: number }[]): Buffer {
  const blocks: Buffer[] = []
  for (const e of entries) {
    const isDir = e.content === undefined
    const body = Buffer.from(e.content ?? '')
    const h = Buffer.alloc(512)
    h.write(e.path, 0, 100, 'utf8')
    h.write(octal(e.mode ?? (isDir ? 0o755 : 0o644), 8), 100)
    h.write(octal(0, 8), 108)
    h.write(octal(0, 8), 116)
    h.write(octal(body.length, 12), 124)
    h.write(octal(MTIME, 12), 136)
    h.write('        ', 148) // checksum is computed with this field as spaces
    h.write(isDir ? '5' : '0', 156)
    h.write('ustar\0', 257)
    h.write('00', 263)
    h.write('root', 265)
    h.write('root', 297)
    let sum = 0
    for (const b of h) sum += b
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return Buffer.concat(blocks)
}

/** Writes blobs into `<dir>/blobs/sha256` and returns descriptors. */
class BlobWriter {
  readonly dir: string
  readonly #writes: Promise<void>[] = []
  constructor(dir: string) {
    this.dir = dir
  }
  add(mediaType: string, data: Buffer | string, extra: Partial<Descriptor> = {}): Descriptor {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data
    const digest = sha256(bytes)
    this.#writes.push(writeFile(join(this.dir, 'blobs', 'sha256', digest.slice(7)), bytes))
    return { mediaType, digest, size: bytes.length, ...extra }
  }
  json(mediaType: string, value: unknown, extra: Partial<Descriptor> = {}): Descriptor {
    return this.add(mediaType, JSON.stringify(value), extra)
  }
  async flush(): Promise<void> {
    await Promise.all(this.#writes)
  }
}

function layer(
  blobs: BlobWriter,
  entries: Parameters<typeof tar>[0],
): { desc: Descriptor; diffId: string } {
  const raw = tar(entries)
  // gzipSync writes mtime 0 and a fixed OS byte, so the compressed bytes are reproducible too.
  const desc = blobs.add(OCI_LAYER_GZIP, gzipSync(raw, { level: 6 }))
  return { desc, diffId: sha256(raw) }
}

/** The config a fixture image of `name` for `platform` gets (diff_ids filled in by the builder). */
export function fixtureConfig(
  name: string,
  platform: Platform,
  diffIds: string[],
): FixtureImageConfig {
  const plat = platformString(platform)
  return {
    created: FIXTURE_CREATED,
    author: FIXTURE_AUTHOR,
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant === undefined ? {} : { variant: platform.variant }),
    config: {
      User: '1001',
      ExposedPorts: { '8080/tcp': {} },
      Env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        `FIXTURE_PLATFORM=${plat}`,
      ],
      Entrypoint: [`/opt/${name}/entrypoint`],
      Cmd: ['--serve'],
      WorkingDir: `/opt/${name}`,
      Labels: {
        'org.opencontainers.image.title': name,
        'io.imagestreams.fixture.platform': plat,
      },
    },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: [
      { created: FIXTURE_CREATED, created_by: 'ADD base.tar /' },
      { created: FIXTURE_CREATED, created_by: `ENV FIXTURE_PLATFORM=${plat}`, empty_layer: true },
      { created: FIXTURE_CREATED, created_by: `COPY entrypoint /opt/${name}/` },
    ],
  }
}

/** What `buildOciLayout` wrote: the layout dir, ref names and the OCI descriptors. */
export interface OciLayout {
  dir: string
  /** Ref of the 4-platform index plus the attestation entry. */
  appRef: 'app'
  /** Ref of the same 4 platforms without the attestation (for Docker conversion). */
  appPlainRef: 'app-plain'
  /** Ref of the single-arch (linux/amd64) tool image. */
  toolRef: 'tool'
  appIndex: Descriptor
  appPlainIndex: Descriptor
  /** The four platform manifests, in FIXTURE_PLATFORMS order. */
  appManifests: Descriptor[]
  attestation: Descriptor
  tool: Descriptor
}

function image(
  blobs: BlobWriter,
  base: ReturnType<typeof layer>,
  name: string,
  platform: Platform,
): Descriptor {
  const plat = platformString(platform)
  const top = layer(blobs, [
    { path: 'opt/' },
    { path: `opt/${name}/` },
    { path: `opt/${name}/platform`, content: `${plat}\n` },
    {
      path: `opt/${name}/entrypoint`,
      content: `#!/bin/sh\necho ${name} on ${plat}\n`,
      mode: 0o755,
    },
  ])
  const config = blobs.json(OCI_CONFIG, fixtureConfig(name, platform, [base.diffId, top.diffId]))
  return blobs.json(
    OCI_MANIFEST,
    { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [base.desc, top.desc] },
    { platform },
  )
}

/** Builds the whole layout in `dir` (which must exist and be empty). */
export async function buildOciLayout(dir: string): Promise<OciLayout> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true })
  const blobs = new BlobWriter(dir)
  const base = layer(blobs, [
    { path: 'etc/' },
    { path: 'etc/fixture-release', content: 'imagestreams fixture base 1\n' },
  ])
  const appManifests = FIXTURE_PLATFORMS.map((p) => image(blobs, base, 'app', p))
  const amd64 = appManifests[0]!

  // Shaped like BuildKit's provenance attestation: unknown/unknown, in-toto layer, and the
  // annotations that tie it to the image it describes.
  const statement = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [{ name: 'pkg:docker/multi/app@v1', digest: { sha256: amd64.digest.slice(7) } }],
    predicate: { builder: { id: '' }, buildType: 'https://mobyproject.org/buildkit@v1' },
  }
  const statementDesc = blobs.json(IN_TOTO, statement, {
    annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
  })
  const attConfig = blobs.json(OCI_CONFIG, {
    architecture: 'unknown',
    os: 'unknown',
    config: {},
    rootfs: { type: 'layers', diff_ids: [statementDesc.digest] },
  })
  const attestation = blobs.json(
    OCI_MANIFEST,
    { schemaVersion: 2, mediaType: OCI_MANIFEST, config: attConfig, layers: [statementDesc] },
    {
      platform: { architecture: 'unknown', os: 'unknown' },
      annotations: {
        'vnd.docker.reference.digest': amd64.digest,
        'vnd.docker.reference.type': 'attestation-manifest',
      },
    },
  )
  const appIndex = blobs.json(OCI_INDEX, {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [...appManifests, attestation],
  })
  const appPlainIndex = blobs.json(OCI_INDEX, {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: appManifests,
  })
  const tool = image(blobs, base, 'tool', { os: 'linux', architecture: 'amd64' })
  delete tool.platform

  const ref = (d: Descriptor, name: string): Descriptor => ({
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    annotations: { 'org.opencontainers.image.ref.name': name },
  })
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [ref(appIndex, 'app'), ref(appPlainIndex, 'app-plain'), ref(tool, 'tool')],
    }),
  )
  await blobs.flush()
  return {
    dir,
    appRef: 'app',
    appPlainRef: 'app-plain',
    toolRef: 'tool',
    appIndex,
    appPlainIndex,
    appManifests,
    attestation,
    tool,
  }
}
