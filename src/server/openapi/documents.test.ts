import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import Type from 'typebox'
import { RESOURCE_LIST, RESOURCES } from '../../api/index.js'
import { buildSchemaRegistry, type JsonObject, type OpenAPIResource } from './components.js'
import { OPENAPI_RESOURCES } from '../resources/index.js'
import { buildOpenAPIDocuments, openAPIHash } from './documents.js'

const IMAGE_GV = 'apis/image.openshift.io/v1'
const CORE_GV = 'api/v1'
const IMAGE = 'com.github.openshift.api.image.v1'
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1'
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const

/** STREAM_VIEWS are the image stream subresources answering a kind that is not ImageStream. */
const STREAM_VIEWS = [
  {
    name: 'secrets',
    operationId: 'readImageOpenshiftIoV1NamespacedImageStreamSecrets',
    component: 'io.k8s.api.core.v1.SecretList',
    gvk: { group: '', version: 'v1', kind: 'SecretList' },
  },
  {
    name: 'layers',
    operationId: 'readImageOpenshiftIoV1NamespacedImageStreamLayers',
    component: `${IMAGE}.ImageStreamLayers`,
    gvk: { group: 'image.openshift.io', version: 'v1', kind: 'ImageStreamLayers' },
  },
] as const

interface Doc {
  openapi: string
  info: { title: string; version: string }
  paths: Record<string, Record<string, JsonObject | undefined>>
  components: { schemas: Record<string, JsonObject> }
}

const docs = buildOpenAPIDocuments(OPENAPI_RESOURCES)

function doc(key: string): Doc {
  const d = docs.groupVersions.get(key)
  assert.ok(d, `no document ${key}`)
  return JSON.parse(d.json) as Doc
}

function gvKey(r: { group: string; version: string }): string {
  return r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`
}

function itemPath(r: OpenAPIResource): string {
  const base = `/${gvKey(r)}`
  return r.namespaced
    ? `${base}/namespaces/{namespace}/${r.plural}/{name}`
    : `${base}/${r.plural}/{name}`
}

function schema(d: Doc, name: string): JsonObject {
  const s = d.components.schemas[name]
  assert.ok(s, `no component ${name}`)
  return s
}

function property(d: Doc, component: string, field: string): JsonObject {
  const props = schema(d, component).properties as Record<string, JsonObject> | undefined
  const p = props?.[field]
  assert.ok(p, `${component} has no property ${field}`)
  return p
}

/** walk visits every object and array inside a JSON value, with its path. */
function walk(value: unknown, visit: (node: JsonObject, path: string) => void, path = ''): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, visit, `${path}[${i}]`))
  else if (typeof value === 'object' && value !== null) {
    visit(value as JsonObject, path)
    for (const [k, v] of Object.entries(value)) walk(v, visit, `${path}/${k}`)
  }
}

function patchOperations(d: Doc): [string, JsonObject][] {
  return Object.entries(d.paths).flatMap(([path, item]) => (item.patch ? [[path, item.patch]] : []))
}

function hasQueryParameter(op: JsonObject, name: string): boolean {
  const params = (op.parameters ?? []) as JsonObject[]
  return params.some((p) => p.name === name && p.in === 'query')
}

describe('OpenAPI v3 documents', () => {
  it('has one document per group version, indexed by serverRelativeURL with the hash', () => {
    const index = JSON.parse(docs.indexJSON) as {
      paths: Record<string, { serverRelativeURL: string }>
    }
    assert.deepEqual(Object.keys(index.paths), [
      CORE_GV,
      'apis/events.k8s.io/v1',
      IMAGE_GV,
      'apis/rbac.authorization.k8s.io/v1',
    ])
    for (const [key, entry] of Object.entries(index.paths)) {
      const d = docs.groupVersions.get(key)!
      // kube-openapi's computeETag: upper-case hex SHA-512 of the served bytes.
      const expected = createHash('sha512').update(d.json).digest('hex').toUpperCase()
      assert.equal(d.hash, expected)
      assert.match(d.hash, /^[0-9A-F]{128}$/)
      assert.equal(entry.serverRelativeURL, `/openapi/v3/${key}?hash=${expected}`)
    }
  })

  it('is an OpenAPI 3.0 document with info, paths and components', () => {
    for (const key of [CORE_GV, IMAGE_GV]) {
      const d = doc(key)
      assert.equal(d.openapi, '3.0.0')
      assert.deepEqual(d.info, { title: 'Kubernetes', version: 'v1.32.0' })
      assert.ok(Object.keys(d.paths).length > 0)
      assert.ok(Object.keys(d.components.schemas).length > 0)
    }
  })

  it('gives every kind a PATCH operation with its GVK and the fieldValidation parameter', () => {
    for (const r of RESOURCE_LIST) {
      const d = doc(gvKey(r))
      const patch = d.paths[itemPath(r)]?.patch
      assert.ok(patch, `${r.kind}: no PATCH at ${itemPath(r)}`)
      // A single map, not the array components carry (docs/kubernetes-api.md#openapi).
      assert.deepEqual(patch['x-kubernetes-group-version-kind'], {
        group: r.group,
        version: r.version,
        kind: r.kind,
      })
      assert.equal(patch['x-kubernetes-action'], 'patch')
      for (const name of ['fieldValidation', 'dryRun', 'fieldManager', 'force']) {
        assert.ok(hasQueryParameter(patch, name), `${r.kind} PATCH lacks ${name}`)
      }
    }
  })

  it('puts fieldValidation on every PATCH with a GVK (kubectl stops at the first one it finds)', () => {
    for (const key of [CORE_GV, IMAGE_GV]) {
      for (const [path, op] of patchOperations(doc(key))) {
        assert.ok(op['x-kubernetes-group-version-kind'], path)
        assert.ok(hasQueryParameter(op, 'fieldValidation'), path)
      }
    }
  })

  it('has the operations each resource verb allows, and no others', () => {
    for (const r of RESOURCE_LIST) {
      const d = doc(gvKey(r))
      const item = d.paths[itemPath(r)] ?? {}
      const collection = d.paths[itemPath(r).replace(/\/\{name\}$/, '')] ?? {}
      const has = (verb: string) => r.verbs.includes(verb as never)
      assert.equal(Boolean(item.get), has('get'), `${r.kind} get`)
      assert.equal(Boolean(item.put), has('update'), `${r.kind} update`)
      assert.equal(Boolean(item.delete), has('delete'), `${r.kind} delete`)
      assert.equal(Boolean(collection.get), has('list'), `${r.kind} list`)
      assert.equal(Boolean(collection.post), has('create'), `${r.kind} create`)
      assert.equal(
        Boolean(collection.delete),
        has('deletecollection'),
        `${r.kind} deletecollection`,
      )
      if (has('list')) {
        assert.ok(hasQueryParameter(collection.get!, 'watch'), `${r.kind} list lacks watch`)
        assert.ok(hasQueryParameter(collection.get!, 'labelSelector'))
        assert.ok(hasQueryParameter(collection.get!, 'continue'))
      }
      for (const op of [collection.post, item.put].filter((o) => o !== undefined)) {
        for (const name of ['dryRun', 'fieldManager', 'fieldValidation']) {
          assert.ok(hasQueryParameter(op, name), `${r.kind} ${String(op.operationId)} ${name}`)
        }
      }
    }
    const images = doc(IMAGE_GV).paths
    // Cross-namespace lists and the status subresource.
    assert.ok(images['/apis/image.openshift.io/v1/imagestreams']?.get)
    const status =
      images['/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams/{name}/status']
    assert.deepEqual(Object.keys(status ?? {}).sort(), ['get', 'parameters', 'patch', 'put'])
    assert.equal(status?.patch?.operationId, 'patchImageOpenshiftIoV1NamespacedImageStreamStatus')
  })

  it('names operations as the apiserver does', () => {
    const core = doc(CORE_GV).paths
    assert.equal(
      core['/api/v1/namespaces/{namespace}/secrets']?.get?.operationId,
      'listCoreV1NamespacedSecret',
    )
    assert.equal(core['/api/v1/namespaces/{name}']?.patch?.operationId, 'patchCoreV1Namespace')
    const images = doc(IMAGE_GV).paths
    assert.equal(
      images['/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams']?.post?.operationId,
      'createImageOpenshiftIoV1NamespacedImageStream',
    )
    assert.equal(
      images['/apis/image.openshift.io/v1/imagestreams']?.get?.operationId,
      'listImageOpenshiftIoV1ImageStreamForAllNamespaces',
    )
  })

  it('advertises every patch type, strategic merge included, for every kind', () => {
    // With the strategic merge patch listed, kubectl apply merges lists by their merge keys.
    for (const r of RESOURCE_LIST) {
      const patch = doc(gvKey(r)).paths[itemPath(r)]?.patch
      const content = (patch?.requestBody as { content: JsonObject }).content
      assert.deepEqual(
        Object.keys(content).sort(),
        [
          'application/apply-patch+yaml',
          'application/json-patch+json',
          'application/merge-patch+json',
          'application/strategic-merge-patch+json',
        ],
        r.kind,
      )
    }
  })

  it('resolves every $ref inside its own document', () => {
    for (const key of [CORE_GV, IMAGE_GV]) {
      const d = doc(key)
      let refs = 0
      walk(d, (node, path) => {
        if (typeof node.$ref !== 'string') return
        refs++
        assert.match(node.$ref, /^#\/components\/schemas\//, path)
        const name = node.$ref.slice('#/components/schemas/'.length)
        assert.ok(d.components.schemas[name], `${key}${path}: unresolved ${node.$ref}`)
        assert.deepEqual(Object.keys(node), ['$ref'], `${path}: a $ref takes no siblings`)
      })
      assert.ok(refs > 20, `${key}: only ${refs} $refs`)
    }
  })

  it('includes only components the document uses', () => {
    for (const key of [CORE_GV, IMAGE_GV]) {
      const d = doc(key)
      const used = new Set<string>()
      walk(d.paths, (n) => {
        if (typeof n.$ref === 'string') used.add(n.$ref.split('/').pop()!)
      })
      // Follow references between components.
      for (let grew = true; grew;) {
        grew = false
        for (const name of [...used]) {
          walk(d.components.schemas[name], (n) => {
            const ref = typeof n.$ref === 'string' ? n.$ref.split('/').pop()! : undefined
            if (ref && !used.has(ref)) {
              used.add(ref)
              grew = true
            }
          })
        }
      }
      assert.deepEqual(Object.keys(d.components.schemas).sort(), [...used].sort())
    }
  })

  it('names the components as the apiserver does, with GVK arrays on kinds and lists', () => {
    const images = doc(IMAGE_GV)
    const core = doc(CORE_GV)
    const rbac = doc('apis/rbac.authorization.k8s.io/v1')
    for (const r of RESOURCE_LIST) {
      const d = r.group === '' ? core : r.group === 'rbac.authorization.k8s.io' ? rbac : images
      const prefix =
        r.group === ''
          ? 'io.k8s.api.core.v1'
          : r.group === 'rbac.authorization.k8s.io'
            ? 'io.k8s.api.rbac.v1'
            : IMAGE
      assert.deepEqual(schema(d, `${prefix}.${r.kind}`)['x-kubernetes-group-version-kind'], [
        { group: r.group, kind: r.kind, version: r.version },
      ])
      if (r.verbs.includes('list')) {
        assert.deepEqual(schema(d, `${prefix}.${r.listKind}`)['x-kubernetes-group-version-kind'], [
          { group: r.group, kind: r.listKind, version: r.version },
        ])
      }
    }
    // Kinds that cannot be listed have no list schema.
    assert.equal(images.components.schemas[`${IMAGE}.ImageStreamImportList`], undefined)
    for (const name of [
      'Status',
      'ObjectMeta',
      'ListMeta',
      'DeleteOptions',
      'Patch',
      'StatusDetails',
    ]) {
      schema(core, `${META}.${name}`)
      schema(images, `${META}.${name}`)
    }
    schema(images, 'io.k8s.api.core.v1.ObjectReference')
  })

  it('refers to shared components instead of inlining them', () => {
    const d = doc(IMAGE_GV)
    assert.deepEqual(property(d, `${IMAGE}.ImageStream`, 'metadata').allOf, [
      { $ref: `#/components/schemas/${META}.ObjectMeta` },
    ])
    assert.deepEqual(property(d, `${IMAGE}.TagReference`, 'from').allOf, [
      { $ref: '#/components/schemas/io.k8s.api.core.v1.ObjectReference' },
    ])
    assert.deepEqual(property(d, `${IMAGE}.ImageStreamSpec`, 'tags').items, {
      $ref: `#/components/schemas/${IMAGE}.TagReference`,
    })
    // ImageStreamImport's status embeds the ImageStream kind itself.
    assert.deepEqual(property(d, `${IMAGE}.ImageStreamImportStatus`, 'import').allOf, [
      { $ref: `#/components/schemas/${IMAGE}.ImageStream` },
    ])
    assert.deepEqual(property(d, `${IMAGE}.ImageImportStatus`, 'status').allOf, [
      { $ref: `#/components/schemas/${META}.Status` },
    ])
  })

  it('describes the image stream types and each of their fields', () => {
    const d = doc(IMAGE_GV)
    const described = [
      'ImageStream',
      'ImageStreamSpec',
      'TagReference',
      'TagImportPolicy',
      'TagReferencePolicy',
      'ImageStreamStatus',
      'NamedTagEventList',
      'TagEvent',
      'TagEventCondition',
      'ImageLookupPolicy',
    ]
    for (const name of described) {
      const s = schema(d, `${IMAGE}.${name}`)
      assert.equal(typeof s.description, 'string', name)
      assert.ok((s.description as string).length > 20, name)
      for (const [field, p] of Object.entries(s.properties as Record<string, JsonObject>)) {
        assert.equal(typeof p.description, 'string', `${name}.${field} has no description`)
      }
    }
    assert.match(
      String(property(d, `${IMAGE}.TagImportPolicy`, 'importMode').description),
      /PreserveOriginal/,
    )
  })

  it('carries exactly the list and merge extensions the upstream documents publish', () => {
    // From openshift/api's generated OpenAPI (image/v1, core/v1 and meta/v1 of the types we
    // serve): field extensions sit on the field, map types on the component.
    const CORE = 'io.k8s.api.core.v1'
    const mergeBy = (key: string) => ({
      'x-kubernetes-patch-merge-key': key,
      'x-kubernetes-patch-strategy': 'merge',
    })
    const mapBy = (key: string) => ({
      ...mergeBy(key),
      'x-kubernetes-list-map-keys': [key],
      'x-kubernetes-list-type': 'map',
    })
    const atomicList = { 'x-kubernetes-list-type': 'atomic' }
    const atomicMap = { 'x-kubernetes-map-type': 'atomic' }
    const want: Record<string, JsonObject> = {
      [`${IMAGE}.Image.dockerImageMetadata`]: { 'x-kubernetes-patch-strategy': 'replace' },
      [`${IMAGE}.Image.signatures`]: mergeBy('name'),
      [`${IMAGE}.ImageSignature.conditions`]: mergeBy('type'),
      [`${IMAGE}.ImageStreamSpec.tags`]: mergeBy('name'),
      [`${IMAGE}.ImageStreamStatus.tags`]: mergeBy('tag'),
      [`${META}.DeleteOptions.dryRun`]: atomicList,
      [`${META}.ObjectMeta.finalizers`]: {
        'x-kubernetes-list-type': 'set',
        'x-kubernetes-patch-strategy': 'merge',
      },
      [`${META}.ObjectMeta.managedFields`]: atomicList,
      [`${META}.ObjectMeta.ownerReferences`]: mapBy('uid'),
      [`${META}.OwnerReference`]: atomicMap,
      [`${META}.StatusDetails.causes`]: atomicList,
      [`${CORE}.LocalObjectReference`]: atomicMap,
      [`${CORE}.NamespaceSpec.finalizers`]: atomicList,
      [`${CORE}.NamespaceStatus.conditions`]: mapBy('type'),
      [`${CORE}.ObjectReference`]: atomicMap,
      [`${CORE}.ServiceAccount.imagePullSecrets`]: atomicList,
      [`${CORE}.ServiceAccount.secrets`]: mapBy('name'),
    }
    const got: Record<string, JsonObject> = {}
    for (const key of [CORE_GV, IMAGE_GV]) {
      for (const [name, component] of Object.entries(doc(key).components.schemas)) {
        const record = (where: string, node: JsonObject) => {
          const ext = Object.entries(node).filter(
            ([k]) => k.startsWith('x-kubernetes-') && k !== 'x-kubernetes-group-version-kind',
          )
          // preserve-unknown-fields describes values, not merging.
          const merging = ext.filter(([k]) => k !== 'x-kubernetes-preserve-unknown-fields')
          if (merging.length > 0) got[where] = Object.fromEntries(merging)
        }
        record(name, component)
        const props = (component.properties ?? {}) as Record<string, JsonObject>
        for (const [field, p] of Object.entries(props)) record(`${name}.${field}`, p)
      }
    }
    assert.deepEqual(got, want)
  })

  it('keeps maps, formats and required fields', () => {
    const d = doc(IMAGE_GV)
    const labels = property(d, `${META}.ObjectMeta`, 'labels')
    assert.equal(labels.type, 'object')
    assert.deepEqual(labels.additionalProperties, { type: 'string' })
    assert.equal(property(d, `${META}.ObjectMeta`, 'creationTimestamp').format, 'date-time')
    assert.equal(property(d, `${IMAGE}.TagEvent`, 'created').format, 'date-time')
    assert.deepEqual(schema(d, `${IMAGE}.TagEvent`).required, [
      'created',
      'dockerImageReference',
      'image',
      'generation',
    ])
    const core = doc(CORE_GV)
    assert.deepEqual(property(core, 'io.k8s.api.core.v1.Secret', 'data').additionalProperties, {
      type: 'string',
    })
    // A field-level strategy stays beside the reference to the shared component.
    const metadata = property(d, `${IMAGE}.Image`, 'dockerImageMetadata')
    assert.deepEqual(metadata.allOf, [
      { $ref: '#/components/schemas/com.github.openshift.api.image.docker10.DockerImage' },
    ])
  })

  it('uses only OpenAPI 3.0 keywords (no const, patternProperties or TypeBox markers)', () => {
    for (const key of [CORE_GV, IMAGE_GV]) {
      walk(doc(key).components, (node, path) => {
        for (const k of Object.keys(node)) {
          assert.ok(!['const', 'patternProperties', '$id', '$schema'].includes(k), `${path}/${k}`)
          assert.ok(!k.startsWith('~'), `${path}/${k}`)
        }
      })
    }
    const status = property(doc(CORE_GV), `${META}.Status`, 'status')
    assert.deepEqual(
      { type: status.type, enum: status.enum },
      {
        type: 'string',
        enum: ['Success', 'Failure'],
      },
    )
    // managedFields' fieldsV1 is free-form JSON.
    assert.deepEqual(property(doc(CORE_GV), `${META}.ManagedFieldsEntry`, 'fieldsV1'), {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    })
  })

  it('changes the hash when the content changes, and only for that group version', () => {
    const changed = OPENAPI_RESOURCES.map((r) =>
      r === RESOURCES.imagestreamimages ? { ...r, verbs: ['get', 'list'] as const } : r,
    )
    const other = buildOpenAPIDocuments(changed)
    const before = docs.groupVersions.get(IMAGE_GV)!
    const after = other.groupVersions.get(IMAGE_GV)!
    assert.notEqual(after.hash, before.hash)
    assert.equal(after.hash, openAPIHash(after.json))
    assert.notEqual(other.indexJSON, docs.indexJSON)
    assert.equal(other.groupVersions.get(CORE_GV)!.hash, docs.groupVersions.get(CORE_GV)!.hash)
    // Same input, same bytes: the hash is stable across restarts.
    assert.equal(
      buildOpenAPIDocuments(OPENAPI_RESOURCES).groupVersions.get(IMAGE_GV)!.json,
      before.json,
    )
  })

  it('describes imagestreams/secrets and /layers by the kinds they answer', () => {
    const d = doc(IMAGE_GV)
    for (const view of STREAM_VIEWS) {
      const item = d.paths[`/${IMAGE_GV}/namespaces/{namespace}/imagestreams/{name}/${view.name}`]
      assert.ok(item, view.name)
      assert.deepEqual(
        METHODS.filter((m) => item[m]),
        ['get'],
        view.name,
      )
      const get = item.get!
      assert.equal(get.operationId, view.operationId)
      assert.equal(get['x-kubernetes-action'], 'get')
      assert.deepEqual(get['x-kubernetes-group-version-kind'], view.gvk)
      const responses = get.responses as Record<string, { content: Record<string, JsonObject> }>
      assert.deepEqual(responses['200']?.content['application/json']?.schema, {
        $ref: `#/components/schemas/${view.component}`,
      })
      // The answer's schema is a component of the image document itself, with its GVK.
      assert.deepEqual(schema(d, view.component)['x-kubernetes-group-version-kind'], [
        { group: view.gvk.group, kind: view.gvk.kind, version: view.gvk.version },
      ])
    }
    // Core's SecretList is inlined as the core document has it.
    assert.deepEqual(
      schema(d, 'io.k8s.api.core.v1.SecretList'),
      schema(doc(CORE_GV), 'io.k8s.api.core.v1.SecretList'),
    )
    assert.deepEqual(property(d, `${IMAGE}.ImageStreamLayers`, 'blobs').additionalProperties, {
      $ref: `#/components/schemas/${IMAGE}.ImageLayerData`,
    })
    assert.deepEqual(property(d, `${IMAGE}.ImageStreamLayers`, 'images').additionalProperties, {
      $ref: `#/components/schemas/${IMAGE}.ImageBlobReferences`,
    })
    assert.equal(
      schema(d, `${IMAGE}.ImageBlobReferences`).description,
      'ImageBlobReferences describes the blob references within an image.',
    )
  })

  it('folds `<plural>/<sub>` registry entries into their parent as subresources', () => {
    const widget = Type.Object({
      metadata: Type.Optional(Type.Object({ name: Type.String() })),
      size: Type.Integer(),
    })
    const base = {
      group: 'example.com',
      version: 'v1',
      kind: 'Widget',
      namespaced: false,
      schema: widget,
    }
    const out = buildOpenAPIDocuments([
      { ...base, plural: 'widgets', verbs: ['get', 'patch'] },
      { ...base, plural: 'widgets/scale', verbs: ['get', 'patch'] },
    ])
    const d = JSON.parse(out.groupVersions.get('apis/example.com/v1')!.json) as Doc
    const scale = d.paths['/apis/example.com/v1/widgets/{name}/scale']
    assert.ok(scale?.get && scale.patch)
    assert.equal(scale.patch.operationId, 'patchExampleComV1WidgetScale')
    assert.ok(d.components.schemas['com.example.v1.Widget'])
  })

  it('describes a kind added to the registry in v3 and v2, named as kube names its groups', () => {
    // One registry entry is all a new kind needs; events.k8s.io is a Kubernetes group, so its
    // types are io.k8s.api.events.v1.* and its operations drop the `.k8s.io`.
    const event = {
      group: 'events.k8s.io',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      verbs: ['get', 'list', 'create'],
      schema: Type.Object({
        metadata: Type.Object({ name: Type.Optional(Type.String()) }),
        note: Type.Optional(Type.String()),
      }),
    }
    const out = buildOpenAPIDocuments([...RESOURCE_LIST, event])
    const d = JSON.parse(out.groupVersions.get('apis/events.k8s.io/v1')!.json) as Doc
    const collection = d.paths['/apis/events.k8s.io/v1/namespaces/{namespace}/events']
    assert.equal(collection?.get?.operationId, 'listEventsV1NamespacedEvent')
    assert.deepEqual(collection.get.tags, ['events_v1'])
    assert.deepEqual(
      d.components.schemas['io.k8s.api.events.v1.Event']?.['x-kubernetes-group-version-kind'],
      [{ group: 'events.k8s.io', kind: 'Event', version: 'v1' }],
    )
    const swagger = JSON.parse(out.swaggerJSON) as { definitions: Record<string, JsonObject> }
    assert.ok(swagger.definitions['io.k8s.api.events.v1.EventList'])
    assert.ok(swagger.definitions['com.github.openshift.api.image.v1.ImageStream'])
  })

  it('refuses two component names for one structure (a $ref would be ambiguous)', () => {
    const same = Type.Object({ metadata: Type.Optional(Type.Object({ name: Type.String() })) })
    const r = (kind: string, plural: string): OpenAPIResource => ({
      group: 'example.com',
      version: 'v1',
      kind,
      plural,
      namespaced: true,
      verbs: ['get'],
      schema: same,
    })
    assert.throws(() => buildSchemaRegistry([r('A', 'as'), r('B', 'bs')]), /have the same schema/)
  })

  it('lists only HTTP methods a resource serves, besides the PATCH every kind has', () => {
    const path = itemPath(RESOURCES.imagestreamimages)
    const item = doc(IMAGE_GV).paths[path] ?? {}
    assert.deepEqual(
      METHODS.filter((m) => item[m]),
      ['get', 'patch'],
    )
    // ImageStreamImport is create-only: its PATCH says the server will refuse it.
    const isi = doc(IMAGE_GV).paths[itemPath(RESOURCES.imagestreamimports)] ?? {}
    assert.deepEqual(
      METHODS.filter((m) => isi[m]),
      ['patch'],
    )
    assert.match(String(isi.patch?.description), /405 MethodNotAllowed/)
  })
})
