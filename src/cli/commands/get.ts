/**
 * `isctl get`: kubectl's get for the resources we serve. Tables come from the server (the same
 * columns kubectl shows), `-o json|yaml|name` and the template formats (jsonpath, go-template,
 * custom-columns) print the objects, `--sort-by` orders either, `-w` follows changes.
 */
import type { Command } from 'commander'
import type { Table } from '../../api/meta.js'
import type { ResourceMeta } from '../../api/resource-meta.js'
import type { Session } from '../client/session.js'
import type { TextSink } from '../io.js'
import { isNotFound } from '../client/api-errors.js'
import { CliError, UsageError } from '../errors.js'
import { asDocument, formatDocument } from '../printers/objects.js'
import { sortObjects, sortRows } from '../printers/sort-by.js'
import {
  OUTPUT_FORMATS,
  PrintFailure,
  templatePrinter,
  type ObjectPrinter,
} from '../printers/template-printers.js'
import { renderTable, tableLines, type TablePrintOptions } from '../printers/table.js'
import { errorText } from '../report-error.js'
import { parseResourceArgs, qualifiedKind, type ResourceTarget } from '../resource-args.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** GetFlags are the flags of `get` as commander hands them over. */
export interface GetFlags {
  readonly output?: string | undefined
  readonly allNamespaces?: boolean | undefined
  readonly selector?: string | undefined
  readonly fieldSelector?: string | undefined
  readonly watch?: boolean | undefined
  /** False with `--no-headers` (commander's negation). */
  readonly headers?: boolean | undefined
  readonly showLabels?: boolean | undefined
  readonly showKind?: boolean | undefined
  readonly ignoreNotFound?: boolean | undefined
  readonly template?: string | undefined
  readonly allowMissingTemplateKeys?: string | undefined
  readonly sortBy?: string | undefined
  readonly labelColumns?: readonly string[] | undefined
  readonly watchOnly?: boolean | undefined
}

/** GetOutput is what `-o` asks for: a table (plain or wide), whole objects, or a template. */
export type GetOutput = 'table' | 'wide' | 'json' | 'yaml' | 'name' | 'template'

/** GetOptions are the validated options of one `get`. */
export interface GetOptions {
  readonly targets: readonly ResourceTarget[]
  readonly output: GetOutput
  readonly allNamespaces: boolean
  readonly selector: string | undefined
  readonly fieldSelector: string | undefined
  readonly watch: boolean
  readonly noHeaders: boolean
  readonly showLabels: boolean
  readonly showKind: boolean
  readonly ignoreNotFound: boolean
  /** The `-o` text as given, for the template printers. */
  readonly format: string
  readonly template: string
  readonly allowMissingKeys: boolean
  readonly sortBy: string | undefined
  readonly labelColumns: readonly string[]
  readonly watchOnly: boolean
}

const EXAMPLES = `
Examples:
  # List all image streams in the current project, then one of them as YAML
  isctl get is
  isctl get is ruby -o yaml

  # List the tags of every image stream in every project, with the image names
  isctl get istag -A -o wide

  # Watch an image stream while a tag imports
  isctl get is ruby -w

  # The names of the tags of a stream, one per line, with kubectl's JSONPath
  isctl get is ruby -o jsonpath='{range .spec.tags[*]}{.name}{"\\n"}{end}'

  # Streams with their label "app" as a column, sorted by creation time
  isctl get is -L app --sort-by=.metadata.creationTimestamp

  # Custom columns
  isctl get is -o custom-columns=NAME:.metadata.name,TAGS:.spec.tags[*].name
`

/** completeGetOptions validates the operands and flags as kubectl does. */
export function completeGetOptions(operands: readonly string[], flags: GetFlags): GetOptions {
  const raw = flags.output ?? ''
  const outputs: Record<string, GetOutput> = {
    '': 'table',
    wide: 'wide',
    json: 'json',
    yaml: 'yaml',
    name: 'name',
  }
  const template = flags.template ?? ''
  const output = raw === '' && template !== '' ? 'template' : (outputs[raw] ?? 'template')
  if (output === 'template' && !isTemplateFormat(raw, template)) {
    throw new UsageError(
      `unable to match a printer suitable for the output format "${raw}", allowed formats are: ${OUTPUT_FORMATS.join(',')}`,
    )
  }
  if (flags.showLabels && raw !== '' && raw !== 'wide') {
    throw new UsageError(`--show-labels option cannot be used with ${raw} printer`)
  }
  const targets = parseResourceArgs(operands, 'get')
  const named = targets.some((t) => t.names.length > 0)
  if (named && flags.selector) {
    throw new UsageError(
      'selectors and the all flag cannot be used when passing resource/name arguments',
    )
  }
  if (named && flags.allNamespaces) {
    throw new UsageError('a resource cannot be retrieved by name across all namespaces')
  }
  if ((flags.watch || flags.watchOnly) && targets.length > 1) {
    throw new UsageError('you may only specify a single resource type')
  }
  return {
    targets,
    output,
    allNamespaces: flags.allNamespaces === true,
    selector: flags.selector || undefined,
    fieldSelector: flags.fieldSelector || undefined,
    watch: flags.watch === true,
    noHeaders: flags.headers === false,
    showLabels: flags.showLabels === true,
    showKind: flags.showKind === true,
    ignoreNotFound: flags.ignoreNotFound === true,
    format: raw,
    template,
    allowMissingKeys: flags.allowMissingTemplateKeys !== 'false',
    sortBy: flags.sortBy || undefined,
    labelColumns: (flags.labelColumns ?? []).flatMap((l) => l.split(',')).filter((l) => l !== ''),
    watchOnly: flags.watchOnly === true,
  }
}

/** isTemplateFormat says whether `-o` names a template or custom-columns format (or --template is set). */
function isTemplateFormat(format: string, template: string): boolean {
  if (format === '') return template !== ''
  const name = format.split('=')[0]!
  return (OUTPUT_FORMATS as readonly string[]).includes(name)
}

/** boolText parses `--allow-missing-template-keys[=BOOL]` as Go's strconv.ParseBool. */
function boolText(value: string | undefined): string {
  if (value === undefined || value === '') return 'true'
  if (!/^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(value)) {
    throw new UsageError(
      `invalid argument "${value}" for "--allow-missing-template-keys" flag: strconv.ParseBool: parsing "${value}": invalid syntax`,
    )
  }
  return /^(1|t|T|TRUE|true|True)$/.test(value) ? 'true' : 'false'
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/** configureGet declares `get`. */
export const configureGet: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      'Display one or many resources.\n\nPrints a table of the most important information about the specified resources. You can filter the list using a label selector and the --selector flag.',
    )
    .usage('[options] (TYPE[.VERSION][.GROUP] [NAME...] | TYPE[.VERSION][.GROUP]/NAME...)')
    .argument('[args...]')
    .option(
      '-o, --output <format>',
      `Output format. One of: (${OUTPUT_FORMATS.join(', ')}). See custom columns [https://kubernetes.io/docs/reference/kubectl/#custom-columns], golang template [http://golang.org/pkg/text/template/#pkg-overview] and jsonpath template [https://kubernetes.io/docs/reference/kubectl/jsonpath/].`,
    )
    .option(
      '--template <template>',
      'Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview].',
    )
    .option(
      '--allow-missing-template-keys [bool]',
      'If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.',
      boolText,
    )
    .option(
      '--sort-by <jsonpath>',
      "If non-empty, sort list types using this field specification.  The field specification is expressed as a JSONPath expression (e.g. '{.metadata.name}').",
    )
    .option(
      '-L, --label-columns <labels>',
      'Accepts a comma separated list of labels that are going to be presented as columns. Names are case-sensitive. You can also use multiple flag options like -L label1 -L label2...',
      collect,
    )
    .option(
      '-A, --all-namespaces',
      'If present, list the requested object(s) across all namespaces',
    )
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .option('--field-selector <selector>', 'Selector (field query) to filter on')
    .option('-w, --watch', 'After listing/getting the requested object, watch for changes')
    .option(
      '--watch-only',
      'Watch for changes to the requested object(s), without listing/getting first.',
    )
    .option(
      '--no-headers',
      "When using the default or custom-column output format, don't print headers",
    )
    .option('--show-labels', 'When printing, show all labels as the last column')
    .option('--show-kind', 'If present, list the resource type for the requested object(s)')
    .option(
      '--ignore-not-found',
      'If the requested object does not exist the command will return exit code 0',
    )
    .addHelpText('after', EXAMPLES)
  sessionAction(cmd, ctx, runGet)
}

/** runGet prints the objects; resolves to 1 when any named object was missing. */
export async function runGet(
  operands: string[],
  flags: GetFlags,
  session: Session,
): Promise<number> {
  const opts = completeGetOptions(operands, flags)
  const failures: unknown[] = []
  const out = session.io.stdout
  const namespaceOf = (resource: ResourceMeta) =>
    resource.namespaced && !opts.allNamespaces ? session.namespace : undefined
  const missing = (err: unknown) => {
    if (!isNotFound(err)) throw err
    if (!opts.ignoreNotFound) failures.push(err)
  }
  if (opts.sortBy && opts.watch) {
    session.io.stderr.write(
      'warning: --watch requested, --sort-by will be ignored for watch events received\n',
    )
  } else if (opts.sortBy && opts.watchOnly) {
    session.io.stderr.write('warning: --watch-only requested, --sort-by will be ignored\n')
  }
  const printer = () =>
    opts.output === 'template'
      ? templatePrinter(opts.format, {
          template: opts.template,
          allowMissingKeys: opts.allowMissingKeys,
          noHeaders: opts.noHeaders,
        })
      : undefined
  const version: { resourceVersion?: string | undefined } = {}
  if (opts.watchOnly) {
    // kubectl reads first to learn where to watch from, then prints only the changes.
    const target = opts.targets[0]!
    const ns = namespaceOf(target.resource)
    if (opts.output === 'table' || opts.output === 'wide') {
      const table = await fetchTable(session, target, ns, opts, missing)
      version.resourceVersion = table?.metadata?.resourceVersion
    } else {
      await fetchObjects(session, target, ns, opts, missing, version)
    }
    for (const err of failures) throw err
    await follow(session, target, ns, opts, version.resourceVersion, printer(), true)
    return 0
  }

  let printed = 0
  if (opts.output === 'table' || opts.output === 'wide') {
    const blocks: string[] = []
    for (const target of opts.targets) {
      const table = await fetchTable(session, target, namespaceOf(target.resource), opts, missing)
      version.resourceVersion = table?.metadata?.resourceVersion
      if (!table || table.rows.length === 0) continue
      // kubectl's table printer prints nothing for a table it cannot sort.
      const rows = opts.sortBy ? sortRows(table.rows, opts.sortBy) : table.rows
      if (!rows) continue
      printed += rows.length
      blocks.push(renderTable(tableLines({ ...table, rows }, printOptions(opts, target.resource))))
    }
    out.write(blocks.join('\n'))
  } else {
    let objects: unknown[] = []
    for (const target of opts.targets) {
      const ns = namespaceOf(target.resource)
      for (const object of await fetchObjects(session, target, ns, opts, missing, version)) {
        objects.push(object)
      }
    }
    printed = objects.length
    const single = opts.targets.length === 1 && opts.targets[0]!.names.length === 1
    if (opts.sortBy) objects = sortObjects(objects, opts.sortBy)
    if (opts.output === 'name') {
      for (const o of objects) out.write(`${nameOf(o, opts.targets)}\n`)
    } else if (opts.output === 'template') {
      if (single && failures.length > 0) throw failures[0]
      const print = printer()!
      if (objects.length > 0 || !opts.ignoreNotFound) {
        writePrinted(out, print, asDocument(objects, single))
      }
    } else if (objects.length > 0 || opts.targets.every((t) => t.names.length === 0)) {
      out.write(formatDocument(asDocument(objects, single), opts.output))
    }
  }
  for (const err of failures) session.io.stderr.write(`${errorText(err)}\n`)
  const listed = opts.targets.every((t) => t.names.length === 0)
  // kubectl's watch prints no such note: the list may fill up while it watches.
  const quiet = opts.output === 'template' || opts.watch
  if (printed === 0 && failures.length === 0 && listed && !quiet) {
    const target = opts.targets[0]!
    const ns = namespaceOf(target.resource)
    session.io.stderr.write(
      ns === undefined ? 'No resources found\n' : `No resources found in ${ns} namespace.\n`,
    )
  }
  if (opts.watch) {
    const target = opts.targets[0]!
    const ns = namespaceOf(target.resource)
    await follow(session, target, ns, opts, version.resourceVersion, printer(), printed === 0)
  }
  return failures.length > 0 ? 1 : 0
}

/** writePrinted writes a template printer's output; on failure, what kubectl wrote before its error. */
function writePrinted(out: TextSink, print: ObjectPrinter, doc: unknown): void {
  try {
    out.write(print(doc))
  } catch (err) {
    if (err instanceof PrintFailure) out.write(err.written)
    throw err
  }
}

function printOptions(opts: GetOptions, resource: ResourceMeta): TablePrintOptions {
  return {
    wide: opts.output === 'wide',
    noHeaders: opts.noHeaders,
    withNamespace: opts.allNamespaces && resource.namespaced,
    kindPrefix: opts.showKind || opts.targets.length > 1 ? qualifiedKind(resource) : undefined,
    showLabels: opts.showLabels,
    labelColumns: opts.labelColumns,
  }
}

/** fetchTable reads one type as a Table: each name in turn, or the (selected) list. */
async function fetchTable(
  session: Session,
  target: ResourceTarget,
  namespace: string | undefined,
  opts: GetOptions,
  missing: (err: unknown) => void,
): Promise<Table | undefined> {
  if (target.names.length === 0) {
    return session.client.table(target.resource, {
      namespace,
      labelSelector: opts.selector,
      fieldSelector: opts.fieldSelector,
    })
  }
  let merged: Table | undefined
  for (const name of target.names) {
    try {
      const table = await session.client.table(target.resource, { namespace, name })
      merged = merged ? { ...merged, rows: [...merged.rows, ...table.rows] } : table
    } catch (err) {
      missing(err)
    }
  }
  return merged
}

/** fetchObjects reads one type's objects, with kind and apiVersion set as kubectl shows them. */
async function fetchObjects(
  session: Session,
  target: ResourceTarget,
  namespace: string | undefined,
  opts: GetOptions,
  missing: (err: unknown) => void,
  version: { resourceVersion?: string | undefined } = {},
): Promise<unknown[]> {
  const { resource } = target
  const typed = (o: object) => ({ apiVersion: resource.apiVersion, kind: resource.kind, ...o })
  if (target.names.length === 0) {
    const list = await session.client.list(resource, {
      namespace,
      labelSelector: opts.selector,
      fieldSelector: opts.fieldSelector,
    })
    version.resourceVersion = list.metadata?.resourceVersion
    return list.items.map(typed)
  }
  const objects: unknown[] = []
  for (const name of target.names) {
    try {
      const object = await session.client.get(resource, { namespace, name })
      version.resourceVersion = (object as Meta).metadata?.resourceVersion
      objects.push(typed(object))
    } catch (err) {
      missing(err)
    }
  }
  return objects
}

type Meta = { metadata?: { resourceVersion?: string } }

function nameOf(object: unknown, targets: readonly ResourceTarget[]): string {
  const o = object as { kind?: string; metadata?: { name?: string } }
  const resource = targets.find((t) => t.resource.kind === o.kind)?.resource ?? targets[0]!.resource
  return `${qualifiedKind(resource)}/${o.metadata?.name ?? ''}`
}

/** follow prints each change after the first listing, as `kubectl get -w` does, until the watch ends. */
async function follow(
  session: Session,
  target: ResourceTarget,
  namespace: string | undefined,
  opts: GetOptions,
  since: string | undefined,
  print: ObjectPrinter | undefined,
  headerPending: boolean,
): Promise<void> {
  // kubectl's table printer prints a header with the first rows it prints, then never again.
  let withHeader = headerPending && !opts.noHeaders
  const tableOutput = opts.output === 'table' || opts.output === 'wide'
  const events = session.client.watch<Table | Record<string, unknown>>(target.resource, {
    namespace,
    labelSelector: opts.selector,
    fieldSelector: opts.fieldSelector,
    ...(target.names.length === 1 && { name: target.names[0] }),
    resourceVersion: since,
    table: tableOutput,
  })
  for await (const event of events) {
    if (event.type === 'BOOKMARK') continue
    if (event.type === 'ERROR') {
      const status = event.object as { message?: string }
      throw new CliError(status.message ?? 'the watch ended with an error')
    }
    if (tableOutput) {
      const lines = tableLines(event.object as Table, {
        ...printOptions(opts, target.resource),
        noHeaders: !withHeader,
      })
      withHeader = false
      session.io.stdout.write(renderTable(lines))
    } else if (opts.output === 'name') {
      session.io.stdout.write(`${nameOf(event.object, [target])}\n`)
    } else if (print) {
      const object = { apiVersion: target.resource.apiVersion, kind: target.resource.kind }
      writePrinted(session.io.stdout, print, { ...object, ...event.object })
    } else {
      const object = {
        apiVersion: target.resource.apiVersion,
        kind: target.resource.kind,
        ...event.object,
      }
      session.io.stdout.write(formatDocument(object, opts.output === 'yaml' ? 'yaml' : 'json'))
      if (opts.output === 'yaml') session.io.stdout.write('---\n')
    }
  }
}
