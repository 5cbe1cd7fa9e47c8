/**
 * Composition root of `isctl image info`: reads the credentials file and extra CA, builds the
 * keyring, agents and registry client, inspects each image and prints it as oc does. Loaded
 * lazily by the entry point, so other verbs never pay for undici or the registry client.
 */
// Synchronous reads: two small files before the first request, and node:fs/promises alone
// costs ~5 ms to load, 2-3% of the command.
import { existsSync, readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import {
  completeImageInfoOptions,
  configureImageInfoCommand,
  type ImageInfoFlags,
  type ImageInfoOptions,
  type RequestedImage,
} from '../cli/commands/image-info.js'
import type { CommandIO } from '../cli/io.js'
import {
  describeImages,
  formatImageInfoJSON,
  manifestListMessage,
  type ImageContext,
} from '../cli/printers/image-info.js'
import { EMPTY_KEYRING, keyringFromDockerConfig, type Keyring } from '../credentials/index.js'
import { formatImageReference, tagOrLatest } from '../reference/index.js'
import {
  createAgents,
  createRegistryClient,
  inspect,
  isAttestation,
  manifestKind,
  parsePlatform,
  TransportError,
  type Inspection,
  type Logger,
  type PlatformSpec,
  type Repository,
} from '../registry/index.js'

/** CommandFailure ends the run with `error: <message>` and exit code 1. */
class CommandFailure extends Error {
  override readonly name = 'CommandFailure'
}

/** flagHint names the flags of this verb that fix a TLS failure. */
function flagHint(err: unknown): string {
  if (!(err instanceof TransportError)) return ''
  switch (err.tlsProblem) {
    case 'untrusted-certificate':
      return ' (--additional-trusted-ca=PATH or --insecure)'
    case 'not-tls':
      return ' (--insecure)'
    case undefined:
      return ''
  }
}

function fail(io: CommandIO, err: unknown): number {
  const message = (err instanceof Error ? err.message : String(err)) + flagHint(err)
  const text = message.startsWith('error: ') ? message : `error: ${message}`
  io.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
  return 1
}

/** Why a file could not be read, without the stack: "no such file or directory" and the like. */
function fileProblem(err: unknown): string {
  if (err instanceof Error && 'code' in err && err.code === 'ENOENT')
    return 'no such file or directory'
  if (err instanceof Error && 'code' in err && err.code === 'EACCES') return 'permission denied'
  if (err instanceof Error && 'code' in err && err.code === 'EISDIR') return 'is a directory'
  return err instanceof Error ? err.message : String(err)
}

function loadKeyring(options: ImageInfoOptions, io: CommandIO): Keyring {
  const path = options.registryConfig
  if (path === undefined) return EMPTY_KEYRING
  let json: string
  try {
    json = readFileSync(path, 'utf8')
  } catch (err) {
    const what = options.registryConfigOrigin === 'default' ? path : options.registryConfigOrigin
    throw new CommandFailure(`unable to load ${what}: ${path}: ${fileProblem(err)}`)
  }
  // Malformed entries are skipped, not fatal: the other credentials in the file still work.
  const { keyring, warnings } = keyringFromDockerConfig(json, path)
  for (const w of warnings) io.stderr.write(`warning: ${w.message}\n`)
  return keyring
}

function loadAdditionalCA(path: string | undefined): string | undefined {
  if (path === undefined) return undefined
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new CommandFailure(`unable to read --additional-trusted-ca: ${path}: ${fileProblem(err)}`)
  }
}

/** The children a user could pick with --filter-by-os: images only, never attestations. */
function imageChildren(inspection: Inspection) {
  return (inspection.list?.manifests ?? []).filter(
    (d) => !isAttestation(d) && manifestKind(d.mediaType) === 'image',
  )
}

interface Selection {
  readonly platform: PlatformSpec | undefined
  readonly showMultiarch: boolean
  readonly signal: AbortSignal | undefined
}

/**
 * fetchImages resolves one reference to the images to print, following oc: a list is shown
 * whole with --show-multiarch, narrowed by --filter-by-os, taken as is when it holds one image,
 * and refused with the table of choices otherwise.
 */
async function fetchImages(
  repo: Repository,
  requested: RequestedImage,
  name: string,
  sel: Selection,
): Promise<Inspection> {
  const reference = { tag: tagOrLatest(requested.ref), digest: requested.ref.digest }
  const { signal } = sel
  if (sel.platform) return inspect(repo, reference, { platform: sel.platform, signal })
  if (sel.showMultiarch) {
    const all = await inspect(repo, reference, { allChildren: true, signal })
    if (all.images.length === 0) {
      throw new CommandFailure(`no manifests could be found for ${JSON.stringify(name)}`)
    }
    return all
  }
  const top = await inspect(repo, reference, { signal })
  if (!top.list) return top
  const children = imageChildren(top)
  if (children.length === 0) {
    throw new CommandFailure(`no manifests could be found for ${JSON.stringify(name)}`)
  }
  if (children.length > 1) throw new CommandFailure(manifestListMessage(children))
  // By digest, so the image fetched is the child of the list just read even if the tag moves.
  return inspect(repo, { digest: top.list.digest }, { allChildren: true, signal })
}

/**
 * executeImageInfo runs `image info` with arguments commander has already parsed; resolves to
 * the exit code. Errors are printed to stderr as `error: ...`, never thrown.
 */
export async function executeImageInfo(
  operands: readonly string[],
  flags: ImageInfoFlags,
  io: CommandIO,
): Promise<number> {
  let options: ImageInfoOptions
  let platform: PlatformSpec | undefined
  let keyring: Keyring
  let additionalCA: string | undefined
  try {
    options = completeImageInfoOptions(operands, flags, io.env, existsSync)
    platform = options.filterByOs === undefined ? undefined : parsePlatform(options.filterByOs)
    keyring = loadKeyring(options, io)
    additionalCA = loadAdditionalCA(options.additionalTrustedCa)
  } catch (err) {
    return fail(io, err)
  }

  const logger: Logger = {
    warn: (context, message) => {
      const where = typeof context.registry === 'string' ? `${context.registry}: ` : ''
      io.stderr.write(`warning: ${where}${message}\n`)
    },
  }
  // One command makes a handful of sequential requests: HTTP/2 would only add set-up time.
  const agents = createAgents({ additionalCA, allowH2: false })
  try {
    const client = createRegistryClient({ agents, logger })
    const sel = { platform, showMultiarch: options.showMultiarch, signal: io.signal }
    for (const requested of options.images) {
      const { ref } = requested
      const name = formatImageReference({ ...ref, tag: tagOrLatest(ref) })
      const repo = client.repository({
        registry: ref.registry,
        repository: ref.repository,
        keyring,
        insecure: options.insecure,
      })
      const inspection = await fetchImages(repo, requested, name, sel)
      const ctx = (): ImageContext => ({
        name,
        requestedDigest: ref.digest,
        listDigest: inspection.list?.digest,
      })
      io.stdout.write(
        options.output === 'json'
          ? formatImageInfoJSON(inspection.images, ctx)
          : describeImages(inspection.images, () => ({ ...ctx(), now: io.now() })),
      )
    }
    return 0
  } catch (err) {
    // Registry errors (AuthError included) carry messages that name the registry, the
    // repository and the credential sources tried; they are shown as they are.
    return fail(io, err)
  } finally {
    await agents.close()
  }
}

/**
 * runImageInfo parses `args` (what follows `isctl image info`) and runs the verb, for tests
 * and embedding; resolves to the exit code.
 */
export async function runImageInfo(args: readonly string[], io: CommandIO): Promise<number> {
  let parsed: { operands: string[]; flags: ImageInfoFlags } | undefined
  const cmd = configureImageInfoCommand(new Command('info'))
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .action((operands: string[], flags: ImageInfoFlags) => {
      parsed = { operands, flags }
    })
  try {
    cmd.parse([...args], { from: 'user' })
  } catch (err) {
    // --help and usage errors: commander has already written the text.
    if (err instanceof CommanderError) return err.exitCode
    throw err
  }
  if (!parsed) return 1
  return executeImageInfo(parsed.operands, parsed.flags, io)
}
