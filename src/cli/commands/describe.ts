/**
 * `isctl describe`: kubectl's describe for image streams, their tags and images, with oc's
 * describers (oc pkg/helpers/describe). A name that does not exist falls back, as
 * kubectl does, to every object of that type whose name starts with it. Secrets are described
 * as kubectl describes them.
 */
import type { Command } from 'commander'
import type { Secret } from '../../api/core.js'
import type { Image, ImageStream, ImageStreamImage, ImageStreamTag } from '../../api/image.js'
import type { List } from '../../api/meta.js'
import type { ResourceMeta } from '../../api/resource-meta.js'
import { RESOURCE_META } from '../../api/resource-meta.js'
import { SCHEDULE_SUBRESOURCE, type ImageStreamSchedule } from '../../api/schedule.js'
import { resourcePath } from '../client/resource-path.js'
import { ApiError, isNotFound } from '../client/api-errors.js'
import type { Session } from '../client/session.js'
import { UsageError } from '../errors.js'
import { describeImage } from '../printers/describe-image.js'
import { describeImageStream } from '../printers/describe-image-stream.js'
import { describeSecret } from '../printers/describe-secret.js'
import { errorText } from '../report-error.js'
import { parseResourceArgs, qualifiedResource, type ResourceTarget } from '../resource-args.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** DescribeFlags are the flags of `describe` as commander hands them over. */
export interface DescribeFlags {
  readonly selector?: string | undefined
  readonly allNamespaces?: boolean | undefined
}

/** ObjectReader is the part of the API client describe needs (a fake in tests). */
export interface ObjectReader {
  get(resource: ResourceMeta, target: { namespace?: string; name: string }): Promise<unknown>
  list(
    resource: ResourceMeta,
    opts: { namespace?: string | undefined; labelSelector?: string | undefined },
  ): Promise<List<unknown>>
  /** schedule reads an image stream's `schedule` subresource; absent, streams print without it. */
  schedule?(target: { namespace: string; name: string }): Promise<ImageStreamSchedule>
}

/** DescribeRequest is one validated `describe`. */
export interface DescribeRequest {
  readonly targets: readonly ResourceTarget[]
  /** Undefined with `-A`. */
  readonly namespace: string | undefined
  readonly selector: string | undefined
  /** `TYPE NAME` exactly: a missing NAME is then read as a name prefix, as kubectl does. */
  readonly prefixFallback: boolean
}

/** DescribeResult is what `describe` prints: the text on stdout, each failure on stderr. */
export interface DescribeResult {
  readonly stdout: string
  readonly errors: readonly ApiError[]
  /** Whether nothing matched a listing (kubectl then says "No resources found"). */
  readonly nothingFound: boolean
}

const EXAMPLES = `
Examples:
  # Describe an image stream: its tags, where they import from, failures and history
  isctl describe is ruby

  # Describe the image a tag points at (a manifest list shows its manifests)
  isctl describe istag ruby:latest
  isctl describe isimage ruby@sha256:4f5c...

  # Describe every image stream in the current project whose name starts with "web"
  isctl describe is web

  # Describe a secret: its type and the size of each key (a pull secret of the wrong type is flagged)
  isctl describe secret registry-pull
`

type Describer = (object: unknown, now: Date, reader: ObjectReader) => string | Promise<string>

/**
 * readSchedule fetches the schedule of a stream that has scheduled tags (so other streams cost
 * no request); a 404 means a server without the subresource, and the stream prints as before.
 */
async function readSchedule(
  reader: ObjectReader,
  stream: ImageStream,
): Promise<ImageStreamSchedule | undefined> {
  const { name, namespace } = stream.metadata
  const scheduled = stream.spec?.tags?.some((t) => t.importPolicy?.scheduled === true)
  if (!reader.schedule || !scheduled || !name || !namespace) return undefined
  try {
    return await reader.schedule({ namespace, name })
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw err
  }
}

/** DESCRIBERS maps each kind describe knows to oc's describer for it. */
const DESCRIBERS: Readonly<Record<string, Describer>> = {
  ImageStream: async (o, now, reader) => {
    const stream = o as ImageStream
    return describeImageStream(stream, now, await readSchedule(reader, stream))
  },
  // oc passes the image's own name as the `Image Name` of a tag or stream image.
  ImageStreamTag: (o, now) => {
    const image = (o as ImageStreamTag).image ?? { metadata: {} }
    return describeImage(image, image.metadata.name ?? '', now)
  },
  ImageStreamImage: (o, now) => {
    const { image } = o as ImageStreamImage
    return describeImage(image, image.metadata.name ?? '', now)
  },
  Image: (o, now) => describeImage(o as Image, '', now),
  Secret: (o) => describeSecret(o as Secret),
}

function describerFor(resource: ResourceMeta): Describer {
  const describer = DESCRIBERS[resource.kind]
  if (!describer) {
    throw new UsageError(
      `describe supports image streams, image stream tags, image stream images, images and secrets, not ${qualifiedResource(resource)}`,
    )
  }
  return describer
}

/** completeDescribe validates the operands and flags. */
export function completeDescribe(
  operands: readonly string[],
  flags: DescribeFlags,
  namespace: string,
): DescribeRequest {
  const targets = parseResourceArgs(operands, 'describe')
  for (const t of targets) describerFor(t.resource)
  const named = targets.some((t) => t.names.length > 0)
  if (named && flags.allNamespaces) {
    throw new UsageError('a resource cannot be retrieved by name across all namespaces')
  }
  if (named && flags.selector) {
    throw new UsageError('name cannot be provided when a selector is specified')
  }
  return {
    targets,
    namespace: flags.allNamespaces ? undefined : namespace,
    selector: flags.selector || undefined,
    prefixFallback: operands.length === 2 && !operands[0]!.includes('/'),
  }
}

function nameOf(object: unknown): string {
  return (object as { metadata?: { name?: string } }).metadata?.name ?? ''
}

/**
 * describeObjects fetches and renders what `req` names. Texts are separated by a blank line;
 * failures to get a named object are collected so the others still print, as in kubectl.
 */
export async function describeObjects(
  reader: ObjectReader,
  req: DescribeRequest,
  now: Date,
): Promise<DescribeResult> {
  const texts: string[] = []
  const errors: ApiError[] = []
  let listed = false
  for (const { resource, names } of req.targets) {
    const describe = describerFor(resource)
    const namespace = resource.namespaced ? req.namespace : undefined
    if (names.length === 0) {
      listed = true
      const list = await reader.list(resource, { namespace, labelSelector: req.selector })
      for (const item of list.items) texts.push(await describe(item, now, reader))
      continue
    }
    for (const name of names) {
      try {
        texts.push(await describe(await reader.get(resource, { namespace, name }), now, reader))
      } catch (err) {
        if (!(err instanceof ApiError)) throw err
        if (req.prefixFallback && isNotFound(err)) {
          return describeByPrefix(reader, resource, namespace, name, err, now)
        }
        errors.push(err)
      }
    }
  }
  return { stdout: texts.join('\n\n'), errors, nothingFound: listed && texts.length === 0 }
}

/** describeByPrefix is kubectl's DescribeMatchingResources: every object whose name starts with `prefix`. */
async function describeByPrefix(
  reader: ObjectReader,
  resource: ResourceMeta,
  namespace: string | undefined,
  prefix: string,
  notFound: ApiError,
  now: Date,
): Promise<DescribeResult> {
  const describe = describerFor(resource)
  const list = await reader.list(resource, { namespace })
  const matches = list.items.filter((item) => nameOf(item).startsWith(prefix))
  if (matches.length === 0) return { stdout: '', errors: [notFound], nothingFound: false }
  const texts: string[] = []
  for (const item of matches) texts.push(`${await describe(item, now, reader)}\n`)
  return {
    stdout: texts.join(''),
    errors: [],
    nothingFound: false,
  }
}

/** configureDescribe declares `describe`. */
export const configureDescribe: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      'Show details of a specific resource or group of resources.\n\nPrint a detailed description of the selected resources. When NAME is not an object, every object of that type whose name starts with NAME is described.',
    )
    .usage('[options] (TYPE[.VERSION][.GROUP] [NAME_PREFIX] | TYPE[.VERSION][.GROUP]/NAME)')
    .argument('[args...]')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .option(
      '-A, --all-namespaces',
      'If present, list the requested object(s) across all namespaces',
    )
    .addHelpText('after', EXAMPLES)
  sessionAction(cmd, ctx, runDescribe)
}

/** runDescribe prints the descriptions; resolves to 1 when any named object could not be read. */
export async function runDescribe(
  operands: string[],
  flags: DescribeFlags,
  session: Session,
): Promise<number> {
  const req = completeDescribe(operands, flags, session.namespace)
  const reader: ObjectReader = {
    get: (resource, target) => session.client.get(resource, target),
    list: (resource, opts) => session.client.list(resource, opts),
    schedule: (target) =>
      session.client.request(
        'GET',
        resourcePath(RESOURCE_META.imagestreams, { ...target, subresource: SCHEDULE_SUBRESOURCE }),
      ),
  }
  const result = await describeObjects(reader, req, session.io.now())
  session.io.stdout.write(result.stdout)
  if (result.nothingFound) {
    session.io.stderr.write(
      req.namespace === undefined
        ? 'No resources found\n'
        : `No resources found in ${req.namespace} namespace.\n`,
    )
  }
  const [only, ...more] = result.errors
  if (!only) return 0
  // One failure is reported like any other; several are listed one a line, as kubectl does.
  if (more.length === 0) throw only
  for (const err of result.errors) session.io.stderr.write(`${errorText(err)}\n`)
  return 1
}
