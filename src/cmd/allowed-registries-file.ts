/**
 * The `--allowed-registries-for-import` file (docs/imports.md#allowed-registries): YAML or JSON,
 * a list of OpenShift's RegistryLocation entries (`{domainName, insecure}`), or a mapping whose
 * `allowedRegistriesForImport` holds that list, as in the spec of OpenShift's
 * image.config.openshift.io/cluster.
 */
import { unwatchFile, watchFile, type Stats } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import {
  createRegistryAllowList,
  InvalidAllowedRegistryError,
  type AllowedRegistry,
  type AllowListOptions,
  type RegistryAllowList,
} from '../reference/index.js'

/** AllowedRegistriesFileError says what is wrong with the file; the message leads with its path. */
export class AllowedRegistriesFileError extends Error {
  override readonly name = 'AllowedRegistriesFileError'
}

const FIELD = 'allowedRegistriesForImport'

/**
 * readAllowedRegistries parses the file's text into an allow-list; undefined for an empty list,
 * which allows every registry, as OpenShift treats an empty field. Throws
 * AllowedRegistriesFileError naming `path`, the entry and the problem.
 */
export function readAllowedRegistries(
  text: string,
  path: string,
  options: AllowListOptions = {},
): RegistryAllowList | undefined {
  const problem = (what: string) => new AllowedRegistriesFileError(`${path}: ${what}`)
  let doc: unknown
  try {
    doc = parse(text)
  } catch (err) {
    throw problem(`not YAML or JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
  const list =
    doc !== null && typeof doc === 'object' && !Array.isArray(doc) && FIELD in doc
      ? (doc as Record<string, unknown>)[FIELD]
      : doc
  if (list === null || list === undefined) return undefined
  if (!Array.isArray(list)) {
    throw problem(`must be a list of {domainName, insecure} entries, or a mapping with ${FIELD}`)
  }
  const entries = list.map((item: unknown, i): AllowedRegistry => {
    const at = `entry ${i + 1}`
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw problem(`${at}: must be a mapping with domainName and optionally insecure`)
    }
    const { domainName, insecure, ...rest } = item as Record<string, unknown>
    const unknown = Object.keys(rest)
    if (unknown.length > 0) {
      throw problem(
        `${at}: unknown field ${JSON.stringify(unknown[0])} (fields: domainName, insecure)`,
      )
    }
    if (typeof domainName !== 'string' || domainName === '') {
      throw problem(`${at}: domainName must be a non-empty string`)
    }
    if (insecure !== undefined && typeof insecure !== 'boolean') {
      throw problem(`${at}: insecure must be true or false`)
    }
    return { domainName, insecure }
  })
  if (entries.length === 0) return undefined
  try {
    return createRegistryAllowList(entries, options)
  } catch (err) {
    if (err instanceof InvalidAllowedRegistryError) throw problem(err.message)
    throw err
  }
}

/** WatchedAllowList is the list a server checks, following the file as it changes. */
export interface WatchedAllowList {
  readonly list: RegistryAllowList
  /** close stops watching the file. */
  close(): void
}

/** WatchOptions say how often to look at the file and whom to tell what happened. */
export interface WatchOptions extends AllowListOptions {
  readonly intervalMs: number
  /** Told of each change applied: undefined when the file now allows every registry. */
  readonly onReload: (list: RegistryAllowList | undefined) => void
  /** Told why a changed file was not applied (the previous list stays). */
  readonly onError: (message: string) => void
}

/**
 * watchAllowedRegistries starts from `initial` (the file as read at start, and its text) and
 * applies the file again whenever its modification time, size or inode changes, polling with
 * fs.watchFile, which also sees a file replaced by a rename as editors and ConfigMap mounts do.
 * The file is also read once more as watching begins, since fs.watchFile takes its first look
 * only then and would miss a change made since the read at start. A file that cannot be read or
 * used keeps the previous list; a file whose text did not change is not applied again.
 */
export function watchAllowedRegistries(
  path: string,
  initial: { readonly list: RegistryAllowList | undefined; readonly text: string },
  options: WatchOptions,
): WatchedAllowList {
  let current = initial.list
  let applied = initial.text
  // Reads are chained, so two quick changes apply in order.
  let reading = Promise.resolve()
  const reload = async () => {
    try {
      const text = await readFile(path, 'utf8')
      if (text === applied) return
      current = readAllowedRegistries(text, path, options)
      applied = text
      options.onReload(current)
    } catch (err) {
      options.onError(err instanceof Error ? err.message : String(err))
    }
  }
  const listener = (now: Stats, before: Stats) => {
    if (now.mtimeMs === before.mtimeMs && now.size === before.size && now.ino === before.ino) {
      return
    }
    reading = reading.then(reload)
  }
  watchFile(path, { interval: options.intervalMs, persistent: false }, listener)
  reading = reading.then(reload)
  return {
    list: {
      admit: (...args) => current?.admit(...args),
      admitImport: (...args) => current?.admitImport(...args),
    },
    close: () => unwatchFile(path, listener),
  }
}
