/**
 * `isctl tag`: point image stream tags at a pull spec, at another tag's current image, or at
 * another tag (alias), or delete spec tags, as `oc tag` does (oc pkg/cli/tag/tag.go): the same
 * source detection, validation messages, request (PUT of the ImageStreamTag, then create, then an
 * update of the stream for servers without either) and output. Without `--import-mode` no mode
 * is sent, so the server's default applies, as openshift/oc PR #2183 lets the cluster decide
 * (docs/imports.md#import-policy-defaults).
 */
import type { Command } from 'commander'
import { acceptGoBooleans } from '../go-flags.js'
import { IMAGE_API_VERSION, IMPORT_MODE_FLAG_MESSAGE, importModeOf } from '../../api/constants.js'
import type {
  ImageStream,
  ImageStreamTag,
  ObjectReference,
  TagEvent,
  TagReference,
} from '../../api/index.js'
import {
  destinationFormMessage,
  invalidSourceMessage,
  invalidTagMessage,
  ISIMAGE_SOURCE_NEEDS_ID,
  ISTAG_SOURCE_NEEDS_TAG,
  SERVER_IN_STREAM_SOURCE,
} from '../../api/cli-messages.js'
import { RESOURCE_META } from '../../api/resource-meta.js'
import { isValidTag, parseImageReference } from '../../reference/index.js'
import { ApiError } from '../client/api-errors.js'
import type { ApiClient } from '../client/api-client.js'
import type { Session } from '../client/session.js'
import { CliError, UsageError } from '../errors.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** TagFlags are the flags of `tag` as commander hands them over. */
export interface TagFlags {
  readonly source?: string | undefined
  readonly delete?: boolean | undefined
  readonly alias?: boolean | undefined
  readonly reference?: boolean | undefined
  readonly scheduled?: boolean | undefined
  readonly insecure?: boolean | undefined
  readonly referencePolicy?: string | undefined
  readonly importMode?: string | undefined
}

/** SourceKind is what a tag can point at. */
export type SourceKind = 'DockerImage' | 'ImageStreamTag' | 'ImageStreamImage'

/**
 * SourceRef is SOURCE split as oc splits it (library-go DockerImageReference): no Docker Hub
 * defaulting, `namespace` is the first path component when there is more than one.
 */
export interface SourceRef {
  readonly registry: string
  readonly namespace: string
  readonly name: string
  readonly tag: string
  readonly id: string
}

/** Destination is one DEST: `[<namespace>/]<stream>:<tag>`. */
export interface Destination {
  readonly namespace: string
  /** `<stream>:<tag>` as given (what messages print). */
  readonly nameAndTag: string
  readonly stream: string
  readonly tag: string
}

/** TagPlan is one validated `tag` run, before any request. */
export type TagPlan =
  | { readonly action: 'delete'; readonly destinations: readonly Destination[] }
  | {
      readonly action: 'set'
      readonly kind: SourceKind
      readonly source: SourceRef
      /** SOURCE as typed, for the "not currently pointing to an image" message. */
      readonly input: string
      readonly destinations: readonly Destination[]
      readonly alias: boolean
      readonly reference: boolean
      readonly scheduled: boolean
      readonly insecure: boolean
      readonly referencePolicy: 'Source' | 'Local'
      /** Undefined: the server's default. */
      readonly importMode: string | undefined
    }

const SOURCE_KINDS: Readonly<Record<string, SourceKind>> = {
  imagestreamtag: 'ImageStreamTag',
  imagestreamtags: 'ImageStreamTag',
  istag: 'ImageStreamTag',
  imagestreamimage: 'ImageStreamImage',
  imagestreamimages: 'ImageStreamImage',
  isimage: 'ImageStreamImage',
  docker: 'DockerImage',
  dockerimage: 'DockerImage',
}

const VALID_SOURCES = 'docker, dockerimage, imagestreamimage, imagestreamtag, isimage, istag'

// The namespace Docker Hub used to imply; oc reads a literal `library/` as "this namespace".
const DOCKER_DEFAULT_NAMESPACE = 'library'

/** sourceKindFlag reads `--source` (a resource name in any form, or docker/dockerimage). */
export function sourceKindFlag(value: string): SourceKind {
  const kind = SOURCE_KINDS[value.toLowerCase()]
  if (kind === undefined) {
    throw new UsageError(`invalid source "${value}"; valid values are ${VALID_SOURCES}`, {
      seeHelp: true,
    })
  }
  return kind
}

/** hasRegistry is oc's test of a first path component: a host if it has "." or ":" or is localhost. */
function hasRegistry(first: string): boolean {
  return /[.:]/.test(first) || first === 'localhost'
}

/** parseSource checks SOURCE against the reference grammar and splits it as oc does. */
export function parseSource(input: string): SourceRef {
  try {
    parseImageReference(input)
  } catch (err) {
    throw new CliError(invalidSourceMessage((err as Error).message))
  }
  const at = input.indexOf('@')
  const nameAndTag = at === -1 ? input : input.slice(0, at)
  const id = at === -1 ? '' : input.slice(at + 1)
  const colon = nameAndTag.lastIndexOf(':')
  const hasTag = colon > nameAndTag.lastIndexOf('/')
  let path = hasTag ? nameAndTag.slice(0, colon) : nameAndTag
  const tag = hasTag ? nameAndTag.slice(colon + 1) : ''
  let registry = ''
  const slash = path.indexOf('/')
  if (slash !== -1 && hasRegistry(path.slice(0, slash))) {
    registry = path.slice(0, slash)
    path = path.slice(slash + 1)
  }
  const nsSlash = path.indexOf('/')
  const namespace = nsSlash === -1 ? '' : path.slice(0, nsSlash)
  const name = nsSlash === -1 ? path : path.slice(nsSlash + 1)
  return { registry, namespace, name, tag, id }
}

/** nameString is `<name>:<tag>` or `<name>@<id>` (oc's NameString). */
export function nameString(ref: SourceRef): string {
  if (ref.tag !== '') return `${ref.name}:${ref.tag}`
  if (ref.id !== '') return `${ref.name}@${ref.id}`
  return ref.name
}

/**
 * exactRef renders the reference as given, without defaults (oc's Exact). Ours: a tag and a
 * digest given together are both kept, where oc drops the digest.
 */
export function exactRef(ref: SourceRef): string {
  const prefix = [ref.registry, ref.namespace].filter((p) => p !== '').join('/')
  const name =
    ref.tag !== '' && ref.id !== '' ? `${ref.name}:${ref.tag}@${ref.id}` : nameString(ref)
  return prefix === '' ? name : `${prefix}/${name}`
}

/** detectSourceKind is oc's guess without `--source`: registry → DockerImage, ID → isimage, tag → istag. */
export function detectSourceKind(ref: SourceRef): SourceKind {
  if (ref.registry !== '') return 'DockerImage'
  if (ref.id !== '') return 'ImageStreamImage'
  if (ref.tag !== '') return 'ImageStreamTag'
  return 'DockerImage'
}

/** sourceFor applies `--source` (or the guess) to SOURCE, with oc's checks for stream sources. */
export function sourceFor(
  ref: SourceRef,
  flagKind: SourceKind | undefined,
  namespace: string,
): { kind: SourceKind; ref: SourceRef } {
  if (flagKind === undefined) return { kind: detectSourceKind(ref), ref }
  if (flagKind === 'DockerImage') return { kind: flagKind, ref }
  if (ref.registry !== '') {
    throw new CliError(SERVER_IN_STREAM_SOURCE)
  }
  if (flagKind === 'ImageStreamTag' && ref.tag === '') {
    throw new CliError(ISTAG_SOURCE_NEEDS_TAG)
  }
  if (flagKind === 'ImageStreamImage' && ref.id === '') {
    throw new CliError(ISIMAGE_SOURCE_NEEDS_ID)
  }
  // Only with an explicit --source, as oc: a guessed `library/x:1` stays in namespace library.
  const local = ref.namespace === DOCKER_DEFAULT_NAMESPACE ? { ...ref, namespace } : ref
  return { kind: flagKind, ref: local }
}

/** parseDestination splits `[<namespace>/]<stream>:<tag>`. */
export function parseDestination(arg: string, namespace: string): Destination {
  const parts = arg.split('/')
  if (parts.length > 2) throw new CliError(`invalid image stream "${arg}"`)
  const [ns, nameAndTag] = parts.length === 2 ? [parts[0]!, parts[1]!] : [namespace, arg]
  if (ns === '') throw new CliError(`invalid namespace "${ns}" for image stream "${arg}"`)
  if (nameAndTag === '') {
    throw new CliError(`invalid name "${nameAndTag}" for image stream "${arg}"`)
  }
  const colon = nameAndTag.indexOf(':')
  const stream = colon === -1 ? nameAndTag : nameAndTag.slice(0, colon)
  const tag = colon === -1 ? '' : nameAndTag.slice(colon + 1)
  return { namespace: ns, nameAndTag, stream, tag }
}

function checkForm(dest: Destination): void {
  if (dest.stream === '' || dest.tag === '' || dest.tag.includes(':')) {
    throw new CliError(destinationFormMessage(dest.nameAndTag))
  }
}

function checkTagName(dest: Destination): void {
  if (!isValidTag(dest.tag)) throw new CliError(invalidTagMessage(dest.tag))
}

/** looksLikeSource: an operand no destination can be (a registry host or an `@` ID). */
function looksLikeSource(arg: string): boolean {
  if (arg.includes('@')) return true
  const slash = arg.indexOf('/')
  return slash !== -1 && hasRegistry(arg.slice(0, slash))
}

/**
 * planTag turns operands and flags into a plan, with oc's messages in oc's order (Complete,
 * then Validate), before any request. `namespace` is the session's.
 */
export function planTag(operands: readonly string[], flags: TagFlags, namespace: string): TagPlan {
  const deleting = flags.delete === true
  if (operands.length === 0 && !deleting) {
    throw new UsageError(
      'you must specify a source and at least one destination or one or more tags to delete',
      { seeHelp: true },
    )
  }
  let source: { kind: SourceKind; ref: SourceRef } | undefined
  let dests = operands
  if (!deleting) {
    const flagKind = flags.source ? sourceKindFlag(flags.source) : undefined
    source = sourceFor(parseSource(operands[0]!), flagKind, namespace)
    dests = operands.slice(1)
  }
  // Ours: oc reads every operand of -d as a destination; a pull spec cannot be one.
  if (deleting && dests.some(looksLikeSource)) {
    throw new CliError('cannot specify a source when deleting')
  }
  const destinations = dests.map((d) => parseDestination(d, namespace))

  if (deleting && flags.alias) throw new CliError('--alias and --delete may not be both specified')
  const policy = flags.referencePolicy ?? 'source'
  if (policy !== 'source' && policy !== 'local') {
    throw new CliError("reference policy must be set to 'source' or 'local'")
  }
  if (deleting) {
    if (flags.source) throw new CliError('cannot specify a source kind when deleting')
    if (flags.scheduled || flags.insecure) {
      throw new CliError('cannot set flags for importing images when deleting a tag')
    }
    if (flags.importMode !== undefined) {
      throw new CliError('cannot specify an import mode when deleting')
    }
  }
  if (destinations.length === 0) throw new CliError('at least a destination is required')
  const importing = flags.scheduled === true || flags.insecure === true
  if (source !== undefined && source.kind !== 'DockerImage' && importing) {
    throw new CliError('only container images can have importing flags set')
  }
  if (flags.alias) {
    if (importing) {
      throw new CliError('cannot set a container image tag as an alias and also set import flags')
    }
    const srcNamespace = source?.ref.namespace || namespace
    for (const dest of destinations) {
      checkForm(dest)
      if (dest.namespace !== srcNamespace || dest.stream !== source?.ref.name) {
        throw new CliError('cannot set alias across different Image Streams')
      }
    }
  }
  const mode = flags.importMode
  if (mode !== undefined && importModeOf(mode) === undefined) {
    throw new CliError(IMPORT_MODE_FLAG_MESSAGE)
  }
  for (const dest of destinations) {
    checkForm(dest)
    checkTagName(dest)
  }
  if (source === undefined) return { action: 'delete', destinations }
  return {
    action: 'set',
    kind: source.kind,
    source: source.ref,
    input: operands[0]!,
    destinations,
    alias: flags.alias === true,
    reference: flags.reference === true,
    scheduled: flags.scheduled === true,
    insecure: flags.insecure === true,
    referencePolicy: policy === 'local' ? 'Local' : 'Source',
    importMode: mode,
  }
}

/** latestTaggedImage is the tag's current history item (`latest` when no tag is named). */
export function latestTaggedImage(stream: ImageStream, tag: string): TagEvent | undefined {
  const name = tag === '' ? 'latest' : tag
  return stream.status?.tags?.find((t) => t.tag === name)?.items?.[0]
}

/**
 * resolveTagSource pins a (non-alias) ImageStreamTag source to the image it points at now:
 * `<stream>@<image>` as an ImageStreamImage, or the pull spec when the event has no image.
 */
export function resolveTagSource(
  plan: Extract<TagPlan, { action: 'set' }>,
  stream: ImageStream,
): Extract<TagPlan, { action: 'set' }> {
  const event = latestTaggedImage(stream, plan.source.tag)
  if (event === undefined) {
    throw new CliError(
      `"${plan.input}" is not currently pointing to an image, cannot use it as the source of a tag`,
    )
  }
  if (event.image === '') {
    try {
      return { ...plan, kind: 'DockerImage', source: parseSource(event.dockerImageReference) }
    } catch (err) {
      throw new CliError(
        `the image stream tag "${plan.input}" has an invalid pull spec and cannot be used to tag: ${(err as Error).message}`,
      )
    }
  }
  return { ...plan, kind: 'ImageStreamImage', source: { ...plan.source, id: event.image, tag: '' } }
}

/** tagBody is the ImageStreamTag that sets `dest`; without `--import-mode` it names no mode. */
export function tagBody(
  plan: Extract<TagPlan, { action: 'set' }>,
  dest: Destination,
  namespace: string,
): ImageStreamTag {
  const from: ObjectReference = { kind: plan.kind }
  if (plan.kind === 'DockerImage') {
    from.name = exactRef(plan.source)
  } else {
    from.name = nameString(plan.source)
    const ns = plan.source.namespace || (dest.namespace !== namespace ? namespace : '')
    if (ns !== '') from.namespace = ns
  }
  const importMode = plan.importMode
  const tag: TagReference = {
    name: dest.tag,
    from,
    ...(plan.reference && { reference: true }),
    importPolicy: {
      ...(plan.insecure && { insecure: true }),
      ...(plan.scheduled && { scheduled: true }),
      ...(importMode !== undefined && { importMode }),
    },
    referencePolicy: { type: plan.referencePolicy },
    ...(plan.kind === 'DockerImage' && { generation: 0 }),
  }
  return {
    kind: 'ImageStreamTag',
    apiVersion: IMAGE_API_VERSION,
    metadata: { name: dest.nameAndTag, namespace: dest.namespace },
    tag,
  }
}

/** tagMessage is oc's confirmation for one destination (the cross-namespace periodic text lacks "import", as oc's). */
export function tagMessage(
  plan: Extract<TagPlan, { action: 'set' }>,
  dest: Destination,
  namespace: string,
): string {
  const src = exactRef(plan.source)
  const same = dest.namespace === namespace
  const name = same ? dest.nameAndTag : `${dest.namespace}/${dest.nameAndTag}`
  if (plan.alias) return `Tag ${name} set up to track ${src}.`
  if (plan.scheduled) {
    return same
      ? `Tag ${name} set to import ${src} periodically.`
      : `Tag ${name} set to ${src} periodically.`
  }
  return `Tag ${name} set to ${src}.`
}

/** TagClient is the part of the API client `tag` uses. */
export type TagClient = Pick<ApiClient, 'get' | 'create' | 'update' | 'delete'>

const STREAMS = RESOURCE_META.imagestreams
const ISTAGS = RESOURCE_META.imagestreamtags

function hasStatus(err: unknown, ...codes: number[]): boolean {
  return err instanceof ApiError && codes.includes(err.status)
}

async function readStream(
  client: TagClient,
  namespace: string,
  name: string,
): Promise<ImageStream | undefined> {
  try {
    return await client.get(STREAMS, { namespace, name })
  } catch (err) {
    if (hasStatus(err, 404)) return undefined
    throw err
  }
}

// client-go's retry.DefaultRetry: five attempts, about 10 ms apart.
const CONFLICT_ATTEMPTS = 5
const CONFLICT_DELAY_MS = 10

async function retryOnConflict(work: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (err) {
      if (!hasStatus(err, 409) || attempt >= CONFLICT_ATTEMPTS) throw err
      await new Promise((resolve) => setTimeout(resolve, CONFLICT_DELAY_MS))
    }
  }
}

function withoutTag(stream: ImageStream, tag: string): ImageStream {
  const tags = (stream.spec?.tags ?? []).filter((t) => t.name !== tag)
  return { ...stream, spec: { ...stream.spec, tags } }
}

function withTag(stream: ImageStream, tag: TagReference): ImageStream {
  const tags = [...(stream.spec?.tags ?? [])]
  const index = tags.findIndex((t) => t.name === tag.name)
  if (index >= 0) tags[index] = tag
  else tags.push(tag)
  return { ...stream, spec: { ...stream.spec, tags } }
}

/** deleteTag removes one spec tag; servers without istag delete get the stream updated instead. */
async function deleteTag(client: TagClient, dest: Destination, out: (s: string) => void) {
  const done = `Deleted tag ${dest.namespace}/${dest.nameAndTag}.`
  try {
    await client.delete(ISTAGS, { namespace: dest.namespace, name: dest.nameAndTag })
    out(done)
    return
  } catch (err) {
    if (!hasStatus(err, 405, 403)) throw err
  }
  const stream = await readStream(client, dest.namespace, dest.stream)
  if (stream === undefined) {
    out(`Image stream "${dest.stream}" does not exist.`)
    return
  }
  if (!stream.spec?.tags?.some((t) => t.name === dest.tag)) {
    throw new CliError(`destination tag ${dest.namespace}/${dest.nameAndTag} does not exist.`)
  }
  await client.update(
    STREAMS,
    { namespace: dest.namespace, name: dest.stream },
    withoutTag(stream, dest.tag),
  )
  out(done)
}

/**
 * setTag writes one destination: PUT of the ImageStreamTag (which creates the stream if need
 * be), else POST, else an update of the stream itself. The stream is read first, for that
 * last fallback; its resourceVersion goes with the PUT so that a concurrent change of the
 * stream is a conflict, retried with a fresh read, rather than a lost update.
 */
async function setTag(
  client: TagClient,
  plan: Extract<TagPlan, { action: 'set' }>,
  dest: Destination,
  namespace: string,
): Promise<void> {
  const stream = await readStream(client, dest.namespace, dest.stream)
  const body = tagBody(plan, dest, namespace)
  const rv = stream?.metadata.resourceVersion
  const put =
    rv === undefined ? body : { ...body, metadata: { ...body.metadata, resourceVersion: rv } }
  const target = { namespace: dest.namespace, name: dest.nameAndTag }
  try {
    await client.update(ISTAGS, target, put)
    return
  } catch (err) {
    if (!hasStatus(err, 405, 403, 404)) throw err
  }
  try {
    await client.create(ISTAGS, dest.namespace, body)
    return
  } catch (err) {
    if (!hasStatus(err, 405, 403)) throw err
  }
  const tag = body.tag!
  if (stream === undefined) {
    const created: ImageStream = {
      kind: STREAMS.kind,
      apiVersion: STREAMS.apiVersion,
      metadata: { name: dest.stream, namespace: dest.namespace },
    }
    await client.create(STREAMS, dest.namespace, withTag(created, tag))
  } else {
    await client.update(
      STREAMS,
      { namespace: dest.namespace, name: dest.stream },
      withTag(stream, tag),
    )
  }
}

/** executeTag runs a plan against the server, one destination after the other. */
export async function executeTag(
  client: TagClient,
  plan: TagPlan,
  namespace: string,
  out: (line: string) => void,
): Promise<void> {
  let resolved = plan
  if (plan.action === 'set' && plan.kind === 'ImageStreamTag' && !plan.alias) {
    const ns = plan.source.namespace || namespace
    const stream = await client.get(STREAMS, { namespace: ns, name: plan.source.name })
    resolved = resolveTagSource(plan, stream)
  }
  for (const dest of resolved.destinations) {
    if (resolved.action === 'delete') {
      await retryOnConflict(() => deleteTag(client, dest, out))
      continue
    }
    const set = resolved
    await retryOnConflict(() => setTag(client, set, dest, namespace))
    out(tagMessage(set, dest, namespace))
  }
}

/** runTag is the verb's action. */
export async function runTag(operands: string[], flags: TagFlags, session: Session) {
  const plan = planTag(operands, flags, session.namespace)
  await executeTag(session.client, plan, session.namespace, (line) =>
    session.io.stdout.write(`${line}\n`),
  )
  return 0
}

const BOOL_FLAGS = ['delete', 'alias', 'reference', 'scheduled', 'insecure']

const DESCRIPTION = [
  'Tag existing images into image streams.',
  "The tag command allows you to take an existing tag or image from an image stream, or a container image pull spec, and set it as the most recent image for a tag in 1 or more other image streams. It is similar to the 'docker tag' command, but it operates on image streams instead.",
  'Pass the --insecure flag if your external registry does not have a valid HTTPS certificate, or is only served over HTTP. Pass --scheduled to have the server regularly check the tag for updates and import the latest version. Note that --scheduled is only allowed for container images.',
  "Without --import-mode the tag is imported in the server's default mode (Legacy unless the server sets another), whatever mode it had before: pass --import-mode=PreserveOriginal again to keep a manifest list whole.",
].join('\n\n')

const EXAMPLES = `
Examples:
  # Tag the current image of the image stream 'openshift/ruby' tag '2.0' into the image stream 'yourproject/ruby' with tag 'tip'
  isctl tag openshift/ruby:2.0 yourproject/ruby:tip

  # Tag a specific image
  isctl tag openshift/ruby@sha256:6b646fa6bf5e5e4c7fa41056c27910e679c03ebe7f93e361e6515a9da7e258cc yourproject/ruby:tip

  # Tag an external container image
  isctl tag --source=docker openshift/origin-control-plane:latest yourproject/ruby:tip

  # Tag an external container image and request pullthrough for it
  isctl tag --source=docker openshift/origin-control-plane:latest yourproject/ruby:tip --reference-policy=local

  # Import every image of a manifest list, and check for updates periodically
  isctl tag quay.io/myteam/app:1 app:1 --import-mode=PreserveOriginal --scheduled

  # Remove the specified spec tag from an image stream
  isctl tag openshift/origin-control-plane:latest -d
`

/** configureTag declares `tag`'s flags and help. */
export const configureTag: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .summary('Tag existing images into image streams')
    .description(DESCRIPTION)
    .usage('[--source=SOURCETYPE] SOURCE DEST [DEST ...]')
    .argument('[operands...]')
    .option(
      '--source <kind>',
      "Optional hint for the source type; valid values are 'imagestreamtag', 'istag', 'imagestreamimage', 'isimage', and 'docker'.",
    )
    .option('-d, --delete', 'Delete the provided spec tags.')
    .option(
      '--alias',
      'Should the destination tag be updated whenever the source tag changes. Applies only to a single image stream. Defaults to false.',
    )
    .option(
      '--reference',
      'Should the destination tag continue to pull from the source namespace. Defaults to false.',
    )
    .option(
      '--scheduled',
      'Set a container image to be periodically imported from a remote repository. Defaults to false.',
    )
    .option(
      '--insecure',
      'Set to true if importing the specified container image requires HTTP or has a self-signed certificate. Defaults to false.',
    )
    .option(
      '--reference-policy <policy>',
      "Allow to request pullthrough for external image when set to 'local'. Defaults to 'source'.",
      'source',
    )
    .option(
      '--import-mode <mode>',
      "Imports the full manifest list of a tag when set to 'PreserveOriginal'; 'Legacy' imports a single manifest. Defaults to the server's default mode.",
    )
    .addHelpText('after', EXAMPLES)
  acceptGoBooleans(cmd, BOOL_FLAGS)
  sessionAction(cmd, ctx, runTag)
}
