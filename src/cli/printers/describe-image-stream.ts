/**
 * oc's `describe is` text (oc pkg/helpers/describe: DescribeImageStream and
 * formatImageStreamTags): the stream's metadata and repository, then one block per tag with its
 * source, import policy, pending import, failures and history. Scheduled tags also say when they
 * were last checked and are next due, from the server's schedule (not in oc).
 */
import type { ImageStream, NamedTagEventList, TagReference } from '../../api/image.js'
import { IMPORT_SUCCESS } from '../../api/constants.js'
import type { ImageStreamSchedule, ScheduledTagStatus } from '../../api/schedule.js'
import { dockerHumanDuration } from '../../lib/human-duration.js'
import { prioritizeTags } from '../../lib/prioritize-tags.js'
import { parseImageReference } from '../../reference/index.js'
import { DescribeText, since } from './describe-text.js'

function specTag(stream: ImageStream, name: string): TagReference | undefined {
  return stream.spec?.tags?.find((t) => t.name === name)
}

function statusTag(stream: ImageStream, name: string): NamedTagEventList | undefined {
  return stream.status?.tags?.find((t) => t.tag === name)
}

/**
 * aliasTarget follows same-stream ImageStreamTag references from `tag` (oc FollowTagReference)
 * and returns the spec tag they end at, or undefined when `tag` is not such a reference or the
 * chain is broken, circular or leaves the stream.
 */
export function aliasTarget(stream: ImageStream, tag: string): string | undefined {
  const seen = new Set<string>()
  let current = tag
  for (;;) {
    if (seen.has(current)) return undefined
    seen.add(current)
    const ref = specTag(stream, current)
    if (!ref) return undefined
    if (ref.from?.kind !== 'ImageStreamTag') return current === tag ? undefined : current
    const from = ref.from
    if (from.namespace && from.namespace !== stream.metadata.namespace) return undefined
    const name = from.name ?? ''
    const colon = name.indexOf(':')
    if (colon !== -1) {
      if (name.slice(0, colon) !== stream.metadata.name) return undefined
      current = name.slice(colon + 1) || 'latest'
    } else {
      current = name
    }
  }
}

/** observedGeneration is the newest generation the importer recorded for `tag` (oc latestObservedTagGeneration). */
function observedGeneration(events: NamedTagEventList | undefined): number {
  let last = Math.max(0, events?.items?.[0]?.generation ?? 0)
  const condition = events?.conditions?.find((c) => c.type === IMPORT_SUCCESS)
  if (condition && condition.generation > last) last = condition.generation
  return last
}

/** sourceLine says where a tag comes from, worded by its kind, `reference` and `scheduled`. */
function sourceLine(stream: ImageStream, ref: TagReference | undefined): string {
  if (!ref) return 'no spec tag'
  const from = ref.from
  if (!from) return 'tag without source image'
  const ns = from.namespace
  const name =
    ns && ns !== stream.metadata.namespace ? `${ns}/${from.name ?? ''}` : (from.name ?? '')
  const scheduled = ref.importPolicy?.scheduled === true
  const kind = from.kind ?? ''
  switch (kind) {
    case 'ImageStreamTag':
      if (ref.reference) return `reference to ${name}`
      return scheduled ? `updates automatically from ${name}` : `tagged from ${name}`
    case 'DockerImage':
      if (ref.reference) return `reference to registry ${name}`
      return scheduled ? `updates automatically from registry ${name}` : `tagged from ${name}`
    case 'ImageStreamImage':
      return ref.reference ? `reference to image ${name}` : `tagged from ${name}`
    default:
      return ref.reference ? `reference to ${kind} ${name}` : `updates from ${kind} ${name}`
  }
}

/** humanSpan is go-units' duration in lower case, for use inside a sentence ("about a minute"). */
function humanSpan(ms: number): string {
  const text = dockerHumanDuration(ms)
  return text.charAt(0).toLowerCase() + text.slice(1)
}

/**
 * scheduleLines say when a scheduled tag was last checked and is next due, and why its checks
 * fail while they do; invalid times (a newer server's format) print nothing rather than nonsense.
 */
function scheduleLines(entry: ScheduledTagStatus, now: Date): string[] {
  const next = Date.parse(entry.nextCheckTime)
  if (Number.isNaN(next)) return []
  const last = entry.lastCheckTime === undefined ? NaN : Date.parse(entry.lastCheckTime)
  const checked = Number.isNaN(last)
    ? 'not checked yet'
    : `last checked ${humanSpan(now.getTime() - last)} ago`
  const due =
    next <= now.getTime()
      ? 'next check overdue'
      : `next check in ${humanSpan(next - now.getTime())}`
  const lines = [`    ${checked}, ${due}\n`]
  if (entry.failures > 0) {
    const attempts = entry.failures === 1 ? '1 attempt' : `${entry.failures} attempts`
    // One line whatever the message: a newline or tab would break the describe layout.
    const reason = entry.lastError ? `: ${entry.lastError.replace(/\s+/g, ' ')}` : ''
    lines.push(`    check failing (${attempts})${reason}\n`)
  }
  return lines
}

/** digestOf is the digest of a pull spec, '' when it has none; undefined when it does not parse. */
function digestOf(pullSpec: string): string | undefined {
  try {
    return parseImageReference(pullSpec).digest ?? ''
  } catch {
    return undefined
  }
}

function describeTag(
  out: DescribeText,
  stream: ImageStream,
  tag: string,
  aliases: readonly string[],
  now: Date,
  scheduled: ScheduledTagStatus | undefined,
): void {
  const events = statusTag(stream, tag)
  const ref = specTag(stream, tag)
  out.raw(aliases.length > 0 ? `${tag} (${prioritizeTags(aliases).join(', ')})\n` : `${tag}\n`)
  out.raw(`  ${sourceLine(stream, ref)}\n`)
  if (scheduled) for (const line of scheduleLines(scheduled, now)) out.raw(line)
  if (ref?.from) {
    if (ref.importPolicy?.insecure) out.raw('    will use insecure HTTPS or HTTP connections\n')
  }
  if (ref?.referencePolicy?.type === 'Local') {
    out.raw('    prefer registry pullthrough when referencing this tag\n')
  }
  out.raw('\n')

  const annotations = ref?.annotations ?? {}
  const extra = [
    annotations.description && `  ${annotations.description}\n`,
    annotations.tags && `  Tags: ${annotations.tags.split(',').join(', ')}\n`,
    annotations.supports && `  Supports: ${annotations.supports.split(',').join(', ')}\n`,
    annotations.sampleRepo && `  Example Repo: ${annotations.sampleRepo}\n`,
  ].filter(Boolean)
  if (extra.length > 0) out.raw(`${extra.join('')}\n`)

  const importing =
    ref?.from !== undefined &&
    !ref.reference &&
    ref.generation !== undefined &&
    ref.generation > observedGeneration(events)
  if (importing) out.raw('  ~ importing latest image ...\n')

  for (const c of events?.conditions ?? []) {
    if (c.type !== IMPORT_SUCCESS || c.status !== 'False') continue
    out.raw(`  ! error: Import failed (${c.reason ?? ''}): ${c.message ?? ''}\n`)
    out.raw(`      ${since(c.lastTransitionTime, now)} ago\n`)
  }

  ;(events?.items ?? []).forEach((event, i) => {
    out.raw(i === 0 ? `  * ${event.dockerImageReference}\n` : `    ${event.dockerImageReference}\n`)
    const digest = digestOf(event.dockerImageReference)
    const age = `      ${since(event.created, now)} ago`
    out.raw(
      event.image && digest !== undefined && digest !== event.image
        ? `${age}\t${event.image}\n`
        : `${age}\n`,
    )
  })
}

/** describeTags is oc's formatImageStreamTags: counts, then each tag block, aliases folded. */
function describeTags(
  out: DescribeText,
  stream: ImageStream,
  now: Date,
  schedule: ImageStreamSchedule | undefined,
): void {
  const statusTags = stream.status?.tags ?? []
  const specTags = stream.spec?.tags ?? []
  if (statusTags.length === 0 && specTags.length === 0) {
    out.raw('Tags:\t<none>\n')
    return
  }

  // oc keys a history entry without an image under '' (a quirk kept so the count matches).
  const images = new Set<string>()
  for (const t of statusTags) {
    for (const item of t.items ?? []) {
      if (item.image) images.add(item.image)
      else if (item.dockerImageReference) images.add('')
    }
  }

  const names = statusTags.map((t) => t.tag)
  const aliases = new Map<string, string[]>()
  const folded = new Set<string>()
  for (const t of specTags) {
    const target = aliasTarget(stream, t.name)
    if (target !== undefined) {
      folded.add(t.name)
      aliases.set(target, [...(aliases.get(target) ?? []), t.name])
    }
    if (!statusTag(stream, t.name)) names.push(t.name)
  }
  out.raw(`Unique Images:\t${images.size}\nTags:\t${names.length}\n\n`)

  const shown = prioritizeTags(names).filter((tag) => !folded.has(tag))
  shown.forEach((tag, i) => {
    if (i > 0) out.raw('\n')
    const scheduled = schedule?.tags.find((t) => t.tag === tag)
    describeTag(out, stream, tag, aliases.get(tag) ?? [], now, scheduled)
  })
}

/**
 * describeImageStream renders `stream` as `oc describe is` does, ages measured against `now`;
 * with the stream's `schedule` (absent from older servers), scheduled tags show their checks.
 */
export function describeImageStream(
  stream: ImageStream,
  now: Date,
  schedule?: ImageStreamSchedule,
): string {
  const out = new DescribeText()
  out.meta(stream.metadata, now)
  out.field(
    'Image Repository',
    stream.status?.publicDockerImageRepository || stream.status?.dockerImageRepository || '',
  )
  out.field('Image Lookup', `local=${stream.spec?.lookupPolicy?.local === true}`)
  describeTags(out, stream, now, schedule)
  return out.render()
}
