/**
 * `isctl set image-lookup`: oc's set image-lookup (openshift/oc pkg/cli/set/imagelookup.go) for
 * image streams: turn `spec.lookupPolicy.local` on (or off with `--enabled=false`) with a
 * strategic merge patch, printing `<kind>/<name> image lookup updated` for each stream changed
 * and nothing for one already so; without streams, or with `--list`, the NAME/LOCAL table.
 */
import type { Command } from 'commander'
import type { ImageStream } from '../../api/index.js'
import { findResource, RESOURCE_META } from '../../api/resource-meta.js'
import type { Session } from '../client/session.js'
import { CliError, UsageError } from '../errors.js'
import { acceptGoBooleans } from '../go-flags.js'
import { tabwrite } from '../printers/tabwriter.js'
import { qualifiedKind } from '../resource-args.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** ImageLookupFlags are the flags of `set image-lookup`. */
export interface ImageLookupFlags {
  readonly enabled?: boolean | undefined
  readonly list?: boolean | undefined
  readonly all?: boolean | undefined
  readonly selector?: string | undefined
  readonly dryRun?: string | undefined
}

const STREAMS = RESOURCE_META.imagestreams

const EXAMPLES = `
Examples:
  # Print all of the image streams and whether they resolve local names
  isctl set image-lookup

  # Use local name lookup on image stream mysql
  isctl set image-lookup mysql

  # Stop using local name lookup on image stream mysql
  isctl set image-lookup mysql --enabled=false
`

/** streamName takes `NAME` or `imagestreams/NAME` (any spelling of the type). */
function streamName(operand: string): string {
  const slash = operand.indexOf('/')
  if (slash === -1) return operand
  if (findResource(operand.slice(0, slash)) !== STREAMS) {
    throw new CliError(`the resource ${operand} does not support altering image lookup`)
  }
  return operand.slice(slash + 1)
}

async function selectedStreams(
  operands: readonly string[],
  flags: ImageLookupFlags,
  session: Session,
): Promise<ImageStream[]> {
  if (operands.length === 0 || flags.all || flags.selector) {
    if (operands.length > 0)
      throw new UsageError('name cannot be provided when a selector is specified')
    const list = await session.client.list(STREAMS, {
      namespace: session.namespace,
      labelSelector: flags.selector,
    })
    return list.items
  }
  return Promise.all(
    operands.map((o) =>
      session.client.get(STREAMS, { namespace: session.namespace, name: streamName(o) }),
    ),
  )
}

/** runImageLookup lists or changes the streams' local lookup. */
export async function runImageLookup(
  operands: string[],
  flags: ImageLookupFlags,
  session: Session,
): Promise<number> {
  const streams = await selectedStreams(operands, flags, session)
  if (flags.list || (operands.length === 0 && !flags.all && !flags.selector)) {
    const rows = streams.map(
      (s) => `${s.metadata?.name ?? ''}\t${String(s.spec?.lookupPolicy?.local === true)}\n`,
    )
    session.io.stdout.write(tabwrite(`NAME\tLOCAL\n${rows.join('')}`, { minwidth: 0, padding: 2 }))
    return 0
  }
  const enabled = flags.enabled !== false
  const dryRun = flags.dryRun === 'server'
  for (const stream of streams) {
    if ((stream.spec?.lookupPolicy?.local === true) === enabled) continue
    const name = stream.metadata?.name ?? ''
    await session.client
      .patch(
        STREAMS,
        { namespace: session.namespace, name },
        'application/strategic-merge-patch+json',
        { spec: { lookupPolicy: { local: enabled } } },
        { dryRun: dryRun ? 'All' : undefined },
      )
      .catch((err: unknown) => {
        throw new CliError(
          `failed to patch image lookup: ${err instanceof Error ? err.message : String(err)}`,
        )
      })
    const suffix = dryRun ? ' (server dry run)' : ''
    session.io.stdout.write(`${qualifiedKind(STREAMS)}/${name} image lookup updated${suffix}\n`)
  }
  return 0
}

/** configureSetImageLookup declares `set image-lookup`. */
export const configureSetImageLookup: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      "Change how images are resolved when deploying applications.\n\nImage streams can be marked so that other resources in the namespace resolve a short name like 'mysql' to the image the stream points at, rather than to the image of that name on a registry. Pass --enabled=false to turn it off, and --list (or no names) to see the current setting.",
    )
    .usage('STREAMNAME [...] [options]')
    .argument('[streams...]')
    .option(
      '--enabled',
      'Mark the image stream as resolving tagged images in this namespace.',
      true,
    )
    .option('--list', 'Display the current states of the requested resources.')
    .option(
      '--all',
      'If true, select all resources in the namespace of the specified resource types.',
    )
    .option('-l, --selector <selector>', 'Selector (label query) to filter on.')
    .option('--dry-run <strategy>', 'Must be "none" or "server"', 'none')
    .addHelpText('after', EXAMPLES)
  acceptGoBooleans(cmd, ['enabled'])
  sessionAction(cmd, ctx, runImageLookup, (_o, flags) => {
    const dryRun = flags.dryRun ?? 'none'
    if (dryRun !== 'none' && dryRun !== 'server') {
      throw new UsageError(`Invalid dry-run value (${dryRun}). Must be "none" or "server".`)
    }
  })
}
