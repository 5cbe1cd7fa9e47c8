/**
 * The server's OpenAPI v3 documents as kubectl reads them for `apply` (patch strategies and merge
 * keys) and `explain` (descriptions and types): the index at `/openapi/v3`, then the document of
 * the group version, and in it the component whose `x-kubernetes-group-version-kind` is the kind.
 */
import type { ResourceMeta } from '../../api/resource-meta.js'
import type { ApiClient } from './api-client.js'
import { NO_META, type PatchMeta } from '../strategic-patch.js'

/** OpenApiSchema is the subset of an OpenAPI 3 schema the CLI reads. */
export interface OpenApiSchema {
  readonly $ref?: string
  readonly allOf?: readonly OpenApiSchema[]
  readonly type?: string
  readonly format?: string
  readonly description?: string
  readonly properties?: Readonly<Record<string, OpenApiSchema>>
  readonly additionalProperties?: boolean | OpenApiSchema
  readonly items?: OpenApiSchema
  readonly required?: readonly string[]
  readonly enum?: readonly unknown[]
  readonly default?: unknown
  readonly 'x-kubernetes-patch-strategy'?: string
  readonly 'x-kubernetes-patch-merge-key'?: string
  readonly 'x-kubernetes-group-version-kind'?: readonly {
    group: string
    version: string
    kind: string
  }[]
}

interface Document {
  readonly components?: { readonly schemas?: Readonly<Record<string, OpenApiSchema>> }
}

/** SchemaDoc resolves `$ref`s within one group version's document. */
export class SchemaDoc {
  readonly #schemas: Readonly<Record<string, OpenApiSchema>>

  constructor(doc: Document) {
    this.#schemas = doc.components?.schemas ?? {}
  }

  /** kindSchema is the component of a kind, with its component name. */
  kindSchema(resource: ResourceMeta): { name: string; schema: OpenApiSchema } | undefined {
    for (const [name, schema] of Object.entries(this.#schemas)) {
      const gvks = schema['x-kubernetes-group-version-kind'] ?? []
      if (
        gvks.some(
          (g) =>
            g.group === resource.group &&
            g.version === resource.version &&
            g.kind === resource.kind,
        )
      )
        return { name, schema }
    }
    return undefined
  }

  /**
   * resolve follows a `$ref` (directly or as the single `allOf` the documents wrap them in),
   * keeping the referring field's description and patch extensions.
   */
  resolve(schema: OpenApiSchema): OpenApiSchema {
    const ref = schema.$ref ?? schema.allOf?.find((s) => s.$ref !== undefined)?.$ref
    if (ref === undefined) return schema
    const target = this.#schemas[ref.replace('#/components/schemas/', '')] ?? {}
    const { $ref: _ref, allOf: _allOf, ...own } = schema
    return { ...target, ...own }
  }

  /** refName is the component a field refers to, if any (`TagReference`). */
  refName(schema: OpenApiSchema): string | undefined {
    const ref = schema.$ref ?? schema.allOf?.find((s) => s.$ref !== undefined)?.$ref
    return ref?.replace('#/components/schemas/', '')
  }

  /** field is the schema of a property of an object schema (or of its map values). */
  field(schema: OpenApiSchema | undefined, name: string): OpenApiSchema | undefined {
    if (schema === undefined) return undefined
    const s = this.resolve(schema)
    const own = s.properties?.[name]
    if (own !== undefined && Object.hasOwn(s.properties ?? {}, name)) return this.resolve(own)
    return typeof s.additionalProperties === 'object'
      ? this.resolve(s.additionalProperties)
      : undefined
  }

  /** items is the schema of a list's elements. */
  items(schema: OpenApiSchema | undefined): OpenApiSchema | undefined {
    const s = schema && this.resolve(schema)
    return s?.items && this.resolve(s.items)
  }
}

interface Index {
  readonly paths?: Readonly<Record<string, { readonly serverRelativeURL?: string }>>
}

/** loadSchemaDoc fetches the OpenAPI v3 document of a resource's group version. */
export async function loadSchemaDoc(
  client: ApiClient,
  resource: ResourceMeta,
): Promise<SchemaDoc | undefined> {
  const index = await client.request<Index>('GET', '/openapi/v3')
  const key = resource.group === '' ? 'api/v1' : `apis/${resource.group}/${resource.version}`
  const url = index.paths?.[key]?.serverRelativeURL
  if (url === undefined) return undefined
  return new SchemaDoc(await client.request<Document>('GET', url))
}

/** patchMeta reads a schema's patch strategies and merge keys, as kubectl's PatchMetaFromOpenAPIV3. */
export function patchMeta(doc: SchemaDoc, schema: OpenApiSchema | undefined): PatchMeta {
  if (schema === undefined) return NO_META
  const s = doc.resolve(schema)
  return {
    strategy: s['x-kubernetes-patch-strategy'],
    mergeKey: s['x-kubernetes-patch-merge-key'],
    field: (name) => patchMeta(doc, doc.field(s, name)),
    items: () => patchMeta(doc, doc.items(s)),
  }
}
