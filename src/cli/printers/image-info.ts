/**
 * `isctl image info` output, laid out as oc's describeImage (openshift/oc
 * pkg/cli/image/info/info.go). The view types are structural subsets of the registry client's
 * Inspection types, so its objects are passed in as they are without this module importing them.
 */
import { humanSize, shortHumanDuration } from './humanize.js'
import { tabwrite } from './tabwriter.js'

/** PlatformView is a list entry's platform. */
export interface PlatformView {
  readonly os: string
  readonly architecture: string
  readonly variant?: string | undefined
}

/** DescriptorView is a layer, or a manifest list entry with its platform. */
export interface DescriptorView {
  readonly mediaType: string
  readonly digest: string
  readonly size: number
  readonly platform?: PlatformView | undefined
}

/** ImageConfigView holds the image config fields oc shows. */
export interface ImageConfigView {
  readonly architecture: string
  readonly os: string
  readonly variant?: string | undefined
  readonly created?: string | undefined
  readonly author?: string | undefined
  readonly config: {
    readonly User?: string | undefined
    readonly Env?: readonly string[] | undefined
    readonly Entrypoint?: readonly string[] | undefined
    readonly Cmd?: readonly string[] | undefined
    readonly WorkingDir?: string | undefined
    readonly Labels?: Readonly<Record<string, string>> | undefined
    readonly ExposedPorts?: Readonly<Record<string, object>> | undefined
    readonly Volumes?: Readonly<Record<string, object>> | undefined
  }
}

/** ImageView is one runnable image: its manifest digest, type, layers and config. */
export interface ImageView {
  readonly digest: string
  readonly mediaType: string
  readonly manifest: { readonly layers: readonly DescriptorView[] }
  readonly config: ImageConfigView
}

/** ImageContext says how the image was reached: the name asked for and the list it came from. */
export interface ImageContext {
  /** The reference as requested, normalised: `registry/repository:tag` or `...@digest`. */
  readonly name: string
  /** The digest the reference pinned; oc omits the Digest line when it is the image's own. */
  readonly requestedDigest?: string | undefined
  /** The manifest list or index the image was chosen from. */
  readonly listDigest?: string | undefined
}

/** DescribeContext adds the clock that ages are measured against. */
export interface DescribeContext extends ImageContext {
  readonly now: Date
}

// 0001-01-01T00:00:00Z, Go's zero time.Time, which oc prints as <unknown>.
const GO_ZERO_TIME = -62_135_596_800_000

function createdText(created: string | undefined, now: Date): string {
  const at = created === undefined ? Number.NaN : Date.parse(created)
  if (Number.isNaN(at) || at === GO_ZERO_TIME) return '<unknown>'
  return `${shortHumanDuration(now.getTime() - at)} ago`
}

/** Go's sort.Strings order (byte-wise), which is code-unit order for the ASCII keys seen here. */
function sorted(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** A label followed by one value per line, the later lines under the first value. */
function listRows(label: string, values: readonly string[]): string {
  return values.map((v, i) => `${i === 0 ? label : ''}\t${v}\n`).join('')
}

/** oc sums the layers only (the config blob is not counted), unlike dockerImageMetadata.Size. */
function layersSize(image: ImageView): number {
  return image.manifest.layers.reduce((sum, l) => sum + l.size, 0)
}

/** describeImage renders one image as oc does, ending with a blank line. */
export function describeImage(image: ImageView, ctx: DescribeContext): string {
  const c = image.config
  const cfg = c.config
  const layers = image.manifest.layers
  let w = `Name:\t${ctx.name}\n`
  if (ctx.requestedDigest !== image.digest) w += `Digest:\t${image.digest}\n`
  if (ctx.listDigest) w += `Manifest List:\t${ctx.listDigest}\n`
  w += `Media Type:\t${image.mediaType}\n`
  w += `Created:\t${createdText(c.created, ctx.now)}\n`
  const size = layersSize(image)
  if (layers.length === 0) {
    w += `Layer Size:\t${humanSize(size)}\n`
  } else {
    const summary =
      size === 0
        ? `${layers.length} layers (size unavailable)`
        : `${humanSize(size)} in ${layers.length} layers`
    w += `Image Size:\t${summary}\n`
    w += listRows(
      'Layers:',
      layers.map((l) => `${l.size === 0 ? '--' : humanSize(l.size)}\t${l.digest}`),
    )
  }
  w += `OS:\t${c.os}\n`
  w += `Arch:\t${c.architecture}\n`
  if (c.author) w += `Author:\t${c.author}\n`
  const entrypoint = cfg.Entrypoint ?? []
  const cmd = cfg.Cmd ?? []
  if (entrypoint.length > 0) w += `Entrypoint:\t${entrypoint.join(' ')}\n`
  if (cmd.length > 0) w += `Command:\t${cmd.join(' ')}\n`
  if (entrypoint.length === 0 && cmd.length === 0) w += `Command:\t<none>\n`
  if (cfg.WorkingDir) w += `Working Dir:\t${cfg.WorkingDir}\n`
  if (cfg.User) w += `User:\t${cfg.User}\n`
  const ports = sorted(Object.keys(cfg.ExposedPorts ?? {}))
  if (ports.length > 0) w += `Exposes Ports:\t${ports.join(', ')}\n`
  w += listRows('Environment:', cfg.Env ?? [])
  const labels = cfg.Labels ?? {}
  w += listRows(
    'Labels:',
    sorted(Object.keys(labels)).map((k) => `${k}=${labels[k] ?? ''}`),
  )
  w += listRows('Volumes:', sorted(Object.keys(cfg.Volumes ?? {})))
  w += '\n'
  return tabwrite(w, { minwidth: 0, padding: 1 })
}

/** describeImages renders each image in turn (oc's --show-multiarch output). */
export function describeImages(
  images: readonly ImageView[],
  ctx: (image: ImageView) => DescribeContext,
): string {
  return images.map((image) => describeImage(image, ctx(image))).join('')
}

/** platformString is oc's PlatformSpecString: `os/arch` or `os/arch/variant`. */
export function platformString(p: PlatformView | undefined): string {
  const base = `${p?.os ?? ''}/${p?.architecture ?? ''}`
  return p?.variant ? `${base}/${p.variant}` : base
}

/**
 * manifestListMessage is oc's error for a manifest list without a filter: the choices as an
 * OS/DIGEST table so the user can pick --filter-by-os. It ends with a blank line, as oc's does.
 */
export function manifestListMessage(children: readonly DescriptorView[]): string {
  const rows = children.map((d) => `  ${platformString(d.platform)}\t${d.digest}\n`).join('')
  const table = tabwrite(`  OS\tDIGEST\n${rows}`, { minwidth: 0, padding: 1 })
  return `the image is a manifest list and contains multiple images - use --filter-by-os to select from:\n\n${table}\n`
}

/** ImageInfoDocument is one image in `-o json` output, shaped like oc's info.Image. */
export interface ImageInfoDocument {
  readonly name: string
  readonly digest: string
  readonly contentDigest: string
  readonly listDigest: string
  readonly mediaType: string
  readonly layers: readonly { mediaType: string; size: number; digest: string }[]
  readonly config: {
    readonly created?: string
    readonly author?: string
    readonly config: ImageConfigView['config']
    readonly architecture: string
    readonly size: number
    readonly os: string
    readonly variant?: string
  }
}

/** imageInfoDocument builds the JSON document of one image. */
export function imageInfoDocument(image: ImageView, ctx: ImageContext): ImageInfoDocument {
  const c = image.config
  return {
    name: ctx.name,
    digest: image.digest,
    // The client verifies every manifest against its digest, so the two never differ.
    contentDigest: image.digest,
    listDigest: ctx.listDigest ?? '',
    mediaType: image.mediaType,
    layers: image.manifest.layers.map((l) => ({
      mediaType: l.mediaType,
      size: l.size,
      digest: l.digest,
    })),
    config: {
      ...(c.created !== undefined && { created: c.created }),
      ...(c.author !== undefined && { author: c.author }),
      config: c.config,
      architecture: c.architecture,
      size: layersSize(image),
      os: c.os,
      ...(c.variant !== undefined && { variant: c.variant }),
    },
  }
}

/**
 * formatImageInfoJSON renders one document, or an array when there are several (oc's
 * --show-multiarch), indented by two spaces and with Go's HTML-safe escapes so the bytes match
 * oc's json.MarshalIndent; unlike oc, each document ends with a newline.
 */
export function formatImageInfoJSON(
  images: readonly ImageView[],
  ctx: (image: ImageView) => ImageContext,
): string {
  const docs = images.map((image) => imageInfoDocument(image, ctx(image)))
  const json = JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2)
  return `${json.replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`
}
