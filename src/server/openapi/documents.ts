/**
 * The OpenAPI documents: one OpenAPI 3.0 document per group version, the `/openapi/v3` index
 * that points at them by hash, and the swagger 2.0 document of `/openapi/v2` (JSON and
 * protobuf), derived from the group-version documents. Everything is computed once from the
 * resources registry: the documents never change while the server runs, so each one is
 * serialised once and its hash taken over exactly those bytes. The swagger document is built at
 * its first read: only `/openapi/v2` asks for it, and its protobuf encoding is the largest part.
 */
import { createHash } from 'node:crypto'
import { KUBE_VERSION } from '../version.js'
import {
  buildSchemaRegistry,
  createComponentSet,
  type JsonObject,
  type OpenAPIResource,
  type SchemaRegistry,
} from './components.js'
import { buildPaths, groupVersionPath } from './paths.js'
import { buildSwagger } from './v2.js'
import { encodeSwaggerProtobuf } from './v2-protobuf.js'

/** GroupVersionDocument is one served document: its JSON text and hash. */
export interface GroupVersionDocument {
  /** The index key, `api/v1` or `apis/image.openshift.io/v1`. */
  readonly key: string
  /** The served path, `/openapi/v3/apis/image.openshift.io/v1`. */
  readonly path: string
  /** The document as served. */
  readonly json: string
  /** kube-openapi's hash: SHA-512 of `json`, upper-case hex. */
  readonly hash: string
  /** `path?hash=<hash>`, the index entry's serverRelativeURL. */
  readonly serverRelativeURL: string
}

/** OpenAPIDocuments are every document the server serves. */
export interface OpenAPIDocuments {
  /** The group-version documents by index key. */
  readonly groupVersions: ReadonlyMap<string, GroupVersionDocument>
  /** The `/openapi/v3` index as served. */
  readonly indexJSON: string
  /** The `/openapi/v2` swagger document as served to JSON clients. */
  readonly swaggerJSON: string
  /** The same document in gnostic's protobuf encoding, as kubectl asks for it. */
  readonly swaggerProtobuf: Buffer
}

/** openAPIHash is kube-openapi handler3's computeETag: upper-case hex SHA-512 of the document bytes. */
export function openAPIHash(document: string | Buffer): string {
  return createHash('sha512').update(document).digest('hex').toUpperCase()
}

const INFO = { title: 'Kubernetes', version: KUBE_VERSION.gitVersion }

const SECURITY_SCHEMES = {
  BearerToken: {
    type: 'apiKey',
    description: 'Bearer Token authentication',
    name: 'authorization',
    in: 'header',
  },
}

/**
 * withSubresourceEntries folds registry entries named `<plural>/<sub>` into their parent's
 * subresources, as discovery does, so both registry shapes describe the same paths.
 */
function withSubresourceEntries(resources: readonly OpenAPIResource[]): OpenAPIResource[] {
  const parents = resources.filter((r) => !r.plural.includes('/'))
  return parents.map((parent) => {
    const extra = resources
      .filter((r) => r.group === parent.group && r.version === parent.version)
      .filter((r) => r.plural.startsWith(`${parent.plural}/`))
      .map((r) => ({
        name: r.plural.slice(parent.plural.length + 1),
        kind: r.kind,
        ...r.kindGroupVersion,
        verbs: r.verbs,
      }))
    if (extra.length === 0) return parent
    const known = new Set((parent.subresources ?? []).map((s) => s.name))
    return {
      ...parent,
      subresources: [...(parent.subresources ?? []), ...extra.filter((s) => !known.has(s.name))],
    }
  })
}

/** buildGroupVersionDocument is the OpenAPI 3.0 document of one group version. */
export function buildGroupVersionDocument(
  registry: SchemaRegistry,
  resources: readonly OpenAPIResource[],
): JsonObject {
  const components = createComponentSet(registry)
  const paths = buildPaths(components, resources)
  return {
    openapi: '3.0.0',
    info: INFO,
    paths,
    components: { schemas: components.schemas(), securitySchemes: SECURITY_SCHEMES },
    security: [{ BearerToken: [] }],
  }
}

/** byGroupVersion groups the resources (subresources folded in) by index key, in key order. */
function byGroupVersion(resources: readonly OpenAPIResource[]): [string, OpenAPIResource[]][] {
  const byGV = new Map<string, OpenAPIResource[]>()
  for (const r of withSubresourceEntries(resources)) {
    const key = groupVersionPath(r.group, r.version).slice(1)
    byGV.set(key, [...(byGV.get(key) ?? []), r])
  }
  return [...byGV].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/** openAPIGroupVersionKeys are the index keys buildOpenAPIDocuments will give `resources`, in order. */
export function openAPIGroupVersionKeys(resources: readonly OpenAPIResource[]): string[] {
  return byGroupVersion(resources).map(([key]) => key)
}

/** buildOpenAPIDocuments builds every document from the resources registry. */
export function buildOpenAPIDocuments(resources: readonly OpenAPIResource[]): OpenAPIDocuments {
  // From the entries as given: subresource entries name the kinds they answer.
  const registry = buildSchemaRegistry(resources)
  const groupVersions = new Map<string, GroupVersionDocument>()
  const built: JsonObject[] = []
  for (const [key, members] of byGroupVersion(resources)) {
    const document = buildGroupVersionDocument(registry, members)
    built.push(document)
    const json = JSON.stringify(document)
    const hash = openAPIHash(json)
    const path = `/openapi/v3/${key}`
    groupVersions.set(key, { key, path, json, hash, serverRelativeURL: `${path}?hash=${hash}` })
  }
  const index = {
    paths: Object.fromEntries(
      [...groupVersions.values()].map((d) => [d.key, { serverRelativeURL: d.serverRelativeURL }]),
    ),
  }
  let swagger: { json: string; protobuf: Buffer } | undefined
  const v2 = () => {
    if (swagger) return swagger
    const document = buildSwagger(built)
    return (swagger = {
      json: JSON.stringify(document),
      protobuf: encodeSwaggerProtobuf(document),
    })
  }
  return {
    groupVersions,
    indexJSON: JSON.stringify(index),
    get swaggerJSON() {
      return v2().json
    },
    get swaggerProtobuf() {
      return v2().protobuf
    },
  }
}
