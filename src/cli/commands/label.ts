/**
 * `isctl label` and `isctl annotate`: kubectl's label and annotate (kubectl pkg/cmd/label,
 * pkg/cmd/annotate) of objects by `TYPE NAME...` or `TYPE/NAME...`, with `KEY=VALUE` and `KEY-`
 * pairs after them, `--overwrite` to change a value, a JSON merge patch of the metadata map per
 * object, and kubectl 1.32's messages (`labeled`, `not labeled`, `unlabeled`, `annotated`).
 */
import type { Command } from 'commander'
import { checkLabelValue } from '../../api/names.js'
import type { Session } from '../client/session.js'
import { resourcePath } from '../client/resource-path.js'
import { CliError, PlainError, UsageError } from '../errors.js'
import { parseResourceArgs, qualifiedKind } from '../resource-args.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** MetadataMapFlags are the flags of `label` and `annotate`. */
export interface MetadataMapFlags {
  readonly overwrite?: boolean | undefined
  readonly list?: boolean | undefined
  readonly dryRun?: string | undefined
  readonly fieldManager?: string | undefined
}

type Which = 'labels' | 'annotations'

/** Changes are the pairs of one command. */
export interface Changes {
  readonly set: ReadonlyMap<string, string>
  readonly remove: readonly string[]
}

/** splitPairs separates resource arguments from pairs as kubectl's GetResourcesAndPairs does. */
export function splitPairs(
  args: readonly string[],
  pairType: string,
): { resources: string[]; pairs: string[] } {
  const resources: string[] = []
  const pairs: string[] = []
  for (const s of args) {
    const isPair = (s.includes('=') && !s.startsWith('=')) || (s.endsWith('-') && s !== '-')
    if (isPair) pairs.push(s)
    else if (pairs.length > 0) {
      throw new CliError(`all resources must be specified before ${pairType} changes: ${s}`)
    } else resources.push(s)
  }
  return { resources, pairs }
}

/** parseLabelPairs is kubectl label's parseLabels. */
export function parseLabelPairs(pairs: readonly string[]): Changes {
  const set = new Map<string, string>()
  const remove: string[] = []
  for (const spec of pairs) {
    if (spec.includes('=')) {
      const parts = spec.split('=')
      if (parts.length !== 2) throw new CliError(`invalid label spec: ${spec}`)
      const errs = checkLabelValue(parts[1]!)
      if (errs.length > 0)
        throw new CliError(`invalid label value: ${JSON.stringify(spec)}: ${errs.join(';')}`)
      set.set(parts[0]!, parts[1]!)
    } else if (spec.endsWith('-')) remove.push(spec.slice(0, -1))
    else throw new CliError(`unknown label spec: ${spec}`)
  }
  if (remove.some((k) => set.has(k))) {
    throw new CliError('can not both modify and remove a label in the same command')
  }
  return { set, remove }
}

/** parseAnnotationPairs is kubectl's ParsePairs for annotations, with annotate's checks. */
export function parseAnnotationPairs(pairs: readonly string[]): Changes {
  const set = new Map<string, string>()
  const remove: string[] = []
  const invalid: string[] = []
  for (const spec of pairs) {
    const eq = spec.indexOf('=')
    if (eq > 0) set.set(spec.slice(0, eq), spec.slice(eq + 1))
    else if (spec.endsWith('-') && spec !== '-') remove.push(spec.slice(0, -1))
    else invalid.push(spec)
  }
  if (invalid.length > 0) throw new CliError(`invalid annotation format: ${invalid.join(', ')}`)
  const both = remove.filter((k) => set.has(k))
  if (both.length > 0) {
    throw new CliError(
      `can not both modify and remove the following annotation(s) in the same command: ${both.join(', ')}`,
    )
  }
  return { set, remove }
}

/**
 * overwriteError is the refusal to change a value without --overwrite; several labels are one
 * line each without `error: `, as kubectl's CheckErr prints an aggregate.
 */
function overwriteError(
  which: Which,
  current: Record<string, string>,
  set: ReadonlyMap<string, string>,
): Error | undefined {
  const clashes = [...set]
    .filter(([k, v]) => Object.hasOwn(current, k) && current[k] !== v)
    .map(([k]) => `'${k}' already has a value (${current[k]})`)
  if (clashes.length === 0) return undefined
  if (which === 'annotations') {
    return new CliError(
      `--overwrite is false but found the following declared annotation(s): ${clashes.join('; ')}`,
    )
  }
  const lines = clashes.map((c) => `${c}, and --overwrite is false`)
  return lines.length === 1 ? new CliError(lines[0]) : new PlainError(lines.join('\n'))
}

type JsonMap = Record<string, unknown>

/**
 * labelMessage is kubectl 1.32's updateDataChangeMsg: a change is `labeled`, or `unlabeled`
 * when the object got shorter without --overwrite; no change is `not labeled`.
 */
function labelMessage(before: string, after: string, overwrite: boolean): string {
  if (before === after) return 'not labeled'
  return !overwrite && after.length < before.length ? 'unlabeled' : 'labeled'
}

async function updateOne(
  session: Session,
  which: Which,
  changes: Changes,
  flags: MetadataMapFlags,
  target: {
    resource: Parameters<typeof resourcePath>[0]
    namespace: string | undefined
    name: string
  },
): Promise<void> {
  const where = { namespace: target.namespace, name: target.name }
  const live = await session.client.request<JsonMap>('GET', resourcePath(target.resource, where))
  const metadata = (live.metadata ?? {}) as JsonMap
  const current = { ...((metadata[which] ?? {}) as Record<string, string>) }
  if (flags.list) {
    for (const [k, v] of Object.entries(current)) session.io.stdout.write(`${k}=${v}\n`)
    return
  }
  if (!flags.overwrite) {
    const err = overwriteError(which, current, changes.set)
    if (err !== undefined) throw err
  }
  if (which === 'labels') {
    for (const k of changes.remove) {
      if (!Object.hasOwn(current, k))
        session.io.stdout.write(`label ${JSON.stringify(k)} not found.\n`)
    }
  }
  const updated = { ...current }
  for (const [k, v] of changes.set) updated[k] = v
  for (const k of changes.remove) delete updated[k]
  const before = JSON.stringify(live)
  const after = JSON.stringify({ ...live, metadata: { ...metadata, [which]: updated } })
  const patch: Record<string, string | null> = {}
  for (const [k, v] of changes.set) if (current[k] !== v) patch[k] = v
  for (const k of changes.remove) if (Object.hasOwn(current, k)) patch[k] = null
  const dryRun = flags.dryRun === 'server'
  if (Object.keys(patch).length > 0) {
    await session.client.patch(
      target.resource,
      where,
      'application/merge-patch+json',
      { metadata: { [which]: patch } },
      { fieldManager: flags.fieldManager, dryRun: dryRun ? 'All' : undefined },
    )
  }
  const message =
    which === 'labels' ? labelMessage(before, after, flags.overwrite === true) : 'annotated'
  const suffix = dryRun ? ' (server dry run)' : ''
  session.io.stdout.write(`${qualifiedKind(target.resource)}/${target.name} ${message}${suffix}\n`)
}

function runner(which: Which) {
  const pairType = which === 'labels' ? 'label' : 'annotation'
  return async (operands: string[], flags: MetadataMapFlags, session: Session): Promise<number> => {
    const { resources, pairs } = splitPairs(operands, pairType)
    if (resources.length === 0) {
      throw new CliError(
        'one or more resources must be specified as <resource> <name> or <resource>/<name>',
      )
    }
    if (pairs.length === 0 && !flags.list)
      throw new CliError(`at least one ${pairType} update is required`)
    const changes = which === 'labels' ? parseLabelPairs(pairs) : parseAnnotationPairs(pairs)
    for (const target of parseResourceArgs(resources, which === 'labels' ? 'label' : 'annotate')) {
      if (target.names.length === 0) {
        throw new UsageError('resource(s) were provided, but no name was specified')
      }
      const namespace = target.resource.namespaced ? session.namespace : undefined
      for (const name of target.names) {
        await updateOne(session, which, changes, flags, {
          resource: target.resource,
          namespace,
          name,
        })
      }
    }
    return 0
  }
}

function declare(cmd: Command, what: string): Command {
  return cmd
    .argument('[args...]')
    .option(
      '--overwrite',
      `If true, allow ${what} to be overwritten, otherwise reject updates that overwrite existing ${what}`,
    )
    .option('--list', `If true, display the ${what} for a given resource`)
    .option('--dry-run <strategy>', 'Must be "none" or "server"', 'none')
}

/** configureLabel declares `label`. */
export const configureLabel: ConfigureVerb = (cmd: Command, ctx) => {
  declare(cmd, 'labels')
    .option(
      '--field-manager <name>',
      'Name of the manager used to track field ownership',
      'kubectl-label',
    )
    .description(
      'Update the labels on a resource.\n\n * A label key and value must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 63 characters each.\n * If --overwrite is true, then existing labels can be overwritten, otherwise attempting to overwrite a label will result in an error.',
    )
    .usage('[--overwrite] (TYPE NAME | TYPE/NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [options]')
    .addHelpText(
      'after',
      "\nExamples:\n  # Label an image stream\n  isctl label is ruby team=web\n\n  # Remove the label 'team'\n  isctl label is ruby team-\n",
    )
  sessionAction(cmd, ctx, runner('labels'))
}

/** configureAnnotate declares `annotate`. */
export const configureAnnotate: ConfigureVerb = (cmd: Command, ctx) => {
  declare(cmd, 'annotations')
    .option(
      '--field-manager <name>',
      'Name of the manager used to track field ownership',
      'kubectl-annotate',
    )
    .description(
      'Update the annotations on one or more resources.\n\nAll Kubernetes objects support the ability to store additional data with the object as annotations. If --overwrite is true, then existing annotations can be overwritten, otherwise attempting to overwrite an annotation will result in an error.',
    )
    .usage('[--overwrite] (TYPE NAME | TYPE/NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [options]')
    .addHelpText(
      'after',
      "\nExamples:\n  # Annotate an image stream\n  isctl annotate is ruby description='Ruby builds'\n\n  # Remove the annotation 'description'\n  isctl annotate is ruby description-\n",
    )
  sessionAction(cmd, ctx, runner('annotations'))
}
