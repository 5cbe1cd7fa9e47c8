/**
 * API discovery, built from the resources registry: legacy (`/api`, `/api/v1`, `/apis`,
 * `/apis/<group>`, `/apis/<group>/<version>`) and aggregated (`APIGroupDiscoveryList` at
 * `/api` and `/apis` when the Accept header asks for it, v2 or v2beta1). kubectl 1.32 asks for
 * aggregated first and only recognises it by the exact response Content-Type; every resource
 * needs a `responseKind` or kubectl drops it silently (docs/kubernetes-api.md#discovery).
 */
import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { authorizeNonResourceRequest } from './auth/index.js'
import { notAcceptable } from './status.js'

/** DiscoverySubresource is a subresource such as `imagestreams/status`. */
export interface DiscoverySubresource {
  /** The subresource name, `status`. */
  readonly name: string
  /** The kind it answers with; default the parent's kind. */
  readonly kind?: string
  /** The group and version of that kind when they are not the parent's (`serviceaccounts/token` answers an authentication.k8s.io/v1 TokenRequest). */
  readonly kindGroupVersion?: GroupVersionOf
  readonly verbs: readonly string[]
}

/** GroupVersionOf names a group and version. */
export interface GroupVersionOf {
  readonly group: string
  readonly version: string
}

/**
 * DiscoveryResource is what discovery needs of a resources-registry entry (src/api's
 * `RESOURCES`). An entry whose plural holds a slash (`imagestreams/status`) is taken as a
 * subresource of its parent, as in legacy discovery.
 */
export interface DiscoveryResource {
  /** The resource (plural), `imagestreams`. */
  readonly plural: string
  readonly singular: string
  readonly kind: string
  /** The API group; '' for core. */
  readonly group: string
  readonly version: string
  readonly namespaced: boolean
  readonly verbs: readonly string[]
  readonly shortNames?: readonly string[]
  readonly categories?: readonly string[]
  readonly subresources?: readonly DiscoverySubresource[]
  /** For a subresource entry: the group and version of its kind when they differ from the parent's. */
  readonly kindGroupVersion?: GroupVersionOf
}

interface Resolved {
  readonly resource: DiscoveryResource
  readonly subresources: readonly DiscoverySubresource[]
}

/** GroupVersions lists, per group in registry order, its versions in registry order (the first is preferred). */
type GroupVersions = ReadonlyMap<string, readonly string[]>

/** Discovery is the registry arranged for the discovery documents. */
export interface Discovery {
  readonly groups: GroupVersions
  resourcesOf(group: string, version: string): readonly Resolved[]
}

/** buildDiscovery arranges registry entries by group and version and attaches subresources to their parents. */
export function buildDiscovery(entries: readonly DiscoveryResource[]): Discovery {
  const groups = new Map<string, string[]>()
  const byGV = new Map<
    string,
    { resource: DiscoveryResource; subresources: DiscoverySubresource[] }[]
  >()
  const key = (g: string, v: string) => `${g}/${v}`
  for (const r of entries) {
    const versions = groups.get(r.group) ?? []
    if (!versions.includes(r.version)) versions.push(r.version)
    groups.set(r.group, versions)
    const list = byGV.get(key(r.group, r.version)) ?? []
    byGV.set(key(r.group, r.version), list)
    const slash = r.plural.indexOf('/')
    if (slash < 0) {
      list.push({ resource: r, subresources: [...(r.subresources ?? [])] })
      continue
    }
    const parent = list.find((p) => p.resource.plural === r.plural.slice(0, slash))
    if (!parent) {
      throw new Error(`subresource ${r.plural} is listed before (or without) its resource`)
    }
    parent.subresources.push({
      name: r.plural.slice(slash + 1),
      kind: r.kind,
      verbs: r.verbs,
      ...(r.kindGroupVersion && { kindGroupVersion: r.kindGroupVersion }),
    })
  }
  return {
    groups,
    resourcesOf: (g, v) => byGV.get(key(g, v)) ?? [],
  }
}

function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version
}

/** storageVersionHash is the apiserver's: base64 of the first 8 bytes of sha256("group/version/kind"). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256')
    .update(`${group}/${version}/${kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64')
}

/** APIResource is one entry of a legacy `APIResourceList`; subresources are entries of their own. */
export interface APIResource {
  readonly name: string
  readonly singularName: string
  readonly namespaced: boolean
  /** The group of the kind, for a subresource whose kind is another group's. */
  readonly group?: string
  /** The version of the kind, likewise. */
  readonly version?: string
  readonly kind: string
  readonly verbs: readonly string[]
  readonly shortNames?: readonly string[]
  readonly categories?: readonly string[]
  readonly storageVersionHash?: string
}

/** APIResourceList is the legacy discovery document of one group version. */
export interface APIResourceList {
  readonly kind: 'APIResourceList'
  readonly apiVersion: 'v1'
  readonly groupVersion: string
  readonly resources: readonly APIResource[]
}

/** legacyResourceList is the `APIResourceList` of one group version (`/api/v1`, `/apis/<g>/<v>`). */
export function legacyResourceList(d: Discovery, group: string, version: string): APIResourceList {
  const resources = d
    .resourcesOf(group, version)
    .flatMap(({ resource: r, subresources }): APIResource[] => [
      {
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
        ...(r.categories?.length ? { categories: r.categories } : {}),
        storageVersionHash: storageVersionHash(group, version, r.kind),
      },
      ...subresources.map((s) => ({
        name: `${r.plural}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(s.kindGroupVersion && s.kindGroupVersion),
        kind: s.kind ?? r.kind,
        verbs: s.verbs,
      })),
    ])
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion(group, version),
    resources,
  }
}

function legacyGroup(d: Discovery, group: string) {
  const versions = (d.groups.get(group) ?? []).map((v) => ({
    groupVersion: groupVersion(group, v),
    version: v,
  }))
  return { name: group, versions, preferredVersion: versions[0] }
}

/** legacyGroupList is the `APIGroupList` of `/apis`: every group but core. */
export function legacyGroupList(d: Discovery) {
  const groups = [...d.groups.keys()].filter((g) => g !== '').map((g) => legacyGroup(d, g))
  return { kind: 'APIGroupList', apiVersion: 'v1', groups }
}

/** legacyAPIVersions is the `APIVersions` of `/api`. */
export function legacyAPIVersions(d: Discovery, serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: [...(d.groups.get('') ?? [])],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  }
}

/** AggregatedVersion is the apidiscovery.k8s.io version a client asked for. */
export type AggregatedVersion = 'v2' | 'v2beta1'

/** aggregatedContentType is the exact Content-Type kubectl requires on an aggregated answer. */
export function aggregatedContentType(v: AggregatedVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`
}

/** aggregatedList is the `APIGroupDiscoveryList` of `/api` (scope `core`) or `/apis` (every other group). */
export function aggregatedList(d: Discovery, scope: 'core' | 'groups', v: AggregatedVersion) {
  const groups = [...d.groups.keys()].filter((g) => (scope === 'core' ? g === '' : g !== ''))
  const items = groups.map((group) => ({
    metadata: { name: group },
    versions: (d.groups.get(group) ?? []).map((version) => ({
      version,
      resources: d.resourcesOf(group, version).map(({ resource: r, subresources }) => ({
        resource: r.plural,
        responseKind: { group, version, kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: r.singular,
        verbs: r.verbs,
        ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
        ...(r.categories?.length ? { categories: r.categories } : {}),
        ...(subresources.length
          ? {
              subresources: subresources.map((s) => ({
                subresource: s.name,
                responseKind: { group, version, ...s.kindGroupVersion, kind: s.kind ?? r.kind },
                verbs: s.verbs,
              })),
            }
          : {}),
      })),
      freshness: 'Current',
    })),
  }))
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${v}`,
    metadata: {},
    items,
  }
}

/** DiscoveryFormat is what negotiateDiscovery picked. */
export type DiscoveryFormat = AggregatedVersion | 'legacy'

/**
 * negotiateDiscovery picks the first acceptable format of an Accept header, in q order then
 * header order: aggregated v2 / v2beta1 for `application/json;g=apidiscovery.k8s.io;v=...;as=
 * APIGroupDiscoveryList`, legacy for plain JSON or wildcards; undefined when nothing fits.
 */
export function negotiateDiscovery(accept: string | undefined): DiscoveryFormat | undefined {
  if (!accept || accept.trim() === '') return 'legacy'
  const ranges = accept
    .split(',')
    .map((text, index) => ({ ...parseMediaRange(text), index }))
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
  for (const r of ranges) {
    const format = formatFor(r)
    if (format) return format
  }
  return undefined
}

interface MediaRange {
  readonly type: string
  readonly params: ReadonlyMap<string, string>
  readonly q: number
}

function parseMediaRange(text: string): MediaRange {
  const [type = '', ...rest] = text.split(';').map((s) => s.trim())
  const params = new Map<string, string>()
  for (const p of rest) {
    const eq = p.indexOf('=')
    if (eq > 0)
      params.set(
        p.slice(0, eq).trim().toLowerCase(),
        p
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1'),
      )
  }
  const q = params.has('q') ? Number(params.get('q')) : 1
  return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0 }
}

function formatFor(r: MediaRange): DiscoveryFormat | undefined {
  if (r.type === '*/*' || r.type === 'application/*') return 'legacy'
  if (r.type !== 'application/json') return undefined
  const as = r.params.get('as')
  if (as === undefined) return 'legacy'
  if (as !== 'APIGroupDiscoveryList' || r.params.get('g') !== 'apidiscovery.k8s.io')
    return undefined
  const v = r.params.get('v')
  return v === 'v2' || v === 'v2beta1' ? v : undefined
}

function sendJSON(reply: FastifyReply, contentType: string, body: unknown): FastifyReply {
  // A Buffer is the one payload fastify sends without rewriting a JSON Content-Type (it would
  // quote the parameters and append a charset); kubectl wants the aggregated type verbatim.
  return reply
    .header('vary', 'Accept')
    .header('content-type', contentType)
    .send(Buffer.from(JSON.stringify(body)))
}

/** registerDiscovery adds the discovery routes for `resources` to the app. */
export function registerDiscovery(
  app: FastifyInstance,
  resources: readonly DiscoveryResource[],
): void {
  const d = buildDiscovery(resources)
  const route = { preHandler: authorizeNonResourceRequest }

  const aggregated =
    (scope: 'core' | 'groups', legacy: (req: FastifyRequest) => unknown) =>
    (request: FastifyRequest, reply: FastifyReply) => {
      const format = negotiateDiscovery(request.headers.accept)
      if (format === undefined) {
        throw notAcceptable(
          `only the following media types are accepted: application/json, ${aggregatedContentType('v2')}, ${aggregatedContentType('v2beta1')}`,
        )
      }
      if (format === 'legacy') return sendJSON(reply, 'application/json', legacy(request))
      return sendJSON(reply, aggregatedContentType(format), aggregatedList(d, scope, format))
    }

  app.get(
    '/api',
    route,
    aggregated('core', (req) => legacyAPIVersions(d, req.host)),
  )
  app.get(
    '/apis',
    route,
    aggregated('groups', () => legacyGroupList(d)),
  )
  for (const [group, versions] of d.groups) {
    for (const version of versions) {
      const path = group ? `/apis/${group}/${version}` : `/api/${version}`
      app.get(path, route, (_req, reply) =>
        sendJSON(reply, 'application/json', legacyResourceList(d, group, version)),
      )
    }
    if (group) {
      app.get(`/apis/${group}`, route, (_req, reply) =>
        sendJSON(reply, 'application/json', {
          kind: 'APIGroup',
          apiVersion: 'v1',
          ...legacyGroup(d, group),
        }),
      )
    }
  }
}
