/**
 * `isctl create -f` and `isctl replace -f`: kubectl's create and replace of the objects of files,
 * directories or standard input (kubectl pkg/cmd/create, pkg/cmd/replace), each printed as
 * `<kind>/<name> created|replaced`; a failed object is reported with its file and the rest go on.
 */
import type { Command } from 'commander'
import type { Session } from '../client/session.js'
import { resourcePath } from '../client/resource-path.js'
import { CliError, UsageError } from '../errors.js'
import {
  collectFilename,
  readManifests,
  requireFilenames,
  type FilenameFlags,
  type JsonMap,
  type Manifest,
} from '../manifests.js'
import { asKubectlInvalid } from '../invalid-error.js'
import { errorText } from '../report-error.js'
import { qualifiedKind } from '../resource-args.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'
import { withLastApplied, withSource } from './apply.js'

/** FileWriteFlags are the flags of `create -f` and `replace -f`. */
export interface FileWriteFlags extends FilenameFlags {
  readonly dryRun?: string | undefined
  readonly saveConfig?: boolean | undefined
}

type Write = (session: Session, m: Manifest, dryRun: string | undefined) => Promise<void>

/**
 * saved is the manifest with the last-applied annotation when `--save-config` asks for it, so
 * that a later `apply` merges against it, as kubectl's CreateOrUpdateAnnotation does.
 */
function saved(m: Manifest, flags: FileWriteFlags): Manifest {
  return flags.saveConfig ? { ...m, object: withLastApplied(m.object) } : m
}

function checkFlags(flags: FileWriteFlags): void {
  requireFilenames(flags)
  const dryRun = flags.dryRun ?? 'none'
  if (dryRun !== 'none' && dryRun !== 'server') {
    throw new UsageError(`Invalid dry-run value (${dryRun}). Must be "none" or "server".`)
  }
}

/**
 * eachManifest runs `write` for every object of `-f`, printing `<kind>/<name> <done>`; returns 1
 * when any failed.
 */
async function eachManifest(
  session: Session,
  flags: FileWriteFlags,
  verb: string,
  done: string,
  write: Write,
): Promise<number> {
  const manifests = await readManifests(
    flags,
    session.io,
    session.namespace,
    session.namespaceExplicit,
  )
  if (manifests.length === 0) throw new CliError(`no objects passed to ${verb}`)
  const dryRun = flags.dryRun === 'server' ? 'All' : undefined
  const suffix = dryRun ? ' (server dry run)' : ''
  let failed = false
  for (const m of manifests) {
    try {
      await write(session, saved(m, flags), dryRun)
      session.io.stdout.write(`${qualifiedKind(m.resource)}/${m.name} ${done}${suffix}\n`)
    } catch (err) {
      session.io.stderr.write(`${errorText(asKubectlInvalid(err))}\n`)
      failed = true
    }
  }
  return failed ? 1 : 0
}

const createOne: Write = async (session, m, dryRun) => {
  try {
    await session.client.request('POST', resourcePath(m.resource, { namespace: m.namespace }), {
      body: m.object,
      query: { dryRun },
    })
  } catch (err) {
    throw withSource('creating', m.source, err)
  }
}

/**
 * replaceOne PUTs the object; without a resourceVersion it takes the server's, as kubectl's
 * replace does, so that kinds refusing unconditional updates can be replaced too.
 */
const replaceOne: Write = async (session, m, dryRun) => {
  const target = { namespace: m.namespace, name: m.name }
  try {
    let body = m.object
    const metadata = (body.metadata ?? {}) as JsonMap
    if (metadata.resourceVersion === undefined || metadata.resourceVersion === '') {
      const live = (await session.client.get(m.resource, target)) as unknown as JsonMap
      const rv = (live.metadata as JsonMap | undefined)?.resourceVersion
      body = { ...body, metadata: { ...metadata, resourceVersion: rv } }
    }
    await session.client.request('PUT', resourcePath(m.resource, target), {
      body,
      query: { dryRun },
    })
  } catch (err) {
    throw withSource('replacing', m.source, err)
  }
}

function fileOptions(cmd: Command, what: string): Command {
  return cmd
    .option(
      '-f, --filename <file>',
      `The files that contain the resources to ${what}`,
      collectFilename,
    )
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively')
    .option('--dry-run <strategy>', 'Must be "none" or "server"', 'none')
    .option(
      '--save-config',
      "If true, the configuration of the current object will be saved in its annotation, so that 'isctl apply' can be used on it later.",
    )
}

/** configureCreate declares `create -f` (its subcommands are verbs of their own). */
export const configureCreate: ConfigureVerb = (cmd: Command, ctx) => {
  fileOptions(cmd, 'create')
    .description(
      'Create a resource from a file or from stdin.\n\nJSON and YAML formats are accepted.',
    )
    .usage('-f FILENAME [options]')
    .addHelpText(
      'after',
      '\nExamples:\n  # Create an image stream from a file\n  isctl create -f stream.yaml\n',
    )
  sessionAction(
    cmd,
    ctx,
    (_o, flags: FileWriteFlags, session) =>
      eachManifest(session, flags, 'create', 'created', createOne),
    (_o, flags) => checkFlags(flags),
  )
}

/** configureReplace declares `replace -f`. */
export const configureReplace: ConfigureVerb = (cmd: Command, ctx) => {
  fileOptions(cmd, 'replace')
    .description('Replace a resource by file name or stdin.\n\nJSON and YAML formats are accepted.')
    .usage('-f FILENAME [options]')
    .addHelpText(
      'after',
      '\nExamples:\n  # Replace an image stream with the contents of a file\n  isctl replace -f stream.yaml\n',
    )
  sessionAction(
    cmd,
    ctx,
    (_o, flags: FileWriteFlags, session) =>
      eachManifest(session, flags, 'replace', 'replaced', replaceOne),
    (_o, flags) => checkFlags(flags),
  )
}
