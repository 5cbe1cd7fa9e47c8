/**
 * The objects of `-f` as kubectl's resource builder reads them: files, `-` (standard input),
 * directories (their `.json`, `.yaml` and `.yml` files in name order, sub-directories with
 * `-R`), YAML streams of several documents, and `List` kinds unpacked into their items. Each
 * object is matched to the resource serving its `apiVersion` and `kind`, and namespaced objects
 * get the verb's namespace as kubectl's `DefaultNamespace` and `RequireNamespace` give it.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { RESOURCE_META_LIST, type ResourceMeta } from '../api/resource-meta.js'
import type { CommandIO } from './io.js'
import { CliError, UsageError } from './errors.js'

/** JsonMap is a decoded object. */
export type JsonMap = Record<string, unknown>

/** Manifest is one object of `-f` with where it came from and the resource that serves it. */
export interface Manifest {
  /** The file name, or `STDIN`, as kubectl names sources in messages. */
  readonly source: string
  readonly object: JsonMap
  readonly resource: ResourceMeta
  readonly name: string
  /** The namespace to write in; undefined for cluster-scoped kinds. */
  readonly namespace: string | undefined
}

/** FilenameFlags are `-f` (repeatable) and `-R`. */
export interface FilenameFlags {
  readonly filename?: readonly string[] | undefined
  readonly recursive?: boolean | undefined
}

/** collectFilename is commander's reducer for a repeatable `-f`. */
export function collectFilename(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value]
}

const EXTENSIONS = ['.json', '.yaml', '.yml']

async function expandPath(path: string, recursive: boolean, top: boolean): Promise<string[]> {
  let info
  try {
    info = await stat(path)
  } catch {
    throw new CliError(`the path "${path}" does not exist`)
  }
  if (!info.isDirectory()) return top || EXTENSIONS.some((e) => path.endsWith(e)) ? [path] : []
  if (!top && !recursive) return []
  const entries = (await readdir(path)).sort()
  const files: string[] = []
  for (const entry of entries)
    files.push(...(await expandPath(join(path, entry), recursive, false)))
  return files
}

async function documents(text: string, source: string): Promise<JsonMap[]> {
  const { parseAllDocuments } = await import('yaml')
  const out: JsonMap[] = []
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new CliError(`error parsing ${source}: ${doc.errors[0]!.message}`)
    }
    const value: unknown = doc.toJS()
    if (value === null || value === undefined) continue
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new CliError(
        `error parsing ${source}: error converting YAML to JSON: the document is not an object`,
      )
    }
    out.push(value as JsonMap)
  }
  return out
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

/** resourceFor finds the resource of an object's apiVersion and kind, with kubectl's messages. */
export function resourceFor(object: JsonMap, source: string): ResourceMeta {
  const kind = typeof object.kind === 'string' ? object.kind : ''
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : ''
  if (kind === '') {
    throw new CliError(
      `unable to decode "${source}": Object 'Kind' is missing in '${JSON.stringify(object)}'`,
    )
  }
  const resource = RESOURCE_META_LIST.find((r) => r.kind === kind && r.apiVersion === apiVersion)
  if (resource === undefined) {
    const meta = (object.metadata ?? {}) as JsonMap
    throw new CliError(
      `resource mapping not found for name: "${text(meta.name)}" namespace: "${text(meta.namespace)}" from "${source}": no matches for kind "${kind}" in version "${apiVersion}"\nensure CRDs are installed first`,
    )
  }
  return resource
}

function unpackLists(objects: readonly JsonMap[]): JsonMap[] {
  return objects.flatMap((o) =>
    typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)
      ? unpackLists(o.items as JsonMap[])
      : [o],
  )
}

/**
 * placeManifest gives an object its namespace: the verb's when it has none; a different one is
 * an error when `-n` was given, as kubectl requires.
 */
export function placeManifest(
  object: JsonMap,
  source: string,
  namespace: string,
  explicit: boolean,
): Manifest {
  const resource = resourceFor(object, source)
  const metadata = { ...((object.metadata ?? {}) as JsonMap) }
  let ns: string | undefined
  if (resource.namespaced) {
    const own = typeof metadata.namespace === 'string' ? metadata.namespace : ''
    if (own !== '' && explicit && own !== namespace) {
      throw new CliError(
        `the namespace from the provided object "${own}" does not match the namespace "${namespace}". You must pass '--namespace=${own}' to perform this operation.`,
      )
    }
    ns = own !== '' ? own : namespace
    metadata.namespace = ns
  }
  const name = typeof metadata.name === 'string' ? metadata.name : ''
  return { source, object: { ...object, metadata }, resource, name, namespace: ns }
}

/**
 * readManifests reads every object of `-f`; `namespace` is the verb's (from `-n` when
 * `explicit`). Fails when no `-f` was given, with kubectl's message for `verb`.
 */
export async function readManifests(
  flags: FilenameFlags,
  io: CommandIO,
  namespace: string,
  explicit: boolean,
): Promise<Manifest[]> {
  const out: Manifest[] = []
  for (const path of flags.filename ?? []) {
    if (path === '-') {
      if (!io.readStdin) throw new CliError('no standard input to read')
      const objects = unpackLists(await documents(await io.readStdin(), 'STDIN'))
      for (const o of objects) out.push(placeManifest(o, 'STDIN', namespace, explicit))
      continue
    }
    for (const file of await expandPath(path, flags.recursive === true, true)) {
      const objects = unpackLists(await documents(await readFile(file, 'utf8'), file))
      for (const o of objects) out.push(placeManifest(o, file, namespace, explicit))
    }
  }
  return out
}

/** requireFilenames fails as kubectl does when a verb that needs `-f` has none. */
export function requireFilenames(flags: FilenameFlags): void {
  if ((flags.filename ?? []).length === 0) {
    throw new UsageError('must specify one of -f and -k')
  }
}
