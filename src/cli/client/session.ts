/**
 * A verb's connection to the server: the kubeconfig resolved with the global flags, the API
 * client built from it, and the namespace the verb works in.
 */
import { readFile } from 'node:fs/promises'
import type { CommandIO } from '../io.js'
import { GO_DURATION_UNIT_MS } from '../../lib/duration.js'
import { CliError, UsageError } from '../errors.js'
import type { ApiClient } from './api-client.js'
import {
  loadKubeconfig,
  resolveContext,
  type Kubeconfig,
  type ResolvedContext,
} from './kubeconfig.js'

/** GlobalFlags are the flags every API verb accepts, before or after the verb (as oc does). */
export interface GlobalFlags {
  readonly namespace?: string | undefined
  readonly kubeconfig?: string | undefined
  readonly context?: string | undefined
  readonly requestTimeout?: string | undefined
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

/** openSession loads the configuration and builds the client; nothing is sent yet. */
export async function openSession(flags: GlobalFlags, io: CommandIO): Promise<Session> {
  const timeoutMs = parseRequestTimeout(flags.requestTimeout)
  const config = await loadKubeconfig(flags.kubeconfig, io.env)
  const context = resolveContext(config, flags.context)
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
    timeoutMs,
    signal: io.signal,
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
