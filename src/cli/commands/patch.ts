/**
 * `isctl patch`: kubectl's patch (kubectl pkg/cmd/patch) of one or more objects by `TYPE NAME`
 * or `TYPE/NAME`, with `--type` strategic (the default), merge or json and the patch given as
 * JSON or YAML in `-p` or `--patch-file`. An object the patch leaves as it was prints
 * `patched (no change)`.
 */
import { readFile } from 'node:fs/promises'
import { isDeepStrictEqual } from 'node:util'
import type { Command } from 'commander'
import type { Session } from '../client/session.js'
import { resourcePath } from '../client/resource-path.js'
import { CliError, UsageError } from '../errors.js'
import { asKubectlInvalid } from '../invalid-error.js'
import { parseResourceArgs, qualifiedKind } from '../resource-args.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** PatchFlags are the flags of `patch`. */
export interface PatchFlags {
  readonly type?: string | undefined
  readonly patch?: string | undefined
  readonly patchFile?: string | undefined
  readonly dryRun?: string | undefined
  readonly fieldManager?: string | undefined
}

/** PATCH_TYPES maps `--type` to the media type sent. */
export const PATCH_TYPES: Readonly<Record<string, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
}

const EXAMPLES = `
Examples:
  # Turn on local lookup of an image stream with a strategic merge patch
  isctl patch is ruby -p '{"spec":{"lookupPolicy":{"local":true}}}'

  # Replace a tag's source with a JSON patch
  isctl patch is/ruby --type=json -p '[{"op":"replace","path":"/spec/tags/0/from/name","value":"ruby:3.3"}]'
`

function checkFlags(flags: PatchFlags): void {
  const type = flags.type ?? 'strategic'
  if (flags.patch !== undefined && flags.patchFile !== undefined) {
    throw new CliError('cannot specify --patch and --patch-file together')
  }
  if (!flags.patch && !flags.patchFile) {
    throw new CliError('must specify --patch or --patch-file containing the contents of the patch')
  }
  if (PATCH_TYPES[type] === undefined) {
    throw new CliError(`--type must be one of [json merge strategic], not ${JSON.stringify(type)}`)
  }
  const dryRun = flags.dryRun ?? 'none'
  if (dryRun !== 'none' && dryRun !== 'server') {
    throw new UsageError(`Invalid dry-run value (${dryRun}). Must be "none" or "server".`)
  }
}

/** parsePatch reads a patch as JSON or YAML, as kubectl's yaml.ToJSON does. */
export async function parsePatch(text: string): Promise<unknown> {
  try {
    return JSON.parse(text) as unknown
  } catch {
    const { parse } = await import('yaml')
    try {
      return parse(text) as unknown
    } catch (err) {
      throw new CliError(`unable to parse ${JSON.stringify(text)}: ${(err as Error).message}`)
    }
  }
}

/** runPatch sends the patch to each named object. */
export async function runPatch(
  operands: string[],
  flags: PatchFlags,
  session: Session,
): Promise<number> {
  const targets = parseResourceArgs(operands, 'patch')
  const text =
    flags.patch ??
    (await readFile(flags.patchFile!, 'utf8').catch((err: Error) => {
      throw new CliError(`unable to read patch file: ${err.message}`)
    }))
  const body = await parsePatch(text)
  const type = PATCH_TYPES[flags.type ?? 'strategic']!
  const dryRun = flags.dryRun === 'server'
  for (const target of targets) {
    if (target.names.length === 0) {
      throw new CliError(`resource(s) were provided, but no name was specified`)
    }
    const namespace = target.resource.namespaced ? session.namespace : undefined
    for (const name of target.names) {
      const where = { namespace, name }
      const before = await session.client.request('GET', resourcePath(target.resource, where))
      const after = await session.client
        .patch(target.resource, where, type, body, {
          fieldManager: flags.fieldManager,
          dryRun: dryRun ? 'All' : undefined,
        })
        .catch((err: unknown) => {
          throw asKubectlInvalid(err)
        })
      const change = isDeepStrictEqual(before, after) ? 'patched (no change)' : 'patched'
      const suffix = dryRun ? ' (server dry run)' : ''
      session.io.stdout.write(`${qualifiedKind(target.resource)}/${name} ${change}${suffix}\n`)
    }
  }
  return 0
}

/** configurePatch declares `patch`. */
export const configurePatch: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      'Update fields of a resource using strategic merge patch, a JSON merge patch, or a JSON patch.\n\nJSON and YAML formats are accepted.',
    )
    .usage('(TYPE NAME | TYPE/NAME) --patch PATCH [options]')
    .argument('[args...]')
    .option('-p, --patch <patch>', 'The patch to be applied to the resource JSON file')
    .option('--patch-file <file>', 'A file containing a patch to be applied to the resource')
    .option(
      '--type <type>',
      'The type of patch being provided; one of [json merge strategic]',
      'strategic',
    )
    .option('--dry-run <strategy>', 'Must be "none" or "server"', 'none')
    .option(
      '--field-manager <name>',
      'Name of the manager used to track field ownership',
      'kubectl-patch',
    )
    .addHelpText('after', EXAMPLES)
  sessionAction(cmd, ctx, runPatch, (_o, flags) => checkFlags(flags))
}
