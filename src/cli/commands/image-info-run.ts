/**
 * The run of `isctl image info`: reads the credentials file and extra CA, inspects each image
 * through a registry port and prints it as oc does. The port is the registry client, wired in
 * by src/cmd/image-info.ts, so this layer never loads registry or undici code itself.
 */
// Synchronous reads: two small files before the first request, and node:fs/promises alone
// costs ~5 ms to load, 2-3% of the command.
import { existsSync, readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import type { ImageReference } from '../../reference/index.js'
import { formatImageReference, tagOrLatest } from '../../reference/index.js'
import { CliError } from '../errors.js'
import type { CommandIO } from '../io.js'
import {
  describeImages,
  formatImageInfoJSON,
  manifestListMessage,
  type DescriptorView,
  type ImageContext,
  type ImageView,
} from '../printers/image-info.js'
import { errorReport } from '../report-error.js'
import {
  completeImageInfoOptions,
  configureImageInfoCommand,
  type ImageInfoFlags,
  type ImageInfoOptions,
  type RequestedImage,
} from './image-info.js'

/** InspectionView is what one inspection returns: the images and the list they came from. */
export interface InspectionView {
  readonly list?: { readonly digest: string; readonly manifests: readonly DescriptorView[] }
  readonly images: readonly ImageView[]
}

/** InspectOptions choose from a list: one platform's image, or every child. */
export interface InspectOptions<P> {
  readonly platform?: P
  readonly allChildren?: boolean
  readonly signal?: AbortSignal | undefined
}

/** RegistryConnection is an open registry client; closed when the run ends. */
export interface RegistryConnection<K, R> {
  repository(target: { registry: string; repository: string; keyring: K; insecure: boolean }): R
  close(): Promise<void>
}

/**
 * ImageRegistry is the port `image info` runs on: the registry client's rules for platforms,
 * credentials, lists and TLS failures, so none of them is restated here.
 */
export interface ImageRegistry<P, K, R> {
  /** Parses `OS/ARCH[/VARIANT]`; throws with the user's words when it is not one. */
  parsePlatform(value: string): P
  readonly emptyKeyring: K
  keyringFromDockerConfig(
    json: string,
    path: string,
  ): { keyring: K; warnings: readonly { message: string }[] }
  connect(options: {
    additionalCA: string | undefined
    warn: (registry: string | undefined, message: string) => void
  }): RegistryConnection<K, R>
  inspect(
    repo: R,
    reference: { tag?: string | undefined; digest?: string | undefined },
    options: InspectOptions<P>,
  ): Promise<InspectionView>
  /** Whether a list entry is an image a user could pick (not an attestation or a nested list). */
  isImageChild(d: DescriptorView): boolean
  /** The TLS problem behind a failed request, if that is what it was. */
  tlsProblem(err: unknown): 'untrusted-certificate' | 'not-tls' | undefined
}

/** flagHint names the flags of this verb that fix a TLS failure. */
function flagHint(problem: 'untrusted-certificate' | 'not-tls' | undefined): string {
  switch (problem) {
    case 'untrusted-certificate':
      return ' (--additional-trusted-ca=PATH or --insecure)'
    case 'not-tls':
      return ' (--insecure)'
    case undefined:
      return ''
  }
}

/** Why a file could not be read, without the stack: "no such file or directory" and the like. */
function fileProblem(err: unknown): string {
  if (err instanceof Error && 'code' in err && err.code === 'ENOENT')
    return 'no such file or directory'
  if (err instanceof Error && 'code' in err && err.code === 'EACCES') return 'permission denied'
  if (err instanceof Error && 'code' in err && err.code === 'EISDIR') return 'is a directory'
  return err instanceof Error ? err.message : String(err)
}

function loadKeyring<K>(
  registry: ImageRegistry<unknown, K, unknown>,
  options: ImageInfoOptions,
  io: CommandIO,
): K {
  const path = options.registryConfig
  if (path === undefined) return registry.emptyKeyring
  let json: string
  try {
    json = readFileSync(path, 'utf8')
  } catch (err) {
    const what = options.registryConfigOrigin === 'default' ? path : options.registryConfigOrigin
    throw new CliError(`unable to load ${what}: ${path}: ${fileProblem(err)}`)
  }
  // Malformed entries are skipped, not fatal: the other credentials in the file still work.
  const { keyring, warnings } = registry.keyringFromDockerConfig(json, path)
  for (const w of warnings) io.stderr.write(`warning: ${w.message}\n`)
  return keyring
}

function loadAdditionalCA(path: string | undefined): string | undefined {
  if (path === undefined) return undefined
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new CliError(`unable to read --additional-trusted-ca: ${path}: ${fileProblem(err)}`)
  }
}

interface Selection<P> {
  readonly platform: P | undefined
  readonly showMultiarch: boolean
  readonly signal: AbortSignal | undefined
}

/**
 * fetchImages resolves one reference to the images to print, following oc: a list is shown
 * whole with --show-multiarch, narrowed by --filter-by-os, taken as is when it holds one image,
 * and refused with the table of choices otherwise.
 */
async function fetchImages<P, R>(
  registry: ImageRegistry<P, unknown, R>,
  repo: R,
  ref: ImageReference,
  name: string,
  sel: Selection<P>,
): Promise<InspectionView> {
  const reference = { tag: tagOrLatest(ref), digest: ref.digest }
  const { signal } = sel
  if (sel.platform !== undefined) {
    return registry.inspect(repo, reference, { platform: sel.platform, signal })
  }
  if (sel.showMultiarch) {
    const all = await registry.inspect(repo, reference, { allChildren: true, signal })
    if (all.images.length === 0) {
      throw new CliError(`no manifests could be found for ${JSON.stringify(name)}`)
    }
    return all
  }
  const top = await registry.inspect(repo, reference, { signal })
  if (!top.list) return top
  const children = top.list.manifests.filter((d) => registry.isImageChild(d))
  if (children.length === 0) {
    throw new CliError(`no manifests could be found for ${JSON.stringify(name)}`)
  }
  if (children.length > 1) throw new CliError(manifestListMessage(children))
  // By digest, so the image fetched is the child of the list just read even if the tag moves.
  return registry.inspect(repo, { digest: top.list.digest }, { allChildren: true, signal })
}

/**
 * executeImageInfo runs `image info` with arguments commander has already parsed; resolves to
 * the exit code, and throws what fails for the verb's error path to report.
 */
export async function executeImageInfo<P, K, R>(
  operands: readonly string[],
  flags: ImageInfoFlags,
  io: CommandIO,
  registry: ImageRegistry<P, K, R>,
): Promise<number> {
  const options = completeImageInfoOptions(operands, flags, io.env, existsSync)
  const platform =
    options.filterByOs === undefined ? undefined : registry.parsePlatform(options.filterByOs)
  const keyring = loadKeyring(registry, options, io)
  const additionalCA = loadAdditionalCA(options.additionalTrustedCa)

  const connection = registry.connect({
    additionalCA,
    warn: (where, message) => io.stderr.write(`warning: ${where ? `${where}: ` : ''}${message}\n`),
  })
  try {
    const sel = { platform, showMultiarch: options.showMultiarch, signal: io.signal }
    for (const requested of options.images) await printImage(requested, sel)
    return 0
  } catch (err) {
    // Registry errors (AuthError included) carry messages that name the registry, the
    // repository and the credential sources tried; they are shown as they are.
    const hint = flagHint(registry.tlsProblem(err))
    if (hint === '') throw err
    throw new CliError(`${err instanceof Error ? err.message : String(err)}${hint}`, { cause: err })
  } finally {
    await connection.close()
  }

  async function printImage(requested: RequestedImage, sel: Selection<P>): Promise<void> {
    const { ref } = requested
    const name = formatImageReference({ ...ref, tag: tagOrLatest(ref) })
    const repo = connection.repository({
      registry: ref.registry,
      repository: ref.repository,
      keyring,
      insecure: options.insecure,
    })
    const inspection = await fetchImages(registry, repo, ref, name, sel)
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
}

/**
 * runImageInfo parses `args` (what follows `isctl image info`) and runs the verb, for tests
 * and embedding; resolves to the exit code, failures reported as every verb reports them.
 */
export async function runImageInfo<P, K, R>(
  args: readonly string[],
  io: CommandIO,
  registry: ImageRegistry<P, K, R>,
): Promise<number> {
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
  try {
    return await executeImageInfo(parsed.operands, parsed.flags, io, registry)
  } catch (err) {
    io.stderr.write(errorReport(err))
    return 1
  }
}
