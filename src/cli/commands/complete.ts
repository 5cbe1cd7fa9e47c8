/**
 * `isctl __complete WORD... CURRENT`: the candidates the completion scripts offer for the word
 * being typed, one per line. Verbs and sub-verbs come from the verb tree, flags from the verb's
 * own definition, resource types from the resources registry, and object names (streams,
 * `stream:tag`, secrets, namespaces...) from the API with the command line's global flags; any
 * failure to reach the server just offers nothing.
 */
import { Command, type Option } from 'commander'
import {
  findResource,
  RESOURCE_META,
  RESOURCE_META_LIST,
  type ResourceMeta,
} from '../../api/resource-meta.js'
import type { CommandIO } from '../io.js'
import { GLOBAL_VALUE_FLAGS } from '../global-flag-specs.js'
import type { ConfigureVerb, VerbContext } from '../verb.js'

/** CompletableVerb is what the completer needs of a verb: where it sits and how to load it. */
export interface CompletableVerb {
  readonly path: readonly string[]
  readonly load: () => Promise<ConfigureVerb>
  readonly hidden?: boolean | undefined
}

/** Verbs whose operands are `TYPE NAME...` or `TYPE/NAME...`. */
const TYPE_NAME_VERBS = new Set(['get', 'describe', 'delete', 'edit', 'patch', 'label', 'annotate'])
/** Verbs whose operands name image streams or their tags. */
const STREAM_VERBS = new Set(['import-image', 'set image-lookup'])
const TAG_VERBS = new Set(['tag', 'create imagestreamtag'])

const GLOBAL_FLAGS = ['--namespace', '--kubeconfig', '--context', '--request-timeout']

interface Line {
  /** The verb path the words name. */
  readonly verb: readonly string[]
  /** Positional words after the verb, the current one excluded. */
  readonly operands: readonly string[]
  /** The word before the current one. */
  readonly previous: string | undefined
  readonly current: string
  readonly globals: { namespace?: string; kubeconfig?: string; context?: string }
}

/** readLine splits the words into verb path, operands and global flag values. */
export function readLine(words: readonly string[], verbs: readonly CompletableVerb[]): Line {
  const current = words.at(-1) ?? ''
  const before = words.slice(0, -1)
  const globals: { namespace?: string; kubeconfig?: string; context?: string } = {}
  const positional: string[] = []
  for (let i = 0; i < before.length; i++) {
    const w = before[i]!
    const eq = /^(--namespace|--kubeconfig|--context)=(.*)$/.exec(w)
    if (eq) {
      globals[eq[1]!.slice(2) as 'namespace'] = eq[2]!
      continue
    }
    if (w === '-n' || w === '--namespace') globals.namespace = before[i + 1]
    if (w === '--kubeconfig') globals.kubeconfig = before[i + 1]
    if (w === '--context') globals.context = before[i + 1]
    if (GLOBAL_VALUE_FLAGS.includes(w)) {
      i++
      continue
    }
    if (!w.startsWith('-')) positional.push(w)
  }
  // The longest run of leading words that is a verb or a group of verbs (`set`, `create secret`).
  let verb: readonly string[] = []
  for (const v of verbs) {
    for (let n = v.path.length; n > verb.length; n--) {
      if (v.path.slice(0, n).every((p, i) => positional[i] === p)) {
        verb = v.path.slice(0, n)
        break
      }
    }
  }
  return {
    verb,
    operands: positional.slice(verb.length),
    previous: before.at(-1),
    current,
    globals,
  }
}

function typeNames(): string[] {
  return RESOURCE_META_LIST.flatMap((r) => [r.plural, ...r.shortNames])
}

async function objectNames(resource: ResourceMeta, line: Line, io: CommandIO): Promise<string[]> {
  const { openSession } = await import('../client/session.js')
  const session = await openSession(line.globals, io)
  try {
    const list = await session.client.list(resource, {
      namespace: resource.namespaced ? session.namespace : undefined,
    })
    return list.items.map((o) => o.metadata?.name ?? '').filter((n) => n !== '')
  } finally {
    await session.client.close()
  }
}

/** streamTags is `stream:tag` for the spec and status tags of the namespace's streams. */
async function streamTags(line: Line, io: CommandIO): Promise<string[]> {
  const { openSession } = await import('../client/session.js')
  const session = await openSession(line.globals, io)
  try {
    const list = await session.client.list(RESOURCE_META.imagestreams, {
      namespace: session.namespace,
    })
    return list.items.flatMap((s) => {
      const name = s.metadata?.name ?? ''
      const tags = new Set([
        ...(s.spec?.tags ?? []).map((t) => t.name),
        ...(s.status?.tags ?? []).map((t) => t.tag),
      ])
      return [`${name}:`, ...[...tags].map((t) => `${name}:${t}`)]
    })
  } finally {
    await session.client.close()
  }
}

async function verbFlags(
  verbs: readonly CompletableVerb[],
  path: readonly string[],
  io: CommandIO,
): Promise<readonly Option[]> {
  const verb = verbs.find((v) => v.path.join(' ') === path.join(' '))
  if (verb === undefined) return []
  const cmd = new Command(path.at(-1))
  const ctx: VerbContext = { io, setExitCode: () => undefined }
  ;(await verb.load())(cmd, ctx)
  return cmd.options
}

/** candidates lists what may come in place of the current word. */
export async function candidates(
  words: readonly string[],
  verbs: readonly CompletableVerb[],
  io: CommandIO,
): Promise<string[]> {
  const line = readLine(words, verbs)
  const visible = verbs.filter((v) => !v.hidden)
  if (line.current.startsWith('-')) {
    const options = await verbFlags(verbs, line.verb, io)
    return [
      ...options.map((o) => o.long ?? '').filter((l) => l !== '' && !l.startsWith('--no-')),
      ...GLOBAL_FLAGS,
    ]
  }
  if (line.previous === '-n' || line.previous === '--namespace') {
    return objectNames(RESOURCE_META.namespaces, line, io)
  }
  if (line.previous?.startsWith('-') && !line.previous.includes('=')) {
    const options = await verbFlags(verbs, line.verb, io)
    const flag = options.find((o) => o.long === line.previous || o.short === line.previous)
    if (flag !== undefined && (flag.required || flag.optional)) return []
  }
  if (line.operands.length === 0) {
    const next = new Set(
      visible
        .filter(
          (v) => v.path.length > line.verb.length && line.verb.every((p, i) => v.path[i] === p),
        )
        .map((v) => v.path[line.verb.length]!),
    )
    if (next.size > 0) return [...next]
  }
  const verb = line.verb.join(' ')
  if (verb === 'completion') return line.operands.length === 0 ? ['bash', 'zsh', 'fish'] : []
  if (verb === 'explain') return line.operands.length === 0 ? typeNames() : []
  if (STREAM_VERBS.has(verb)) return objectNames(RESOURCE_META.imagestreams, line, io)
  if (TAG_VERBS.has(verb)) return streamTags(line, io)
  if (TYPE_NAME_VERBS.has(verb)) return typeNameCandidates(line, io)
  return []
}

async function typeNameCandidates(line: Line, io: CommandIO): Promise<string[]> {
  const slash = line.current.indexOf('/')
  if (slash > 0) {
    const type = line.current.slice(0, slash)
    const resource = findResource(type)
    if (resource === undefined) return []
    return (await objectNames(resource, line, io)).map((n) => `${type}/${n}`)
  }
  if (line.operands.length === 0) return typeNames()
  const resource = findResource(line.operands[0]!.split(',')[0]!)
  if (resource === undefined || line.operands[0]!.includes('/')) return []
  return objectNames(resource, line, io)
}

/** configureComplete declares the hidden `__complete` verb over the verb tree `verbs`. */
export function configureComplete(verbs: readonly CompletableVerb[]): ConfigureVerb {
  return (cmd: Command, ctx) => {
    cmd
      .description('Request completion candidates for the shell scripts of "isctl completion"')
      .argument('[words...]')
      .allowUnknownOption()
      .helpOption(false)
      .action(async (words: string[]) => {
        try {
          const list = await candidates(words, verbs, ctx.io)
          ctx.io.stdout.write(list.map((c) => `${c}\n`).join(''))
        } catch {
          // Completion never fails loudly: no candidates instead.
        }
        ctx.setExitCode(0)
      })
  }
}
