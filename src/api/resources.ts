/**
 * The kinds registry: what the server serves for discovery (kubectl-compat 2, values as
 * openshift-apiserver and kube-apiserver advertise them) and how a CLI resolves `is`, `istag`,
 * `imagestreams.image.openshift.io` and the like to a resource.
 */
import type { TSchema } from 'typebox'
import type { Namespace, Secret, ServiceAccount } from './core.js'
import {
  Namespace as NamespaceSchema,
  Secret as SecretSchema,
  ServiceAccount as ServiceAccountSchema,
} from './core.js'
import type {
  Image,
  ImageStream,
  ImageStreamImage,
  ImageStreamImport,
  ImageStreamTag,
} from './image.js'
import {
  IMAGE_GROUP,
  Image as ImageSchema,
  ImageStream as ImageStreamSchema,
  ImageStreamImage as ImageStreamImageSchema,
  ImageStreamImport as ImageStreamImportSchema,
  ImageStreamTag as ImageStreamTagSchema,
} from './image.js'

/** Verb is an API verb as discovery lists it. */
export type Verb =
  'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch'

/** KindMap maps each kind we serve to its static type. */
export interface KindMap {
  Namespace: Namespace
  Secret: Secret
  ServiceAccount: ServiceAccount
  Image: Image
  ImageStream: ImageStream
  ImageStreamTag: ImageStreamTag
  ImageStreamImage: ImageStreamImage
  ImageStreamImport: ImageStreamImport
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

/** ResourceInfo is everything discovery says about one resource, plus its schema. */
export interface ResourceInfo<K extends KindName = KindName> {
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
  /** The TypeBox schema of one object (for decoding, validation and OpenAPI). */
  readonly schema: TSchema
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
  info: Omit<ResourceInfo<K>, 'group' | 'version' | 'apiVersion' | 'listKind'>,
): ResourceInfo<K> {
  return {
    ...info,
    listKind: `${info.kind}List`,
    group: IMAGE_GROUP,
    version: 'v1',
    apiVersion: `${IMAGE_GROUP}/v1`,
  }
}

function core<K extends KindName>(
  info: Omit<ResourceInfo<K>, 'group' | 'version' | 'apiVersion' | 'listKind'>,
): ResourceInfo<K> {
  return { ...info, listKind: `${info.kind}List`, group: '', version: 'v1', apiVersion: 'v1' }
}

/** RESOURCES are the resources we serve, keyed by plural; verbs and short names as upstream (kubectl-compat 2). */
export const RESOURCES = {
  images: image({
    plural: 'images',
    singular: 'image',
    kind: 'Image',
    namespaced: false,
    verbs: ALL_VERBS,
    shortNames: [],
    categories: [],
    subresources: [],
    schema: ImageSchema,
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
    schema: ImageStreamSchema,
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
    schema: ImageStreamTagSchema,
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
    schema: ImageStreamImageSchema,
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
    schema: ImageStreamImportSchema,
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
    schema: NamespaceSchema,
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
    schema: SecretSchema,
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
    schema: ServiceAccountSchema,
  }),
} as const satisfies Record<string, ResourceInfo>

/** ResourceName is a plural we serve. */
export type ResourceName = keyof typeof RESOURCES

/** RESOURCE_LIST is RESOURCES as a list, image group first, in discovery order. */
export const RESOURCE_LIST: readonly ResourceInfo[] = Object.values(RESOURCES)

/** resourceForKind finds the resource serving a kind. */
export function resourceForKind<K extends KindName>(kind: K): ResourceInfo<K> {
  // Every KindName has exactly one entry in RESOURCES (checked by resources.test.ts).
  return RESOURCE_LIST.find((r) => r.kind === kind) as ResourceInfo<K>
}

/**
 * findResource resolves what a user types as kubectl does: plural, singular, short name or kind
 * (any case), optionally qualified as `<name>.<group>` or `<name>.<version>.<group>`.
 */
export function findResource(input: string): ResourceInfo | undefined {
  const wanted = input.toLowerCase()
  for (const resource of RESOURCE_LIST) {
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
