/**
 * Client configuration shared with kubectl and oc: the kubeconfig files (`--kubeconfig`,
 * `$KUBECONFIG`, `~/.kube/config`), merged as kubectl merges them (the first file that names an
 * entry wins), the context a command runs in, and writing a changed context back to the file
 * that holds it.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path'
import { parseDocument, stringify } from 'yaml'
import { CliError } from '../errors.js'

export { contextNames } from '../../lib/kubeconfig-names.js'

/** Cluster is one `clusters[].cluster` entry. */
export interface Cluster {
  server?: string
  'certificate-authority'?: string
  'certificate-authority-data'?: string
  'insecure-skip-tls-verify'?: boolean
  'tls-server-name'?: string
}

/** User is one `users[].user` entry; isctl uses bearer tokens and client certificates. */
export interface User {
  token?: string
  tokenFile?: string
  'client-certificate'?: string
  'client-certificate-data'?: string
  'client-key'?: string
  'client-key-data'?: string
}

/** Context is one `contexts[].context` entry. */
export interface Context {
  cluster?: string
  user?: string
  namespace?: string
}

interface Named<T> {
  readonly name: string
  readonly value: T
}

/** KubeconfigFile is one file as read: its path, whether it existed, and its parsed content. */
export interface KubeconfigFile {
  readonly path: string
  readonly exists: boolean
  /** The whole document, unknown keys included, so a rewrite keeps what kubectl wrote. */
  readonly doc: Record<string, unknown>
}

/** KubeconfigSource says where the files came from, for messages and for writing. */
export type KubeconfigSource = '--kubeconfig' | '$KUBECONFIG' | 'default'

/** Kubeconfig is the merged view of the files, in precedence order. */
export interface Kubeconfig {
  readonly files: readonly KubeconfigFile[]
  readonly source: KubeconfigSource
}

/** ResolvedContext is everything a request needs from the configuration. */
export interface ResolvedContext {
  readonly contextName: string
  readonly clusterName: string
  readonly userName: string
  readonly cluster: Cluster
  readonly user: User
  /** The context's namespace, or `default`. */
  readonly namespace: string
}

/** kubeconfigPaths lists the files to read, in precedence order, and where they came from. */
export function kubeconfigPaths(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { paths: string[]; source: KubeconfigSource } {
  if (flag) return { paths: [resolve(flag)], source: '--kubeconfig' }
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '')
  if (list.length > 0)
    return { paths: [...new Set(list.map((p) => resolve(p)))], source: '$KUBECONFIG' }
  const home = env.HOME ?? ''
  return { paths: [join(home, '.kube', 'config')], source: 'default' }
}

async function readKubeconfigFile(path: string, mustExist: boolean): Promise<KubeconfigFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if (!mustExist && isErrno(err, 'ENOENT')) return { path, exists: false, doc: {} }
    const reason = isErrno(err, 'ENOENT') ? 'no such file or directory' : errorText(err)
    throw new CliError(`stat ${path}: ${reason}`)
  }
  const parsed = parseDocument(text)
  if (parsed.errors.length > 0) {
    throw new CliError(`error loading config file "${path}": ${parsed.errors[0]!.message}`)
  }
  const doc: unknown = parsed.toJS()
  if (doc === null || doc === undefined) return { path, exists: true, doc: {} }
  if (!isRecord(doc)) throw new CliError(`error loading config file "${path}": not a kubeconfig`)
  return { path, exists: true, doc }
}

/** loadKubeconfig reads the configuration as kubectl does; a `--kubeconfig` file must exist. */
export async function loadKubeconfig(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Kubeconfig> {
  const { paths, source } = kubeconfigPaths(flag, env)
  const files = await Promise.all(
    paths.map((p) => readKubeconfigFile(p, source === '--kubeconfig')),
  )
  return { files, source }
}

function entries<T>(doc: Record<string, unknown>, list: string, field: string): Named<T>[] {
  const items = doc[list]
  if (!Array.isArray(items)) return []
  return items.flatMap((item: unknown) =>
    isRecord(item) && typeof item.name === 'string'
      ? [{ name: item.name, value: (isRecord(item[field]) ? item[field] : {}) as T }]
      : [],
  )
}

/** find returns the first entry named `name` across the files, with the file that holds it. */
function find<T>(
  config: Kubeconfig,
  list: 'clusters' | 'users' | 'contexts',
  field: string,
  name: string,
): { value: T; file: KubeconfigFile } | undefined {
  for (const file of config.files) {
    const hit = entries<T>(file.doc, list, field).find((e) => e.name === name)
    if (hit) return { value: hit.value, file }
  }
  return undefined
}

/** currentContextName is the first `current-context` set in the files. */
export function currentContextName(config: Kubeconfig): string | undefined {
  for (const f of config.files) {
    const c = f.doc['current-context']
    if (typeof c === 'string' && c !== '') return c
  }
  return undefined
}

/** Paths inside a kubeconfig are relative to the file that holds them. */
function relativeTo(file: KubeconfigFile, path: string | undefined): string | undefined {
  if (path === undefined || path === '' || isAbsolute(path)) return path
  return join(dirname(file.path), path)
}

/** resolveContext picks the context (`--context` or the current one) and its cluster and user. */
export function resolveContext(
  config: Kubeconfig,
  contextFlag: string | undefined,
): ResolvedContext {
  const contextName = contextFlag || currentContextName(config)
  if (!contextName) {
    throw new CliError(
      'no server is configured: log in with "isctl login SERVER -u NAME" or ' +
        '"isctl login SERVER --token=TOKEN", or pass ' +
        '--kubeconfig with the admin.kubeconfig that "isctl serve" writes in its data directory',
    )
  }
  const context = find<Context>(config, 'contexts', 'context', contextName)
  if (!context) throw new CliError(`context was not found for specified context: ${contextName}`)
  const clusterName = context.value.cluster ?? ''
  const cluster = find<Cluster>(config, 'clusters', 'cluster', clusterName)
  if (!cluster) {
    throw new CliError(`cluster "${clusterName}" of context "${contextName}" was not found`)
  }
  if (!cluster.value.server) throw new CliError(`cluster "${clusterName}" has no server`)
  const userName = context.value.user ?? ''
  const user = find<User>(config, 'users', 'user', userName)
  const userValue: User = { ...(user?.value ?? {}) }
  if (user) {
    for (const key of ['tokenFile', 'client-certificate', 'client-key'] as const) {
      const p = relativeTo(user.file, userValue[key])
      if (p !== undefined) userValue[key] = p
    }
  }
  const clusterValue: Cluster = { ...cluster.value }
  const ca = relativeTo(cluster.file, clusterValue['certificate-authority'])
  if (ca !== undefined) clusterValue['certificate-authority'] = ca
  return {
    contextName,
    clusterName,
    userName,
    cluster: clusterValue,
    user: userValue,
    namespace: context.value.namespace || 'default',
  }
}

/** ConfigChange is what login and project write: entries to set and the new current context. */
export interface ConfigChange {
  readonly clusters?: readonly { name: string; cluster: Cluster }[]
  readonly users?: readonly { name: string; user: User }[]
  readonly contexts?: readonly { name: string; context: Context }[]
  readonly currentContext?: string
}

/**
 * defaultFile is where kubectl puts what no file defines yet: the only file, else the first
 * file of `$KUBECONFIG` that exists, else its last one.
 */
function defaultFile(config: Kubeconfig): KubeconfigFile {
  if (config.files.length === 1) return config.files[0]!
  return config.files.find((f) => f.exists) ?? config.files.at(-1)!
}

/** The file an entry is written to: the one that already defines it, else the default file. */
function destination(
  config: Kubeconfig,
  list: 'clusters' | 'users' | 'contexts',
  name: string,
): KubeconfigFile {
  for (const file of config.files) {
    const items = file.doc[list]
    if (Array.isArray(items) && items.some((i: unknown) => isRecord(i) && i.name === name))
      return file
  }
  return defaultFile(config)
}

function upsert(
  doc: Record<string, unknown>,
  list: string,
  field: string,
  name: string,
  value: object,
) {
  const items = Array.isArray(doc[list]) ? (doc[list] as unknown[]) : []
  const next = { name, [field]: value }
  const at = items.findIndex((i) => isRecord(i) && i.name === name)
  if (at >= 0) items[at] = next
  else items.push(next)
  doc[list] = items
}

/**
 * writeKubeconfig applies a change and writes each touched file (0600, atomically via rename),
 * keeping every key it does not understand. current-context goes to the first file that sets
 * it, as kubectl does, else the default file.
 */
export async function writeKubeconfigChange(
  config: Kubeconfig,
  change: ConfigChange,
): Promise<void> {
  const touched = new Set<KubeconfigFile>()
  const apply = (
    list: 'clusters' | 'users' | 'contexts',
    field: string,
    items: readonly { name: string }[] | undefined,
  ) => {
    for (const item of items ?? []) {
      const file = destination(config, list, item.name)
      const doc = file.doc
      upsert(doc, list, field, item.name, (item as unknown as Record<string, object>)[field]!)
      touched.add(file)
    }
  }
  apply('clusters', 'cluster', change.clusters)
  apply('users', 'user', change.users)
  apply('contexts', 'context', change.contexts)
  if (change.currentContext !== undefined) {
    const file =
      config.files.find(
        (f) => typeof f.doc['current-context'] === 'string' && f.doc['current-context'] !== '',
      ) ?? defaultFile(config)
    file.doc['current-context'] = change.currentContext
    touched.add(file)
  }
  for (const file of touched) await writeFileAtomic(file)
}

/**
 * removeToken deletes `token` from every user entry that holds it and writes the files that
 * changed, as oc logout does (several entries may share a token); resolves to how many it
 * changed.
 */
export async function removeToken(config: Kubeconfig, token: string): Promise<number> {
  let removed = 0
  for (const file of config.files) {
    const users = file.doc.users
    if (!Array.isArray(users)) continue
    let touched = false
    for (const item of users) {
      const user: unknown = isRecord(item) ? item.user : undefined
      if (isRecord(user) && user.token === token) {
        delete user.token
        touched = true
        removed++
      }
    }
    if (touched) await writeFileAtomic(file)
  }
  return removed
}

async function writeFileAtomic(file: KubeconfigFile): Promise<void> {
  const doc: Record<string, unknown> = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    ...file.doc,
  }
  for (const list of ['clusters', 'users', 'contexts']) doc[list] ??= []
  await mkdir(dirname(file.path), { recursive: true, mode: 0o700 })
  const tmp = `${file.path}.${process.pid}.tmp`
  await writeFile(tmp, stringify(doc), { mode: 0o600 })
  await rename(tmp, file.path)
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
