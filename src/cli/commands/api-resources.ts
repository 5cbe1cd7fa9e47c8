/**
 * `isctl api-resources`: kubectl's api-resources (kubectl pkg/cmd/apiresources) from the
 * server's discovery documents (`/api/v1`, `/apis` and each group version), laid out in
 * kubectl's columns and order: the core group first, then groups by name, resources by name
 * within each; `-o wide` adds VERBS and CATEGORIES, `-o name` prints `plural[.group]`.
 */
import type { Command } from 'commander'
import type { Session } from '../client/session.js'
import { CliError } from '../errors.js'
import { acceptGoBooleans } from '../go-flags.js'
import { byteOrder } from '../printers/go-encoding.js'
import { tabwrite } from '../printers/tabwriter.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** ApiResourcesFlags are the flags of `api-resources`. */
export interface ApiResourcesFlags {
  readonly output?: string | undefined
  readonly namespaced?: boolean | undefined
  readonly apiGroup?: string | undefined
  readonly verbs?: readonly string[] | undefined
  readonly sortBy?: string | undefined
  readonly headers?: boolean | undefined
}

/** DiscoveredResource is one entry of an APIResourceList with its group version. */
export interface DiscoveredResource {
  readonly name: string
  readonly shortNames?: readonly string[]
  readonly namespaced: boolean
  readonly kind: string
  readonly verbs?: readonly string[]
  readonly categories?: readonly string[]
  readonly group: string
  readonly groupVersion: string
}

interface ResourceList {
  readonly groupVersion: string
  readonly resources: readonly Omit<DiscoveredResource, 'group' | 'groupVersion'>[]
}

interface GroupList {
  readonly groups: readonly {
    readonly name: string
    readonly preferredVersion?: { readonly groupVersion: string }
  }[]
}

/** discoverResources reads every resource (not subresource) the server serves. */
export async function discoverResources(session: Session): Promise<DiscoveredResource[]> {
  const lists: { group: string; list: ResourceList }[] = [
    { group: '', list: await session.client.request<ResourceList>('GET', '/api/v1') },
  ]
  const groups = await session.client.request<GroupList>('GET', '/apis')
  for (const g of groups.groups) {
    if (g.preferredVersion === undefined) continue
    const list = await session.client.request<ResourceList>(
      'GET',
      `/apis/${g.preferredVersion.groupVersion}`,
    )
    lists.push({ group: g.name, list })
  }
  return lists.flatMap(({ group, list }) =>
    list.resources
      .filter((r) => !r.name.includes('/'))
      .map((r) => ({ ...r, group, groupVersion: list.groupVersion })),
  )
}

/** renderApiResources prints the resources as kubectl does for the flags. */
export function renderApiResources(
  all: readonly DiscoveredResource[],
  flags: ApiResourcesFlags,
): string {
  const output = flags.output ?? ''
  if (!['', 'wide', 'name'].includes(output)) {
    throw new CliError(`--output ${output} is not available`)
  }
  const sortBy = flags.sortBy ?? ''
  if (!['', 'name', 'kind'].includes(sortBy)) {
    throw new CliError(`--sort-by accepts only name or kind`)
  }
  const resources = all
    .filter((r) => flags.namespaced === undefined || r.namespaced === flags.namespaced)
    .filter((r) => flags.apiGroup === undefined || r.group === flags.apiGroup)
    .filter((r) => (flags.verbs ?? []).every((v) => r.verbs?.includes(v)))
    .sort((a, b) => {
      if (sortBy === 'name') return byteOrder(a.name, b.name)
      if (sortBy === 'kind') return byteOrder(a.kind, b.kind)
      return byteOrder(a.group, b.group) || byteOrder(a.name, b.name)
    })
  if (output === 'name') {
    return resources
      .map((r) => (r.group === '' ? `${r.name}\n` : `${r.name}.${r.group}\n`))
      .join('')
  }
  const wide = output === 'wide'
  const header = `NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND${wide ? '\tVERBS\tCATEGORIES' : ''}\n`
  const rows = resources.map((r) => {
    const cells = [
      r.name,
      (r.shortNames ?? []).join(','),
      r.groupVersion,
      String(r.namespaced),
      r.kind,
    ]
    if (wide) cells.push([...(r.verbs ?? [])].sort().join(','), (r.categories ?? []).join(','))
    return `${cells.join('\t')}\n`
  })
  const text = (flags.headers === false ? '' : header) + rows.join('')
  return tabwrite(text, { minwidth: 0, padding: 3 })
}

/** configureApiResources declares `api-resources`. */
export const configureApiResources: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description('Print the supported API resources on the server.')
    .usage('[options]')
    .option('-o, --output <format>', 'Output format. One of: (wide, name).')
    .option(
      '--namespaced',
      'If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.',
    )
    .option('--api-group <group>', 'Limit to resources in the specified API group.')
    .option(
      '--verbs <verbs>',
      'Limit to resources that support the specified verbs.',
      (v: string, prev: string[] = []) => [...prev, ...v.split(',')],
    )
    .option(
      '--sort-by <field>',
      "If non-empty, sort list of resources using specified field. The field can be either 'name' or 'kind'.",
    )
    .option(
      '--no-headers',
      "When using the default or custom-column output format, don't print headers (default print headers).",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  # Print the supported API resources\n  isctl api-resources\n\n  # Print the cluster-scoped ones with their verbs\n  isctl api-resources --namespaced=false -o wide\n',
    )
  acceptGoBooleans(cmd, ['namespaced'])
  sessionAction(cmd, ctx, async (_o, flags: ApiResourcesFlags, session) => {
    session.io.stdout.write(renderApiResources(await discoverResources(session), flags))
    return 0
  })
}
