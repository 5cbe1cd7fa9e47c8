/**
 * `isctl version`: the client version from package.json, the path of the script running, and,
 * when a server is configured, the versions the server reports at `/version`, laid out as
 * `oc version`: the product's version as `Server Version`, the Kubernetes API level it speaks
 * as `Kubernetes Version`.
 * The server (`isctl serve`) reads packageVersion from here too, so this module stays light:
 * the API client is loaded only when a server is asked.
 */
import { readFileSync, realpathSync } from 'node:fs'
import { arch, argv, platform } from 'node:process'
import type { Command } from 'commander'
import type { CommandIO } from '../io.js'
import type { GlobalFlags } from '../client/session.js'
import { UsageError } from '../errors.js'
import { localAction, type ConfigureVerb } from '../verb.js'

/** VersionFlags are the flags of `version` as commander hands them over. */
export interface VersionFlags {
  readonly client?: boolean | undefined
  readonly output?: string | undefined
}

/** ServerVersion is the part of `/version` isctl shows. */
export interface ServerVersion {
  readonly gitVersion?: string
  readonly gitCommit?: string
  readonly [key: string]: unknown
}

/** The server puts its own version in gitCommit after this prefix (docs/kubernetes-api.md#version). */
const PRODUCT_PREFIX = 'imagestreams-'

/** productVersion is the server's own version, when it is an image streams server. */
export function productVersion(server: ServerVersion): string | undefined {
  const commit = server.gitCommit ?? ''
  return commit.startsWith(PRODUCT_PREFIX) ? commit.slice(PRODUCT_PREFIX.length) : undefined
}

/**
 * clientPath is the file the running `isctl` was started from, symbolic links resolved: the
 * checkout or package that `npm link` or `npm install -g` put on PATH.
 */
export function clientPath(script: string | undefined = argv[1]): string {
  if (script === undefined) return ''
  try {
    return realpathSync(script)
  } catch {
    return script
  }
}

/**
 * packageVersion reads the version of the nearest package.json above this module: the package
 * root, whether this module runs from src, from dist, or bundled into dist/cmd/isctl.cjs.
 */
export function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    let text: string | undefined
    try {
      text = readFileSync(new URL('package.json', dir), 'utf8')
    } catch {
      // Not here: look one directory up.
    }
    if (text !== undefined) {
      const { version } = JSON.parse(text) as { version?: unknown }
      return typeof version === 'string' ? version : 'unknown'
    }
    if (dir.pathname === '/') return 'unknown'
  }
}

const GO_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386' }

/** clientVersionInfo is the client's part of `-o json|yaml`, in kubectl's version.Info shape. */
export function clientVersionInfo(version: string): Record<string, string> {
  const [major = '', minor = ''] = version.split('.')
  return {
    major,
    minor,
    gitVersion: version,
    platform: `${platform}/${GO_ARCH[arch] ?? arch}`,
  }
}

/** versionOutput validates `-o`: '' for text, or json or yaml. */
export function versionOutput(output: string | undefined): '' | 'json' | 'yaml' {
  const o = output ?? ''
  if (o === '' || o === 'json' || o === 'yaml') return o
  throw new UsageError("--output must be 'yaml' or 'json'")
}

/**
 * versionText is oc's text layout: `Client Version`, here with `Client Path`, then when a server
 * answered its `Server Version` (the product's) and `Kubernetes Version`.
 */
export function versionText(
  client: string,
  path: string,
  server: ServerVersion | undefined,
): string {
  let text = `Client Version: ${client}\nClient Path: ${path}\n`
  if (server) {
    const product = productVersion(server)
    if (product !== undefined) text += `Server Version: ${product}\n`
    text += `Kubernetes Version: ${server.gitVersion ?? 'unknown'}\n`
  }
  return text
}

/** versionDocument is what `-o json|yaml` prints: oc's fields, and clientPath. */
export function versionDocument(
  client: string,
  path: string,
  server: ServerVersion | undefined,
): Record<string, unknown> {
  const product = server && productVersion(server)
  return {
    clientVersion: clientVersionInfo(client),
    clientPath: path,
    ...(product !== undefined && { openshiftVersion: product }),
    ...(server && { serverVersion: server }),
  }
}

async function render(
  format: '' | 'json' | 'yaml',
  client: string,
  server: ServerVersion | undefined,
): Promise<string> {
  if (format === '') return versionText(client, clientPath(), server)
  const doc = versionDocument(client, clientPath(), server)
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`
  // Loaded only here: `isctl version` is run often and yaml is the largest module it would load.
  const { stringify } = await import('yaml')
  return stringify(doc)
}

const EXAMPLES = `
Examples:
  # Print the client and server versions for the current context
  isctl version

  # Print the client version only, without contacting a server
  isctl version --client
`

/** configureVersion declares `version`. */
export const configureVersion: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      'Print the client and server version information for the current context. With no server configured, only the client version is printed.',
    )
    .option('--client', 'If true, shows client version only (no server required).')
    .option('-o, --output <format>', "One of 'yaml' or 'json'.")
    .addHelpText('after', EXAMPLES)
  localAction(cmd, ctx, runVersion)
}

/**
 * runVersion prints the versions; resolves to the exit code. An unreachable server prints the
 * client version and then fails, as kubectl does.
 */
export async function runVersion(
  _operands: string[],
  flags: VersionFlags & GlobalFlags,
  io: CommandIO,
): Promise<number> {
  const format = versionOutput(flags.output)
  const client = packageVersion()
  if (flags.client) {
    io.stdout.write(await render(format, client, undefined))
    return 0
  }
  const { currentContextName, loadKubeconfig } = await import('../client/kubeconfig.js')
  const config = await loadKubeconfig(flags.kubeconfig, io.env)
  if (!flags.context && !flags.server && currentContextName(config) === undefined) {
    io.stdout.write(await render(format, client, undefined))
    return 0
  }
  const { openSession } = await import('../client/session.js')
  const session = await openSession(flags, io)
  try {
    const server = await session.client.request<ServerVersion>('GET', '/version')
    io.stdout.write(await render(format, client, server))
    return 0
  } catch (err) {
    io.stdout.write(await render(format, client, undefined))
    throw err
  } finally {
    await session.client.close()
  }
}
