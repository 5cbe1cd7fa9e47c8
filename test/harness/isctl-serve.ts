/** A real `isctl serve` process (the built binary) and a kubectl pointed at it, for e2e suites. */
import { spawn, type ChildProcess } from 'node:child_process'
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { after, before } from 'node:test'
import { parse, stringify } from 'yaml'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { httpRequest, makeAgent } from './http.js'
import {
  CommandError,
  makeTempDir,
  pollUntil,
  removeTempDir,
  runCommand,
  trackChild,
  type CommandResult,
} from './process.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** The compiled CLI, as `npx isctl` runs it. */
export const ISCTL_BIN = join(ROOT, 'dist', 'cmd', 'isctl.cjs')
// The Debian kubectl is a dispatcher that picks kubectl.1.<minor> from /version; the pinned
// 1.32 binary makes results independent of that choice (docs/kubernetes-api.md#version).
const PINNED_KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32'
/** The kubectl the e2e suites drive. */
export const KUBECTL = existsSync(PINNED_KUBECTL) ? PINNED_KUBECTL : 'kubectl'

/** A running `isctl serve` and what it printed. */
export interface ServeProcess {
  readonly child: ChildProcess
  /** `host:port` it listens on. */
  readonly address: string
  readonly kubeconfig: string
  /** The JSON log lines printed so far. */
  readonly lines: () => Record<string, unknown>[]
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** StartServeOptions shape what startServe keeps of the process's output. */
export interface StartServeOptions {
  /**
   * Whether `lines()` holds every line the server prints (the default, which tests read). A
   * bench under load sets false: past the `serving` line the output is drained and dropped,
   * so the bench spends nothing on one access line per request and its memory does not grow;
   * `lines()` then holds the lines up to `serving`.
   */
  readonly keepLog?: boolean
  /** How long the server may take to listen; default 20 s (a bench's large store takes longer). */
  readonly listenTimeoutMs?: number
}

/** startServe runs `isctl serve --data-dir DIR --listen 127.0.0.1:0 ...` until it listens. */
export async function startServe(
  dataDir: string,
  extra: readonly string[] = [],
  options: StartServeOptions = {},
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [ISCTL_BIN, 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: dataDir } },
  )
  trackChild(child)
  let stdout = ''
  let stderr = ''
  const keep = (b: Buffer) => (stdout += b.toString('utf8'))
  child.stdout.on('data', keep)
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const lines = () =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
  const serving = () => lines().find((l) => l.msg === 'serving')
  await pollUntil('isctl serve to listen', () => Promise.resolve(serving() !== undefined), {
    timeoutMs: options.listenTimeoutMs ?? 20_000,
    abort: () =>
      child.exitCode === null
        ? undefined
        : new Error(`isctl serve exited ${child.exitCode}: ${stderr}`),
  })
  const line = serving()!
  if (options.keepLog === false) {
    child.stdout.off('data', keep)
    // Still read, so that the server never blocks on a full pipe.
    child.stdout.resume()
    stdout = stdout.slice(0, stdout.lastIndexOf('\n') + 1)
  }
  return {
    child,
    address: String(line.address),
    kubeconfig: String(line.kubeconfig),
    lines,
    exited,
  }
}

/** AdminCredentials are what a client needs from a server's admin.kubeconfig. */
export interface AdminCredentials {
  readonly server: string
  readonly token: string
  readonly caPem: string
  /** The data dir's `ca.crt`, for tools that take a file (skopeo's cert dirs, isctl login). */
  readonly caFile: string
}

/** adminCredentials reads the server URL, admin token and CA from the admin.kubeconfig at `kubeconfig`. */
export function adminCredentials(kubeconfig: string): AdminCredentials {
  const doc = parse(readFileSync(kubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]
    users: { user: { token: string } }[]
  }
  const cluster = doc.clusters[0]!.cluster
  return {
    server: cluster.server,
    token: doc.users[0]!.user.token,
    caPem: Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8'),
    caFile: join(dirname(kubeconfig), 'ca.crt'),
  }
}

/**
 * serverCertDir makes `dir` a cert dir (for skopeo's and podman's `--cert-dir`) that trusts the
 * server whose admin.kubeconfig is `kubeconfig`, and returns it.
 */
export function serverCertDir(kubeconfig: string, dir: string): string {
  mkdirSync(dir, { recursive: true })
  copyFileSync(adminCredentials(kubeconfig).caFile, join(dir, 'ca.crt'))
  return dir
}

/**
 * skopeoInspect runs `skopeo inspect --raw` of `ref` trusting `certDir`, with `--creds` (else
 * `--no-creds`); never throws on exit codes.
 */
export async function skopeoInspect(
  ref: string,
  opts: { certDir: string; creds?: string },
): Promise<CommandResult> {
  try {
    return await runCommand('skopeo', [
      'inspect',
      '--raw',
      '--cert-dir',
      opts.certDir,
      ...(opts.creds !== undefined ? ['--creds', opts.creds] : ['--no-creds']),
      `docker://${ref}`,
    ])
  } catch (err) {
    if (err instanceof CommandError) return err.result
    throw err
  }
}

/**
 * registryAnswer sends one GET to `path` of the integrated registry of the server whose
 * admin.kubeconfig is `kubeconfig`, with `authorization`, and returns its status and the first
 * error code of its body (distribution's dialect).
 */
export async function registryAnswer(
  kubeconfig: string,
  path: string,
  authorization: string,
): Promise<{ status: number; code: string | undefined }> {
  const admin = adminCredentials(kubeconfig)
  const agent = makeAgent(admin.caPem)
  try {
    const res = await httpRequest(`${admin.server}${path}`, {
      headers: { authorization },
      dispatcher: agent,
    })
    const body = JSON.parse(res.body.toString('utf8')) as { errors?: { code: string }[] }
    return { status: res.status, code: body.errors?.[0]?.code }
  } finally {
    await agent.close()
  }
}

/** stopServe signals the process (SIGTERM by default) and waits for it to exit. */
export async function stopServe(server: ServeProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal)
  return server.exited
}

/** PullSecret is a `kubernetes.io/dockerconfigjson` secret as `create secret docker-registry` makes it. */
export interface PullSecret {
  readonly name: string
  readonly namespace: string
  readonly server: string
  readonly username: string
  readonly password: string
}

/** pullSecretArgs are the kubectl (or isctl) arguments that create `secret`. */
export function pullSecretArgs(secret: PullSecret): string[] {
  return [
    'create',
    'secret',
    'docker-registry',
    secret.name,
    `--docker-server=${secret.server}`,
    `--docker-username=${secret.username}`,
    `--docker-password=${secret.password}`,
    '-n',
    secret.namespace,
  ]
}

/** kubectl runs the e2e kubectl with a kubeconfig and a private cache; never throws on exit codes. */
export async function kubectl(
  args: readonly string[],
  opts: { kubeconfig: string; cacheDir: string; bin?: string; input?: string },
): Promise<CommandResult> {
  try {
    return await runCommand(
      opts.bin ?? KUBECTL,
      ['--kubeconfig', opts.kubeconfig, '--cache-dir', opts.cacheDir, ...args],
      // A private HOME keeps ~/.kube out of it; kubectl must never wait on a prompt.
      {
        env: { PATH: process.env.PATH, HOME: opts.cacheDir },
        ...(opts.input !== undefined && { input: opts.input }),
      },
    )
  } catch (err) {
    if (err instanceof CommandError) return err.result
    throw err
  }
}

/** A kubectl left running in the background (a watch), with what it has printed so far. */
export interface BackgroundKubectl {
  output(): string
  errors(): string
  /** ended says whether kubectl has exited, as a watch does when the server ends it. */
  ended(): boolean
  stop(): void
}

/** kubectlInBackground starts kubectl (e.g. `get -w`) as `kubectl` does, without waiting for it. */
export function kubectlInBackground(
  args: readonly string[],
  opts: { kubeconfig: string; cacheDir: string },
): BackgroundKubectl {
  const child = spawn(
    KUBECTL,
    ['--kubeconfig', opts.kubeconfig, '--cache-dir', opts.cacheDir, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: opts.cacheDir } },
  )
  trackChild(child)
  let out = ''
  let err = ''
  child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')))
  child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')))
  return {
    output: () => out,
    errors: () => err,
    ended: () => child.exitCode !== null || child.signalCode !== null,
    stop: () => void child.kill(),
  }
}

/** isctl runs the built CLI as a user would; never throws on exit codes. */
export async function isctl(
  args: readonly string[],
  opts: { home: string; kubeconfig?: string; input?: string; env?: Record<string, string> },
): Promise<CommandResult> {
  try {
    return await runCommand(process.execPath, [ISCTL_BIN, ...args], {
      // A private HOME keeps the user's ~/.kube and ~/.docker out of it.
      env: {
        PATH: process.env.PATH,
        HOME: opts.home,
        ...(opts.kubeconfig !== undefined && { KUBECONFIG: opts.kubeconfig }),
        ...opts.env,
      },
      ...(opts.input !== undefined && { input: opts.input }),
    })
  } catch (err) {
    if (err instanceof CommandError) return err.result
    throw err
  }
}

/**
 * addHtpasswdUser adds (or changes) a user in an htpasswd file with the real `htpasswd -B`
 * (apache2-utils), as an administrator would; the file is created if missing.
 */
export async function addHtpasswdUser(file: string, user: string, password: string): Promise<void> {
  await runCommand('htpasswd', [
    ...(existsSync(file) ? [] : ['-c']),
    '-b',
    '-B',
    file,
    user,
    password,
  ])
}

/** A user with their own HOME (so their own ~/.kube/config) for a suite's server. */
export interface UserSession {
  /** Their kubeconfig, `~/.kube/config`. */
  readonly config: string
  readonly home: string
  run(args: readonly string[]): Promise<CommandResult>
  /** login runs `isctl login SERVER -u USER -p PASSWORD --certificate-authority=CA`. */
  login(user: string, password: string): Promise<CommandResult>
  kubectl(args: readonly string[], input?: string): Promise<CommandResult>
}

/**
 * userSession, called inside a `describe`, gives a user a private HOME for the suite's tests
 * (removed after them), in which `isctl login` to the suite's server saves their kubeconfig as
 * `oc login` does.
 */
export function userSession(suite: Pick<ServeSuite, 'kubeconfig'>): UserSession {
  let home = ''
  before(() => {
    home = makeTempDir('user-session-')
  })
  after(() => removeTempDir(home))
  const run = (args: readonly string[]) => isctl(args, { home })
  return {
    get config() {
      return join(home, '.kube', 'config')
    },
    get home() {
      return home
    },
    run,
    login: (user, password) => {
      const { server, caFile } = adminCredentials(suite.kubeconfig)
      return run(['login', server, '-u', user, '-p', password, `--certificate-authority=${caFile}`])
    },
    kubectl: (args, input) =>
      kubectl(args, {
        kubeconfig: join(home, '.kube', 'config'),
        cacheDir: join(home, 'cache'),
        ...(input !== undefined && { input }),
      }),
  }
}

/** ServeSuiteOptions shape the server a suite starts. */
export interface ServeSuiteOptions {
  /** Users (name to password) written with `htpasswd -B` into a file passed as `--htpasswd`. */
  readonly users?: Readonly<Record<string, string>>
}

/** A server for a CLI suite: `run` is isctl with the server's admin kubeconfig and a private HOME. */
export interface ServeSuite {
  readonly server: ServeProcess
  readonly home: string
  readonly kubeconfig: string
  /** The `--htpasswd` file when the suite has users (ServeSuiteOptions.users). */
  readonly htpasswd: string
  run(args: readonly string[], input?: string): Promise<CommandResult>
  kubectl(args: readonly string[], input?: string): Promise<CommandResult>
}

/** succeeded returns a command's stdout after asserting that it exited 0 (its stderr says why not). */
export async function succeeded(run: Promise<CommandResult>): Promise<string> {
  const res = await run
  assert.equal(res.code, 0, res.stderr)
  return res.stdout
}

/** insecureImport is an ImageStreamImport of one tag from a plain-HTTP registry, for `kubectl create -f -`. */
export function insecureImport(
  namespace: string,
  stream: string,
  tag: string,
  from: string,
): string {
  return JSON.stringify({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStreamImport',
    metadata: { name: stream, namespace },
    spec: {
      import: true,
      images: [
        {
          from: { kind: 'DockerImage', name: from },
          to: { name: tag },
          importPolicy: { insecure: true },
        },
      ],
    },
  })
}

/** AllowedRegistry is one `--allowed-registries-for-import` entry, as OpenShift's RegistryLocation. */
export interface AllowedRegistry {
  readonly domainName: string
  readonly insecure?: boolean
}

/**
 * allowedRegistriesFlag writes `entries` as a YAML `--allowed-registries-for-import` file at
 * `path` and returns the flag and its value.
 */
export function allowedRegistriesFlag(path: string, entries: readonly AllowedRegistry[]): string[] {
  writeFileSync(path, stringify(entries))
  return ['--allowed-registries-for-import', path]
}

/** ServeSuiteOptions are what a suite's server is started with besides flags. */
export interface ServeSuiteOptions {
  /** The server's allow-list for imports, written to a file in the suite's directory. */
  readonly allowedRegistries?: () => readonly AllowedRegistry[]
}

/**
 * useServe, called inside a `describe`, starts `isctl serve` in a fresh temp dir before the
 * suite's tests (with `extra` flags, e.g. `--additional-trusted-ca`, given the temp dir for
 * files the server writes outside its data dir, and the `options.users` in an htpasswd file) and
 * stops it after them.
 */
export function useServe(
  extra: (dir: string) => readonly string[] = () => [],
  options: ServeSuiteOptions = {},
): ServeSuite {
  let state: { server: ServeProcess; dir: string } | undefined
  before(async () => {
    const dir = makeTempDir('isctl-cli-')
    mkdirSync(join(dir, 'home'))
    const users = Object.entries(options.users ?? {})
    const htpasswd = join(dir, 'users.htpasswd')
    for (const [user, password] of users) await addHtpasswdUser(htpasswd, user, password)
    const allowed = options.allowedRegistries?.()
    const flags = [
      ...(users.length > 0 ? ['--htpasswd', htpasswd] : []),
      ...extra(dir),
      ...(allowed ? allowedRegistriesFlag(join(dir, 'allowed-registries.yaml'), allowed) : []),
    ]
    state = { dir, server: await startServe(join(dir, 'data'), flags) }
  })
  after(async () => {
    if (!state) return
    await stopServe(state.server)
    await removeTempDir(state.dir)
  })
  const get = () => {
    if (!state) throw new Error('useServe: the server is only there inside tests')
    return state
  }
  return {
    get server() {
      return get().server
    },
    get home() {
      return join(get().dir, 'home')
    },
    get kubeconfig() {
      return get().server.kubeconfig
    },
    get htpasswd() {
      return join(get().dir, 'users.htpasswd')
    },
    run(args, input) {
      const { server, dir } = get()
      return isctl(args, {
        home: join(dir, 'home'),
        kubeconfig: server.kubeconfig,
        ...(input !== undefined && { input }),
      })
    },
    kubectl(args, input) {
      const { server, dir } = get()
      return kubectl(args, {
        kubeconfig: server.kubeconfig,
        cacheDir: join(dir, 'home'),
        ...(input !== undefined && { input }),
      })
    },
  }
}
