/**
 * `isctl policy who-can VERB RESOURCE [NAME]` and `isctl adm policy who-can`, as oc's
 * WhoCanOptions (openshift/oc pkg/cli/admin/policy/who_can.go): a LocalResourceAccessReview of
 * the current namespace (a ResourceAccessReview with `-A`), printed as oc prints it. What the
 * server answers is in docs/access-control.md#who-can.
 */
import { AUTHORIZATION_API_PATH, AUTHORIZATION_API_VERSION } from '../../api/paths.js'
import { findResource } from '../../api/resource-meta.js'
import type { Session } from '../client/session.js'
import { UsageError } from '../errors.js'
import { formatDocument } from '../printers/objects.js'
import { OUTPUT_FORMATS, parseOutput } from '../printers/typed-objects.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

const API_VERSION = AUTHORIZATION_API_VERSION
const PREFIX = AUTHORIZATION_API_PATH

/** WhoCanFlags are the command's own flags. */
export interface WhoCanFlags {
  readonly allNamespaces?: boolean | undefined
  readonly subresource?: string | undefined
  readonly output?: string | undefined
}

/** ResourceAccessReviewResponse is what the server answers. */
export interface ResourceAccessReviewResponse {
  readonly kind?: string
  readonly apiVersion?: string
  readonly namespace?: string
  readonly users?: readonly string[] | null
  readonly groups?: readonly string[] | null
  readonly evalutionError?: string
}

/** GroupResource is a resolved resource: its group ('' for core or unknown) and plural. */
export interface GroupResource {
  readonly group: string
  readonly resource: string
  /** The version it is served at; '' when the resource is unknown. */
  readonly version: string
}

/**
 * resourceFor is oc's ResourceFor on the resources isctl knows: a plural, singular, short name
 * or kind, optionally `.group` qualified; an unknown type is warned about and asked as typed.
 */
export function resourceFor(arg: string, warn: (line: string) => void): GroupResource {
  const known = findResource(arg)
  if (known) return { group: known.group, resource: known.plural, version: known.version }
  const lower = arg.toLowerCase()
  const dot = lower.indexOf('.')
  if (dot < 0) warn(`Warning: the server doesn't have a resource type '${lower}'\n`)
  else {
    warn(
      `Warning: the server doesn't have a resource type '${lower.slice(0, dot)}' in group '${lower.slice(dot + 1)}'\n`,
    )
  }
  return { group: '', resource: arg, version: '' }
}

/**
 * subresourceWarning is oc's hasSubresource check: the warning when `served` (the names the
 * server's discovery lists for the resource's group version) lacks `resource/sub`.
 */
export function subresourceWarning(
  target: GroupResource,
  subresource: string,
  served: readonly string[],
): string | undefined {
  const both = `${target.resource}/${subresource}`
  if (served.includes(both)) return undefined
  return target.group === ''
    ? `Warning: the server doesn't have a subresource '${both}'\n`
    : `Warning: the server doesn't have a subresource '${both}' in group '${target.group}'\n`
}

/** servedNames lists the resources discovery serves in `target`'s group version; none when unknown. */
async function servedNames(session: Session, target: GroupResource): Promise<string[]> {
  if (target.version === '') return []
  const path = target.group === '' ? '/api/v1' : `/apis/${target.group}/${target.version}`
  try {
    const list = await session.client.request<{ resources?: { name: string }[] }>('GET', path)
    return (list.resources ?? []).map((r) => r.name)
  } catch {
    // oc ignores a failed discovery here too: the check only warns.
    return []
  }
}

// sets.NewString(...).List(): sorted, without repeats.
const sortedSet = (names: readonly string[]): string[] =>
  [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

/** formatWhoCan is oc's message: the namespace, verb and resource, then the users and groups. */
export function formatWhoCan(
  response: ResourceAccessReviewResponse,
  verb: string,
  target: GroupResource,
  subresource: string,
): string {
  const namespace = response.namespace ?? ''
  let message = '\n'
  message += namespace === '' ? '\nNamespace: <all>\n' : `\nNamespace: ${namespace}\n`
  let display = target.resource
  if (target.group !== '') display += `.${target.group}`
  if (subresource !== '') display += `/${subresource}`
  message += `Verb:      ${verb}\n`
  message += `Resource:  ${display}\n`
  const users = response.users ?? []
  const groups = response.groups ?? []
  message +=
    users.length === 0 ? '\nUsers:  none\n' : `\nUsers:  ${sortedSet(users).join('\n        ')}\n`
  message +=
    groups.length === 0 ? '\nGroups: none\n' : `Groups: ${sortedSet(groups).join('\n        ')}\n`
  if (response.evalutionError) {
    message += `\nError during evaluation, results may not be complete: ${response.evalutionError}\n`
  }
  return message
}

// The kind as oc's name printer writes it, with the message as its "operation".
const NAME = 'resourceaccessreviewresponse.authorization.openshift.io/<unknown>'

async function run(operands: string[], flags: WhoCanFlags, session: Session): Promise<number> {
  const output = parseOutput(flags.output)
  const [verb = '', resourceArg = '', name = ''] = operands
  const subresource = flags.subresource ?? ''
  const warn = (line: string) => session.io.stderr.write(line)
  const target = resourceFor(resourceArg, warn)
  if (subresource !== '') {
    const warning = subresourceWarning(target, subresource, await servedNames(session, target))
    if (warning) warn(warning)
  }
  const all = flags.allNamespaces === true
  const action = {
    namespace: '',
    verb,
    resourceAPIGroup: target.group,
    resourceAPIVersion: '',
    resource: subresource === '' ? target.resource : `${target.resource}/${subresource}`,
    resourceName: name,
    path: '',
    isNonResourceURL: false,
  }
  const kind = all ? 'ResourceAccessReview' : 'LocalResourceAccessReview'
  const path = all
    ? `${PREFIX}/resourceaccessreviews`
    : `${PREFIX}/namespaces/${encodeURIComponent(session.namespace)}/localresourceaccessreviews`
  const response = await session.client.request<ResourceAccessReviewResponse>('POST', path, {
    body: { kind, apiVersion: API_VERSION, metadata: { creationTimestamp: null }, ...action },
  })
  const typed = { ...response, kind: 'ResourceAccessReviewResponse', apiVersion: API_VERSION }
  if (output === 'json' || output === 'yaml') {
    session.io.stdout.write(formatDocument(typed, output))
  } else if (output === 'name') {
    session.io.stdout.write(`${NAME}\n`)
  } else {
    session.io.stdout.write(`${NAME} ${formatWhoCan(response, verb, target, subresource)}\n`)
  }
  return 0
}

/** configureWhoCan declares `who-can VERB RESOURCE [NAME]` (under `policy` and `adm policy`). */
export const configureWhoCan: ConfigureVerb = (cmd, ctx) => {
  cmd
    .summary('List who can perform the specified action on a resource')
    .description('List who can perform the specified action on a resource')
    .argument('[verb]')
    .argument('[resource]')
    .argument('[name]')
    .option(
      '-A, --all-namespaces',
      'If true, list who can perform the specified action in all namespaces.',
    )
    .option('--subresource <subresource>', 'SubResource such as log or scale')
    .option('-o, --output <format>', `Output format. One of: (${OUTPUT_FORMATS.join(', ')}).`)
  sessionAction(cmd, ctx, run, (operands, flags: WhoCanFlags) => {
    if (operands.length < 2 || operands.length > 3) {
      throw new UsageError(
        'you must specify two or three arguments: verb, resource, and optional resourceName',
      )
    }
    parseOutput(flags.output)
  })
}
