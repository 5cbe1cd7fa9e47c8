/**
 * OpenAPI `components.schemas` from our TypeBox schemas. TypeBox emits plain JSON Schema with
 * every nested type inlined; the apiserver's documents instead name each Go type
 * (`com.github.openshift.api.image.v1.TagReference`) and `$ref` it, and `kubectl explain` shows
 * those names and their descriptions. So the types we want named are listed here, recognised
 * inside the resource schemas by structure (TypeBox's `Type.Optional` copies a schema, so
 * identity does not survive), and replaced by `$ref`s.
 */
import Type from 'typebox'
import type { TSchema } from 'typebox'
import {
  DockerConfig,
  DockerImage,
  ImageImportSpec,
  ImageImportStatus,
  ImageLayer,
  ImageLookupPolicy,
  ImageManifest,
  ImageSignature,
  ImageBlobReferences,
  ImageLayerData,
  SignatureCondition,
  SignatureIssuer,
  SignatureSubject,
  ImageStreamImportSpec,
  ImageStreamImportStatus,
  ImageStreamSpec,
  ImageStreamStatus,
  IMAGE_GROUP,
  ListMeta,
  ListOf,
  LocalObjectReference,
  ManagedFieldsEntry,
  Namespace,
  NamespaceCondition,
  NamedTagEventList,
  ObjectMeta,
  ObjectReference,
  OwnerReference,
  RepositoryImportSpec,
  RepositoryImportStatus,
  Status,
  StatusCause,
  StatusDetails,
  TagEvent,
  TagEventCondition,
  TagImportPolicy,
  TagReference,
  TagReferencePolicy,
  TypeMetaProperties,
} from '../../api/index.js'
import { DESCRIPTIONS, LIST_FIELDS, TYPE_META_FIELDS, type ComponentText } from './descriptions.js'

/** JsonObject is a JSON object of an OpenAPI document. */
export type JsonObject = Record<string, unknown>

/** GroupVersionKind as the `x-kubernetes-group-version-kind` extension spells it. */
export interface GroupVersionKind {
  readonly group: string
  readonly version: string
  readonly kind: string
}

/** OpenAPIResource is what the OpenAPI documents need of a resources-registry entry (src/api's ResourceInfo fits). */
export interface OpenAPIResource {
  /** The resource (plural); one with a slash (`imagestreams/status`) is a subresource entry and is skipped. */
  readonly plural: string
  readonly kind: string
  /** The list kind; default `<kind>List`. */
  readonly listKind?: string
  /** The API group; '' for core. */
  readonly group: string
  readonly version: string
  readonly namespaced: boolean
  readonly verbs: readonly string[]
  readonly subresources?: readonly {
    readonly name: string
    readonly kind?: string
    /** The group and version of `kind` when not the resource's own. */
    readonly group?: string
    readonly version?: string
    readonly verbs: readonly string[]
  }[]
  /**
   * On a subresource entry whose answer is a kind of another group version
   * (`imagestreams/secrets` answers a core/v1 SecretList): that kind's group and version.
   */
  readonly kindGroupVersion?: { readonly group: string; readonly version: string }
  /** The TypeBox schema of one object. */
  readonly schema: TSchema
}

/** REF_PREFIX is where OpenAPI 3 keeps reusable schemas. */
export const REF_PREFIX = '#/components/schemas/'

/** META_V1 is the component-name prefix of apimachinery's meta/v1 types. */
export const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1'

/** componentPrefix is the Go package path the apiserver names a group version's types by. */
export function componentPrefix(group: string, version: string): string {
  if (group === '') return `io.k8s.api.core.${version}`
  if (group === IMAGE_GROUP) return `com.github.openshift.api.image.${version}`
  // Kubernetes' own groups are named after their k8s.io/api package: events.k8s.io/v1 is
  // io.k8s.api.events.v1.
  if (group.endsWith('.k8s.io')) return `io.k8s.api.${group.split('.')[0]}.${version}`
  // Any other group: reverse DNS, the convention of generated OpenAPI names.
  return `${group.split('.').reverse().join('.')}.${version}`
}

/** componentName is the apiserver's name of a kind's schema, `io.k8s.api.core.v1.Secret`. */
export function componentName(gvk: GroupVersionKind): string {
  return `${componentPrefix(gvk.group, gvk.version)}.${gvk.kind}`
}

/** Preconditions is meta/v1 Preconditions (documentation only: DELETE bodies are parsed elsewhere). */
const Preconditions = Type.Object({
  resourceVersion: Type.Optional(
    Type.String({ description: 'Specifies the target ResourceVersion.' }),
  ),
  uid: Type.Optional(Type.String({ description: 'Specifies the target UID.' })),
})

/**
 * DeleteOptions is meta/v1 DeleteOptions, the body kubectl sends with DELETE
 * (docs/kubernetes-api.md#update-and-delete).
 */
const DeleteOptions = Type.Object({
  ...TypeMetaProperties,
  dryRun: Type.Optional(
    Type.Array(Type.String(), {
      'x-kubernetes-list-type': 'atomic',
      description:
        'When present, indicates that modifications should not be persisted. The only valid value is All.',
    }),
  ),
  gracePeriodSeconds: Type.Optional(
    Type.Integer({ description: 'The duration in seconds before the object should be deleted.' }),
  ),
  preconditions: Type.Optional(Preconditions),
  propagationPolicy: Type.Optional(
    Type.String({
      description:
        'Whether and how garbage collection will be performed: Orphan, Background or Foreground.',
    }),
  ),
})

/** PATCH_SCHEMA is meta/v1 Patch, the request body schema of every PATCH operation. */
const PATCH_SCHEMA: JsonObject = {
  description:
    'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
  type: 'object',
}

/** NamedSchema is one component: a TypeBox schema, or (raw) an OpenAPI schema used as is. */
interface NamedSchema {
  readonly name: string
  readonly schema?: TSchema
  readonly raw?: JsonObject
  readonly gvk?: GroupVersionKind
  readonly text: ComponentText
}

const CORE = 'io.k8s.api.core.v1'
const IMAGE = 'com.github.openshift.api.image.v1'

/** SUPPORTING are the named types that are not kinds, with the apiserver's names. */
const SUPPORTING: readonly (readonly [string, TSchema])[] = [
  [`${META_V1}.ObjectMeta`, ObjectMeta],
  [`${META_V1}.ListMeta`, ListMeta],
  [`${META_V1}.OwnerReference`, OwnerReference],
  [`${META_V1}.ManagedFieldsEntry`, ManagedFieldsEntry],
  [`${META_V1}.Status`, Status],
  [`${META_V1}.StatusDetails`, StatusDetails],
  [`${META_V1}.StatusCause`, StatusCause],
  [`${META_V1}.DeleteOptions`, DeleteOptions],
  [`${META_V1}.Preconditions`, Preconditions],
  [`${CORE}.ObjectReference`, ObjectReference],
  [`${CORE}.LocalObjectReference`, LocalObjectReference],
  [`${CORE}.NamespaceSpec`, Namespace.properties.spec],
  [`${CORE}.NamespaceStatus`, Namespace.properties.status],
  [`${CORE}.NamespaceCondition`, NamespaceCondition],
  [`${IMAGE}.ImageStreamSpec`, ImageStreamSpec],
  [`${IMAGE}.ImageStreamStatus`, ImageStreamStatus],
  [`${IMAGE}.ImageLookupPolicy`, ImageLookupPolicy],
  [`${IMAGE}.TagReference`, TagReference],
  [`${IMAGE}.TagImportPolicy`, TagImportPolicy],
  [`${IMAGE}.TagReferencePolicy`, TagReferencePolicy],
  [`${IMAGE}.NamedTagEventList`, NamedTagEventList],
  [`${IMAGE}.TagEvent`, TagEvent],
  [`${IMAGE}.TagEventCondition`, TagEventCondition],
  [`${IMAGE}.ImageLayer`, ImageLayer],
  [`${IMAGE}.ImageLayerData`, ImageLayerData],
  [`${IMAGE}.ImageBlobReferences`, ImageBlobReferences],
  [`${IMAGE}.ImageManifest`, ImageManifest],
  [`${IMAGE}.ImageSignature`, ImageSignature],
  [`${IMAGE}.SignatureCondition`, SignatureCondition],
  [`${IMAGE}.SignatureIssuer`, SignatureIssuer],
  [`${IMAGE}.SignatureSubject`, SignatureSubject],
  [`${IMAGE}.ImageStreamImportSpec`, ImageStreamImportSpec],
  [`${IMAGE}.ImageStreamImportStatus`, ImageStreamImportStatus],
  [`${IMAGE}.ImageImportSpec`, ImageImportSpec],
  [`${IMAGE}.ImageImportStatus`, ImageImportStatus],
  [`${IMAGE}.RepositoryImportSpec`, RepositoryImportSpec],
  [`${IMAGE}.RepositoryImportStatus`, RepositoryImportStatus],
  ['com.github.openshift.api.image.docker10.DockerImage', DockerImage],
  ['com.github.openshift.api.image.docker10.DockerConfig', DockerConfig],
]

/** PATCH_COMPONENT, STATUS_COMPONENT and DELETE_OPTIONS_COMPONENT are the shared names operations refer to. */
export const PATCH_COMPONENT = `${META_V1}.Patch`
/** STATUS_COMPONENT is meta/v1 Status, the answer of DELETE operations. */
export const STATUS_COMPONENT = `${META_V1}.Status`
/** DELETE_OPTIONS_COMPONENT is meta/v1 DeleteOptions, the body of DELETE operations. */
export const DELETE_OPTIONS_COMPONENT = `${META_V1}.DeleteOptions`

/** listKindOf is a resource's list kind. */
export function listKindOf(r: OpenAPIResource): string {
  return r.listKind ?? `${r.kind}List`
}

/** canonical is the structural identity of a schema: its JSON (TypeBox's markers are not enumerable). */
function canonical(schema: unknown): string {
  return JSON.stringify(schema)
}

/** SchemaRegistry knows every component name and how to recognise its schema inside another. */
export interface SchemaRegistry {
  readonly byName: ReadonlyMap<string, NamedSchema>
  readonly byStructure: ReadonlyMap<string, NamedSchema>
}

/**
 * buildSchemaRegistry names the supporting types plus each resource's kind and list kind. Two
 * names for one structure would make `$ref`s ambiguous, so that throws (a schema change that
 * causes it needs a distinguishing field or description).
 */
export function buildSchemaRegistry(resources: readonly OpenAPIResource[]): SchemaRegistry {
  const byName = new Map<string, NamedSchema>()
  const byStructure = new Map<string, NamedSchema>()
  const add = (entry: NamedSchema) => {
    const existing = byName.get(entry.name)
    if (existing) {
      if (entry.schema !== undefined && canonical(existing.schema) !== canonical(entry.schema)) {
        throw new Error(`two different schemas are both named ${entry.name}`)
      }
      return
    }
    byName.set(entry.name, entry)
    if (entry.schema === undefined) return
    const key = canonical(entry.schema)
    const clash = byStructure.get(key)
    if (clash) throw new Error(`${entry.name} and ${clash.name} have the same schema`)
    byStructure.set(key, entry)
  }
  const addKind = (gvk: GroupVersionKind, schema: TSchema): void => {
    const name = componentName(gvk)
    const text = DESCRIPTIONS[name]
    add({ name, schema, gvk, text: { ...text, fields: { ...TYPE_META_FIELDS, ...text?.fields } } })
  }
  for (const r of resources) {
    if (r.plural.includes('/')) continue
    const gvk = { group: r.group, version: r.version, kind: r.kind }
    addKind(gvk, r.schema)
    const listGVK = { ...gvk, kind: listKindOf(r) }
    add({
      name: componentName(listGVK),
      schema: ListOf(r.schema),
      gvk: listGVK,
      text: {
        description: `${listKindOf(r)} is a list of ${r.kind} objects.`,
        fields: LIST_FIELDS,
      },
    })
  }
  // A subresource's answer that no resource serves (ImageStreamLayers) is named here; one that
  // is a served kind of another group (core/v1 SecretList) must match that kind's schema.
  for (const r of resources) {
    if (!r.plural.includes('/')) continue
    const gv = r.kindGroupVersion ?? { group: r.group, version: r.version }
    addKind({ group: gv.group, version: gv.version, kind: r.kind }, r.schema)
  }
  for (const [name, schema] of SUPPORTING) add({ name, schema, text: DESCRIPTIONS[name] ?? {} })
  add({ name: PATCH_COMPONENT, raw: PATCH_SCHEMA, text: {} })
  return { byName, byStructure }
}

/** ComponentSet collects the components one document uses, converting each once. */
export interface ComponentSet {
  /** ref is a `$ref` to a named component, which the document will then include. */
  ref(name: string): JsonObject
  /** schemas converts every referenced component (and what they reference), sorted by name. */
  schemas(): Record<string, JsonObject>
}

/** FIELD_EXTENSIONS describe how a field merges, not its type: they stay on the field. */
const FIELD_EXTENSIONS: ReadonlySet<string> = new Set([
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-patch-strategy',
])

/** isObject is true for a JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** createComponentSet starts an empty set of components for one document. */
export function createComponentSet(registry: SchemaRegistry): ComponentSet {
  const wanted = new Set<string>()
  const ref = (name: string): JsonObject => {
    if (!registry.byName.has(name)) throw new Error(`no OpenAPI component is named ${name}`)
    wanted.add(name)
    return { $ref: `${REF_PREFIX}${name}` }
  }

  // Converts a nested schema: a named structure becomes a $ref, anything else is inlined. A
  // named structure with field-level extensions (Image.dockerImageMetadata's `replace`) keeps
  // them beside the reference, where kubectl's patch lookup reads them.
  const nested = (node: unknown): JsonObject => {
    if (!isObject(node)) return {}
    if (node.type === 'object') {
      const named = registry.byStructure.get(canonical(node))
      if (named) return ref(named.name)
      const fieldLevel = Object.entries(node).filter(([k]) => FIELD_EXTENSIONS.has(k))
      if (fieldLevel.length > 0) {
        const bare = Object.fromEntries(
          Object.entries(node).filter(([k]) => !FIELD_EXTENSIONS.has(k)),
        )
        const base = registry.byStructure.get(canonical(bare))
        if (base) return { allOf: [ref(base.name)], ...Object.fromEntries(fieldLevel) }
      }
    }
    return convert(node, undefined)
  }

  const convert = (node: JsonObject, text: ComponentText | undefined): JsonObject => {
    // Type.Unknown (managedFields' fieldsV1): any JSON object, kept as sent.
    if (Object.keys(node).length === 0) {
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }
    }
    const out: JsonObject = {}
    const description = text?.description ?? node.description
    if (typeof description === 'string') out.description = description
    if (Array.isArray(node.anyOf)) {
      const variants = node.anyOf.filter(isObject)
      // A union of literals (Status.status) is an enum in OpenAPI 3.0, which has no `const`.
      if (variants.length > 0 && variants.every((v) => 'const' in v)) {
        if (typeof variants[0]?.type === 'string') out.type = variants[0].type
        out.enum = variants.map((v) => v.const)
      } else {
        out.anyOf = variants.map(nested)
      }
    }
    for (const [key, value] of Object.entries(node)) {
      switch (key) {
        case 'description':
        case 'anyOf':
          break
        case 'properties':
          if (isObject(value)) out.properties = properties(value, text?.fields)
          break
        case 'items':
          out.items = nested(value)
          break
        case 'additionalProperties':
          out.additionalProperties = isObject(value) ? nested(value) : value
          break
        case 'const':
          out.enum = [value]
          break
        case 'patternProperties':
          // OpenAPI 3.0 has no patternProperties; our maps use additionalProperties (MapOf).
          break
        default:
          out[key] = value
      }
    }
    return out
  }

  const properties = (
    props: JsonObject,
    fields: Readonly<Record<string, string>> | undefined,
  ): JsonObject => {
    const out: JsonObject = {}
    for (const [name, child] of Object.entries(props)) {
      const converted = nested(child)
      const description = fields?.[name]
      if (description === undefined) out[name] = converted
      // A $ref takes no siblings in OpenAPI 3.0, hence allOf, as the apiserver writes it.
      else if ('$ref' in converted) out[name] = { allOf: [converted], description }
      else out[name] = { ...converted, description }
    }
    return out
  }

  const component = (entry: NamedSchema): JsonObject => {
    if (entry.raw) return entry.raw
    const out = isObject(entry.schema) ? convert(entry.schema, entry.text) : {}
    if (entry.gvk) {
      const { group, kind, version } = entry.gvk
      out['x-kubernetes-group-version-kind'] = [{ group, kind, version }]
      // The apiserver's documents never list metadata as required (ObjectMeta is `omitempty`
      // in Go), so kubectl neither marks it -required- nor checks it on the client; our
      // decoding schemas requiring it is the server's business.
      if (Array.isArray(out.required)) {
        const required = out.required.filter((f) => f !== 'metadata')
        if (required.length > 0) out.required = required
        else delete out.required
      }
    }
    return out
  }

  return {
    ref,
    schemas() {
      const done = new Map<string, JsonObject>()
      // Converting a component can reference more; repeat until nothing new turns up.
      for (
        let pending = [...wanted];
        pending.length > 0;
        pending = [...wanted].filter((n) => !done.has(n))
      ) {
        for (const name of pending) {
          const entry = registry.byName.get(name)
          if (entry) done.set(name, component(entry))
        }
      }
      return Object.fromEntries([...done].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    },
  }
}
