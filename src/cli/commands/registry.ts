/**
 * `isctl registry info` and `isctl registry login`, as oc has them (openshift/oc
 * pkg/cli/registry/info and login): the integrated registry's hostname is read off the status of
 * an image stream in the current namespace or `openshift` (the public hostname first), and
 * `login` saves the session's token for that host in a containers auth file, after checking it
 * against the registry's `/v2/`. Unlike oc, with no image stream to read the hostname from both
 * fall back to the API server's own address, which serves the registry on the same port
 * (docs/integrated-registry.md).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Command } from 'commander'
import type { List } from '../../api/meta.js'
import type { ImageStream } from '../../api/image.js'
import { RESOURCE_META } from '../../api/resource-meta.js'
import { parseImageReference } from '../../reference/index.js'
import { ApiError } from '../client/api-errors.js'
import { resourcePath } from '../client/resource-path.js'
import type { Session } from '../client/session.js'
import type { CommandIO } from '../io.js'
import { CliError } from '../errors.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** RegistryHosts are the registry hostnames a stream's status names. */
export interface RegistryHosts {
  readonly public?: string
  readonly internal?: string
}

/** hostsOf reads the registry hostnames off a stream's status; undefined when it names none. */
export function hostsOf(stream: ImageStream): RegistryHosts | undefined {
  const hostOf = (repository: string | undefined, which: string): string | undefined => {
    if (!repository) return undefined
    try {
      return parseImageReference(repository).registry
    } catch {
      throw new CliError(`unable to parse ${which} registry info from the server`)
    }
  }
  const hosts = {
    public: hostOf(stream.status?.publicDockerImageRepository, 'public'),
    internal: hostOf(stream.status?.dockerImageRepository, 'internal'),
  }
  if (hosts.public === undefined && hosts.internal === undefined) return undefined
  return {
    ...(hosts.public !== undefined && { public: hosts.public }),
    ...(hosts.internal !== undefined && { internal: hosts.internal }),
  }
}

/** Found is where the registry hostnames came from. */
type Found = RegistryHosts & { readonly from: 'stream' | 'server' }

/**
 * findRegistryHosts reads the first image stream of the session's namespace, then of
 * `openshift`, as oc does; a namespace the user may not list is skipped, but a rejected token
 * ends the search. Without any stream, the API server's own host.
 */
async function findRegistryHosts(session: Session): Promise<Found> {
  for (const namespace of [session.namespace, 'openshift']) {
    let list: List<ImageStream>
    try {
      list = await session.client.request<List<ImageStream>>(
        'GET',
        resourcePath(RESOURCE_META.imagestreams, { namespace }),
        { query: { limit: '1' } },
      )
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw err
      continue
    }
    const stream = list.items[0]
    if (!stream) continue
    const hosts = hostsOf(stream)
    if (!hosts) throw new CliError('the integrated registry has not been configured')
    return { ...hosts, from: 'stream' }
  }
  return { internal: new URL(session.client.server).host, from: 'server' }
}

/** RegistryInfoFlags are `registry info`'s flags. */
export interface RegistryInfoFlags {
  readonly check?: boolean | undefined
  readonly internal?: boolean | undefined
  readonly public?: boolean | undefined
}

/** runRegistryInfo prints the registry's hostname (the public one, else the internal one). */
export async function runRegistryInfo(
  _operands: string[],
  flags: RegistryInfoFlags,
  session: Session,
): Promise<number> {
  if (flags.internal && flags.public) {
    throw new CliError('only one of --internal or --public may be specified')
  }
  const hosts = await findRegistryHosts(session)
  let host: string | undefined
  if (flags.internal) {
    host = hosts.internal
    if (host === undefined) throw new CliError('no internal registry hostname is set')
  } else if (flags.public) {
    host = hosts.public
    if (host === undefined) throw new CliError('no public registry hostname is set')
  } else {
    host = hosts.public ?? hosts.internal
  }
  if (flags.check) await checkRegistry(session, host ?? '', undefined)
  session.io.stdout.write(`${host}\n`)
  return 0
}

/** RegistryLoginFlags are `registry login`'s flags. */
export interface RegistryLoginFlags {
  readonly authBasic?: string | undefined
  readonly registryConfig?: string | undefined
  readonly to?: string | undefined
  readonly registry?: string | undefined
  readonly skipCheck?: boolean | undefined
}

/** Credentials are what the auth file gets for the registry. */
interface Credentials {
  readonly username: string
  readonly password: string
}

/**
 * authFilePath is where credentials go, as containers/image (and so oc, podman and skopeo) picks
 * it: `REGISTRY_AUTH_FILE`, else Docker's config.json when `REGISTRY_AUTH_PREFERENCE=docker`, else
 * `$XDG_RUNTIME_DIR/containers/auth.json`, else `/run/containers/$UID/auth.json`.
 */
export function authFilePath(env: CommandIO['env'], uid: number): string {
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE
  if (env.REGISTRY_AUTH_PREFERENCE === 'docker') {
    return join(env.HOME ?? '', '.docker', 'config.json')
  }
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json')
  return join('/run/containers', String(uid), 'auth.json')
}

/** withCredentials is an auth file's JSON with the entry for `host` set, other entries kept. */
export function withCredentials(existing: string, host: string, creds: Credentials): string {
  let doc: Record<string, unknown> = {}
  if (existing.trim() !== '') {
    const parsed: unknown = JSON.parse(existing)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('the file does not hold a JSON object')
    }
    doc = parsed as Record<string, unknown>
  }
  const auths =
    typeof doc.auths === 'object' && doc.auths !== null && !Array.isArray(doc.auths)
      ? (doc.auths as Record<string, unknown>)
      : {}
  const auth = Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')
  return `${JSON.stringify({ ...doc, auths: { ...auths, [host]: { auth } } }, null, '\t')}\n`
}

/** saveCredentials writes the entry for `host` into the auth file at `path` (0600, atomically). */
async function saveCredentials(path: string, host: string, creds: Credentials): Promise<void> {
  let existing = ''
  try {
    existing = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  let next: string
  try {
    next = withCredentials(existing, host, creds)
  } catch (err) {
    throw new CliError(`error reading JSON file "${path}": ${(err as Error).message}`)
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, next, { mode: 0o600 })
  await rename(tmp, path)
}

/**
 * checkRegistry asks the registry's `/v2/` with the credentials (none: the session's token, as
 * a pull would), with the kubeconfig's TLS settings, and fails with the registry's own error.
 */
async function checkRegistry(
  session: Session,
  host: string,
  creds: Credentials | undefined,
): Promise<void> {
  const token = session.context.user.token
  const authorization = creds
    ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`
    : token && `Bearer ${token}`
  try {
    const res = await session.client.exchange('GET', `https://${host}/v2/`, {
      ...(authorization && { headers: { authorization } }),
    })
    if (res.status !== 200) throw new CliError(registryErrorText(res.status, res.text))
  } catch (err) {
    throw new CliError(
      `unable to check your credentials - pass --skip-check to bypass this error: ${(err as Error).message}`,
    )
  }
}

/** registryErrorText is a registry error answer as distribution's client prints it (`unauthorized: authentication required`). */
export function registryErrorText(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: string; message?: string }[] }
    const first = parsed.errors?.[0]
    if (first?.code) {
      return `${first.code.toLowerCase().replaceAll('_', ' ')}: ${first.message ?? ''}`
    }
  } catch {
    // Not the registry's JSON: described by its status below.
  }
  return `unexpected status code ${status}`
}

/** runRegistryLogin saves credentials for the integrated registry into the auth file. */
export async function runRegistryLogin(
  _operands: string[],
  flags: RegistryLoginFlags,
  session: Session,
): Promise<number> {
  const { io } = session
  let creds: Credentials
  if (flags.authBasic !== undefined && flags.authBasic !== '') {
    const colon = flags.authBasic.indexOf(':')
    if (colon < 0) throw new CliError('--auth-basic must be in the form user:password')
    creds = {
      username: flags.authBasic.slice(0, colon),
      password: flags.authBasic.slice(colon + 1),
    }
  } else {
    const token = session.context.user.token
    if (!token) throw new CliError('no token is currently in use for this session')
    creds = { username: 'user', password: token }
  }
  let host = flags.registry
  if (!host) {
    const hosts = await findRegistryHosts(session)
    host = hosts.public ?? hosts.internal
    if (hosts.from === 'server') {
      io.stderr.write(`info: Using the server's address as the registry hostname ${host}\n`)
    } else if (hosts.public !== undefined) {
      io.stderr.write(`info: Using registry public hostname ${host}\n`)
    } else {
      io.stderr.write(`info: Using internal registry hostname ${host}\n`)
    }
  }
  if (!host) {
    throw new CliError(
      'The public hostname of the integrated registry could not be determined. Please specify one with --registry.',
    )
  }
  if (!flags.skipCheck) await checkRegistry(session, host, creds)
  const path = flags.registryConfig || flags.to || authFilePath(io.env, process.getuid?.() ?? 0)
  await saveCredentials(path, host, creds)
  io.stdout.write(`Saved credentials for ${host} into ${path}\n`)
  return 0
}

const INFO_EXAMPLES = `
Examples:
  # Display information about the integrated registry
  isctl registry info`

/** configureRegistryInfo declares `registry info`. */
export const configureRegistryInfo: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .summary('Print information about the integrated registry')
    .description(
      `Display information about the integrated registry.

This command prints the hostname of the integrated registry, read off an image stream in the current namespace or in the openshift namespace (the public hostname when the server has one), or the server's own address when there is no image stream to read. Use --check to verify your local client can access the registry.`,
    )
    .option('--check', 'Attempt to contact the integrated registry.')
    .option('--internal', 'Only check the internal registry hostname.')
    .option('--public', 'Only check the public registry hostname.')
    .addHelpText('after', INFO_EXAMPLES)
  sessionAction(cmd, ctx, runRegistryInfo)
}

const LOGIN_EXAMPLES = `
Examples:
  # Log in to the integrated registry
  isctl registry login

  # Log in to a different registry using BASIC auth credentials
  isctl registry login --registry quay.io/myregistry --auth-basic=USER:PASS`

/** configureRegistryLogin declares `registry login`. */
export const configureRegistryLogin: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .summary('Log in to the integrated registry')
    .description(
      `Log in to the integrated registry.

This saves the token of the current session (or the credentials given with --auth-basic) for the integrated registry's hostname in a containers auth file, which podman, skopeo and buildah read (or Docker's config.json, with REGISTRY_AUTH_PREFERENCE=docker), after checking them against the registry.

To detect the registry hostname the client reads an image stream in the current namespace or the openshift namespace; without one it uses the server's own address. Pass --registry to name another hostname.`,
    )
    .option(
      '--auth-basic <user:password>',
      "Provide credentials in the form 'user:password' to authenticate (advanced)",
    )
    .option(
      '-a, --registry-config <path>',
      'The location of the file your credentials will be stored in. Alternatively REGISTRY_AUTH_FILE env variable can be also specified. Defaults to ${XDG_RUNTIME_DIR}/containers/auth.json or /run/containers/${UID}/auth.json.',
    )
    .option(
      '--to <path>',
      'The location of the file your credentials will be stored in (as --registry-config).',
    )
    .option(
      '--registry <host>',
      'An alternate domain name and port to use for the registry, defaults to the hostname image streams report.',
    )
    .option('--skip-check', 'Skip checking the credentials against the registry.')
    .addHelpText('after', LOGIN_EXAMPLES)
  sessionAction(cmd, ctx, runRegistryLogin)
}
