/**
 * The kinds registry with each kind's TypeBox schema, for the server (decoding, validation,
 * OpenAPI). The names and verbs live in resource-meta.ts, which the CLI loads without typebox.
 */
import type { TSchema } from 'typebox'
import {
  Namespace as NamespaceSchema,
  Secret as SecretSchema,
  ServiceAccount as ServiceAccountSchema,
} from './core.js'
import { Event as EventSchema } from './events.js'
import {
  Image as ImageSchema,
  ImageStream as ImageStreamSchema,
  ImageStreamImage as ImageStreamImageSchema,
  ImageSignature as ImageSignatureSchema,
  ImageStreamImport as ImageStreamImportSchema,
  ImageStreamMapping as ImageStreamMappingSchema,
  ImageStreamTag as ImageStreamTagSchema,
  ImageTag as ImageTagSchema,
} from './image.js'
import {
  ClusterRole as ClusterRoleSchema,
  ClusterRoleBinding as ClusterRoleBindingSchema,
  Role as RoleSchema,
  RoleBinding as RoleBindingSchema,
} from './rbac.js'
import {
  findResourceIn,
  RESOURCE_META,
  resourceKindIn,
  type KindName,
  type ResourceMeta,
  type ResourceName,
} from './resource-meta.js'

export {
  RESOURCE_META,
  RESOURCE_META_LIST,
  type KindMap,
  type KindName,
  type ResourceMeta,
  type ResourceName,
  type SubresourceInfo,
  type Verb,
} from './resource-meta.js'

/** ResourceInfo is a resource's registry entry plus its schema. */
export interface ResourceInfo<K extends KindName = KindName> extends ResourceMeta<K> {
  /** The TypeBox schema of one object (for decoding, validation and OpenAPI). */
  readonly schema: TSchema
}

const SCHEMAS: Record<ResourceName, TSchema> = {
  images: ImageSchema,
  imagesignatures: ImageSignatureSchema,
  imagestreams: ImageStreamSchema,
  imagestreamtags: ImageStreamTagSchema,
  imagetags: ImageTagSchema,
  imagestreamimages: ImageStreamImageSchema,
  imagestreamimports: ImageStreamImportSchema,
  imagestreammappings: ImageStreamMappingSchema,
  namespaces: NamespaceSchema,
  secrets: SecretSchema,
  serviceaccounts: ServiceAccountSchema,
  events: EventSchema,
  roles: RoleSchema,
  rolebindings: RoleBindingSchema,
  clusterroles: ClusterRoleSchema,
  clusterrolebindings: ClusterRoleBindingSchema,
}

type Resources = {
  readonly [P in ResourceName]: (typeof RESOURCE_META)[P] & { readonly schema: TSchema }
}

/** RESOURCES are the resources we serve, keyed by plural, with their schemas. */
export const RESOURCES: Resources = Object.fromEntries(
  Object.entries(RESOURCE_META).map(([plural, meta]) => [
    plural,
    { ...meta, schema: SCHEMAS[plural as ResourceName] },
  ]),
) as Resources

/** RESOURCE_LIST is RESOURCES as a list, image group first, in discovery order. */
export const RESOURCE_LIST: readonly ResourceInfo[] = Object.values(RESOURCES)

/** resourceForKind finds the resource serving a kind. */
export function resourceForKind<K extends KindName>(kind: K): ResourceInfo<K> {
  return resourceKindIn(RESOURCE_LIST, kind)
}

/** findResource resolves what a user types as kubectl does (see findResourceIn). */
export function findResource(input: string): ResourceInfo | undefined {
  return findResourceIn(RESOURCE_LIST, input)
}
