import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Image, ImageStream } from './image.js'
import type { KindMap, KindName } from './resources.js'
import { RESOURCE_LIST, RESOURCES, findResource, resourceForKind } from './resources.js'

// Every kind of KindMap, so that a kind added there without a resource fails here.
const KINDS: { readonly [K in KindName]: true } = {
  Namespace: true,
  Secret: true,
  ServiceAccount: true,
  Event: true,
  Image: true,
  ImageStream: true,
  ImageStreamTag: true,
  ImageStreamImage: true,
  ImageStreamImport: true,
  ImageTag: true,
  ImageStreamMapping: true,
  ImageSignature: true,
  Role: true,
  ClusterRole: true,
  RoleBinding: true,
  ClusterRoleBinding: true,
}

describe('RESOURCES (discovery data, docs/kubernetes-api.md#discovery)', () => {
  it('serves every kind exactly once, keyed by plural', () => {
    for (const kind of Object.keys(KINDS) as (keyof KindMap)[]) {
      assert.equal(RESOURCE_LIST.filter((r) => r.kind === kind).length, 1, kind)
    }
    for (const [plural, info] of Object.entries(RESOURCES)) assert.equal(info.plural, plural)
  })

  const rows = [
    ['imagestreams', 'ImageStream', 'image.openshift.io/v1', true, ['is'], 8],
    ['imagestreamtags', 'ImageStreamTag', 'image.openshift.io/v1', true, ['istag'], 6],
    ['imagestreamimages', 'ImageStreamImage', 'image.openshift.io/v1', true, ['isimage'], 1],
    ['imagestreamimports', 'ImageStreamImport', 'image.openshift.io/v1', true, [], 1],
    ['imagetags', 'ImageTag', 'image.openshift.io/v1', true, ['itag'], 6],
    ['imagestreammappings', 'ImageStreamMapping', 'image.openshift.io/v1', true, [], 1],
    ['imagesignatures', 'ImageSignature', 'image.openshift.io/v1', false, [], 2],
    ['images', 'Image', 'image.openshift.io/v1', false, [], 8],
    ['namespaces', 'Namespace', 'v1', false, ['ns'], 7],
    ['secrets', 'Secret', 'v1', true, [], 8],
    ['serviceaccounts', 'ServiceAccount', 'v1', true, ['sa'], 8],
    ['events', 'Event', 'v1', true, ['ev'], 8],
  ] as const
  for (const [plural, kind, apiVersion, namespaced, shortNames, verbs] of rows) {
    it(plural, () => {
      const info = RESOURCES[plural]
      assert.equal(info.kind, kind)
      assert.equal(info.listKind, `${kind}List`)
      assert.equal(info.apiVersion, apiVersion)
      assert.equal(info.namespaced, namespaced)
      assert.deepEqual(info.shortNames, shortNames)
      assert.equal(info.verbs.length, verbs)
      assert.equal(info.singular, plural.slice(0, -1))
    })
  }

  it('only image streams are in the `all` category and have a status subresource', () => {
    assert.deepEqual(
      RESOURCE_LIST.filter((r) => r.categories.includes('all')).map((r) => r.plural),
      ['imagestreams'],
    )
    assert.deepEqual(RESOURCES.imagestreams.subresources, [
      { name: 'status', kind: 'ImageStream', verbs: ['get', 'patch', 'update'] },
    ])
  })

  it('carries the schemas', () => {
    assert.equal(RESOURCES.imagestreams.schema, ImageStream)
    assert.equal(resourceForKind('Image').schema, Image)
  })
})

describe('findResource (what kubectl resolves)', () => {
  const rows: readonly [string, string | undefined][] = [
    ['is', 'imagestreams'],
    ['IS', 'imagestreams'],
    ['imagestream', 'imagestreams'],
    ['ImageStream', 'imagestreams'],
    ['imagestreams.image.openshift.io', 'imagestreams'],
    ['imagestreams.v1.image.openshift.io', 'imagestreams'],
    ['istag', 'imagestreamtags'],
    ['isimage', 'imagestreamimages'],
    ['ns', 'namespaces'],
    ['sa', 'serviceaccounts'],
    ['secret', 'secrets'],
    ['pods', undefined],
    ['secrets.image.openshift.io', undefined],
  ]
  for (const [input, want] of rows) {
    it(input, () => {
      assert.equal(findResource(input)?.plural, want)
    })
  }
})
