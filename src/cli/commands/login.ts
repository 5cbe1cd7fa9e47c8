/**
 * `isctl login SERVER -u NAME -p PASS` or `isctl login SERVER --token=T`: gets a token by
 * OpenShift's OAuth code flow (client/oauth-login.ts) or takes the one given, checks it with
 * the server (a SelfSubjectReview), picks the project to use, and writes the cluster, user and
 * context under oc's names into the kubeconfig, as `oc login` does. Prompts, on a terminal
 * only, for a missing user name or password; an untrusted certificate, which oc would ask
 * about, is an error naming the flag to pass.
 */
import { access, readFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import type { Command } from 'commander'
import type { CommandIO } from '../io.js'
import type { ApiClient } from '../client/api-client.js'
import { ApiError, ConnectionError } from '../client/api-errors.js'
import {
  contextNames,
  currentContextName,
  loadKubeconfig,
  resolveContext,
  writeKubeconfigChange,
  type Cluster,
  type Kubeconfig,
} from '../client/kubeconfig.js'
import { listProjects, PROJECT_REQUESTS_PATH } from '../client/projects.js'
import { clientExtras, type GlobalFlags } from '../client/session.js'
import { CliError, UsageError } from '../errors.js'
import { localAction, type ConfigureVerb } from '../verb.js'
import { LoginUnauthorizedError, requestOAuthToken } from '../client/oauth-login.js'
import { whoAmI } from './whoami.js'

/** LoginFlags are the flags of `login` as commander hands them over. */
export interface LoginFlags {
  readonly token?: string | undefined
  readonly username?: string | undefined
  readonly password?: string | undefined
  readonly server?: string | undefined
  readonly certificateAuthority?: string | undefined
  readonly insecureSkipTlsVerify?: boolean | undefined
}

/** Past this many projects the list is not printed, as oc does. */
const PROJECT_LIST_LIMIT = 50

const EXAMPLES = `
Examples:
  # Log in as a user of the server's --htpasswd file (prompts for the password on a terminal)
  isctl login https://127.0.0.1:8443 -u alice --certificate-authority=ca.crt

  # Log in with the admin token that "isctl serve" wrote to its admin.kubeconfig
  isctl login https://127.0.0.1:8443 --token=TOKEN --certificate-authority=ca.crt

  # Log in again later: the certificate authority of a known server is reused
  isctl login https://127.0.0.1:8443 --token=TOKEN
`

/** normalizeServer is oc's server URL normalisation: https by default, no default port, no trailing slash. */
export function normalizeServer(input: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `https://${input}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new UsageError(`invalid server URL "${input}"`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`invalid server URL "${input}": the scheme must be https or http`)
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`
}

/** completeLoginServer picks the server: the operand, `--server`, or the current context's. */
export function completeLoginServer(
  operands: readonly string[],
  flags: LoginFlags,
  currentServer: string | undefined,
): string {
  if (operands.length > 1)
    throw new UsageError('Only the server URL may be specified as an argument')
  if (flags.server && operands.length === 1) {
    throw new UsageError(
      '--server and passing the server URL as an argument are mutually exclusive',
    )
  }
  const server = operands[0] ?? flags.server ?? currentServer
  if (!server) throw new UsageError('A server URL must be specified')
  return normalizeServer(server)
}

const CA_UNKNOWN_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
])
const CERT_INVALID_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'INVALID_CA',
  'CERT_SIGNATURE_FAILURE',
])

/**
 * loginConnectionMessage words a failed connection as oc login does, with the flag to pass
 * where oc would prompt (an unknown certificate authority).
 */
export function loginConnectionMessage(cause: unknown, server: string): string {
  const err = cause instanceof Error ? cause : new Error(String(cause))
  const code = 'code' in err ? String(err.code) : ''
  if (CA_UNKNOWN_CODES.has(code)) {
    return 'The server uses a certificate signed by unknown authority. You may need to use the --certificate-authority flag to provide the path to a certificate file for the certificate authority, or --insecure-skip-tls-verify to bypass the certificate check and use insecure connections.'
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `The server is using a certificate that does not match its hostname: ${err.message}`
  }
  if (CERT_INVALID_CODES.has(code)) {
    return `The server is using an invalid certificate: ${err.message}`
  }
  if (code === 'EPROTO' || /wrong version number|packet length too long/.test(err.message)) {
    return `Unable to connect to ${server} using TLS: ${err.message}.\nEnsure the specified server supports HTTPS.`
  }
  if (err.name === 'TimeoutError' || err.name === 'AbortError') {
    return `${server}: the request timed out (see --request-timeout)`
  }
  return `${err.message} - verify you have provided the correct host and port and that the server is currently running.`
}

/** ProjectChoice is what login prints about projects and the one it settles on. */
export interface ProjectChoice {
  readonly project: string
  readonly text: string
}

/**
 * chooseProject is oc's gatherProjectInfo over the projects the user may see: the wanted one
 * when it is there, else `default`, else the first; `undefined` names means the list could not
 * be read. With none, it says whether the user may request one (`canRequest`).
 */
export function chooseProject(
  names: readonly string[] | undefined,
  wanted: string | undefined,
  listError?: string,
  canRequest = false,
): ProjectChoice {
  if (names === undefined) {
    const warning = listError ? `WARNING: Failed to list projects: ${listError}\n` : ''
    return {
      project: 'default',
      text: `${warning}Using "default" namespace.  You can switch namespaces with:\n\n isctl project <projectname>\n`,
    }
  }
  const sorted = [...new Set(names)].sort()
  if (sorted.length === 0) {
    return {
      project: '',
      text: canRequest
        ? "You don't have any projects. You can try to create a new project, by running\n\n    isctl new-project <projectname>\n\n"
        : "You don't have any projects. Contact your system administrator to request a project.\n",
    }
  }
  if (sorted.length === 1) {
    const only = sorted[0]!
    return {
      project: only,
      text: `You have one project on this server: "${only}"\n\nUsing project "${only}".\n`,
    }
  }
  const project =
    wanted && sorted.includes(wanted) ? wanted : sorted.includes('default') ? 'default' : sorted[0]!
  const list =
    sorted.length > PROJECT_LIST_LIMIT
      ? `You have access to ${sorted.length} projects, the list has been suppressed. You can list all projects with 'isctl projects'\n\n`
      : "You have access to the following projects and can switch between them with 'isctl project <projectname>':\n\n" +
        sorted.map((p) => (p === project ? `  * ${p}\n` : `    ${p}\n`)).join('') +
        '\n'
  return { project, text: `${list}Using project "${project}".\n` }
}

function listOf(doc: Record<string, unknown>, list: string): Record<string, unknown>[] {
  const items = doc[list]
  return Array.isArray(items)
    ? items.filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null)
    : []
}

function inner(item: Record<string, unknown>, field: string): Record<string, unknown> {
  const v = item[field]
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {}
}

/**
 * existingContextName is oc's FindExistingContextName: a context already naming this cluster,
 * user and namespace is reused rather than duplicated under oc's name.
 */
export function existingContextName(
  config: Kubeconfig,
  want: { cluster: string; user: string; namespace: string },
): string | undefined {
  for (const file of config.files) {
    for (const item of listOf(file.doc, 'contexts')) {
      const c = inner(item, 'context')
      if (
        typeof item.name === 'string' &&
        c.cluster === want.cluster &&
        c.user === want.user &&
        (c.namespace ?? '') === want.namespace
      )
        return item.name
    }
  }
  return undefined
}

/** KnownTrust is what the kubeconfig already says about trusting a server. */
export interface KnownTrust {
  readonly caFile?: string
  readonly caData?: string
  readonly insecure: boolean
}

/** knownTrust finds a cluster entry for `server` and takes its CA, or its insecure flag, as oc does. */
export function knownTrust(config: Kubeconfig, server: string): KnownTrust {
  let insecure = false
  for (const file of config.files) {
    for (const item of listOf(file.doc, 'clusters')) {
      const c = inner(item, 'cluster') as Cluster
      if (typeof c.server !== 'string' || normalizeServer(c.server) !== server) continue
      if (c['insecure-skip-tls-verify'] === true) insecure = true
      const file0 = c['certificate-authority']
      if (file0) {
        return {
          caFile: isAbsolute(file0) ? file0 : join(dirname(file.path), file0),
          insecure: false,
        }
      }
      if (c['certificate-authority-data']) {
        return { caData: c['certificate-authority-data'], insecure: false }
      }
    }
  }
  return { insecure }
}

async function loadForLogin(flags: GlobalFlags, io: CommandIO): Promise<Kubeconfig> {
  if (flags.kubeconfig) {
    const path = resolve(flags.kubeconfig)
    // Login may create the file --kubeconfig names, as oc login does.
    const exists = await access(path).then(
      () => true,
      () => false,
    )
    if (!exists) return { files: [{ path, exists: false, doc: {} }], source: '--kubeconfig' }
  }
  return loadKubeconfig(flags.kubeconfig, io.env)
}

async function readCA(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    throw new CliError(`unable to read certificate-authority ${path}: ${(err as Error).message}`)
  }
}

/** projectNames lists the projects the user may see, as oc's login does; refused is none. */
async function projectNames(client: ApiClient): Promise<{ names?: string[]; error?: string }> {
  try {
    return { names: (await listProjects(client)).map((p) => p.name) }
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) return {}
    return { error: err instanceof Error ? err.message : String(err) }
  }
}

/** mayRequestProjects asks the server whether the user may request projects, as `oc new-project` does first. */
async function mayRequestProjects(client: ApiClient): Promise<boolean> {
  try {
    await client.request('GET', PROJECT_REQUESTS_PATH)
    return true
  } catch (err) {
    if (err instanceof ApiError) return false
    throw err
  }
}

/**
 * askCredentials completes the user name and password from the flags, prompting on a terminal
 * for what is missing, as oc's Basic challenge handler does.
 */
async function askCredentials(
  server: string,
  flags: LoginFlags,
  io: CommandIO,
): Promise<{ username: string; password: string }> {
  let username = flags.username ?? ''
  let password = flags.password
  if ((username === '' || password === undefined) && io.prompt) {
    io.stdout.write(`Authentication required for ${server} (openshift)\n`)
    if (username === '') username = await io.prompt('Username: ', { echo: true })
    password ??= await io.prompt('Password: ', { echo: false })
  }
  if (username === '') throw new UsageError('a user name is required (-u)')
  if (password === undefined) {
    throw new UsageError('a password is required: pass -p, or run isctl login on a terminal')
  }
  return { username, password }
}

/** configureLogin declares `login`. */
export const configureLogin: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      'Log in to your server and save the login for subsequent use.\n\nThe token is checked with the server, then the server, the token and the project to use are saved to your configuration file (~/.kube/config, $KUBECONFIG or --kubeconfig) under the names oc gives them, so kubectl and oc can use them too.',
    )
    .argument('[SERVER]', 'The server URL, e.g. https://127.0.0.1:8443')
    .option('-u, --username <name>', 'Username for server')
    .option('-p, --password <password>', 'Password for server')
    .option('--token <token>', 'Bearer token for authentication to the API server')
    .option('-s, --server <server>', 'The address and port of the API server')
    .option('--certificate-authority <path>', 'Path to a cert file for the certificate authority')
    .option(
      '--insecure-skip-tls-verify',
      "If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure",
    )
    .addHelpText('after', EXAMPLES)
  localAction(cmd, ctx, runLogin)
}

/** runLogin verifies the token and saves the login; resolves to the exit code. */
export async function runLogin(
  operands: string[],
  flags: LoginFlags & GlobalFlags,
  io: CommandIO,
): Promise<number> {
  const extras = clientExtras(flags, io)
  const config = await loadForLogin(flags, io)
  let current: { server?: string; namespace: string } | undefined
  if (flags.context || currentContextName(config)) {
    try {
      const c = resolveContext(config, flags.context)
      current = { server: c.cluster.server, namespace: c.namespace }
    } catch {
      current = undefined
    }
  }
  const server = completeLoginServer(operands, flags, current?.server)
  if (flags.token && flags.username) {
    throw new UsageError('--token and --username are mutually exclusive')
  }
  if (!flags.token && !flags.username && !io.prompt) {
    throw new UsageError(
      'a user name (-u) or a token (--token) is required: the admin token is in the admin.kubeconfig that "isctl serve" writes',
    )
  }
  if (flags.insecureSkipTlsVerify && flags.certificateAuthority) {
    throw new UsageError(
      'certificate-authority, certificate-authority-data are mutually exclusive with insecure-skip-tls-verify',
    )
  }
  const known = flags.certificateAuthority ? { insecure: false } : knownTrust(config, server)
  const insecure = flags.insecureSkipTlsVerify === true || known.insecure
  const caFile = flags.certificateAuthority ? resolve(flags.certificateAuthority) : known.caFile
  const caPem = known.caData
    ? Buffer.from(known.caData, 'base64').toString('utf8')
    : caFile !== undefined
      ? await readCA(caFile)
      : undefined

  const { ApiClient } = await import('../client/api-client.js')
  const connect = (token: string | undefined) =>
    new ApiClient({
      server,
      caPem: insecure ? undefined : caPem,
      insecureSkipTLSVerify: insecure,
      token,
      ...extras,
    })
  if (insecure) {
    io.stdout.write(
      'WARNING: Using insecure TLS client config. Setting this option is not supported!\n\n',
    )
  }
  let token = flags.token
  if (!token) {
    const password = await askCredentials(server, flags, io)
    const anonymous = connect(undefined)
    try {
      token = await requestOAuthToken(anonymous, password.username, password.password)
    } catch (err) {
      if (err instanceof LoginUnauthorizedError) {
        // oc prints these on standard output and exits 1.
        io.stdout.write(
          'Login failed (401 Unauthorized)\nVerify you have provided the correct credentials.\n',
        )
        return 1
      }
      if (err instanceof ConnectionError)
        throw new CliError(loginConnectionMessage(err.cause, server))
      throw err
    } finally {
      await anonymous.close()
    }
  }
  const client = connect(token)
  try {
    let user: string
    try {
      user = (await whoAmI(client)).username
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        throw new CliError('The token provided is invalid or expired.')
      }
      if (err instanceof ConnectionError)
        throw new CliError(loginConnectionMessage(err.cause, server))
      throw err
    }
    io.stdout.write(
      flags.token
        ? `Logged into "${server}" as "${user}" using the token provided.\n\n`
        : 'Login successful.\n\n',
    )

    const listed = await projectNames(client)
    const canRequest = listed.names?.length === 0 && (await mayRequestProjects(client))
    const choice = chooseProject(
      listed.names,
      flags.namespace || current?.namespace,
      listed.error,
      canRequest,
    )
    io.stdout.write(choice.text)

    const names = contextNames(server, user, choice.project)
    const cluster: Cluster = insecure
      ? { server, 'insecure-skip-tls-verify': true }
      : known.caData
        ? { server, 'certificate-authority-data': known.caData }
        : caFile !== undefined
          ? { server, 'certificate-authority': caFile }
          : { server }
    const context = { cluster: names.cluster, user: names.user, namespace: choice.project }
    const reuse = existingContextName(config, context)
    await writeKubeconfigChange(config, {
      clusters: [{ name: names.cluster, cluster }],
      users: [{ name: names.user, user: { token } }],
      ...(reuse === undefined && { contexts: [{ name: names.context, context }] }),
      currentContext: reuse ?? names.context,
    })
    const created = await Promise.all(
      config.files
        .filter((f) => !f.exists)
        .map((f) =>
          access(f.path).then(
            () => true,
            () => false,
          ),
        ),
    )
    if (created.some(Boolean)) io.stdout.write("Welcome! See 'isctl help' to get started.\n")
    return 0
  } finally {
    await client.close()
  }
}
