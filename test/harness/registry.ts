/** Starts Debian's docker-registry (distribution 2.8) on a free loopback port, one per call. */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Agent } from 'undici'
import { httpRequest, makeAgent } from './http.js'
import {
  freePort,
  killChild,
  makeTempDir,
  pollUntil,
  removeTempDir,
  runCommand,
  trackChild,
} from './process.js'
import { createTestCA, type TestCA } from './tls.js'
import {
  startTokenServer,
  type RunningTokenServer,
  type TokenServerOptions,
  type TokenUser,
} from './token-server.js'

/** The account the harness itself pushes fixtures with on basic/token registries. */
export const PUSH_USER = 'pusher'
/** The Basic realm of htpasswd registries the harness configures. */
export const BASIC_REALM = 'testbed-basic'
const REGISTRY_BIN = 'docker-registry'

/** How a harness registry authenticates clients. */
export type RegistryAuth = 'none' | 'basic' | 'token'

/** Options for `startRegistry`. */
export interface RegistryOptions {
  auth: RegistryAuth
  /** Serve HTTPS with a fresh harness CA. Default true for basic/token, false for none. */
  tls?: boolean
  /** htpasswd users (name → password) for `auth: 'basic'`; the push user is added. */
  users?: Record<string, string>
  /** Token server accounts and policy for `auth: 'token'`; the push user is added. */
  token?: TokenServerOptions
}

/** One line of the registry's access log. */
export interface RegistryRequest {
  method: string
  /** Path and query as requested, e.g. `/v2/multi/oci-app/manifests/v1`. */
  path: string
  status: number
  /** Response bytes written. */
  bytes: number
  userAgent: string
}

/** A running registry and everything started for it. */
export interface RunningRegistry {
  auth: RegistryAuth
  tls: boolean
  /** `127.0.0.1:PORT`, as used in image references. */
  host: string
  /** `http(s)://127.0.0.1:PORT`. */
  url: string
  /** The CA that signed the registry's (and token server's) certificate, when TLS. */
  ca?: TestCA
  tokenServer?: RunningTokenServer
  /** `user:password` of the harness push user (`undefined` for `auth: 'none'`). */
  pushCreds?: string
  /** An undici Agent that trusts `ca`; closed by `stop()`. */
  agent: Agent
  /** Directory holding config.yml, storage, htpasswd. */
  dir: string
  /** Requests the registry has logged so far (may lag the last response by a moment). */
  accessLog(): RegistryRequest[]
  /** Waits until every request answered before this call is in the log, then returns the log. */
  accessLogSettled(): Promise<RegistryRequest[]>
  /** Forgets the access log collected so far. */
  clearAccessLog(): void
  /** Kills the registry (and token server), closes the agent and removes all temp files. */
  stop(): Promise<void>
}

// gorilla's CombinedLoggingHandler writes one Apache line per request to stdout, 401s included
// (logrus' "response completed" on stderr skips requests rejected by the auth layer).
const ACCESS_LINE = /^\S+ \S+ \S+ \[[^\]]*\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+|-) "[^"]*" "([^"]*)"/

/** Parses one Apache combined-format line as distribution writes it; undefined otherwise. */
export function parseAccessLine(line: string): RegistryRequest | undefined {
  const m = ACCESS_LINE.exec(line)
  if (!m) return undefined
  return {
    method: m[1]!,
    path: m[2]!,
    status: Number(m[3]),
    bytes: m[4] === '-' ? 0 : Number(m[4]),
    userAgent: m[5]!,
  }
}

/** Starts a registry (and, for token auth, its token server) with its own CA, port and storage. */
export async function startRegistry(opts: RegistryOptions): Promise<RunningRegistry> {
  const dir = makeTempDir('registry')
  const cleanups: (() => Promise<void>)[] = [() => removeTempDir(dir)]
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined)
  }
  try {
    return await startIn(dir, opts, cleanups, cleanup)
  } catch (e) {
    await cleanup()
    throw e
  }
}

async function startIn(
  dir: string,
  opts: RegistryOptions,
  cleanups: (() => Promise<void>)[],
  cleanup: () => Promise<void>,
): Promise<RunningRegistry> {
  const tls = opts.tls ?? opts.auth !== 'none'
  const needsCa = tls || opts.auth === 'token'
  const ca = needsCa ? await createTestCA(join(dir, 'ca')) : undefined
  const pushPassword = randomBytes(12).toString('hex')
  const pushCreds = opts.auth === 'none' ? undefined : `${PUSH_USER}:${pushPassword}`

  let authYaml = ''
  let tokenServer: RunningTokenServer | undefined
  if (opts.auth === 'basic') {
    const users = { ...opts.users, [PUSH_USER]: pushPassword }
    // -C 4: the lowest bcrypt cost; every Basic request is bcrypt-checked by the registry.
    const lines = await Promise.all(
      Object.entries(users).map(async ([name, pw]) => {
        const r = await runCommand('htpasswd', ['-Bbn', '-C', '4', name, pw])
        return r.stdout.trim()
      }),
    )
    const htpasswd = join(dir, 'htpasswd')
    await writeFile(htpasswd, lines.join('\n') + '\n')
    authYaml = `auth:\n  htpasswd:\n    realm: ${BASIC_REALM}\n    path: ${JSON.stringify(htpasswd)}\n`
  } else if (opts.auth === 'token') {
    const pusher: TokenUser = { password: pushPassword, grants: { '*': ['*'] }, catalog: true }
    tokenServer = await startTokenServer({
      ...opts.token,
      users: { ...opts.token?.users, [PUSH_USER]: pusher },
      ca: ca!,
    })
    const ts = tokenServer
    cleanups.push(() => ts.stop())
    authYaml = [
      'auth:',
      '  token:',
      `    realm: ${JSON.stringify(ts.realm)}`,
      `    service: ${JSON.stringify(ts.service)}`,
      `    issuer: ${JSON.stringify(ts.issuer)}`,
      `    rootcertbundle: ${JSON.stringify(ts.rootCertBundlePath)}`,
      '',
    ].join('\n')
  }

  const agent = makeAgent(ca?.caCertPem)
  cleanups.push(() => agent.close())

  const log: RegistryRequest[] = []
  let child: ChildProcess | undefined
  let port = 0
  // Another process may grab the port between our probe and the registry's bind: retry once.
  for (let attempt = 0; ; attempt++) {
    port = await freePort()
    const configPath = join(dir, 'config.yml')
    await writeFile(configPath, configYaml(dir, port, tls ? ca : undefined, authYaml))
    const started = spawnRegistry(configPath, log)
    child = started.child
    const c = child
    try {
      await pollUntil(
        `docker-registry on 127.0.0.1:${port}`,
        async () => {
          const res = await httpRequest(`${tls ? 'https' : 'http'}://127.0.0.1:${port}/v2/`, {
            dispatcher: agent,
          })
          return res.status === 200 || res.status === 401
        },
        {
          timeoutMs: 20_000,
          abort: () =>
            c.exitCode !== null || c.signalCode !== null
              ? new Error(`docker-registry exited early: ${started.stderr().slice(-2000)}`)
              : undefined,
        },
      )
      break
    } catch (e) {
      await killChild(c)
      if (attempt === 0 && /address already in use/i.test(started.stderr())) continue
      throw e
    }
  }
  const running = child
  cleanups.push(() => killChild(running))

  const host = `127.0.0.1:${port}`
  const url = `${tls ? 'https' : 'http'}://${host}`
  let stopped = false
  // The marker request never matches a route that a test would use, so filtering it is safe.
  const markerPrefix = '/v2/?harness-marker='
  const visible = (): RegistryRequest[] => log.filter((r) => !r.path.startsWith(markerPrefix))

  return {
    auth: opts.auth,
    tls,
    host,
    url,
    ca,
    tokenServer,
    pushCreds,
    agent,
    dir,
    accessLog: visible,
    accessLogSettled: async () => {
      const marker = `${markerPrefix}${randomUUID()}`
      await httpRequest(url + marker, { dispatcher: agent })
      await pollUntil('the access log marker', () =>
        Promise.resolve(log.some((r) => r.path === marker)),
      )
      return visible()
    },
    clearAccessLog: () => {
      log.length = 0
    },
    stop: async () => {
      if (stopped) return
      stopped = true
      await cleanup()
    },
  }
}

function configYaml(dir: string, port: number, ca: TestCA | undefined, authYaml: string): string {
  const tlsYaml = ca
    ? `  tls:\n    certificate: ${JSON.stringify(ca.serverCertPath)}\n    key: ${JSON.stringify(ca.serverKeyPath)}\n`
    : ''
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: text',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(join(dir, 'storage'))}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    // A fixed secret silences the warning and keeps upload state valid across the one process.
    `  secret: ${randomBytes(16).toString('hex')}`,
    tlsYaml + authYaml,
  ].join('\n')
}

function spawnRegistry(
  configPath: string,
  log: RegistryRequest[],
): { child: ChildProcess; stderr: () => string } {
  const child = spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] })
  trackChild(child)
  let stderr = ''
  let pending = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    pending += chunk
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      const r = parseAccessLine(line)
      if (r) log.push(r)
    }
  })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    // Keep only the tail: it is read for start-up errors, and info logging is chatty.
    stderr = (stderr + chunk).slice(-20_000)
  })
  return { child, stderr: () => stderr }
}
