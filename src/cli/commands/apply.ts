/**
 * `isctl apply -f`: kubectl's apply (kubectl pkg/cmd/apply). Client-side, an absent object is
 * created with the `kubectl.kubernetes.io/last-applied-configuration` annotation; a present one
 * gets the three-way strategic merge patch from the annotation, the new configuration and the
 * live object, built from the server's OpenAPI v3 patch strategies, and nothing is sent when the
 * patch is empty (`unchanged`). `--server-side` sends the configuration as an apply patch with
 * field manager `kubectl`, the name kubectl and oc use, so that the server's move from the
 * annotation to managed fields works for objects kubectl applied before.
 */
import type { Command } from 'commander'
import type { Session } from '../client/session.js'
import { ApiError, isNotFound } from '../client/api-errors.js'
import { resourcePath } from '../client/resource-path.js'
import { CliError, UsageError } from '../errors.js'
import { asKubectlInvalid } from '../invalid-error.js'
import { errorText } from '../report-error.js'
import {
  collectFilename,
  readManifests,
  requireFilenames,
  type FilenameFlags,
  type JsonMap,
  type Manifest,
} from '../manifests.js'
import { goJsonString } from '../printers/go-encoding.js'
import { qualifiedKind, qualifiedResource } from '../resource-args.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** LAST_APPLIED is the annotation client-side apply keeps its configuration in. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'

/** ApplyFlags are the flags of `apply`. */
export interface ApplyFlags extends FilenameFlags {
  readonly serverSide?: boolean | undefined
  readonly forceConflicts?: boolean | undefined
  readonly fieldManager?: string | undefined
  readonly dryRun?: string | undefined
}

const CLIENT_SIDE_MANAGER = 'kubectl-client-side-apply'

const CONFLICT_HELP = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts`

const EXAMPLES = `
Examples:
  # Apply the configuration in stream.yaml
  isctl apply -f stream.yaml

  # Apply every manifest of a directory, letting the server merge with field ownership
  isctl apply --server-side -f manifests/
`

/** compactGoJson is Go's json.Marshal of a decoded value: keys in byte order, HTML-safe. */
export function compactGoJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'string' ? goJsonString(value) : JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map(compactGoJson).join(',')}]`
  const obj = value as JsonMap
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  return `{${keys.map((k) => `${goJsonString(k)}:${compactGoJson(obj[k])}`).join(',')}}`
}

function annotationsOf(object: JsonMap): Record<string, string> | undefined {
  const metadata = (object.metadata ?? {}) as JsonMap
  return metadata.annotations as Record<string, string> | undefined
}

function withAnnotations(
  object: JsonMap,
  annotations: Record<string, string> | undefined,
): JsonMap {
  const { annotations: _old, ...metadata } = (object.metadata ?? {}) as JsonMap
  return {
    ...object,
    metadata: annotations === undefined ? metadata : { ...metadata, annotations },
  }
}

/**
 * withLastApplied is kubectl's GetModifiedConfiguration: the configuration with the annotation
 * set to the configuration's own JSON (with its other annotations, an empty map when none, as
 * kubectl writes it), newline included.
 */
export function withLastApplied(object: JsonMap): JsonMap {
  const { [LAST_APPLIED]: _prev, ...others } = annotationsOf(object) ?? {}
  const bare = withAnnotations(object, others)
  return withAnnotations(bare, { ...others, [LAST_APPLIED]: `${compactGoJson(bare)}\n` })
}

/** withSource puts the file into a server error as kubectl's AddSourceToErr does. */
export function withSource(verb: string, source: string, err: unknown): unknown {
  if (!(err instanceof ApiError)) return err
  return new ApiError(
    err.status,
    err.reason,
    `error when ${verb} "${source}": ${err.message}`,
    err.details,
  )
}

function checkFlags(flags: ApplyFlags): void {
  requireFilenames(flags)
  if (flags.forceConflicts && !flags.serverSide) {
    throw new CliError('--force-conflicts only works with --server-side')
  }
  const dryRun = flags.dryRun ?? 'none'
  if (dryRun !== 'none' && dryRun !== 'server') {
    throw new UsageError(`Invalid dry-run value (${dryRun}). Must be "none" or "server".`)
  }
}

function dryRunSuffix(flags: ApplyFlags): string {
  return flags.dryRun === 'server' ? ' (server dry run)' : ''
}

async function serverSideApply(session: Session, m: Manifest, flags: ApplyFlags): Promise<string> {
  const manager =
    flags.fieldManager === undefined || flags.fieldManager === CLIENT_SIDE_MANAGER
      ? 'kubectl'
      : flags.fieldManager
  try {
    await session.client.patch(
      m.resource,
      { namespace: m.namespace, name: m.name },
      'application/apply-patch+yaml',
      m.object,
      {
        fieldManager: manager,
        force: flags.forceConflicts ? 'true' : undefined,
        dryRun: flags.dryRun === 'server' ? 'All' : undefined,
      },
    )
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      throw new CliError(`${err.message}\n${CONFLICT_HELP}`)
    }
    throw err
  }
  return 'serverside-applied'
}

async function clientSideApply(session: Session, m: Manifest, flags: ApplyFlags): Promise<string> {
  const target = { namespace: m.namespace, name: m.name }
  const modified = withLastApplied(m.object)
  const dryRun = flags.dryRun === 'server' ? 'All' : undefined
  const fieldManager = flags.fieldManager ?? CLIENT_SIDE_MANAGER
  let live: JsonMap
  try {
    live = await session.client.request<JsonMap>('GET', resourcePath(m.resource, target))
  } catch (err) {
    if (!isNotFound(err)) throw withSource('retrieving current configuration of', m.source, err)
    try {
      await session.client.request('POST', resourcePath(m.resource, { namespace: m.namespace }), {
        body: modified,
        query: { fieldManager, dryRun },
      })
    } catch (createErr) {
      throw withSource('creating', m.source, createErr)
    }
    return 'created'
  }
  const lastApplied = annotationsOf(live)?.[LAST_APPLIED]
  if (lastApplied === undefined) {
    session.io.stderr.write(
      `Warning: resource ${m.resource.plural}/${m.name} is missing the ${LAST_APPLIED} annotation which is required by isctl apply. isctl apply should only be used on resources created declaratively by either isctl create --save-config or isctl apply. The missing annotation will be patched automatically.\n`,
    )
  }
  const original = lastApplied ? (JSON.parse(lastApplied) as JsonMap) : undefined
  const { loadSchemaDoc, patchMeta } = await import('../client/openapi.js')
  const { threeWayMergePatch } = await import('../strategic-patch.js')
  const doc = await loadSchemaDoc(session.client, m.resource)
  const meta = patchMeta(doc!, doc?.kindSchema(m.resource)?.schema)
  const patch = threeWayMergePatch(original, modified, live, meta)
  if (Object.keys(patch).length === 0) return 'unchanged'
  try {
    await session.client.patch(
      m.resource,
      target,
      'application/strategic-merge-patch+json',
      patch,
      {
        fieldManager,
        dryRun,
      },
    )
  } catch (err) {
    throw withSource(
      `applying patch:\n${compactGoJson(patch)}\nto:\n${qualifiedResource(m.resource)} "${m.name}"\nfor:`,
      m.source,
      err,
    )
  }
  return 'configured'
}

/** runApply applies each object of `-f` in turn; a failure stops at that object, as kubectl reports it. */
export async function runApply(
  _operands: string[],
  flags: ApplyFlags,
  session: Session,
): Promise<number> {
  const manifests = await readManifests(
    flags,
    session.io,
    session.namespace,
    session.namespaceExplicit,
  )
  if (manifests.length === 0) throw new CliError('no objects passed to apply')
  let failed = false
  for (const m of manifests) {
    try {
      const result = flags.serverSide
        ? await serverSideApply(session, m, flags)
        : await clientSideApply(session, m, flags)
      session.io.stdout.write(
        `${qualifiedKind(m.resource)}/${m.name} ${result}${dryRunSuffix(flags)}\n`,
      )
    } catch (err) {
      session.io.stderr.write(`${errorText(asKubectlInvalid(err))}\n`)
      failed = true
    }
  }
  return failed ? 1 : 0
}

/** configureApply declares `apply`. */
export const configureApply: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      "Apply a configuration to a resource by file name or stdin. The resource name must be specified. This resource will be created if it doesn't exist yet.",
    )
    .usage('(-f FILENAME) [options]')
    .option(
      '-f, --filename <file>',
      'The files that contain the configurations to apply',
      collectFilename,
    )
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively')
    .option('--server-side', 'If true, apply runs in the server instead of the client')
    .option(
      '--force-conflicts',
      'If true, server-side apply will force the changes against conflicts',
    )
    .option(
      '--field-manager <name>',
      'Name of the manager used to track field ownership',
      CLIENT_SIDE_MANAGER,
    )
    .option('--dry-run <strategy>', 'Must be "none" or "server"', 'none')
    .addHelpText('after', EXAMPLES)
  sessionAction(cmd, ctx, runApply, (_o, flags) => checkFlags(flags))
}
