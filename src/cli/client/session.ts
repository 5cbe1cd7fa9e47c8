/**
 * A verb's connection to the server: the kubeconfig resolved with the global flags, the API
 * client built from it, and the namespace the verb works in.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { CommandIO } from '../io.js'
import { GO_DURATION_UNIT_MS } from '../../lib/duration.js'
import { CliError, UsageError } from '../errors.js'
import type { ApiClient, ApiClientOptions } from './api-client.js'
import {
  currentContextName,
  loadKubeconfig,
  resolveContext,
  type Kubeconfig,
  type ResolvedContext,
} from './kubeconfig.js'
import { requestLog } from './request-log.js'

/**
 * GlobalFlags are the flags every verb accepts, before or after the verb (as oc does); see
 * ../global-flags.ts. The connection flags override what the kubeconfig says, as kubectl's.
 */
export interface GlobalFlags {
  readonly namespace?: string | undefined
  readonly kubeconfig?: string | undefined
  readonly context?: string | undefined
  readonly requestTimeout?: string | undefined
  readonly server?: string | undefined
  readonly token?: string | undefined
  readonly certificateAuthority?: string | undefined
  readonly insecureSkipTlsVerify?: boolean | undefined
  readonly as?: string | undefined
  readonly asGroup?: readonly string[] | undefined
  /** `-v`, parsed. */
  readonly v?: number | undefined
  /** `--loglevel`, oc's name for `-v`. */
  readonly loglevel?: number | undefined
}

/** Session is what an API verb runs with. */
export interface Session {
  readonly client: ApiClient
  /** `-n`, else the context's namespace, else `default`. */
  readonly namespace: string
  /** Whether `-n` was given (some messages name the namespace only then). */
  readonly namespaceExplicit: boolean
  readonly config: Kubeconfig
  readonly context: ResolvedContext
  readonly io: CommandIO
}

const TIMEOUT_ERROR =
  'Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)'

/**
 * parseRequestTimeout reads kubectl's `--request-timeout` in milliseconds: a bare number of
 * seconds, or a Go duration (`1h2m3s`, `1.5s`, `100ms`). Zero or negative waits forever, as
 * client-go treats a timeout that is not positive.
 */
export function parseRequestTimeout(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  if (/^\d+$/.test(value)) return Number(value) > 0 ? Number(value) * 1000 : undefined
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(value)
  if (!m) throw new UsageError(TIMEOUT_ERROR)
  let ms = 0
  for (const part of m[2]!.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    ms += Number(part[1]) * GO_DURATION_UNIT_MS[part[2]!]!
  }
  return m[1] === '-' || ms <= 0 ? undefined : ms
}

async function readPem(path: string | undefined, what: string): Promise<string | undefined> {
  if (path === undefined || path === '') return undefined
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    throw new CliError(`unable to read ${what} "${path}": ${(err as Error).message}`)
  }
}

function decode(data: string | undefined): string | undefined {
  return data ? Buffer.from(data, 'base64').toString('utf8') : undefined
}

/**
 * resolveWithFlags picks the context and applies the connection flags over it, as client-go's
 * DirectClientConfig applies its overrides: `--server` needs no kubeconfig at all;
 * `--certificate-authority` or `--insecure-skip-tls-verify` replaces the cluster's trust
 * settings; `--token` replaces the user's token.
 */
export function resolveWithFlags(config: Kubeconfig, flags: GlobalFlags): ResolvedContext {
  const contextless = flags.server && !flags.context && currentContextName(config) === undefined
  const base: ResolvedContext = contextless
    ? {
        contextName: '',
        clusterName: '',
        userName: '',
        cluster: {},
        user: {},
        namespace: 'default',
      }
    : resolveContext(config, flags.context)
  const cluster = { ...base.cluster }
  if (flags.server) {
    cluster.server = /^[a-z][a-z0-9+.-]*:\/\//i.test(flags.server)
      ? flags.server
      : `https://${flags.server}`
    delete cluster['tls-server-name']
  }
  if (flags.insecureSkipTlsVerify || flags.certificateAuthority) {
    if (flags.insecureSkipTlsVerify && flags.certificateAuthority) {
      throw new CliError(
        'specifying a root certificates file with the insecure flag is not allowed',
      )
    }
    cluster['insecure-skip-tls-verify'] = flags.insecureSkipTlsVerify === true
    delete cluster['certificate-authority-data']
    if (flags.certificateAuthority) {
      cluster['certificate-authority'] = resolve(flags.certificateAuthority)
    } else delete cluster['certificate-authority']
  }
  const user = { ...base.user }
  if (flags.token) {
    user.token = flags.token
    delete user.tokenFile
  }
  return { ...base, cluster, user }
}

/**
 * clientExtras are the client options the global flags give beside the server and the
 * credentials: the request timeout, impersonation and the `-v` request log.
 */
export function clientExtras(
  flags: GlobalFlags,
  io: CommandIO,
): Pick<ApiClientOptions, 'timeoutMs' | 'signal' | 'impersonate' | 'log'> {
  const groups = flags.asGroup ?? []
  if (groups.length > 0 && !flags.as) {
    // client-go's words, with the empty user name between the two spaces.
    throw new CliError('requesting uid, groups or user-extra for  without impersonating a user')
  }
  return {
    timeoutMs: parseRequestTimeout(flags.requestTimeout),
    signal: io.signal,
    impersonate: { user: flags.as, groups },
    log: requestLog({
      level: Math.max(flags.v ?? 0, flags.loglevel ?? 0),
      sink: io.stderr,
      now: io.now,
      pid: process.pid,
    }),
  }
}

/** openSession loads the configuration and builds the client; nothing is sent yet. */
export async function openSession(flags: GlobalFlags, io: CommandIO): Promise<Session> {
  const extras = clientExtras(flags, io)
  const config = await loadKubeconfig(flags.kubeconfig, io.env)
  const context = resolveWithFlags(config, flags)
  const { cluster, user } = context
  const token =
    user.token ??
    (user.tokenFile !== undefined
      ? (await readPem(user.tokenFile, 'token file'))?.trim()
      : undefined)
  // Loaded here, not at the top: undici comes with the first session, not with the verb.
  const { ApiClient } = await import('./api-client.js')
  const client = new ApiClient({
    server: cluster.server!,
    caPem:
      decode(cluster['certificate-authority-data']) ??
      (await readPem(cluster['certificate-authority'], 'certificate authority')),
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'],
    tlsServerName: cluster['tls-server-name'],
    token,
    certPem:
      decode(user['client-certificate-data']) ??
      (await readPem(user['client-certificate'], 'client certificate')),
    keyPem: decode(user['client-key-data']) ?? (await readPem(user['client-key'], 'client key')),
    ...extras,
  })
  return {
    client,
    namespace: flags.namespace || context.namespace,
    namespaceExplicit: Boolean(flags.namespace),
    config,
    context,
    io,
  }
}
