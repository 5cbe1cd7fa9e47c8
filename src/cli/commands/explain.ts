/**
 * `isctl explain`: kubectl's explain (kubectl pkg/explain/v2, its plaintext template) over the
 * server's OpenAPI v3 document of the resource's group version: the kind's header, then the
 * description and fields of the kind or of the field path asked for, wrapped and indented as
 * the template's sprig functions do, `--recursive` listing the field tree.
 */
import type { Command } from 'commander'
import { findResource } from '../../api/resource-meta.js'
import type { Session } from '../client/session.js'
import { CliError, PlainError } from '../errors.js'
import { byteOrder } from '../printers/go-encoding.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** ExplainFlags are the flags of `explain`. */
export interface ExplainFlags {
  readonly recursive?: boolean | undefined
}

/** Schema is an OpenAPI v3 schema as the template reads it. */
interface Schema {
  readonly $ref?: string
  readonly allOf?: readonly Schema[]
  readonly type?: string
  readonly description?: string
  readonly properties?: Readonly<Record<string, Schema>>
  readonly additionalProperties?: boolean | Schema
  readonly items?: Schema
  readonly required?: readonly string[]
  readonly enum?: readonly unknown[]
  readonly externalDocs?: { readonly description?: string; readonly url?: string }
  readonly 'x-kubernetes-group-version-kind'?: readonly {
    group: string
    version: string
    kind: string
  }[]
}

type Schemas = Readonly<Record<string, Schema>>

/**
 * wrap is mitchellh/go-wordwrap's WrapString, which kubectl's template `wrap` runs: words move
 * to the next line when the line would pass `lim`, existing newlines are kept, and a word longer
 * than the limit stays whole.
 */
export function wrap(s: string, lim: number): string {
  let out = ''
  let current = 0
  let word = ''
  let space = ''
  for (const ch of s) {
    if (ch === '\n') {
      if (word.length === 0) {
        if (current + space.length <= lim) out += space
      } else {
        out += space + word
        word = ''
      }
      space = ''
      out += ch
      current = 0
    } else if (/\s/u.test(ch) && ch !== '\u00a0') {
      if (space.length === 0 || word.length > 0) {
        current += space.length + [...word].length
        out += space + word
        space = ''
        word = ''
      }
      space += ch
    } else {
      word += ch
      const wordLen = [...word].length
      if (current + space.length + wordLen > lim && wordLen < lim) {
        out += '\n'
        current = 0
        space = ''
      }
    }
  }
  if (word.length === 0) {
    if (current + space.length <= lim) out += space
  } else out += space + word
  return out
}

/** indent is sprig's: every line, the first included, gets `n` spaces. */
export function indent(str: string, n: number): string {
  const pad = ' '.repeat(n)
  return pad + str.replaceAll('\n', `\n${pad}`)
}

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null
}

class Explainer {
  readonly schemas: Schemas
  readonly recursive: boolean

  constructor(schemas: Schemas, recursive: boolean) {
    this.schemas = schemas
    this.recursive = recursive
  }

  resolve(ref: string | undefined): Schema | undefined {
    return ref === undefined ? undefined : this.schemas[ref.replace('#/components/schemas/', '')]
  }

  description(schema: Schema): string {
    const s = this.resolve(schema.$ref) ?? schema
    let out = s.description ? `${s.description}\n` : ''
    for (const a of s.allOf ?? []) out += this.description(a)
    if (s.items) out += this.description(s.items)
    if (isSchema(s.additionalProperties)) out += this.description(s.additionalProperties)
    return out
  }

  typeGuess(s: Schema): string {
    if (s.items) return `[]${this.typeGuess(s.items)}`
    if (isSchema(s.additionalProperties))
      return `map[string]${this.typeGuess(s.additionalProperties)}`
    if (s.allOf && !s.properties && s.allOf.length === 1) return this.typeGuess(s.allOf[0]!)
    if (s.$ref) {
      const target = this.resolve(s.$ref)
      if (!target || !target.type || target.type === 'object') {
        return s.$ref.split('/').at(-1)!.split('.').at(-1) || 'Object'
      }
      return target.type
    }
    return s.type === 'object' ? 'Object' : s.type || 'Object'
  }

  enumText(s: Schema, long: boolean, limit: number, indentAmount: number): string {
    if (!s.enum || s.enum.length === 0) return ''
    let out = long ? 'ENUM:' : `\n${' '.repeat(indentAmount)}enum: `
    for (const [i, e] of s.enum.entries()) {
      if (limit > -1 && i >= limit) {
        out += ', ....'
        break
      }
      if (i > 0 && !long) out += ', '
      else if (long) out += '\n    '
      out += e === '' ? '""' : String(e)
    }
    return out
  }

  externalDocs(s: Schema, extra: number): string {
    if (!s.externalDocs) return ''
    let out = `${indent('EXTERNAL DOCS:', extra)}\n`
    if (s.externalDocs.description) {
      out += `${indent(wrap(s.externalDocs.description, 76 - extra), extra + 4)}\n`
    }
    if (s.externalDocs.url) out += `${indent(`URL: ${s.externalDocs.url}`, extra + 4)}\n`
    return out
  }

  fieldDetail(name: string, container: Schema, level: number): string {
    const amount = level * 2
    const field = container.properties![name]!
    let out = `${indent(name, amount)}\t<${this.typeGuess(field)}>`
    if (container.required?.includes(name)) out += ' -required-'
    out += `${this.enumText(field, false, 4, amount)}\n`
    if (!this.recursive) {
      out += `${indent(wrap(field.description || '<no description>', 78 - amount), amount + 2)}\n`
      if (field.externalDocs) out += `\n${this.externalDocs(field, amount + 2)}`
      out += '\n'
    }
    return out
  }

  fieldList(schema: Schema, level: number, history: ReadonlySet<string>): string {
    const ref = schema.$ref ?? ''
    if (ref !== '' && history.has(ref)) return ''
    const next = new Set(history).add(ref)
    const s = this.resolve(schema.$ref) ?? schema
    let out = ''
    for (const name of Object.keys(s.properties ?? {}).sort(byteOrder)) {
      out += this.fieldDetail(name, s, level)
      if (this.recursive) out += this.fieldList(s.properties![name]!, level + 1, next)
    }
    for (const a of s.allOf ?? []) out += this.fieldList(a, level, next)
    if (s.items) out += this.fieldList(s.items, level, next)
    if (isSchema(s.additionalProperties)) out += this.fieldList(s.additionalProperties, level, next)
    return out
  }

  output(schema: Schema, path: readonly string[], history: ReadonlySet<string>): string {
    const ref = schema.$ref ?? ''
    const next = new Set(history).add(ref)
    const s = this.resolve(schema.$ref) ?? schema
    if (path.length === 0) {
      let out = `DESCRIPTION:\n${indent(wrap(this.description(s) || '<empty>', 76), 4)}\n`
      const docs = this.externalDocs(s, 0)
      if (docs !== '') out += `\n${docs}`
      const fields = this.fieldList(s, 1, new Set())
      if (fields !== '') out += `FIELDS:\n${fields}`
      return out
    }
    if (ref !== '' && history.has(ref)) return ''
    const sub = s.properties?.[path[0]!]
    if (sub !== undefined && Object.hasOwn(s.properties!, path[0]!)) {
      let out = ''
      if (path.length === 1) {
        out += `FIELD: ${path[0]} <${this.typeGuess(sub)}>\n${this.enumText(sub, true, -1, 0)}\n\n`
      }
      return out + this.output(sub, path.slice(1), new Set())
    }
    if (s.items) return this.output(s.items, path, next)
    if (isSchema(s.additionalProperties)) return this.output(s.additionalProperties, path, next)
    for (const a of s.allOf ?? []) {
      const out = this.output(a, path, next)
      if (out !== '') return out
    }
    return ''
  }
}

interface Index {
  readonly paths?: Readonly<Record<string, { readonly serverRelativeURL?: string }>>
}

/** runExplain prints the explanation of `TYPE[.FIELD...]`. */
export async function runExplain(
  operands: string[],
  flags: ExplainFlags,
  session: Session,
): Promise<number> {
  if (operands.length !== 1) {
    throw new CliError(
      operands.length === 0
        ? 'You must specify the type of resource to explain. Use "isctl api-resources" for a complete list of supported resources.\n'
        : 'We accept only this format: explain RESOURCE\n',
    )
  }
  const [type = '', ...path] = operands[0]!.split('.')
  // A qualified type (`imagestreams.image.openshift.io`) has no field path kubectl could tell apart.
  const resource = findResource(type)
  if (resource === undefined) {
    throw new PlainError(`the server doesn't have a resource type "${type}"`)
  }
  const index = await session.client.request<Index>('GET', '/openapi/v3')
  const key = resource.group === '' ? 'api/v1' : `apis/${resource.group}/${resource.version}`
  const url = index.paths?.[key]?.serverRelativeURL
  const doc =
    url === undefined
      ? {}
      : await session.client.request<{ components?: { schemas?: Schemas } }>('GET', url)
  const schemas = doc.components?.schemas ?? {}
  const kind = Object.values(schemas).find((s) =>
    (s['x-kubernetes-group-version-kind'] ?? []).some(
      (g) =>
        g.group === resource.group && g.version === resource.version && g.kind === resource.kind,
    ),
  )
  const header =
    (resource.group ? `GROUP:      ${resource.group}\n` : '') +
    `KIND:       ${resource.kind}\nVERSION:    ${resource.version}\n\n`
  session.io.stdout.write(header)
  if (kind === undefined) {
    throw new CliError(
      `GVK ${resource.group}/${resource.version}, Kind=${resource.kind} not found in OpenAPI schema`,
    )
  }
  const out = new Explainer(schemas, flags.recursive === true).output(kind, path, new Set())
  if (out === '') throw new CliError(`field "${path.at(-1)}" does not exist`)
  session.io.stdout.write(`${out}\n`)
  return 0
}

/** configureExplain declares `explain`. */
export const configureExplain: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      'Describe fields and structure of various resources.\n\nThis command describes the fields associated with each supported API resource. Fields are identified via a simple JSONPath identifier:\n\n        <type>.<fieldName>[.<fieldName>]\n\nInformation about each field is retrieved from the server in OpenAPI format.',
    )
    .usage('TYPE [--recursive=FALSE|TRUE] [options]')
    .argument('[type...]')
    .option('--recursive', 'When true, print the name of all the fields recursively.')
    .addHelpText(
      'after',
      '\nExamples:\n  # Get the documentation of the image stream resource\n  isctl explain imagestreams\n\n  # Get the documentation of a specific field of a resource\n  isctl explain imagestreams.spec.tags\n',
    )
  sessionAction(cmd, ctx, runExplain)
}
