/**
 * `isctl create imagestream NAME` and `isctl create imagestreamtag NAME:TAG`, as oc's (openshift/oc
 * pkg/cli/create/imagestream.go, imagestreamtag.go): the same objects, flags and messages. An
 * image stream tag points at `--from-image` (a pull spec), or `--from` (another tag or image of
 * a stream, `[<namespace>/]name[:<tag>|@<id>]`, or `:<tag>` of the same stream).
 */
import type { Command } from 'commander'
import { IMAGE_API_VERSION } from '../../api/constants.js'
import { RESOURCE_META } from '../../api/resource-meta.js'
import type { Session } from '../client/session.js'
import { CliError, UsageError } from '../errors.js'
import { acceptGoBooleans } from '../go-flags.js'
import { asKubectlInvalid } from '../invalid-error.js'
import { qualifiedKind } from '../resource-args.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'
import { nameString, parseSource } from './tag.js'

/** CreateImageStreamFlags are the flags of `create imagestream`. */
export interface CreateImageStreamFlags {
  readonly lookupLocal?: boolean | undefined
  readonly dryRun?: string | undefined
}

/** CreateImageStreamTagFlags are the flags of `create imagestreamtag`. */
export interface CreateImageStreamTagFlags {
  readonly fromImage?: string | undefined
  readonly from?: string | undefined
  readonly annotation?: readonly string[] | undefined
  readonly scheduled?: boolean | undefined
  readonly insecure?: boolean | undefined
  readonly referencePolicy?: string | undefined
  readonly reference?: boolean | undefined
  readonly dryRun?: string | undefined
}

/** oneName is oc's NameFromCommandArgs. */
function oneName(operands: readonly string[]): string {
  if (operands.length !== 1) {
    throw new UsageError(`exactly one NAME is required, got ${operands.length}`)
  }
  return operands[0]!
}

function dryRunOf(value: string | undefined): string | undefined {
  const dryRun = value ?? 'none'
  if (dryRun !== 'none' && dryRun !== 'server') {
    throw new UsageError(`Invalid dry-run value (${dryRun}). Must be "none" or "server".`)
  }
  return dryRun === 'server' ? 'All' : undefined
}

async function create(
  session: Session,
  resource: (typeof RESOURCE_META)['imagestreams' | 'imagestreamtags'],
  body: object,
  dryRun: string | undefined,
): Promise<void> {
  const { resourcePath } = await import('../client/resource-path.js')
  await session.client
    .request('POST', resourcePath(resource, { namespace: session.namespace }), {
      body,
      query: { dryRun },
    })
    .catch((err: unknown) => {
      throw asKubectlInvalid(err)
    })
  const name = (body as { metadata: { name: string } }).metadata.name
  const suffix = dryRun ? ' (server dry run)' : ''
  session.io.stdout.write(`${qualifiedKind(resource)}/${name} created${suffix}\n`)
}

/** imageStreamTagBody is the ImageStreamTag oc's Run builds. */
export function imageStreamTagBody(name: string, flags: CreateImageStreamTagFlags): object {
  let referencePolicy = ''
  if (flags.referencePolicy) {
    switch (flags.referencePolicy.toLowerCase()) {
      case 'source':
        referencePolicy = 'Source'
        break
      case 'local':
        referencePolicy = 'Local'
        break
      default:
        throw new CliError('valid values for --reference-policy are: source, local')
    }
  }
  const annotations: Record<string, string> = {}
  for (const a of flags.annotation ?? []) {
    const eq = a.indexOf('=')
    if (eq <= 0) throw new CliError('annotations must be of the form name=value')
    annotations[a.slice(0, eq)] = a.slice(eq + 1)
  }
  let from: object | undefined
  if (flags.fromImage && flags.from) {
    throw new CliError('--from and --from-image may not be used together')
  } else if (flags.fromImage) {
    from = { kind: 'DockerImage', name: flags.fromImage }
  } else if (flags.from) {
    from = streamSource(flags.from)
  }
  const hasAnnotations = Object.keys(annotations).length > 0
  return {
    apiVersion: IMAGE_API_VERSION,
    kind: 'ImageStreamTag',
    metadata: { name, ...(hasAnnotations && { annotations }) },
    tag: {
      name: '',
      ...(hasAnnotations && { annotations }),
      ...(from && { from }),
      reference: flags.reference === true,
      importPolicy: {
        ...(flags.insecure && { insecure: true }),
        ...(flags.scheduled && { scheduled: true }),
      },
      referencePolicy: { type: referencePolicy },
    },
  }
}

/** streamSource reads `--from` as oc does: a tag or image of a stream, never of a registry. */
function streamSource(value: string): object {
  let ref
  let name: string
  try {
    ref = parseSource(value)
    name = nameString(ref)
  } catch (err) {
    if (!value.startsWith(':')) {
      const reason = (err as Error).message.replace(/^invalid SOURCE: /, '')
      throw new CliError(
        `Invalid --from, must be a valid image stream tag or image stream image: ${reason}`,
      )
    }
    ref = { registry: '', namespace: '', id: '' }
    name = value.slice(1)
  }
  if (ref.registry !== '') throw new CliError('Invalid --from, registry may not be specified')
  return {
    kind: ref.id !== '' ? 'ImageStreamImage' : 'ImageStreamTag',
    name,
    ...(ref.namespace !== '' && { namespace: ref.namespace }),
  }
}

/** configureCreateImageStream declares `create imagestream`. */
export const configureCreateImageStream: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      'Create a new image stream.\n\nImage streams allow you to track, tag, and import images from other registries. They also define an access controlled destination that you can push images to.',
    )
    .usage('NAME [options]')
    .argument('[name...]')
    .option(
      '--lookup-local',
      'If true, the image stream will be the source for any top-level image reference in this project.',
    )
    .option('--dry-run <strategy>', 'Must be "none" or "server"', 'none')
    .addHelpText(
      'after',
      '\nExamples:\n  # Create a new image stream\n  isctl create imagestream mysql\n',
    )
  acceptGoBooleans(cmd, ['lookup-local'])
  sessionAction(
    cmd,
    ctx,
    async (operands, flags: CreateImageStreamFlags, session) => {
      const body = {
        apiVersion: IMAGE_API_VERSION,
        kind: 'ImageStream',
        metadata: { name: oneName(operands) },
        spec: { lookupPolicy: { local: flags.lookupLocal === true } },
      }
      await create(session, RESOURCE_META.imagestreams, body, dryRunOf(flags.dryRun))
      return 0
    },
    (operands, flags) => {
      oneName(operands)
      dryRunOf(flags.dryRun)
    },
  )
}

/** configureCreateImageStreamTag declares `create imagestreamtag`. */
export const configureCreateImageStreamTag: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      "Create a new image stream tag.\n\nImage streams tags allow you to track, tag, and import images from other registries. They also define an access controlled destination that you can push images to. An image stream tag can reference images from many different registries and control how those images are referenced by pods, deployments, and builds.\n\nIf --resolve-local is passed, the image stream will be used as the source when pods reference it by name. For example, if stream 'mysql' resolves local names, a pod that points to 'mysql:latest' will use the image the image stream points to under the \"latest\" tag.",
    )
    .usage('NAME:TAG [options]')
    .argument('[name...]')
    .option('--from-image <image>', 'Use the provided remote image with this tag.')
    .option(
      '--from <source>',
      'Use the provided image stream tag or image stream image as the source: [<namespace>/]name[:<tag>|@<id>]',
    )
    .option(
      '-A, --annotation <annotation>',
      'Set an annotation on this image stream tag.',
      (value: string, prev: string[] = []) => [...prev, ...value.split(',')],
    )
    .option(
      '--scheduled',
      'If set the remote source of this image will be periodically checked for imports.',
    )
    .option('--insecure', 'Allow importing from registries that are not fully secured by HTTPS.')
    .option(
      '--reference-policy <policy>',
      "If set to 'Local', referenced images will be pulled from the integrated registry. Ignored when reference is true.",
    )
    .option(
      '--reference',
      'If true, the tag value will be used whenever the image stream tag is referenced.',
    )
    .option('--dry-run <strategy>', 'Must be "none" or "server"', 'none')
    .addHelpText(
      'after',
      '\nExamples:\n  # Create a new image stream tag based on an image in a remote registry\n  isctl create imagestreamtag mysql:latest --from-image=myregistry.local/mysql/mysql:5.0\n',
    )
  acceptGoBooleans(cmd, ['scheduled', 'insecure', 'reference'])
  sessionAction(
    cmd,
    ctx,
    async (operands, flags: CreateImageStreamTagFlags, session) => {
      const body = imageStreamTagBody(oneName(operands), flags)
      await create(session, RESOURCE_META.imagestreamtags, body, dryRunOf(flags.dryRun))
      return 0
    },
    (operands, flags) => {
      oneName(operands)
      dryRunOf(flags.dryRun)
    },
  )
}
