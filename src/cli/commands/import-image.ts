/**
 * `isctl import-image IMAGESTREAM[:TAG]`: oc's import-image (oc pkg/cli/importimage). The stream is
 * read, an ImageStreamImport is planned from it exactly as oc plans one (same checks, same
 * messages), posted, and the outcome printed as oc prints it: the name line, `describe is`, one
 * block per imported image, per-tag failures on stderr. The import mode follows two rules
 * (docs/imports.md#import-policy-defaults): with `--from` (or a new tag) and no `--import-mode`
 * the server's default applies, as with oc; a bare refresh (`import-image TAG`, no `--from`)
 * sends the tag's own mode, as openshift/oc PR #2183 does, so that it never flips one. The final
 * failure line reads `import completed with errors`.
 */
import { acceptGoBooleans } from '../go-flags.js'
import type {
  ImageImportSpec,
  ImageImportStatus,
  ImageStream,
  ImageStreamImport,
  ImportMode,
  ReferencePolicyType,
  RepositoryImportSpec,
  TagImportPolicy,
  TagReference,
} from '../../api/image.js'
import {
  ANNOTATIONS,
  DEFAULT_TAG,
  IMAGE_API_VERSION,
  IMPORT_MODE_FLAG_MESSAGE,
  importModeOf,
} from '../../api/constants.js'
import { INVALID_IMPORT_TARGET } from '../../api/cli-messages.js'
import { parseImageReference } from '../../reference/index.js'
import type { ApiClient } from '../client/api-client.js'
import { isNotFound } from '../client/api-errors.js'
import type { Session } from '../client/session.js'
import { CliError, UsageError } from '../errors.js'
import { describeImage } from '../printers/describe-image.js'
import { describeImageStream } from '../printers/describe-image-stream.js'
import { formatDocument } from '../printers/objects.js'
import { isInteractive, startProgress } from '../ui/progress.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** ImportImageFlags are the verb's flags as commander hands them over. */
export interface ImportImageFlags {
  readonly from?: string | undefined
  readonly confirm?: boolean | undefined
  readonly all?: boolean | undefined
  readonly referencePolicy?: string | undefined
  readonly importMode?: string | undefined
  readonly scheduled?: boolean | undefined
  /** Undefined when not given: the stream's insecure annotation then applies, as in oc. */
  readonly insecure?: boolean | undefined
  readonly dryRun?: boolean | undefined
  readonly output?: string | undefined
}

/** ImportImageOutput is how the result is printed: oc's text (`-o name` is the same) or the stream. */
export type ImportImageOutput = 'text' | 'json' | 'yaml'

/** ImportImageOptions are the validated options of one import. */
export interface ImportImageOptions {
  /** The operand as written. */
  readonly target: string
  /** The image stream: the last part of the operand's repository path. */
  readonly name: string
  /** The tag to import; undefined only with `--all`. */
  readonly tag: string | undefined
  readonly from: string | undefined
  readonly confirm: boolean
  readonly all: boolean
  readonly referencePolicy: ReferencePolicyType | undefined
  /** Undefined: a refresh sends each tag's own mode; anything else gets the server's default. */
  readonly importMode: ImportMode | undefined
  readonly scheduled: boolean | undefined
  readonly insecure: boolean | undefined
  readonly dryRun: boolean
  readonly output: ImportImageOutput
}

/** ImportPlan is what to send, plus the stream as oc would print it for `-o json|yaml`. */
export interface ImportPlan {
  readonly isi: ImageStreamImport
  /** The stream as read with the planned spec change (or the one to create). */
  readonly stream: ImageStream
  /** What a repository-wide import fetches, for the progress line; undefined for one tag. */
  readonly progress: string | undefined
}

/** RenderedImport is the text of a finished import. */
export interface RenderedImport {
  readonly stdout: string
  readonly stderr: string
  /** Some image or the repository failed: the command exits 1. */
  readonly failed: boolean
}

const INSECURE_ANNOTATION = ANNOTATIONS.insecureRepository
const STREAM_KIND = 'imagestream.image.openshift.io'

/** IMPORT_FAILED is the last line of an import with failures (oc's typo "imported completed" fixed). */
export const IMPORT_FAILED = 'import completed with errors'

const GO_BOOLEAN_FLAGS = ['confirm', 'all', 'dry-run', 'scheduled', 'insecure'] as const

const EXAMPLES = `
Examples:
  # Import tag latest into a new image stream
  isctl import-image mystream --from=registry.io/repo/image:latest --confirm

  # Update imported data for tag latest in an already existing image stream
  isctl import-image mystream

  # Update imported data for tag stable in an already existing image stream
  isctl import-image mystream:stable

  # Update imported data for all tags in an existing image stream
  isctl import-image mystream --all

  # Import a manifest list as a whole, then switch the tag to one image for the server's platform
  isctl import-image mystream:v1 --from=registry.io/repo/image:v1 --import-mode=PreserveOriginal --confirm
  isctl import-image mystream:v1 --import-mode=Legacy

  # Import mode without --import-mode: with --from the server default (Legacy unless the server
  # sets another), so this turns a PreserveOriginal tag back into one image...
  isctl import-image mystream:v1 --from=registry.io/repo/image:v1 --confirm
  # ...while a refresh without --from keeps the tag's mode, insecure and scheduled settings
  isctl import-image mystream:v1

  # Import all tags into a new image stream, with a longer timeout
  isctl --request-timeout=5m import-image mystream --from=registry.io/repo/image --all --confirm
`

/**
 * parseImportTarget splits `IMAGESTREAM[:TAG]` as oc's library-go parser does: the stream name
 * is the repository path without the registry and the first (namespace) component, so
 * `quay.io/team/app:1` names stream `app`, tag `1`.
 */
export function parseImportTarget(target: string): {
  name: string
  tag: string | undefined
  digest: string | undefined
} {
  try {
    parseImageReference(target)
  } catch {
    throw new UsageError(INVALID_IMPORT_TARGET)
  }
  const at = target.indexOf('@')
  const nameAndTag = at === -1 ? target : target.slice(0, at)
  const digest = at === -1 ? undefined : target.slice(at + 1)
  const colon = nameAndTag.lastIndexOf(':')
  const hasTag = colon > nameAndTag.lastIndexOf('/')
  let path = hasTag ? nameAndTag.slice(0, colon) : nameAndTag
  const slash = path.indexOf('/')
  if (slash !== -1) {
    const first = path.slice(0, slash)
    if (/[.:]/.test(first) || first === 'localhost') path = path.slice(slash + 1)
  }
  const ns = path.indexOf('/')
  const name = ns === -1 ? path : path.slice(ns + 1)
  if (name.includes('/')) {
    // oc would send "b/c" as a stream name and fail on the server; say what to do instead.
    throw new UsageError(
      `cannot take an image stream name from "${target}": name the stream and pass the image as --from (e.g. isctl import-image ${name.slice(name.lastIndexOf('/') + 1)} --from=${target} --confirm)`,
    )
  }
  return { name, tag: hasTag ? nameAndTag.slice(colon + 1) : undefined, digest }
}

function referencePolicyOf(value: string | undefined): ReferencePolicyType | undefined {
  if (value === undefined || value === '') return undefined
  switch (value.toLowerCase()) {
    case 'source':
      return 'Source'
    case 'local':
      return 'Local'
    default:
      throw new UsageError('valid reference policy values are source or local')
  }
}

function importModeFlag(value: string | undefined): ImportMode | undefined {
  if (value === undefined) return undefined
  const mode = importModeOf(value)
  if (!mode) throw new UsageError(IMPORT_MODE_FLAG_MESSAGE)
  return mode
}

function outputOf(value: string | undefined): ImportImageOutput {
  switch (value ?? '') {
    case '':
    case 'name':
      // oc's name printer carries the whole report as its "operation": -o name prints the same.
      return 'text'
    case 'json':
      return 'json'
    case 'yaml':
      return 'yaml'
    default:
      throw new UsageError(
        `unable to match a printer suitable for the output format "${value}", allowed formats are: json,name,yaml`,
      )
  }
}

/** completeImportImageOptions validates the operand and flags in oc's order, with oc's messages. */
export function completeImportImageOptions(
  operands: readonly string[],
  flags: ImportImageFlags,
): ImportImageOptions {
  const target = operands[0] ?? ''
  if (target === '') throw new UsageError('you must specify the name of an image stream')
  const all = flags.all === true
  const ref = parseImportTarget(target)
  if (ref.digest !== undefined)
    throw new UsageError("to import images by ID, use the 'tag' command")
  if (ref.tag !== undefined && all) {
    throw new UsageError(`cannot specify a tag ${JSON.stringify(target)} as well as --all`)
  }
  return {
    target,
    name: ref.name,
    tag: ref.tag ?? (all ? undefined : DEFAULT_TAG),
    from: flags.from || undefined,
    confirm: flags.confirm === true,
    all,
    referencePolicy: referencePolicyOf(flags.referencePolicy),
    importMode: importModeFlag(flags.importMode),
    scheduled: flags.scheduled,
    insecure: flags.insecure,
    dryRun: flags.dryRun === true,
    output: outputOf(flags.output),
  }
}

/** FollowedTag is where a chain of same-stream ImageStreamTag references ends. */
export type FollowedTag =
  | { readonly found: true; readonly tag: string; readonly ref: TagReference; multiple: boolean }
  | { readonly found: false; readonly tag: string; readonly multiple: boolean }

/**
 * followTagReference follows spec tags that point at other tags of the same stream (`other`
 * or `stream:other`) to the tag that holds a source, as oc does before re-importing.
 */
export function followTagReference(stream: ImageStream, start: string): FollowedTag {
  const seen = new Set<string>()
  let tag = start
  let multiple = false
  for (;;) {
    if (seen.has(tag)) {
      throw new CliError(`tag "${start}" on the image stream is a reference to same tag`)
    }
    seen.add(tag)
    const ref = stream.spec?.tags?.find((t) => t.name === tag)
    if (!ref) return { found: false, tag, multiple }
    if (ref.from?.kind !== 'ImageStreamTag') return { found: true, tag, ref, multiple }
    const name = ref.from.name ?? ''
    if (name.includes(':')) {
      const parts = name.split(':')
      if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
        throw new CliError(`tag "${start}" points to an invalid imagestreamtag`)
      }
      if (parts[0] !== stream.metadata.name) {
        throw new CliError(`tag "${start}" points to an imagestreamtag from another ImageStream`)
      }
      tag = parts[1]!
    } else {
      if (name === '') throw new CliError(`tag "${start}" points to an invalid imagestreamtag`)
      tag = name
    }
    multiple = true
  }
}

function dockerImage(name: string): { kind: string; name: string } {
  return { kind: 'DockerImage', name }
}

/** streamInsecure is the stream-wide insecure default: the flag when given, else the annotation. */
function streamInsecure(opts: ImportImageOptions, stream: ImageStream): boolean {
  return opts.insecure ?? stream.metadata.annotations?.[INSECURE_ANNOTATION] === 'true'
}

function referencePolicy(opts: ImportImageOptions): Pick<ImageImportSpec, 'referencePolicy'> {
  return opts.referencePolicy ? { referencePolicy: { type: opts.referencePolicy } } : {}
}

/**
 * imageEntry is one tag's entry. As in oc, insecure and scheduled are sticky (the tag's own
 * flags are OR-ed in). The mode is `--import-mode`; without it a `refresh` (no `--from`) sends
 * the tag's own mode, and anything else sends none, so the server's default applies.
 */
function imageEntry(
  opts: ImportImageOptions,
  stream: ImageStream,
  tag: string,
  from: string,
  refresh: boolean,
): ImageImportSpec {
  const old = stream.spec?.tags?.find((t) => t.name === tag)?.importPolicy
  const importMode = opts.importMode ?? (refresh ? old?.importMode : undefined)
  const importPolicy: TagImportPolicy = {
    insecure: streamInsecure(opts, stream) || old?.insecure === true,
    scheduled: opts.scheduled === true || old?.scheduled === true,
    ...(importMode && { importMode }),
  }
  return { from: dockerImage(from), to: { name: tag }, importPolicy, ...referencePolicy(opts) }
}

/**
 * repositoryMode is the mode a bare `--all` refresh of a repository sends: the one every tag
 * imported from it has (none when no tag has one yet). One mode goes for the whole repository,
 * so tags in different modes need `--import-mode` rather than a silent switch of some of them.
 */
function repositoryMode(stream: ImageStream, repository: string): string | undefined {
  const modes = new Map<string, string[]>()
  for (const t of stream.spec?.tags ?? []) {
    const mode = t.importPolicy?.importMode
    if (t.from?.kind !== 'DockerImage' || !mode) continue
    if (!(t.from.name ?? '').startsWith(`${repository}:`)) continue
    modes.set(mode, [...(modes.get(mode) ?? []), t.name])
  }
  if (modes.size > 1) {
    const which = [...modes].map(([mode, tags]) => `${mode}: ${tags.join(', ')}`).join('; ')
    throw new CliError(
      `the tags imported from "${repository}" use different import modes (${which}); pass --import-mode to choose one for the whole repository`,
    )
  }
  return [...modes.keys()][0]
}

/**
 * repositoryEntry asks for every tag of `from`. Only the flags the user set (or the stream's
 * insecure annotation) are sent, so each existing tag keeps its own scheduled flag; the mode is
 * `--import-mode`, else on a `refresh` the repository's tags' own, else the server default.
 */
function repositoryEntry(
  opts: ImportImageOptions,
  stream: ImageStream,
  from: string,
  refresh: boolean,
): RepositoryImportSpec {
  const insecure = streamInsecure(opts, stream)
  const importMode = opts.importMode ?? (refresh ? repositoryMode(stream, from) : undefined)
  const importPolicy: TagImportPolicy = {
    ...((opts.insecure !== undefined || insecure) && { insecure }),
    ...(opts.scheduled !== undefined && { scheduled: opts.scheduled }),
    ...(importMode && { importMode }),
  }
  return { from: dockerImage(from), importPolicy, ...referencePolicy(opts) }
}

function isiFor(
  opts: ImportImageOptions,
  stream: ImageStream,
  namespace: string,
  spec: { images?: ImageImportSpec[]; repository?: RepositoryImportSpec },
): ImageStreamImport {
  const resourceVersion = stream.metadata.resourceVersion
  return {
    apiVersion: IMAGE_API_VERSION,
    kind: 'ImageStreamImport',
    metadata: { name: opts.name, namespace, ...(resourceVersion && { resourceVersion }) },
    spec: { import: !opts.dryRun, ...spec },
  }
}

function planNewStream(opts: ImportImageOptions, namespace: string): ImportPlan {
  if (!opts.confirm) {
    throw new CliError(
      `no image stream named "${opts.name}" exists, pass --confirm to create and import`,
    )
  }
  // Without --from the operand is the source: `import-image quay.io/a/b:1 --confirm` makes b:1.
  const from = opts.from ?? opts.target
  const base: ImageStream = {
    apiVersion: IMAGE_API_VERSION,
    kind: 'ImageStream',
    metadata: { name: opts.name, namespace },
  }
  if (opts.all) {
    const stream = { ...base, spec: { dockerImageRepository: from } }
    return {
      stream,
      isi: isiFor(opts, stream, namespace, {
        repository: repositoryEntry(opts, stream, from, false),
      }),
      progress: `Importing the tags of ${from}`,
    }
  }
  const tag = opts.tag ?? DEFAULT_TAG
  const stream: ImageStream = {
    ...base,
    spec: {
      tags: [
        {
          name: tag,
          from: dockerImage(from),
          ...(opts.referencePolicy && { referencePolicy: { type: opts.referencePolicy } }),
        },
      ],
    },
  }
  return {
    stream,
    isi: isiFor(opts, stream, namespace, { images: [imageEntry(opts, base, tag, from, false)] }),
    progress: undefined,
  }
}

function planAll(opts: ImportImageOptions, current: ImageStream, namespace: string): ImportPlan {
  const repository = current.spec?.dockerImageRepository ?? ''
  let from = opts.from ?? ''
  if (from === '') {
    if (repository === '') {
      const tags = (current.spec?.tags ?? []).filter((t) => t.from?.kind === 'DockerImage')
      if (tags.length === 0) {
        throw new CliError('image stream does not have tags pointing to external container images')
      }
      const images = tags.map((t) => imageEntry(opts, current, t.name, t.from?.name ?? '', true))
      return {
        stream: current,
        isi: isiFor(opts, current, namespace, { images }),
        progress: `Importing ${tags.length} tags of ${opts.name}`,
      }
    }
    from = repository
  }
  let stream = current
  if (from !== repository) {
    if (!opts.confirm) {
      throw new CliError(
        repository === ''
          ? 'the image stream does not currently import an entire Docker repository, pass --confirm to update'
          : `the image stream has a different import spec "${repository}", pass --confirm to update`,
      )
    }
    stream = { ...current, spec: { ...current.spec, dockerImageRepository: from } }
  }
  return {
    stream,
    isi: isiFor(opts, current, namespace, {
      repository: repositoryEntry(opts, current, from, opts.from === undefined),
    }),
    progress: `Importing the tags of ${from}`,
  }
}

function planTag(opts: ImportImageOptions, current: ImageStream, namespace: string): ImportPlan {
  const tag = opts.tag ?? DEFAULT_TAG
  const followed = followTagReference(current, tag)
  let from = opts.from
  let target = tag
  let ref: TagReference
  if (!followed.found) {
    if (from === undefined && tag === DEFAULT_TAG) from = current.spec?.dockerImageRepository
    if (!from) {
      throw new CliError(
        `the tag "${tag}" does not exist on the image stream - choose an existing tag to import or use the 'tag' command to create a new tag`,
      )
    }
    // oc imports into the tag named on the command line even when it is a reference to a
    // missing tag, which turns the reference into a copy; importing into the end of the chain
    // keeps the reference working.
    target = followed.tag
    ref = { name: target, from: dockerImage(from) }
  } else {
    const existing = followed.ref
    if (existing.from && existing.from.kind !== 'DockerImage') {
      throw new CliError(
        `tag "${tag}" points to existing ${existing.from.kind} "${existing.from.name ?? ''}", it cannot be re-imported`,
      )
    }
    const source = existing.from?.name
    if (!existing.from || source === undefined) {
      throw new CliError(
        `tag "${tag}" already exists - you must use the 'tag' command if you want to change the source to "${from ?? ''}"`,
      )
    }
    if (from !== undefined && from !== source) {
      throw new CliError(
        followed.multiple
          ? `the tag "${tag}" points to the tag "${followed.tag}" which points to "${source}" - use the 'tag' command if you want to change the source to "${from}"`
          : `the tag "${tag}" points to "${source}" - use the 'tag' command if you want to change the source to "${from}"`,
      )
    }
    from = source
    target = followed.tag
    ref = { ...existing, generation: 0 }
  }
  const tags = current.spec?.tags ?? []
  const stream: ImageStream = {
    ...current,
    spec: {
      ...current.spec,
      tags: tags.some((t) => t.name === target)
        ? tags.map((t) => (t.name === target ? ref : t))
        : [...tags, ref],
    },
  }
  return {
    stream,
    isi: isiFor(opts, current, namespace, {
      images: [imageEntry(opts, current, target, from, opts.from === undefined)],
    }),
    progress: undefined,
  }
}

/**
 * planImageImport decides what to ask the server for, given the stream as read (undefined when
 * it does not exist), or throws oc's error for an import that cannot be done that way.
 */
export function planImageImport(
  opts: ImportImageOptions,
  current: ImageStream | undefined,
  namespace: string,
): ImportPlan {
  if (!current) return planNewStream(opts, namespace)
  const stream: ImageStream = { ...current, apiVersion: IMAGE_API_VERSION, kind: 'ImageStream' }
  return opts.all ? planAll(opts, stream, namespace) : planTag(opts, stream, namespace)
}

function failedStatus(s: ImageImportStatus): boolean {
  return s.status.status === 'Failure'
}

/** importFailed is oc's test: any image, or the repository as a whole, failed. */
export function importFailed(isi: ImageStreamImport): boolean {
  const status = isi.status
  return (
    (status?.images ?? []).some(failedStatus) || status?.repository?.status?.status === 'Failure'
  )
}

function block(text: string): string {
  // Each block is followed by one blank line, whether or not the printer ends its last line.
  return `${text.endsWith('\n') ? text : `${text}\n`}\n`
}

/**
 * renderImportResult prints the server's answer as oc does: on stdout the name line, a blank
 * line, `describe is` of the stored stream (not on a dry run), one image block per imported
 * image (named `stream:tag`) and the tags left out of a repository import; on stderr one line
 * per failed tag. `-o json|yaml` print the stream instead of the text.
 */
export function renderImportResult(
  opts: ImportImageOptions,
  plan: ImportPlan,
  result: ImageStreamImport,
  now: Date,
): RenderedImport {
  const failed = importFailed(result)
  let stderr = ''
  let report = ''
  const imageName = (tag: string | undefined) => `${opts.name}:${tag || DEFAULT_TAG}`
  const repository = result.status?.repository
  for (const s of repository?.images ?? []) {
    if (s.image) report += block(describeImage(s.image, imageName(s.tag), now))
    else stderr += `error: repository tag ${s.tag ?? ''} failed: ${s.status.message ?? ''}\n`
  }
  for (const s of result.status?.images ?? []) {
    if (s.image) report += block(describeImage(s.image, imageName(s.tag), now))
    else stderr += `error: tag ${s.tag ?? ''} failed: ${s.status.message ?? ''}\n`
  }
  const additional = repository?.additionalTags ?? []
  if (additional.length > 0) {
    report += `\ninfo: The remote repository contained ${additional.length} additional tags which were not imported: ${additional.join(', ')}\n`
  }
  if (opts.output !== 'text') {
    return {
      stdout: formatDocument(result.status?.import ?? plan.stream, opts.output),
      stderr,
      failed,
    }
  }
  const imported = result.status?.import
  const verb = `${failed ? 'imported with errors' : 'imported'}${opts.dryRun ? ' (dry run)' : ''}`
  const described = imported ? block(describeImageStream(imported, now)) : ''
  return {
    stdout: `${STREAM_KIND}/${opts.name} ${verb}\n\n${described}${report}\n`,
    stderr,
    failed,
  }
}

function streamPath(namespace: string, name?: string): string {
  const base = `/apis/${IMAGE_API_VERSION}/namespaces/${encodeURIComponent(namespace)}`
  return name === undefined
    ? `${base}/imagestreamimports`
    : `${base}/imagestreams/${encodeURIComponent(name)}`
}

async function readStream(
  client: ApiClient,
  namespace: string,
  name: string,
): Promise<ImageStream | undefined> {
  try {
    return await client.request<ImageStream>('GET', streamPath(namespace, name))
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw err
  }
}

/** runImportImage reads the stream, posts the import and prints the outcome; 1 if anything failed. */
export async function runImportImage(
  operands: string[],
  flags: ImportImageFlags,
  session: Session,
): Promise<number> {
  const opts = completeImportImageOptions(operands, flags)
  const { client, namespace, io } = session
  const current = await readStream(client, namespace, opts.name)
  const plan = planImageImport(opts, current, namespace)
  const progress =
    plan.progress === undefined
      ? undefined
      : startProgress(io.stderr, plan.progress, { interactive: isInteractive(io) })
  let result: ImageStreamImport
  try {
    result = await client.request<ImageStreamImport>('POST', streamPath(namespace), {
      body: plan.isi,
    })
  } finally {
    progress?.done()
  }
  const out = renderImportResult(opts, plan, result, io.now())
  io.stderr.write(out.stderr)
  io.stdout.write(out.stdout)
  if (out.failed) throw new CliError(IMPORT_FAILED)
  return 0
}

/** configureImportImage declares `import-image` with oc's flags. */
export const configureImportImage: ConfigureVerb = (cmd, ctx) => {
  cmd
    .summary('Import images from a container image registry')
    .description(
      [
        'Import the latest image information from a tag in a container image registry.',
        'Image streams allow you to control which images are rolled out to your builds and applications. This command fetches the latest version of an image from a remote repository and updates the image stream tag if it does not match the previous value. Running the command multiple times will not create duplicate entries. When importing an image, only the image metadata is copied, not the image contents.',
        "If you wish to change the image stream tag or provide more advanced options, see the 'tag' command.",
        "Without --import-mode, an import with --from, or of a tag the stream does not have yet, uses the server's default mode (Legacy unless the server sets another), so re-importing a PreserveOriginal tag with --from makes it one image again; a refresh without --from re-imports each tag with its own mode, insecure and scheduled settings.",
      ].join('\n\n'),
    )
    .argument('[IMAGESTREAM[:TAG]]', 'the image stream, and the tag to import (default latest)')
    .option('--from <image>', 'A container image repository to import images from')
    .option('--confirm', 'If true, allow the image stream import location to be set or changed')
    .option(
      '--all',
      'If true, import all tags from the provided source on creation or if --from is specified',
    )
    .option(
      '--reference-policy <policy>',
      "Allow to request pullthrough for external image when set to 'local'. Defaults to 'source'.",
    )
    .option(
      '--import-mode <mode>',
      "Legacy imports one image of a manifest list (for the server platform); PreserveOriginal imports the whole list. Without it, an import with --from (or of a new tag) uses the server default, and a refresh without --from keeps the tag's mode.",
    )
    .option(
      '--dry-run',
      'Fetch information about images without creating or updating an image stream.',
    )
    .option(
      '--scheduled',
      'Set each imported container image to be periodically imported from a remote repository. Defaults to false.',
    )
    .option(
      '--insecure',
      'If true, allow importing from registries that have invalid HTTPS certificates or are hosted via HTTP. This flag will take precedence over the insecure annotation.',
    )
    .option('-o, --output <format>', 'Output format. One of: json|yaml|name.')
    .addHelpText('after', EXAMPLES)
  acceptGoBooleans(cmd, GO_BOOLEAN_FLAGS)
  sessionAction(cmd, ctx, runImportImage)
}
