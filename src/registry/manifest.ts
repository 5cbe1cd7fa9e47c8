/**
 * Parsing and validation of manifests, indexes and image configs. Content-Type is trusted only
 * when it names a known manifest type that the body does not contradict; otherwise the body is
 * sniffed the way containers/image GuessMIMEType does
 * (docs/registry-protocol.md#media-types-and-accept).
 */
import { isDigest } from '../reference/index.js'
import {
  DOCKER_CONFIG,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_SCHEMA1,
  DOCKER_SCHEMA1_SIGNED,
  OCI_INDEX,
  OCI_MANIFEST,
  manifestKind,
  simplifyContentType,
} from './media-types.js'

/** Platform as written in an index entry or an image config. */
export interface Platform {
  readonly os: string
  readonly architecture: string
  readonly variant?: string
  readonly osVersion?: string
}

/** Descriptor points at content by digest (image-spec descriptor.md). */
export interface Descriptor {
  readonly mediaType: string
  readonly digest: string
  readonly size: number
  readonly platform?: Platform
  readonly annotations?: Readonly<Record<string, string>>
}

/** ImageManifest is an OCI image manifest or a Docker schema 2 manifest. */
export interface ImageManifest {
  readonly kind: 'image'
  readonly mediaType: string
  readonly config: Descriptor
  readonly layers: readonly Descriptor[]
}

/** IndexManifest is an OCI index or a Docker manifest list. */
export interface IndexManifest {
  readonly kind: 'index'
  readonly mediaType: string
  readonly manifests: readonly Descriptor[]
}

/** Manifest is either kind of parsed v2/OCI manifest. */
export type Manifest = ImageManifest | IndexManifest

/** ManifestParseError says why a body is not a usable manifest; the caller adds where it came from. */
export class ManifestParseError extends Error {
  readonly code: 'InvalidManifest' | 'UnsupportedManifest'
  constructor(code: 'InvalidManifest' | 'UnsupportedManifest', message: string) {
    super(message)
    this.name = 'ManifestParseError'
    this.code = code
  }
}

const KNOWN_MANIFEST_TYPES = new Set([
  OCI_INDEX,
  OCI_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST,
  DOCKER_SCHEMA1,
  DOCKER_SCHEMA1_SIGNED,
])

type Json = Record<string, unknown>

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function invalid(message: string): ManifestParseError {
  return new ManifestParseError('InvalidManifest', message)
}

function parseJson(bytes: Uint8Array, what: string): Json {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch (err) {
    throw invalid(`${what} is not valid JSON: ${(err as Error).message}`)
  }
  if (!isObject(value)) throw invalid(`${what} is not a JSON object`)
  return value
}

/** guessMediaType sniffs a manifest body whose Content-Type is missing or generic. */
function guessMediaType(body: Json): string {
  const declared = body.mediaType
  if (typeof declared === 'string' && KNOWN_MANIFEST_TYPES.has(declared)) return declared
  if (body.schemaVersion === 1) {
    return Array.isArray(body.signatures) ? DOCKER_SCHEMA1_SIGNED : DOCKER_SCHEMA1
  }
  if (body.schemaVersion === 2) {
    if (Array.isArray(body.manifests)) return OCI_INDEX
    const config = body.config
    if (isObject(config) && config.mediaType === DOCKER_CONFIG) return DOCKER_MANIFEST
    if (isObject(config)) return OCI_MANIFEST
  }
  return ''
}

function parseString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '')
    throw invalid(`${field} must be a non-empty string`)
  return value
}

function parseAnnotations(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined
  if (!isObject(value)) throw invalid(`${field} must be an object`)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') out[k] = v
  }
  return out
}

function parsePlatform(value: unknown, field: string): Platform | undefined {
  if (value === undefined || value === null) return undefined
  if (!isObject(value)) throw invalid(`${field} must be an object`)
  const os = parseString(value.os, `${field}.os`)
  const architecture = parseString(value.architecture, `${field}.architecture`)
  const variant = typeof value.variant === 'string' && value.variant ? value.variant : undefined
  const osVersion =
    typeof value['os.version'] === 'string' && value['os.version'] ? value['os.version'] : undefined
  return { os, architecture, ...(variant && { variant }), ...(osVersion && { osVersion }) }
}

/** parseDescriptor validates one descriptor: media type, digest grammar and a safe integer size. */
export function parseDescriptor(value: unknown, field: string): Descriptor {
  if (!isObject(value)) throw invalid(`${field} must be an object`)
  const mediaType = parseString(value.mediaType, `${field}.mediaType`)
  const digest = parseString(value.digest, `${field}.digest`)
  if (!isDigest(digest)) throw invalid(`${field}.digest ${JSON.stringify(digest)} is not a digest`)
  const size = value.size
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw invalid(`${field}.size must be a non-negative integer`)
  }
  const platform = parsePlatform(value.platform, `${field}.platform`)
  const annotations = parseAnnotations(value.annotations, `${field}.annotations`)
  return {
    mediaType,
    digest,
    size,
    ...(platform && { platform }),
    ...(annotations && { annotations }),
  }
}

/**
 * parseManifest decides the media type (header, then body) and validates the structure.
 * Schema 1 is recognised and refused as unsupported, never half-parsed.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): Manifest {
  const body = parseJson(bytes, 'manifest')
  const header = simplifyContentType(contentType)
  let mediaType = KNOWN_MANIFEST_TYPES.has(header) ? header : guessMediaType(body)
  const declared = body.mediaType
  if (typeof declared === 'string' && declared !== '' && declared !== mediaType) {
    if (KNOWN_MANIFEST_TYPES.has(header)) {
      // The spec: a client must reject a manifest whose mediaType field contradicts the
      // Content-Type it was served with.
      throw invalid(`manifest mediaType ${declared} contradicts Content-Type ${header}`)
    }
    mediaType = declared
  }
  const kind = manifestKind(mediaType)
  if (kind === 'schema1') {
    throw new ManifestParseError(
      'UnsupportedManifest',
      'legacy Docker schema 1 manifest: unsupported (push the image again with a current client)',
    )
  }
  if (kind === 'unknown') {
    throw new ManifestParseError(
      'UnsupportedManifest',
      `unsupported manifest media type ${JSON.stringify(mediaType || header)}`,
    )
  }
  if (body.schemaVersion !== 2) throw invalid('manifest schemaVersion must be 2')
  if (kind === 'index') {
    if (!Array.isArray(body.manifests)) throw invalid('index has no manifests array')
    const manifests = body.manifests.map((m, i) => parseDescriptor(m, `manifests[${i}]`))
    return { kind, mediaType, manifests }
  }
  const config = parseDescriptor(body.config, 'config')
  if (!Array.isArray(body.layers)) throw invalid('manifest has no layers array')
  const layers = body.layers.map((l, i) => parseDescriptor(l, `layers[${i}]`))
  return { kind, mediaType, config, layers }
}

/** ImageConfig holds the fields of an OCI/Docker image config that users look at. */
export interface ImageConfig {
  readonly architecture: string
  readonly os: string
  readonly variant?: string
  readonly created?: string
  readonly author?: string
  readonly config: {
    readonly User?: string
    readonly Env?: readonly string[]
    readonly Entrypoint?: readonly string[]
    readonly Cmd?: readonly string[]
    readonly WorkingDir?: string
    readonly Labels?: Readonly<Record<string, string>>
    readonly ExposedPorts?: Readonly<Record<string, object>>
    readonly Volumes?: Readonly<Record<string, object>>
    readonly StopSignal?: string
  }
  readonly diffIds: readonly string[]
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined
}

function objectKeys(value: unknown): Record<string, object> | undefined {
  return isObject(value) ? Object.fromEntries(Object.keys(value).map((k) => [k, {}])) : undefined
}

/** parseImageConfig extracts the image config fields; unknown fields are ignored. */
export function parseImageConfig(bytes: Uint8Array): ImageConfig {
  const body = parseJson(bytes, 'image config')
  const c = isObject(body.config) ? body.config : {}
  const str = (v: unknown): string | undefined =>
    typeof v === 'string' && v !== '' ? v : undefined
  const labels = isObject(c.Labels)
    ? Object.fromEntries(
        Object.entries(c.Labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
      )
    : undefined
  const rootfs = isObject(body.rootfs) ? body.rootfs : {}
  const config: ImageConfig['config'] = Object.fromEntries(
    Object.entries({
      User: str(c.User),
      Env: stringArray(c.Env),
      Entrypoint: stringArray(c.Entrypoint),
      Cmd: stringArray(c.Cmd),
      WorkingDir: str(c.WorkingDir),
      Labels: labels,
      ExposedPorts: objectKeys(c.ExposedPorts),
      Volumes: objectKeys(c.Volumes),
      StopSignal: str(c.StopSignal),
    }).filter(([, v]) => v !== undefined),
  )
  const variant = str(body.variant)
  const created = str(body.created)
  const author = str(body.author)
  return {
    architecture: str(body.architecture) ?? '',
    os: str(body.os) ?? '',
    ...(variant && { variant }),
    ...(created && { created }),
    ...(author && { author }),
    config,
    diffIds: stringArray(rootfs.diff_ids) ?? [],
  }
}
