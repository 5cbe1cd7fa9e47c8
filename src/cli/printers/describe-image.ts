/**
 * oc's DescribeImage block (oc pkg/helpers/describe/describer.go): what `describe image`, `describe
 * istag`, `describe isimage` and `import-image` print for one image, manifest lists included.
 */
import type { DockerConfig, Image, ImageManifest, ImageSignature } from '../../api/image.js'
import { byGoString, DescribeText, since } from './describe-text.js'
import { humanSize } from './humanize.js'

/** Go's time.Time String() of an RFC 3339 time, in UTC: `2006-01-02 15:04:05.5 +0000 UTC`. */
function goTimeString(timestamp: string): string {
  const t = new Date(timestamp)
  if (Number.isNaN(t.getTime())) return '0001-01-01 00:00:00 +0000 UTC'
  const [date = '', time = ''] = t.toISOString().split('T')
  const [hms = '', fraction = ''] = time.replace('Z', '').split('.')
  const trimmed = fraction.replace(/0+$/, '')
  return `${date} ${hms}${trimmed && `.${trimmed}`} +0000 UTC`
}

/** text reads a string member of a loosely typed object; anything else is ''. */
function text(object: object | undefined, key: string): string {
  const value = object === undefined ? undefined : (object as Record<string, unknown>)[key]
  return typeof value === 'string' ? value : ''
}

function describeSignature(out: DescribeText, s: ImageSignature): void {
  out.field('Image Signatures', ' ')
  out.field('\tName', s.metadata.name ?? '')
  out.field('\tType', s.type)
  if (s.issuedBy === undefined) {
    out.field('\tStatus', 'Unverified')
    return
  }
  out.field('\tStatus', 'Verified')
  out.field('\tIssued By', text(s.issuedBy, 'commonName'))
  for (const c of s.conditions ?? []) {
    const type = text(c, 'type')
    const message = text(c, 'message')
    out.field(
      '\t',
      `Signature is ${type} (${message} on ${goTimeString(text(c, 'lastProbeTime'))})`,
    )
  }
}

/** platformOf is a list entry's platform as oc and docker write it: `os/arch[/variant]`. */
function platformOf(m: ImageManifest): string {
  return [m.os, m.architecture, ...(m.variant ? [m.variant] : [])].join('/')
}

/** describeConfig is oc's describeDockerImage: the container config of the image. */
function describeConfig(out: DescribeText, config: DockerConfig): void {
  const entrypoint = config.Entrypoint ?? []
  const cmd = config.Cmd ?? []
  if (entrypoint.length > 0) out.field('Entrypoint', entrypoint.join(' '))
  if (cmd.length > 0 || entrypoint.length === 0) out.field('Command', cmd.join(' '))
  out.field('Working Dir', config.WorkingDir ?? '')
  out.field('User', config.User ?? '')
  out.field(
    'Exposes Ports',
    Object.keys(config.ExposedPorts ?? {})
      .sort(byGoString)
      .join(', '),
  )
  out.map('Docker Labels', config.Labels)
  ;(config.Env ?? []).forEach((env, i) => {
    if (i === 0) out.field('Environment', env)
    else out.raw(`\t${env}\n`)
  })
  Object.keys(config.Volumes ?? {})
    .sort(byGoString)
    .forEach((volume, i) => {
      if (i === 0) out.field('Volumes', volume)
      else out.raw(`\t${volume}\n`)
    })
}

/**
 * describeImage renders `image` as oc's DescribeImage does; `imageName` adds the `Image Name`
 * line when not empty. A manifest list shows `Arch: <none>` and one `Manifests:` line per entry.
 */
export function describeImage(image: Image, imageName: string, now: Date): string {
  const out = new DescribeText()
  if (imageName !== '') out.field('Image Name', imageName)
  out.field('Docker Image', image.dockerImageReference ?? '')
  out.field('Name', image.metadata.name ?? '')
  if (image.metadata.creationTimestamp) {
    out.field('Created', `${since(image.metadata.creationTimestamp, now)} ago`)
  }
  if (Object.keys(image.metadata.labels ?? {}).length > 0) out.map('Labels', image.metadata.labels)
  if (Object.keys(image.metadata.annotations ?? {}).length > 0) {
    out.annotations(image.metadata.annotations)
  }

  const metadata = image.dockerImageMetadata ?? {}
  const size = humanSize(metadata.Size ?? 0)
  const layers = image.dockerImageLayers ?? []
  if (layers.length === 0) {
    // No layers: a manifest list, or a server that does not record them.
    out.field('Layer Size', size)
  } else {
    out.field('Image Size', `${size} in ${layers.length} layers`)
    out.field('Layers', layers.map((l) => `${humanSize(l.size)}\t${l.name}`).join('\n'))
  }
  for (const signature of image.signatures ?? []) describeSignature(out, signature)
  out.field('Image Created', `${since(metadata.Created, now)} ago`)
  out.field('Author', metadata.Author ?? '')
  out.field('Arch', metadata.Architecture ?? '')
  const manifests = image.dockerImageManifests ?? []
  if (manifests.length > 0) {
    out.field('Manifests', manifests.map((m) => `${platformOf(m)}\t${m.digest}`).join('\n'))
  }
  describeConfig(out, metadata.Config ?? {})
  return out.render()
}
