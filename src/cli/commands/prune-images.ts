/**
 * `isctl adm prune images`: oc's image pruner (openshift/oc pkg/cli/admin/prune/images) over
 * the public API, with oc's flags, defaults, validation messages and output, planned and carried
 * out by src/pruner (docs/pruning.md). What differs from oc: workload references come from
 * `--workloads` files (kubectl output) rather than from listing the cluster, images pulled
 * through the integrated registry within `--keep-pulled-within` count as in use, `-o json`
 * prints the plan, and the registry flags are accepted but have nothing to configure, since the
 * integrated registry is the API server itself.
 */
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import type { RunPruneOptions } from '../../pruner/run.js'
import { PRUNE_DEFAULTS } from '../../pruner/types.js'
import type { WorkloadSource } from '../../pruner/workloads.js'
import type { Session } from '../client/session.js'
import { CliError, UsageError } from '../errors.js'
import { acceptGoBooleans, flagValue, parseGoDuration, parseGoInt } from '../go-flags.js'
import type { CommandIO } from '../io.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** PruneImagesFlags are the verb's flags as commander hands them over. */
export interface PruneImagesFlags {
  readonly confirm?: boolean | undefined
  readonly all?: boolean | undefined
  readonly keepTagRevisions?: string | undefined
  readonly keepYoungerThan?: string | undefined
  readonly keepPulledWithin?: string | undefined
  readonly pruneOverSizeLimit?: boolean | undefined
  readonly pruneRegistry?: boolean | undefined
  readonly ignoreInvalidRefs?: boolean | undefined
  readonly numWorkers?: string | undefined
  readonly workloads?: readonly string[] | undefined
  readonly output?: string | undefined
  readonly registryUrl?: string | undefined
  readonly certificateAuthority?: string | undefined
  readonly forceInsecure?: boolean | undefined
}

/** PruneRunSettings are the pruner's options for one run, without its hooks. */
export type PruneRunSettings = Omit<RunPruneOptions, 'onEvent' | 'onProgress' | 'signal'>

/** PruneImagesOptions are the validated options of one run. */
export interface PruneImagesOptions {
  readonly run: PruneRunSettings
  /** `--workloads` files in order; `-` is standard input. */
  readonly workloads: readonly string[]
  readonly output: 'text' | 'json'
  /** Lines for stderr about flags that have nothing to configure here. */
  readonly notices: readonly string[]
}

const GO_BOOLEAN_FLAGS = [
  'confirm',
  'all',
  'prune-over-size-limit',
  'prune-registry',
  'ignore-invalid-refs',
  'force-insecure',
] as const

/** NO_TOKEN is oc's error when the kubeconfig user has no bearer token. */
export const NO_TOKEN = 'you must use a client config with a token'

/**
 * registryURLProblem checks `--registry-url` as oc's validateRegistryURL does:
 * `[http(s)://]host[:port]`, nothing after it. Undefined when it is fine.
 */
export function registryURLProblem(input: string): string | undefined {
  const hasScheme = input.includes('://')
  let url: URL
  try {
    url = new URL(hasScheme ? input : `https://${input}`)
  } catch {
    return `parse ${JSON.stringify(input)}: invalid URL`
  }
  if (hasScheme && url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `unsupported scheme: ${url.protocol.slice(0, -1)}`
  }
  if (url.pathname !== '' && url.pathname !== '/') return 'no path after <host>[:<port>] is allowed'
  if (url.search !== '') return 'no query arguments are allowed after <host>[:<port>]'
  if (url.host === '') return 'no host name specified'
  return undefined
}

/**
 * registryFlagNotices validates the registry connection flags as oc does, then says that they
 * have no effect: blobs are deleted through the API server's own connection (docs/pruning.md).
 */
function registryFlagNotices(flags: PruneImagesFlags): string[] {
  const url = flags.registryUrl ?? ''
  const ca = flags.certificateAuthority ?? ''
  const problem = url === '' ? undefined : registryURLProblem(url)
  if (problem !== undefined) throw new UsageError(`invalid --registry-url flag: ${problem}`)
  if (flags.forceInsecure === true && ca !== '') {
    throw new UsageError('--certificate-authority cannot be specified with --force-insecure')
  }
  if (ca !== '' && url.startsWith('http://')) {
    throw new UsageError('--certificate-authority cannot be specified for insecure http protocol')
  }
  const given = [
    url !== '' && '--registry-url',
    ca !== '' && '--certificate-authority',
    flags.forceInsecure !== undefined && '--force-insecure',
  ].filter((f): f is string => f !== false)
  return given.map(
    (flag) =>
      `Flag ${flag} has no effect: the integrated registry is the API server, reached through the same connection.`,
  )
}

function outputOf(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === '') return 'text'
  if (value === 'json') return 'json'
  throw new UsageError(
    `unable to match a printer suitable for the output format "${value}", allowed formats are: json`,
  )
}

/**
 * completePruneImagesOptions turns operands and flags into a run's options, with oc's messages
 * in oc's order: flag values (pflag), operands (Complete), then Validate. `namespace` is given
 * only with `-n`; `now` is what ages are measured against.
 */
export function completePruneImagesOptions(
  operands: readonly string[],
  flags: PruneImagesFlags,
  namespace: string | undefined,
  now: number,
): PruneImagesOptions {
  const keepTagRevisions =
    flags.keepTagRevisions === undefined
      ? undefined
      : flagValue('keep-tag-revisions', flags.keepTagRevisions, parseGoInt)
  const keepYoungerThanMs =
    flags.keepYoungerThan === undefined
      ? undefined
      : flagValue('keep-younger-than', flags.keepYoungerThan, parseGoDuration)
  const keepPulledWithinMs =
    flags.keepPulledWithin === undefined
      ? PRUNE_DEFAULTS.keepPulledWithinMs
      : flagValue('keep-pulled-within', flags.keepPulledWithin, parseGoDuration)
  const numWorkers =
    flags.numWorkers === undefined
      ? PRUNE_DEFAULTS.numWorkers
      : flagValue('num-workers', flags.numWorkers, parseGoInt)

  if (operands.length > 0)
    throw new UsageError('no arguments are allowed to this command', { seeHelp: true })

  // oc: the size-limit mode replaces both keep rules, which then must not be given.
  const overSize = flags.pruneOverSizeLimit === true
  if (overSize && (keepTagRevisions !== undefined || keepYoungerThanMs !== undefined)) {
    throw new UsageError(
      '--prune-over-size-limit cannot be specified with --keep-tag-revisions nor --keep-younger-than',
    )
  }
  if (keepYoungerThanMs !== undefined && keepYoungerThanMs < 0) {
    throw new UsageError('--keep-younger-than must be greater than or equal to 0')
  }
  if (keepTagRevisions !== undefined && keepTagRevisions < 0) {
    throw new UsageError('--keep-tag-revisions must be greater than or equal to 0')
  }
  if (keepPulledWithinMs < 0) {
    throw new UsageError('--keep-pulled-within must be greater than or equal to 0')
  }
  const notices = registryFlagNotices(flags)
  const workloads = flags.workloads ?? []
  if (workloads.filter((w) => w === '-').length > 1) {
    throw new UsageError('--workloads - (standard input) can be given only once')
  }
  const output = outputOf(flags.output)

  return {
    run: {
      keepTagRevisions: overSize ? 0 : (keepTagRevisions ?? PRUNE_DEFAULTS.keepTagRevisions),
      keepYoungerThanMs: overSize ? 0 : (keepYoungerThanMs ?? PRUNE_DEFAULTS.keepYoungerThanMs),
      keepPulledWithinMs,
      all: flags.all !== false,
      pruneOverSizeLimit: overSize,
      namespace,
      pruneRegistry: flags.pruneRegistry !== false,
      now,
      confirm: flags.confirm === true,
      // oc: fewer than one worker means the default number.
      numWorkers: numWorkers < 1 ? PRUNE_DEFAULTS.numWorkers : numWorkers,
      ignoreInvalidRefs: flags.ignoreInvalidRefs === true,
    },
    workloads,
    output,
    notices,
  }
}

/** readWorkloadFiles reads every `--workloads` input; `-` is standard input. */
export async function readWorkloadFiles(
  paths: readonly string[],
  io: Pick<CommandIO, 'readStdin'>,
): Promise<WorkloadSource[]> {
  return Promise.all(
    paths.map(async (path) => {
      if (path === '-') {
        if (io.readStdin === undefined) throw new UsageError('no standard input to read')
        return { name: '-', text: await io.readStdin() }
      }
      try {
        return { name: path, text: await readFile(path, 'utf8') }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT') throw new UsageError(`the path "${path}" does not exist`)
        throw new UsageError(`unable to read "${path}": ${(err as Error).message}`)
      }
    }),
  )
}

/** hasToken is oc's check: the pruner acts with a bearer token, never a client certificate. */
export function hasToken(session: Pick<Session, 'context'>): boolean {
  const { user } = session.context
  return Boolean(user.token) || Boolean(user.tokenFile)
}

/**
 * runPruneImages is the verb's action: options, token, workloads, then the pruner over the API;
 * resolves to 1 when the graph cannot be built or any action failed.
 */
export async function runPruneImages(
  operands: string[],
  flags: PruneImagesFlags,
  session: Session,
): Promise<number> {
  const { io } = session
  const opts = completePruneImagesOptions(
    operands,
    flags,
    session.namespaceExplicit ? session.namespace : undefined,
    io.now().getTime(),
  )
  if (!hasToken(session)) throw new CliError(NO_TOKEN)
  for (const notice of opts.notices) io.stderr.write(`${notice}\n`)
  const sources = await readWorkloadFiles(opts.workloads, io)
  // Loaded with the run, as every verb loads its work (start-up time of the others).
  const { parseWorkloads } = await import('../../pruner/workloads.js')
  const { runPrune, InvalidReferencesError } = await import('../../pruner/run.js')
  const { ApiPruneTarget } = await import('../client/prune-target.js')
  const { PruneReport } = await import('../ui/prune-report.js')
  const { isInteractive } = await import('../ui/progress.js')
  const workloads = parseWorkloads(sources)
  const report = new PruneReport(io, {
    output: opts.output,
    confirm: opts.run.confirm,
    pruneRegistry: opts.run.pruneRegistry,
    interactive: isInteractive(io),
  })
  report.begin()
  try {
    const result = await runPrune(new ApiPruneTarget(session.client), workloads, {
      ...opts.run,
      onEvent: report.onEvent,
      onProgress: report.onProgress,
      ...(io.signal && { signal: io.signal }),
    })
    return report.finished(result)
  } catch (err) {
    if (err instanceof InvalidReferencesError) return report.graphFailed(err.message)
    report.stopped()
    throw err
  }
}

const DESCRIPTION = [
  'Remove image stream tags, images, and image layers by age or usage.',
  'This command removes historical image stream tags, unused images, and unreferenced image layers from the integrated registry. By default, all images are considered as candidates. The command can be instructed to consider only images that have been directly pushed to the registry by supplying --all=false flag.',
  'By default, the prune operation performs a dry run making no changes. A --confirm flag is needed for changes to be effective.',
  'An image is in use, and kept with its history, when a workload in a --workloads file references it (any kubectl JSON or YAML output: pods, replication controllers, replica sets, deployments, daemon sets, stateful sets, jobs, cron jobs, deployment configs, builds and build configs), when the integrated registry served it within --keep-pulled-within, when it is a child of a kept manifest list, or when it is a list one of whose children is in use.',
  "With -n, only the history of that namespace's image streams is pruned, and no image is deleted.",
  'Only a user with a token that may update image streams and delete images can actually prune. The integrated registry is the API server itself: --registry-url, --certificate-authority and --force-insecure are accepted for compatibility with oc and have no effect.',
].join('\n\n')

const EXAMPLES = `
Examples:
  # See what the prune command would delete if only images and their referrers were more than an hour old
  # and obsoleted by 3 newer revisions under the same tag were considered
  isctl adm prune images --keep-tag-revisions=3 --keep-younger-than=60m

  # Protect what the cluster runs: pass its workloads
  kubectl get pods,rc,rs,deploy,ds,sts,jobs,cronjobs -A -o json > workloads.json
  isctl adm prune images --workloads workloads.json

  # To actually perform the prune operation, the confirm flag must be appended
  isctl adm prune images --keep-tag-revisions=3 --keep-younger-than=60m --workloads workloads.json --confirm

  # Read the workloads from standard input, and print the plan (every candidate and why) as JSON
  kubectl get pods -A -o json | isctl adm prune images --workloads - -o json

  # See what the prune command would delete if we are interested in removing images
  # exceeding currently set limit ranges ('openshift.io/Image')
  isctl adm prune images --prune-over-size-limit

  # Prune only the history of one namespace's image streams
  isctl adm prune images -n team-a --confirm
`

function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/** configurePruneImages declares `adm prune images` with oc's flags and ours. */
export function configurePruneImagesCommand(cmd: Command): Command {
  cmd
    .summary('Remove unreferenced images')
    .description(DESCRIPTION)
    .argument('[operands...]')
    .usage('[options]')
    .option(
      '--confirm',
      'If true, specify that image pruning should proceed. Defaults to false, displaying what would be deleted but not actually deleting anything.',
    )
    .option(
      '--all',
      'Include images that were imported from external registries as candidates for pruning.  If pruned, all the mirrored objects associated with them will also be removed from the integrated registry. (default: true)',
    )
    .option(
      '--keep-younger-than <duration>',
      'Specify the minimum age of an image and its referrers for it to be considered a candidate for pruning. (default: 60m)',
    )
    .option(
      '--keep-tag-revisions <n>',
      'Specify the number of image revisions for a tag in an image stream that will be preserved. (default: 3)',
    )
    .option(
      '--keep-pulled-within <duration>',
      'Keep images the integrated registry served within this duration, as in use; 0 turns it off. (default: 168h)',
    )
    .option(
      '--prune-over-size-limit',
      "Specify if images which are exceeding LimitRanges (see 'openshift.io/Image'), specified in the same namespace, should be considered for pruning. This flag cannot be combined with --keep-younger-than nor --keep-tag-revisions.",
    )
    .option(
      '--prune-registry',
      'If false, the prune operation will clean up image API objects, but none of the associated content in the integrated registry is removed. (default: true)',
    )
    .option(
      '--ignore-invalid-refs',
      'If true, the pruning process will ignore all errors while parsing image references. This means that the pruning process will ignore the intended connection between the object and the referenced image. As a result an image may be incorrectly deleted as unused.',
    )
    .option(
      '--num-workers <n>',
      'Specify the number of parallel workers to use when running prune operations. (default: 5)',
    )
    .option(
      '--workloads <file>',
      "A file of workloads whose images are in use: any 'kubectl get -o json|yaml' output; '-' reads standard input. Repeatable.",
      collect,
    )
    .option('-o, --output <format>', 'Print the plan instead of the actions. One of: json')
    .option(
      '--registry-url <url>',
      'Accepted for compatibility with oc; no effect: the integrated registry is the API server.',
    )
    .option(
      '--certificate-authority <path>',
      'Accepted for compatibility with oc; no effect: the API connection is used.',
    )
    .option(
      '--force-insecure',
      'Accepted for compatibility with oc; no effect: the API connection is used.',
    )
    .addHelpText('after', EXAMPLES)
  acceptGoBooleans(cmd, GO_BOOLEAN_FLAGS)
  return cmd
}

/** configurePruneImages is the verb's definition. */
export const configurePruneImages: ConfigureVerb = (cmd, ctx) => {
  sessionAction(configurePruneImagesCommand(cmd), ctx, runPruneImages, (operands, flags) =>
    completePruneImagesOptions(operands, flags, undefined, 0),
  )
}
