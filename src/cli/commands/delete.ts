/**
 * `isctl delete`: kubectl's delete for the resources we serve, by name, `TYPE/NAME`, label
 * selector or `--all`, printing `<kind> "<name>" deleted` per object as kubectl does.
 */
import type { Command } from 'commander'
import type { ResourceMeta } from '../../api/resource-meta.js'
import type { Session } from '../client/session.js'
import { isNotFound } from '../client/api-errors.js'
import { UsageError } from '../errors.js'
import { errorText } from '../report-error.js'
import { parseResourceArgs, qualifiedKind, type ResourceTarget } from '../resource-args.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** DeleteFlags are the flags of `delete` as commander hands them over. */
export interface DeleteFlags {
  readonly selector?: string | undefined
  readonly all?: boolean | undefined
  readonly ignoreNotFound?: boolean | undefined
  readonly output?: string | undefined
  readonly dryRun?: string | undefined
  readonly filename?: readonly string[] | undefined
  readonly recursive?: boolean | undefined
}

/** DeleteOptions are the validated options of one `delete`. */
export interface DeleteOptions {
  readonly targets: readonly ResourceTarget[]
  readonly selector: string | undefined
  readonly all: boolean
  readonly ignoreNotFound: boolean
  readonly nameOnly: boolean
  readonly dryRun: 'none' | 'server'
}

const EXAMPLES = `
Examples:
  # Delete an image stream and the pull secret it used
  isctl delete is ruby
  isctl delete secret/pull

  # Delete every image stream labelled app=web
  isctl delete is -l app=web
`

/** completeDeleteOptions validates the operands and flags with kubectl's messages. */
export function completeDeleteOptions(
  operands: readonly string[],
  flags: DeleteFlags,
): DeleteOptions {
  if ((flags.filename ?? []).length > 0) return fileDeleteOptions(operands, flags)
  const targets = parseResourceArgs(operands, 'delete')
  const named = targets.some((t) => t.names.length > 0)
  const selector = flags.selector || undefined
  const all = flags.all === true
  if (named && (selector || all)) {
    throw new UsageError('name cannot be provided when a selector is specified')
  }
  if (!named && !selector && !all) {
    throw new UsageError(
      'resource(s) were provided, but no name was specified. Use --all to delete every one of them, or -l to select some',
    )
  }
  const output = flags.output ?? ''
  if (output !== '' && output !== 'name') {
    throw new UsageError(
      `unexpected -o output mode: ${output}, the flag 'output' must be one of [name]`,
    )
  }
  const dryRun = flags.dryRun ?? 'none'
  if (dryRun !== 'none' && dryRun !== 'server') {
    throw new UsageError(`Invalid dry-run value (${dryRun}). Must be "none" or "server".`)
  }
  return {
    targets,
    selector,
    all,
    // Objects found by a selector may vanish before their turn: that is not a failure.
    ignoreNotFound: flags.ignoreNotFound === true || !named,
    nameOnly: output === 'name',
    dryRun,
  }
}

function checkedDryRun(flags: DeleteFlags): 'none' | 'server' {
  const dryRun = flags.dryRun ?? 'none'
  if (dryRun !== 'none' && dryRun !== 'server') {
    throw new UsageError(`Invalid dry-run value (${dryRun}). Must be "none" or "server".`)
  }
  return dryRun
}

/** fileDeleteOptions are the options of `delete -f`, which takes no resource arguments. */
function fileDeleteOptions(operands: readonly string[], flags: DeleteFlags): DeleteOptions {
  if (operands.length > 0) {
    throw new UsageError(`Unexpected args: [${operands.join(' ')}]`)
  }
  const output = flags.output ?? ''
  if (output !== '' && output !== 'name') {
    throw new UsageError(
      `unexpected -o output mode: ${output}, the flag 'output' must be one of [name]`,
    )
  }
  return {
    targets: [],
    selector: undefined,
    all: false,
    ignoreNotFound: flags.ignoreNotFound === true,
    nameOnly: output === 'name',
    dryRun: checkedDryRun(flags),
  }
}

/** runDeleteFiles deletes the objects of `-f`, naming the file in errors as kubectl does. */
async function runDeleteFiles(flags: DeleteFlags, opts: DeleteOptions, session: Session) {
  const { readManifests } = await import('../manifests.js')
  const { withSource } = await import('./apply.js')
  const manifests = await readManifests(
    flags,
    session.io,
    session.namespace,
    session.namespaceExplicit,
  )
  let failed = false
  for (const m of manifests) {
    try {
      await session.client.delete(
        m.resource,
        { namespace: m.namespace, name: m.name },
        { dryRun: opts.dryRun === 'server' },
      )
      session.io.stdout.write(deletedLine(m.resource, m.name, opts))
    } catch (err) {
      if (isNotFound(err) && opts.ignoreNotFound) continue
      session.io.stderr.write(`${errorText(withSource('deleting', m.source, err))}\n`)
      failed = true
    }
  }
  return failed ? 1 : 0
}

/** configureDelete declares `delete`. */
export const configureDelete: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description('Delete resources by resource and names, or by label selector.')
    .usage(
      '[options] (TYPE[.VERSION][.GROUP] [NAME...] | TYPE[.VERSION][.GROUP]/NAME... | TYPE -l selector | TYPE --all)',
    )
    .argument('[args...]')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .option(
      '-f, --filename <file>',
      'The files that contain the resources to delete',
      (value: string, prev: string[] = []) => [...prev, value],
    )
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively')
    .option('--all', 'Delete all resources of the specified types in the namespace')
    .option('--ignore-not-found', 'Treat "resource not found" as a successful delete')
    .option(
      '-o, --output <format>',
      'Output mode. Use "-o name" for shorter output (resource/name)',
    )
    .option(
      '--dry-run <strategy>',
      'Must be "none" or "server": report what would be deleted',
      'none',
    )
    .addHelpText('after', EXAMPLES)
  sessionAction(cmd, ctx, runDelete)
}

async function namesToDelete(
  session: Session,
  target: ResourceTarget,
  namespace: string | undefined,
  opts: DeleteOptions,
): Promise<readonly string[]> {
  if (target.names.length > 0) return target.names
  const list = await session.client.list(target.resource, {
    namespace,
    labelSelector: opts.selector,
  })
  return list.items.map((o) => o.metadata?.name ?? '').filter((n) => n !== '')
}

function deletedLine(resource: ResourceMeta, name: string, opts: DeleteOptions): string {
  if (opts.nameOnly) return `${qualifiedKind(resource)}/${name}\n`
  const suffix = opts.dryRun === 'server' ? ' (server dry run)' : ''
  return `${qualifiedKind(resource)} "${name}" deleted${suffix}\n`
}

/** runDelete deletes each object in turn; a missing one is reported and the rest still go. */
export async function runDelete(
  operands: string[],
  flags: DeleteFlags,
  session: Session,
): Promise<number> {
  const opts = completeDeleteOptions(operands, flags)
  if ((flags.filename ?? []).length > 0) return runDeleteFiles(flags, opts, session)
  let failed = false
  let deleted = 0
  for (const target of opts.targets) {
    const namespace = target.resource.namespaced ? session.namespace : undefined
    for (const name of await namesToDelete(session, target, namespace, opts)) {
      try {
        await session.client.delete(
          target.resource,
          { namespace, name },
          { dryRun: opts.dryRun === 'server' },
        )
        deleted++
        session.io.stdout.write(deletedLine(target.resource, name, opts))
      } catch (err) {
        if (!isNotFound(err)) throw err
        if (opts.ignoreNotFound) continue
        session.io.stderr.write(`${errorText(err)}\n`)
        failed = true
      }
    }
  }
  if (deleted === 0 && !failed && (opts.all || opts.selector)) {
    const ns = opts.targets[0]!.resource.namespaced ? session.namespace : undefined
    session.io.stdout.write(
      ns === undefined ? 'No resources found\n' : `No resources found in ${ns} namespace.\n`,
    )
  }
  return failed ? 1 : 0
}
