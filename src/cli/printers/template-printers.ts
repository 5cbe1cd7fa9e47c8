/**
 * kubectl's template printers for `get -o`: jsonpath, jsonpath-as-json, jsonpath-file,
 * go-template, go-template-file, template, templatefile, custom-columns, custom-columns-file.
 * Choosing one follows kubectl's PrintFlags.ToPrinter, and every message is kubectl's.
 */
import { readFileSync } from 'node:fs'
import { CliError } from '../errors.js'
import { executeTemplate, ExecError } from './go-template/exec.js'
import { FUNCS } from './go-template/funcs.js'
import { parseTemplate } from './go-template/parser.js'
import { goJsonCompact, goQuote, goSharpV, goSprint } from './go-values.js'
import { JsonPath } from './jsonpath/evaluate.js'
import { relaxedJsonPath } from './sort-by.js'
import { renderTable } from './table.js'

/** ObjectPrinter prints the object (or v1 List) kubectl would hand its printer. */
export type ObjectPrinter = (doc: unknown) => string

/** PrintFailure is a printer's error; `written` is what kubectl had printed to stdout before it. */
export class PrintFailure extends CliError {
  readonly written: string
  constructor(message: string, written: string) {
    super(message)
    this.written = written
  }
}

/** OUTPUT_FORMATS are the formats `get -o` takes, as kubectl lists them. */
export const OUTPUT_FORMATS = [
  'custom-columns',
  'custom-columns-file',
  'go-template',
  'go-template-file',
  'json',
  'jsonpath',
  'jsonpath-as-json',
  'jsonpath-file',
  'name',
  'template',
  'templatefile',
  'wide',
  'yaml',
] as const

const JSONPATH = ['jsonpath', 'jsonpath-file', 'jsonpath-as-json']
const GO_TEMPLATE = ['template', 'go-template', 'go-template-file', 'templatefile']
const COLUMNS = ['custom-columns', 'custom-columns-file']

/** TemplateOptions are the flags the template printers read. */
export interface TemplateOptions {
  /** `--template`: the template when `-o` names only the format. */
  readonly template: string
  readonly allowMissingKeys: boolean
  readonly noHeaders: boolean
}

/** splitFormat takes `FORMAT=VALUE` apart for one family of formats, as kubectl's flags do. */
function splitFormat(
  format: string,
  family: readonly string[],
  template: string,
): [string, string] {
  if (template !== '') return [format, template]
  for (const f of family) {
    if (format.startsWith(`${f}=`)) return [f, format.slice(f.length + 1)]
  }
  return [format, '']
}

/** goOsError is Go's *PathError text for a failed read. */
function goOsError(op: string, path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  const text =
    code === 'ENOENT'
      ? 'no such file or directory'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory'
          : String((err as Error).message)
  return `${op} ${path}: ${text}`
}

function readTemplate(path: string, message: (e: string) => string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new CliError(message(goOsError(code(err) === 'EISDIR' ? 'read' : 'open', path, err)))
  }
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code
}

/**
 * templatePrinter is the printer for a template or custom-columns format, undefined for the
 * formats the table, json/yaml and name printers handle; throws kubectl's errors for a bad one.
 */
export function templatePrinter(
  rawFormat: string,
  opts: TemplateOptions,
): ObjectPrinter | undefined {
  const format = rawFormat === '' && opts.template !== '' ? 'go-template' : rawFormat
  if (format === '' && opts.template === '') return undefined
  const [jf, jv] = splitFormat(format, JSONPATH, opts.template)
  if (JSONPATH.includes(jf)) return jsonPathPrinter(jf, jv, opts)
  const [gf, gv] = splitFormat(format, GO_TEMPLATE, opts.template)
  if (GO_TEMPLATE.includes(gf)) return goTemplatePrinter(gf, gv, opts)
  if (['json', 'yaml', 'name', 'wide', ''].includes(format)) return undefined
  const [cf, cv] = splitFormat(format, COLUMNS, opts.template)
  if (COLUMNS.includes(cf)) return customColumnsPrinter(cf, cv, opts)
  throw new CliError(
    `unable to match a printer suitable for the output format ${JSON.stringify(format)}, allowed formats are: ${OUTPUT_FORMATS.join(',')}`,
  )
}

function jsonPathPrinter(format: string, value: string, opts: TemplateOptions): ObjectPrinter {
  if (value === '') throw new CliError('template format specified but no template given')
  const text =
    format === 'jsonpath-file'
      ? readTemplate(value, (e) => `error reading --template ${value}, ${e}`)
      : value
  try {
    JsonPath.parse(text, { allowMissingKeys: true })
  } catch (err) {
    throw new CliError(`error parsing jsonpath ${text}, ${(err as Error).message}`)
  }
  const outputJson = format === 'jsonpath-as-json'
  return (doc) => {
    const jp = JsonPath.parse(text, { allowMissingKeys: opts.allowMissingKeys, outputJson })
    try {
      return jp.execute(doc)
    } catch (err) {
      const debug =
        `Error executing template: ${(err as Error).message}. Printing more information for debugging the template:\n` +
        `\ttemplate was:\n\t\t${text}\n` +
        `\tobject given to jsonpath engine was:\n\t\t${goSharpV(doc)}\n\n`
      // kubectl get reports printing errors as an aggregate, which ends each with a newline of
      // its own (cmdutil.MultipleErrors), after the debugging text's own blank line.
      throw new PrintFailure(`error executing jsonpath ${goQuote(text)}: ${debug}\n`, '')
    }
  }
}

const FUNC_NAMES = new Set(Object.keys(FUNCS))

function goTemplatePrinter(format: string, value: string, opts: TemplateOptions): ObjectPrinter {
  if (value === '') throw new CliError('template format specified but no template given')
  const text =
    format === 'templatefile' || format === 'go-template-file'
      ? readTemplate(value, (e) => `error reading --template ${value}, ${e}`)
      : value
  let parsed: ReturnType<typeof parseTemplate>
  try {
    parsed = parseTemplate('output', text, FUNC_NAMES)
  } catch (err) {
    throw new CliError(`error parsing template ${text}, ${(err as Error).message}`)
  }
  return (doc) => {
    try {
      return executeTemplate(parsed, doc, { missingKeyError: !opts.allowMissingKeys })
    } catch (err) {
      if (!(err instanceof ExecError)) throw err
      const written =
        `${err.partial}Error executing template: ${err.message}. Printing more information for debugging the template:\n` +
        `\ttemplate was:\n\t\t${text}\n` +
        `\traw data was:\n\t\t${goJsonCompact(doc)}\n` +
        `\tobject given to template engine was:\n\t\t${goSprint(doc)}\n\n`
      throw new PrintFailure(`error executing template ${goQuote(text)}: ${err.message}`, written)
    }
  }
}

interface Column {
  readonly header: string
  readonly path: string
}

function customColumnsPrinter(format: string, value: string, opts: TemplateOptions): ObjectPrinter {
  if (value === '')
    throw new CliError('custom-columns format specified but no custom columns given')
  let columns: Column[]
  let noHeaders = opts.noHeaders
  if (format === 'custom-columns-file') {
    const text = readTemplate(value, (e) => `error reading template ${value}, ${e}`)
    columns = columnsFromFile(text)
    noHeaders = false
  } else {
    columns = value.split(',').map((part) => {
      const i = part.indexOf(':')
      if (i < 0) {
        throw new CliError(
          `unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`,
        )
      }
      return { header: part.slice(0, i), path: relaxedJsonPath(part.slice(i + 1)) }
    })
  }
  return (doc) => {
    const parsers = columns.map((c) => {
      try {
        return JsonPath.parse(c.path, { allowMissingKeys: true })
      } catch (err) {
        throw new PrintFailure((err as Error).message, '')
      }
    })
    const lines = noHeaders ? [] : [columns.map((c) => c.header).join('\t')]
    const items = isList(doc) ? doc.items : [doc]
    for (const item of items) {
      const cells = parsers.map((p) => {
        const groups = p.findResults(item)
        const values = groups.flat().map((v) => goSprint(v))
        return (
          groups.length === 0 || groups[0]!.length === 0 ? ['<none>', ...values] : values
        ).join(',')
      })
      lines.push(cells.join('\t'))
    }
    return renderTable(lines)
  }
}

function columnsFromFile(text: string): Column[] {
  const lines = text.split('\n')
  const words = (line: string) => line.split(/\s+/).filter((w) => w !== '')
  if (lines.length < 1 || (lines.length === 1 && lines[0] === '')) {
    throw new CliError(
      'invalid template, missing header line. Expected format is one line of space separated headers, one line of space separated column specs.',
    )
  }
  if (lines.length < 2 || (lines.length === 2 && lines[1] === '')) {
    throw new CliError(
      'invalid template, missing spec line. Expected format is one line of space separated headers, one line of space separated column specs.',
    )
  }
  const headers = words(lines[0]!)
  const specs = words(lines[1]!)
  if (headers.length !== specs.length) {
    throw new CliError(
      `number of headers (${headers.length}) and field specifications (${specs.length}) don't match`,
    )
  }
  return headers.map((header, i) => ({ header, path: relaxedJsonPath(specs[i]!) }))
}

function isList(doc: unknown): doc is { items: unknown[] } {
  return (
    typeof doc === 'object' &&
    doc !== null &&
    Array.isArray((doc as { items?: unknown }).items) &&
    String((doc as { kind?: unknown }).kind).endsWith('List')
  )
}
