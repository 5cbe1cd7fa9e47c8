/**
 * `isctl edit`: kubectl's edit (kubectl pkg/cmd/util/editor/editoptions.go). The objects are
 * written as YAML under kubectl's comment header to a temporary file and opened in
 * `$KUBE_EDITOR`, else `$EDITOR`, else `vi`; the saved file is sent as a JSON merge patch per
 * object (kubectl's choice for kinds outside its own scheme). A save the server refuses as
 * invalid, or that is not valid YAML, re-opens the file with the reasons as comments at the top;
 * an unchanged file prints `Edit cancelled, no changes made.` and changes nothing.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import type { Command } from 'commander'
import type { ResourceMeta } from '../../api/resource-meta.js'
import { ApiError } from '../client/api-errors.js'
import type { Session } from '../client/session.js'
import { resourcePath } from '../client/resource-path.js'
import { CliError, PlainError } from '../errors.js'
import { formatDocument, omitManagedFields } from '../printers/objects.js'
import { parseResourceArgs, qualifiedKind, qualifiedResource } from '../resource-args.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

type JsonMap = Record<string, unknown>

/** EditFlags are the flags of `edit`. */
export interface EditFlags {
  readonly fieldManager?: string | undefined
}

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`

/** EditReason is one failure shown in the header of a re-opened file. */
interface EditReason {
  readonly head: string
  readonly other: readonly string[]
}

interface Edited {
  readonly resource: ResourceMeta
  readonly namespace: string | undefined
  readonly object: JsonMap
}

function hashOnLineBreak(s: string): string {
  return s.replace(/\n(?!#)/g, '\n# ')
}

/** headerText is kubectl's editHeader.writeTo: the instructions, then each reason. */
export function headerText(reasons: readonly EditReason[]): string {
  let out = HEADER
  for (const r of reasons) {
    out += r.other.length > 0 ? `# ${hashOnLineBreak(r.head)}:\n` : `# ${hashOnLineBreak(r.head)}\n`
    for (const o of r.other) out += `# * ${hashOnLineBreak(o)}\n`
    out += '#\n'
  }
  return out
}

/** stripComments drops the lines that are comments, as kubectl compares files without them. */
export function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => !(l.trim().startsWith('#') && !l.trim().startsWith('#!')))
    .join('\n')
}

/** mergePatchDiff is the RFC 7386 merge patch from `a` to `b` (evanphx/json-patch CreateMergePatch). */
export function mergePatchDiff(a: JsonMap, b: JsonMap): JsonMap {
  const patch: JsonMap = {}
  for (const [k, v] of Object.entries(b)) {
    const old = a[k]
    if (isMap(old) && isMap(v)) {
      const sub = mergePatchDiff(old, v)
      if (Object.keys(sub).length > 0) patch[k] = sub
    } else if (!Object.hasOwn(a, k) || !isDeepStrictEqual(old, v)) patch[k] = v
  }
  for (const k of Object.keys(a)) if (!Object.hasOwn(b, k)) patch[k] = null
  return patch
}

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** editorCommand is the editor to run, from `env`, as kubectl picks it. */
export function editorCommand(env: Readonly<Record<string, string | undefined>>): string {
  return env.KUBE_EDITOR || env.EDITOR || 'vi'
}

function launch(editor: string, file: string, env: Readonly<Record<string, string | undefined>>) {
  // As kubectl: an editor with arguments runs through the shell, the file quoted after it.
  const [cmd, args] = editor.includes(' ')
    ? [env.SHELL || '/bin/bash', ['-c', `${editor} ${JSON.stringify(file)}`]]
    : [editor, [file]]
  const res = spawnSync(cmd, args, { stdio: 'inherit', env })
  if (res.error) throw new CliError(`unable to launch the editor "${editor}"`)
  if (res.status !== 0) {
    throw new CliError(`there was a problem with the editor "${editor}"`)
  }
}

async function parseEdited(text: string): Promise<JsonMap[]> {
  const { parseAllDocuments } = await import('yaml')
  const out: JsonMap[] = []
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(doc.errors[0]!.message)
    const value: unknown = doc.toJS()
    if (value === null || value === undefined) continue
    if (!isMap(value)) throw new Error('the edited file is not an object')
    out.push(value)
  }
  return out.flatMap((o) =>
    o.kind === 'List' && Array.isArray(o.items) ? (o.items as JsonMap[]) : [o],
  )
}

function uidOf(o: JsonMap): unknown {
  return (o.metadata as JsonMap | undefined)?.uid
}

function nameOf(o: JsonMap): string {
  const name = (o.metadata as JsonMap | undefined)?.name
  return typeof name === 'string' ? name : ''
}

/** Outcome of sending one round of edits. */
interface Round {
  readonly reasons: EditReason[]
  readonly retryable: number
  readonly notFound: number
}

async function sendEdits(
  session: Session,
  originals: readonly Edited[],
  edited: readonly JsonMap[],
  flags: EditFlags,
): Promise<Round> {
  const round = { reasons: [] as EditReason[], retryable: 0, notFound: 0 }
  for (const obj of edited) {
    const original = originals.find((o) => isDeepStrictEqual(uidOf(o.object), uidOf(obj)))
    if (original === undefined)
      throw new CliError(`no original object found for ${JSON.stringify(obj)}`)
    const before = omitManagedFields(original.object)
    const patch = mergePatchDiff(before, obj)
    const kind = qualifiedKind(original.resource)
    const name = nameOf(before)
    if (Object.keys(patch).length === 0) {
      session.io.stdout.write(`${kind}/${name} skipped\n`)
      continue
    }
    if (
      'apiVersion' in patch ||
      'kind' in patch ||
      'managedFields' in patch ||
      (isMap(patch.metadata) && 'name' in patch.metadata)
    ) {
      throw new CliError('At least one of apiVersion, kind and name was changed')
    }
    const resourceString = qualifiedResource(original.resource)
    try {
      await session.client.patch(
        original.resource,
        { namespace: original.namespace, name },
        'application/merge-patch+json',
        patch,
        { fieldManager: flags.fieldManager },
      )
      session.io.stdout.write(`${kind}/${name} edited\n`)
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      if (err.reason === 'Invalid') {
        round.reasons.push({
          head: `${resourceString} ${JSON.stringify(name)} was not valid`,
          other: (err.details?.causes ?? []).map((c) => `${c.field ?? ''}: ${c.message ?? ''}`),
        })
        session.io.stderr.write(`error: ${resourceString} ${JSON.stringify(name)} is invalid\n`)
      } else if (err.status === 404) {
        round.notFound++
        session.io.stderr.write(
          `error: ${resourceString} ${JSON.stringify(name)} could not be found on the server\n`,
        )
      } else {
        round.retryable++
        session.io.stderr.write(
          `error: ${resourceString} ${JSON.stringify(name)} could not be patched: ${err.message}\n`,
        )
      }
    }
  }
  return round
}

/** preserved names the kept file on the way out, as kubectl's preservedFile does. */
function preserved(session: Session, file: string, err: Error): Error {
  if (existsSync(file)) {
    session.io.stderr.write(`A copy of your changes has been stored to ${JSON.stringify(file)}\n`)
  }
  return err
}

/** runEdit fetches the objects, loops through the editor until saved, cancelled or failed. */
export async function runEdit(
  operands: string[],
  flags: EditFlags,
  session: Session,
): Promise<number> {
  if (operands.length === 0) {
    throw new PlainError(
      "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
    )
  }
  const originals: Edited[] = []
  for (const target of parseResourceArgs(operands, 'edit')) {
    const namespace = target.resource.namespaced ? session.namespace : undefined
    const objects =
      target.names.length > 0
        ? await Promise.all(
            target.names.map((name) =>
              session.client.request<JsonMap>(
                'GET',
                resourcePath(target.resource, { namespace, name }),
              ),
            ),
          )
        : (
            (await session.client.list(target.resource, { namespace }))
              .items as unknown as JsonMap[]
          ).map((o) => ({
            apiVersion: target.resource.apiVersion,
            kind: target.resource.kind,
            ...o,
          }))
    for (const object of objects) originals.push({ resource: target.resource, namespace, object })
  }
  if (originals.length === 0) throw new CliError('edit cancelled, no objects found')
  const doc =
    originals.length === 1
      ? originals[0]!.object
      : { apiVersion: 'v1', items: originals.map((o) => o.object), kind: 'List', metadata: {} }
  const body = formatDocument(doc, 'yaml')
  const dir = mkdtempSync(join(tmpdir(), 'isctl-edit-'))
  const file = join(dir, `${originals.length === 1 ? nameOf(originals[0]!.object) : 'list'}.yaml`)
  const editor = editorCommand(session.io.env)
  let reasons: EditReason[] = []
  let previous: string | undefined
  let content = body
  for (;;) {
    writeFileSync(file, headerText(reasons) + content)
    launch(editor, file, session.io.env)
    const edited = readFileSync(file, 'utf8')
    if (previous !== undefined && stripComments(previous) === stripComments(edited)) {
      throw preserved(session, file, new CliError('Edit cancelled, no valid changes were saved.'))
    }
    previous = edited
    if (stripComments(body) === stripComments(edited)) {
      rmSync(dir, { recursive: true, force: true })
      session.io.stderr.write('Edit cancelled, no changes made.\n')
      return 0
    }
    if (!edited.split('\n').some((l) => l.trim() !== '' && !l.trim().startsWith('#'))) {
      rmSync(dir, { recursive: true, force: true })
      session.io.stderr.write('Edit cancelled, saved file was empty.\n')
      return 0
    }
    content = stripComments(edited)
    let objects: JsonMap[]
    try {
      objects = await parseEdited(content)
    } catch (err) {
      reasons = [
        { head: `The edited file had a syntax error: ${(err as Error).message}`, other: [] },
      ]
      continue
    }
    let round: Round
    try {
      round = await sendEdits(session, originals, objects, flags)
    } catch (err) {
      throw preserved(session, file, err as Error)
    }
    if (round.retryable > 0) {
      session.io.stderr.write(
        `You can run \`isctl replace -f ${file}\` to try this update again.\n`,
      )
      return 1
    }
    if (round.notFound > 0) {
      session.io.stderr.write(
        `The edits you made on deleted resources have been saved to ${JSON.stringify(file)}\n`,
      )
      return 1
    }
    if (round.reasons.length === 0) {
      rmSync(dir, { recursive: true, force: true })
      return 0
    }
    reasons = round.reasons
  }
}

/** configureEdit declares `edit`. */
export const configureEdit: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      "Edit a resource from the default editor.\n\nThe edit command allows you to directly edit any API resource you can retrieve via the command-line tools. It will open the editor defined by your KUBE_EDITOR, or EDITOR environment variables, or fall back to 'vi'.",
    )
    .usage('(RESOURCE/NAME | -f FILENAME) [options]')
    .argument('[args...]')
    .option(
      '--field-manager <name>',
      'Name of the manager used to track field ownership',
      'kubectl-edit',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  # Edit the image stream named ruby\n  isctl edit is/ruby\n\n  # Use an alternative editor\n  KUBE_EDITOR="nano" isctl edit is/ruby\n',
    )
  sessionAction(cmd, ctx, runEdit)
}
