/**
 * The kinds registry without schemas: what the server serves for discovery
 * (docs/kubernetes-api.md#discovery, values as openshift-apiserver and kube-apiserver advertise
 * them) and how a CLI resolves `is`, `istag`, `imagestreams.image.openshift.io` and the like to a
 * resource. Kept apart from the TypeBox schemas (resources.ts) so that CLI verbs do not load
 * typebox.
 */
import type { Namespace, Secret, ServiceAccount } from './core.js'
import type { Event } from './events.js'
import type {
  Image,
  ImageStream,
  ImageStreamImage,
  ImageSignature,
  ImageStreamImport,
  ImageStreamMapping,
  ImageStreamTag,
  ImageTag,
} from './image.js'
import { IMAGE_GROUP, RBAC_GROUP } from './constants.js'
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from './rbac.js'

/** Verb is an API verb as discovery lists it. */
export type Verb =
  'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch'

/** KindMap maps each kind we serve to its static type. */
export interface KindMap {
  Namespace: Namespace
  Secret: Secret
  ServiceAccount: ServiceAccount
  Event: Event
  Image: Image
  ImageStream: ImageStream
  ImageStreamTag: ImageStreamTag
  ImageStreamImage: ImageStreamImage
  ImageStreamImport: ImageStreamImport
  ImageTag: ImageTag
  ImageStreamMapping: ImageStreamMapping
  ImageSignature: ImageSignature
  Role: Role
  ClusterRole: ClusterRole
  RoleBinding: RoleBinding
  ClusterRoleBinding: ClusterRoleBinding
}
/** KindName is the name of a kind we serve. */
export type KindName = keyof KindMap

/** SubresourceInfo is one subresource of a resource, e.g. `imagestreams/status`. */
export interface SubresourceInfo {
  readonly name: string
  /** The kind the subresource answers with. */
  readonly kind: string
  readonly verbs: readonly Verb[]
}

/** ResourceMeta is everything discovery says about one resource. */
export interface ResourceMeta<K extends KindName = KindName> {
  readonly plural: string
  readonly singular: string
  readonly kind: K
  readonly listKind: `${K}List`
  /** '' for the core group. */
  readonly group: string
  readonly version: string
  /** `group/version`, or `v1` for core. */
  readonly apiVersion: string
  readonly namespaced: boolean
  readonly verbs: readonly Verb[]
  readonly shortNames: readonly string[]
  readonly categories: readonly string[]
  readonly subresources: readonly SubresourceInfo[]
}

const ALL_VERBS: readonly Verb[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
]

function image<K extends KindName>(
  info: Omit<ResourceMeta<K>, 'group' | 'version' | 'apiVersion' | 'listKind'>,
): ResourceMeta<K> {
  return {
    ...info,
    listKind: `${info.kind}List`,
    group: IMAGE_GROUP,
    version: 'v1',
    apiVersion: `${IMAGE_GROUP}/v1`,
  }
}

function core<K extends KindName>(
  info: Omit<ResourceMeta<K>, 'group' | 'version' | 'apiVersion' | 'listKind'>,
): ResourceMeta<K> {
  return { ...info, listKind: `${info.kind}List`, group: '', version: 'v1', apiVersion: 'v1' }
}

function rbac<K extends KindName>(
  info: Omit<ResourceMeta<K>, 'group' | 'version' | 'apiVersion' | 'listKind'>,
): ResourceMeta<K> {
  const group = RBAC_GROUP
  return { ...info, listKind: `${info.kind}List`, group, version: 'v1', apiVersion: `${group}/v1` }
}

/**
 * RESOURCE_META are the resources we serve, keyed by plural; verbs and short names as upstream
 * (docs/kubernetes-api.md#discovery).
 */
export const RESOURCE_META = {
  images: image({
    plural: 'images',
    singular: 'image',
    kind: 'Image',
    namespaced: false,
    verbs: ALL_VERBS,
    shortNames: [],
    categories: [],
    subresources: [],
  }),
  imagesignatures: image({
    plural: 'imagesignatures',
    singular: 'imagesignature',
    kind: 'ImageSignature',
    namespaced: false,
    verbs: ['create', 'delete'],
    shortNames: [],
    categories: [],
    subresources: [],
  }),
  imagestreams: image({
    plural: 'imagestreams',
    singular: 'imagestream',
    kind: 'ImageStream',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ['is'],
    // `kubectl get all` lists image streams because of this (and only them).
    categories: ['all'],
    subresources: [{ name: 'status', kind: 'ImageStream', verbs: ['get', 'patch', 'update'] }],
  }),
  imagestreamtags: image({
    plural: 'imagestreamtags',
    singular: 'imagestreamtag',
    kind: 'ImageStreamTag',
    namespaced: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
    shortNames: ['istag'],
    categories: [],
    subresources: [],
  }),
  imagetags: image({
    plural: 'imagetags',
    singular: 'imagetag',
    kind: 'ImageTag',
    namespaced: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
    shortNames: ['itag'],
    categories: [],
    subresources: [],
  }),
  imagestreamimages: image({
    plural: 'imagestreamimages',
    singular: 'imagestreamimage',
    kind: 'ImageStreamImage',
    namespaced: true,
    verbs: ['get'],
    shortNames: ['isimage'],
    categories: [],
    subresources: [],
  }),
  imagestreamimports: image({
    plural: 'imagestreamimports',
    singular: 'imagestreamimport',
    kind: 'ImageStreamImport',
    namespaced: true,
    verbs: ['create'],
    shortNames: [],
    categories: [],
    subresources: [],
  }),
  imagestreammappings: image({
    plural: 'imagestreammappings',
    singular: 'imagestreammapping',
    kind: 'ImageStreamMapping',
    namespaced: true,
    verbs: ['create'],
    shortNames: [],
    categories: [],
    subresources: [],
  }),
  namespaces: core({
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
    categories: [],
    subresources: [],
  }),
  secrets: core({
    plural: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: [],
    categories: [],
    subresources: [],
  }),
  serviceaccounts: core({
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ['sa'],
    categories: [],
    subresources: [],
  }),
  events: core({
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ['ev'],
    categories: [],
    subresources: [],
  }),
  roles: rbac({
    plural: 'roles',
    singular: 'role',
    kind: 'Role',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: [],
    categories: [],
    subresources: [],
  }),
  rolebindings: rbac({
    plural: 'rolebindings',
    singular: 'rolebinding',
    kind: 'RoleBinding',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: [],
    categories: [],
    subresources: [],
  }),
  clusterroles: rbac({
    plural: 'clusterroles',
    singular: 'clusterrole',
    kind: 'ClusterRole',
    namespaced: false,
    verbs: ALL_VERBS,
    shortNames: [],
    categories: [],
    subresources: [],
  }),
  clusterrolebindings: rbac({
    plural: 'clusterrolebindings',
    singular: 'clusterrolebinding',
    kind: 'ClusterRoleBinding',
    namespaced: false,
    verbs: ALL_VERBS,
    shortNames: [],
    categories: [],
    subresources: [],
  }),
} as const satisfies Record<string, ResourceMeta>

/** ResourceName is a plural we serve. */
export type ResourceName = keyof typeof RESOURCE_META

/** RESOURCE_META_LIST is RESOURCE_META as a list, image group first, in discovery order. */
export const RESOURCE_META_LIST: readonly ResourceMeta[] = Object.values(RESOURCE_META)

/** resourceKindIn finds the resource serving a kind in `list`. */
export function resourceKindIn<T extends ResourceMeta, K extends KindName>(
  list: readonly T[],
  kind: K,
): T & ResourceMeta<K> {
  // Every KindName has exactly one entry in RESOURCE_META (checked by resources.test.ts).
  return list.find((r) => r.kind === kind) as T & ResourceMeta<K>
}

/**
 * findResourceIn resolves what a user types as kubectl does: plural, singular, short name or
 * kind (any case), optionally qualified as `<name>.<group>` or `<name>.<version>.<group>`.
 */
export function findResourceIn<T extends ResourceMeta>(
  list: readonly T[],
  input: string,
): T | undefined {
  const wanted = input.toLowerCase()
  for (const resource of list) {
    const names = [
      resource.plural,
      resource.singular,
      resource.kind.toLowerCase(),
      ...resource.shortNames,
    ]
    for (const name of names) {
      if (wanted === name) return resource
      if (resource.group === '') continue
      if (wanted === `${name}.${resource.group}`) return resource
      if (wanted === `${name}.${resource.version}.${resource.group}`) return resource
    }
  }
  return undefined
}

/** findResource resolves a typed resource name to its registry entry (see findResourceIn). */
export function findResource(input: string): ResourceMeta | undefined {
  return findResourceIn(RESOURCE_META_LIST, input)
}
