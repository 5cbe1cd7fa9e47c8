/** Pushes the standard fixture images into a harness registry with real skopeo. */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { header, MANIFEST_ACCEPT, RegistryClient } from './http.js'
import {
  buildOciLayout,
  DOCKER_LIST,
  IN_TOTO,
  OCI_MANIFEST,
  sha256,
  type Descriptor,
  type FixtureImageConfig,
  type OciLayout,
  type Platform,
} from './oci-layout.js'
import { mapLimit } from '../../src/lib/concurrency.js'
import { buildLargeLayout, type LargeImage } from './large-image.js'
import { makeTempDir, removeTempDir, runCommand } from './process.js'
import type { RunningRegistry } from './registry.js'

/** A manifest (or list) the harness pushed, as the registry stores it. */
export interface FixtureManifest {
  repository: string
  tag: string
  /** `127.0.0.1:PORT/repository:tag`. */
  reference: string
  /** sha256 of the bytes the registry returns for the tag (with every manifest type accepted). */
  digest: string
  mediaType: string
  size: number
}

/** An image manifest with its config and layers. */
export interface FixtureImageParts {
  config: Descriptor
  layers: Descriptor[]
  /** The parsed config blob (null for attestation manifests, whose config is not an image). */
  imageConfig: FixtureImageConfig | null
}

/** A single-arch image fixture. */
export interface FixtureImage extends FixtureManifest, FixtureImageParts {
  platform: Platform
}

/** One entry of a list fixture. */
export interface FixtureChild extends FixtureImageParts {
  /** The platform as written in the list entry (`unknown/unknown` for the attestation). */
  platform: Platform
  digest: string
  mediaType: string
  size: number
  /** True for the BuildKit-style attestation manifest entry. */
  attestation: boolean
  annotations?: Record<string, string>
}

/** An OCI index or Docker manifest list fixture. */
export interface FixtureList extends FixtureManifest {
  /** Entries in list order: linux/amd64, linux/arm64/v8, linux/arm/v7, linux/ppc64le, then the attestation. */
  children: FixtureChild[]
}

/** A repository with many tags, all pointing at one manifest. */
export interface FixtureTagSet {
  repository: string
  /** `tag-000` … `tag-149`, sorted. */
  tags: string[]
  digest: string
  mediaType: string
  size: number
}

/** Everything `pushFixtures` pushed, with digests computed from the stored bytes. */
export interface Fixtures {
  /** `multi/oci-app:v1`: OCI index, four platforms plus one attestation entry. */
  ociIndex: FixtureList
  /**
   * `multi/docker-app:v1`: Docker manifest list, the four platforms as schema2 (converted by
   * skopeo) plus an attestation entry the harness appends itself (skopeo cannot convert it).
   */
  dockerList: FixtureList
  /** `single/oci-tool:1.0`: single-arch (linux/amd64) OCI manifest. */
  ociSingle: FixtureImage
  /** `single/docker-tool:1.0`: single-arch Docker schema2 manifest. */
  dockerSingle: FixtureImage
  /** `many/tags`: 150 tags on one OCI manifest. */
  manyTags: FixtureTagSet
  /** `team-a/app:v1`, `team-b/app:v1`, `public/base:1.0` (copies of the single OCI image). */
  perRepository?: { teamA: FixtureImage; teamB: FixtureImage; publicBase: FixtureImage }
}

/** Options for `pushFixtures`. */
export interface PushFixturesOptions {
  /** `user:password` with push rights; defaults to the registry's harness push user. */
  creds?: string
  /** Also push the team-a / team-b / public repositories. Default: only for token registries. */
  perRepository?: boolean
}

/** Number of tags in `many/tags`. */
export const MANY_TAGS_COUNT = 150
const SKOPEO_CONCURRENCY = 4
const PUT_CONCURRENCY = 16

interface SkopeoEnv {
  dir: string
  policy: string
  registriesD: string
  env: NodeJS.ProcessEnv
}

let shared: Promise<{ layout: OciLayout; skopeo: SkopeoEnv }> | undefined

/** The OCI layout and skopeo sandbox, built once per process and reused by every push. */
function sharedSetup(): Promise<{ layout: OciLayout; skopeo: SkopeoEnv }> {
  shared ??= (async () => {
    const root = makeTempDir('fixtures')
    const layout = await buildOciLayout(join(root, 'layout'))
    const dir = join(root, 'skopeo')
    const registriesD = join(dir, 'registries.d')
    await mkdir(registriesD, { recursive: true })
    const policy = join(dir, 'policy.json')
    await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }))
    await writeFile(join(dir, 'registries.conf'), '')
    await writeFile(join(dir, 'auth.json'), '{"auths":{}}')
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // Nothing from the machine's containers config or stored logins may leak into a push.
      REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
      CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
      // As root, c/image keeps its blob-info cache in /var/lib/containers; claiming a rootless
      // uid moves it under XDG_DATA_HOME, so runs never share (or leave) cache state.
      _CONTAINERS_ROOTLESS_UID: '4242',
      XDG_DATA_HOME: join(dir, 'data'),
      XDG_RUNTIME_DIR: join(dir, 'run'),
      TMPDIR: join(dir, 'tmp'),
    }
    await mkdir(join(dir, 'run'), { recursive: true })
    await mkdir(join(dir, 'tmp'), { recursive: true })
    return { layout, skopeo: { dir, policy, registriesD, env } }
  })()
  return shared
}

/** Runs `skopeo copy` from the shared layout to `reg` with the harness's TLS and creds flags. */
async function skopeoCopy(
  reg: RunningRegistry,
  sk: SkopeoEnv,
  src: string,
  dest: string,
  creds: string | undefined,
  extra: string[],
): Promise<void> {
  const tlsArgs = reg.tls
    ? ['--dest-cert-dir', reg.ca!.certDir, '--dest-tls-verify=true']
    : ['--dest-tls-verify=false']
  const credArgs = creds === undefined ? ['--dest-no-creds'] : ['--dest-creds', creds]
  await runCommand(
    'skopeo',
    [
      '--policy',
      sk.policy,
      '--registries.d',
      sk.registriesD,
      'copy',
      '--quiet',
      '--retry-times',
      '0',
      ...extra,
      ...tlsArgs,
      ...credArgs,
      src,
      `docker://${reg.host}/${dest}`,
    ],
    { env: sk.env },
  )
}

/**
 * moveTag points `dest` (`repo:tag`) in `reg` at `src` (`repo:tag` or `repo@digest` in the same
 * registry) with real skopeo, digests preserved: what a publisher pushing a new image to a tag
 * does upstream between two imports.
 */
export async function moveTag(reg: RunningRegistry, src: string, dest: string): Promise<void> {
  const { skopeo } = await sharedSetup()
  const srcTls = reg.tls
    ? ['--src-cert-dir', reg.ca!.certDir, '--src-tls-verify=true']
    : ['--src-tls-verify=false']
  const srcCreds = reg.pushCreds === undefined ? ['--src-no-creds'] : ['--src-creds', reg.pushCreds]
  await skopeoCopy(reg, skopeo, `docker://${reg.host}/${src}`, dest, reg.pushCreds, [
    '--preserve-digests',
    ...srcTls,
    ...srcCreds,
  ])
}

/**
 * pushLargeImage builds an image of random layers (test/harness/large-image.ts) and pushes it
 * to `reg` as `dest` (`repo:tag`) with real skopeo, keeping no copy on disk.
 */
export async function pushLargeImage(
  reg: RunningRegistry,
  dest: string,
  opts: { readonly layers: number; readonly layerBytes: number },
): Promise<LargeImage> {
  const { skopeo } = await sharedSetup()
  const dir = makeTempDir('large-image')
  try {
    const image = buildLargeLayout(dir, 'latest', opts)
    await skopeoCopy(reg, skopeo, `oci:${dir}:latest`, dest, reg.pushCreds, ['--preserve-digests'])
    return image
  } finally {
    await removeTempDir(dir)
  }
}

async function uploadBlob(client: RegistryClient, repo: string, bytes: Buffer): Promise<void> {
  const digest = sha256(bytes)
  const head = await client.request('HEAD', `/v2/${repo}/blobs/${digest}`)
  if (head.status === 200) return
  // distribution 2.8 ignores a body on POST, so always do POST (session) + PUT (content).
  const start = await client.request('POST', `/v2/${repo}/blobs/uploads/`)
  const location = header(start, 'location')
  if (start.status !== 202 || !location) {
    throw new Error(`starting blob upload to ${repo}: ${start.status} ${start.body.toString()}`)
  }
  const u = new URL(location, client.url)
  u.searchParams.set('digest', digest)
  const put = await client.request('PUT', u.pathname + u.search, {
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  })
  if (put.status !== 201)
    throw new Error(`uploading ${digest} to ${repo}: ${put.status} ${put.body.toString()}`)
}

async function putManifest(
  client: RegistryClient,
  repo: string,
  ref: string,
  mediaType: string,
  bytes: Buffer,
): Promise<void> {
  const res = await client.request('PUT', `/v2/${repo}/manifests/${ref}`, {
    headers: { 'content-type': mediaType },
    body: bytes,
  })
  if (res.status !== 201) {
    throw new Error(`PUT ${repo}/manifests/${ref}: ${res.status} ${res.body.toString()}`)
  }
}

async function getManifest(
  client: RegistryClient,
  repo: string,
  ref: string,
): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
  const res = await client.request('GET', `/v2/${repo}/manifests/${ref}`, {
    headers: { accept: MANIFEST_ACCEPT },
  })
  if (res.status !== 200)
    throw new Error(`GET ${repo}/manifests/${ref}: ${res.status} ${res.body.toString()}`)
  const mediaType = (header(res, 'content-type') ?? '').split(';')[0]!.trim()
  const digest = sha256(res.body)
  const claimed = header(res, 'docker-content-digest')
  if (claimed !== undefined && claimed !== digest) {
    throw new Error(`${repo}:${ref}: registry says ${claimed} but the bytes hash to ${digest}`)
  }
  return { bytes: res.body, mediaType, digest }
}

interface ManifestJson {
  mediaType?: string
  config?: Descriptor
  layers?: Descriptor[]
  manifests?: Descriptor[]
}

async function imageParts(
  client: RegistryClient,
  repo: string,
  manifest: ManifestJson,
): Promise<FixtureImageParts> {
  const config = manifest.config
  if (!config) throw new Error(`${repo}: manifest without config`)
  const layers = manifest.layers ?? []
  const isAttestation = layers.some((l) => l.mediaType === IN_TOTO)
  let imageConfig: FixtureImageConfig | null = null
  if (!isAttestation) {
    const res = await client.request('GET', `/v2/${repo}/blobs/${config.digest}`)
    if (res.status !== 200 || sha256(res.body) !== config.digest) {
      throw new Error(
        `${repo}: config ${config.digest} answered ${res.status} or hashed differently`,
      )
    }
    imageConfig = JSON.parse(res.body.toString('utf8')) as FixtureImageConfig
  }
  return { config, layers, imageConfig }
}

async function describeImage(
  client: RegistryClient,
  host: string,
  repo: string,
  tag: string,
): Promise<FixtureImage> {
  const got = await getManifest(client, repo, tag)
  const parts = await imageParts(
    client,
    repo,
    JSON.parse(got.bytes.toString('utf8')) as ManifestJson,
  )
  const cfg = parts.imageConfig
  return {
    repository: repo,
    tag,
    reference: `${host}/${repo}:${tag}`,
    digest: got.digest,
    mediaType: got.mediaType,
    size: got.bytes.length,
    platform: {
      os: cfg?.os ?? 'unknown',
      architecture: cfg?.architecture ?? 'unknown',
      ...(cfg?.variant === undefined ? {} : { variant: cfg.variant }),
    },
    ...parts,
  }
}

async function describeList(
  client: RegistryClient,
  host: string,
  repo: string,
  tag: string,
): Promise<FixtureList> {
  const got = await getManifest(client, repo, tag)
  const list = JSON.parse(got.bytes.toString('utf8')) as ManifestJson
  const children = await Promise.all(
    (list.manifests ?? []).map(async (entry): Promise<FixtureChild> => {
      const child = await getManifest(client, repo, entry.digest)
      if (child.digest !== entry.digest || child.bytes.length !== entry.size) {
        throw new Error(`${repo}: child ${entry.digest} does not match its descriptor`)
      }
      const parts = await imageParts(
        client,
        repo,
        JSON.parse(child.bytes.toString('utf8')) as ManifestJson,
      )
      const attestation =
        entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'
      return {
        platform: entry.platform ?? { os: 'unknown', architecture: 'unknown' },
        digest: entry.digest,
        mediaType: entry.mediaType,
        size: entry.size,
        attestation,
        ...(entry.annotations === undefined ? {} : { annotations: entry.annotations }),
        ...parts,
      }
    }),
  )
  return {
    repository: repo,
    tag,
    reference: `${host}/${repo}:${tag}`,
    digest: got.digest,
    mediaType: got.mediaType,
    size: got.bytes.length,
    children,
  }
}

/**
 * skopeo 1.9 refuses to convert the in-toto attestation manifest to schema2 ("Unknown media type
 * during manifest conversion"), so the Docker list is pushed by skopeo without it and the
 * harness appends the (OCI-typed) attestation manifest itself, as BuildKit does in Docker lists.
 */
async function appendAttestation(
  client: RegistryClient,
  layout: OciLayout,
  repo: string,
  tag: string,
): Promise<void> {
  const blob = (d: Descriptor): Promise<Buffer> =>
    readFile(join(layout.dir, 'blobs', 'sha256', d.digest.slice(7)))
  const pushed = await getManifest(client, repo, tag)
  const list = JSON.parse(pushed.bytes.toString('utf8')) as { manifests: Descriptor[] }
  const amd64 = list.manifests[0]
  if (!amd64) throw new Error(`${repo}:${tag}: empty manifest list`)

  const attBytes = await blob(layout.attestation)
  const att = JSON.parse(attBytes.toString('utf8')) as { config: Descriptor; layers: Descriptor[] }
  // The statement's subject names the OCI amd64 image; only the list annotation must point at
  // the Docker child, which is what clients use to pair attestation and image.
  for (const d of [att.config, ...att.layers]) await uploadBlob(client, repo, await blob(d))
  await putManifest(client, repo, layout.attestation.digest, OCI_MANIFEST, attBytes)
  list.manifests.push({
    mediaType: OCI_MANIFEST,
    digest: layout.attestation.digest,
    size: layout.attestation.size,
    annotations: {
      'vnd.docker.reference.digest': amd64.digest,
      'vnd.docker.reference.type': 'attestation-manifest',
    },
    platform: { architecture: 'unknown', os: 'unknown' },
  })
  await putManifest(client, repo, tag, DOCKER_LIST, Buffer.from(JSON.stringify(list)))
}

/** Pushes every fixture into `reg` and describes what the registry stored. */
export async function pushFixtures(
  reg: RunningRegistry,
  opts: PushFixturesOptions = {},
): Promise<Fixtures> {
  const { layout, skopeo } = await sharedSetup()
  const creds = opts.creds ?? reg.pushCreds
  const perRepository = opts.perRepository ?? reg.auth === 'token'
  const client = new RegistryClient({ url: reg.url, creds, dispatcher: reg.agent })
  const oci = (ref: string): string => `oci:${layout.dir}:${ref}`
  const copies: [string, string, string[]][] = [
    [oci(layout.appRef), 'multi/oci-app:v1', ['--all', '--preserve-digests']],
    [oci(layout.appPlainRef), 'multi/docker-app:v1', ['--all', '--format', 'v2s2']],
    [oci(layout.toolRef), 'single/oci-tool:1.0', ['--preserve-digests']],
    [oci(layout.toolRef), 'single/docker-tool:1.0', ['--format', 'v2s2']],
    [oci(layout.toolRef), 'many/tags:tag-000', ['--preserve-digests']],
  ]
  if (perRepository) {
    for (const dest of ['team-a/app:v1', 'team-b/app:v1', 'public/base:1.0']) {
      copies.push([oci(layout.toolRef), dest, ['--preserve-digests']])
    }
  }
  await mapLimit(copies, SKOPEO_CONCURRENCY, ([src, dest, extra]) =>
    skopeoCopy(reg, skopeo, src, dest, creds, extra),
  )

  await appendAttestation(client, layout, 'multi/docker-app', 'v1')

  const tags = Array.from(
    { length: MANY_TAGS_COUNT },
    (_, i) => `tag-${String(i).padStart(3, '0')}`,
  )
  const first = await getManifest(client, 'many/tags', 'tag-000')
  // The first PUT fetches the push token; the rest reuse it instead of racing for their own.
  await putManifest(client, 'many/tags', tags[1]!, first.mediaType, first.bytes)
  await mapLimit(tags.slice(2), PUT_CONCURRENCY, (tag) =>
    putManifest(client, 'many/tags', tag, first.mediaType, first.bytes),
  )

  const [lists, singles, repos] = await Promise.all([
    Promise.all([
      describeList(client, reg.host, 'multi/oci-app', 'v1'),
      describeList(client, reg.host, 'multi/docker-app', 'v1'),
    ]),
    Promise.all([
      describeImage(client, reg.host, 'single/oci-tool', '1.0'),
      describeImage(client, reg.host, 'single/docker-tool', '1.0'),
    ]),
    perRepository
      ? Promise.all([
          describeImage(client, reg.host, 'team-a/app', 'v1'),
          describeImage(client, reg.host, 'team-b/app', 'v1'),
          describeImage(client, reg.host, 'public/base', '1.0'),
        ])
      : undefined,
  ])
  return {
    ociIndex: lists[0],
    dockerList: lists[1],
    ociSingle: singles[0],
    dockerSingle: singles[1],
    manyTags: {
      repository: 'many/tags',
      tags,
      digest: first.digest,
      mediaType: first.mediaType,
      size: first.bytes.length,
    },
    ...(repos ? { perRepository: { teamA: repos[0], teamB: repos[1], publicBase: repos[2] } } : {}),
  }
}
