import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Secret } from './core.js'
import {
  applyDefaults,
  defaultImage,
  defaultImageStream,
  defaultImageStreamImport,
  defaultImageStreamTag,
  defaultNamespace,
  defaultSecret,
} from './defaults.js'
import type { ImageImportSpec, ImageStream, TagReference } from './image.js'
import type { KindMap, KindName } from './resources.js'

const DIGEST = `sha256:${'1'.repeat(64)}`

/** deepFreeze makes any write to `value` throw, so a defaulter that mutates its input fails. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

const stream = (tags?: TagReference[]): ImageStream => ({
  metadata: { name: 'app', namespace: 'team-a' },
  ...(tags === undefined ? {} : { spec: { tags } }),
})

describe('defaultImageStream (SetDefaults_TagReferencePolicy / _TagImportPolicy)', () => {
  const rows: readonly {
    readonly name: string
    readonly tag: TagReference
    readonly importMode?: 'Legacy' | 'PreserveOriginal'
    readonly want: TagReference
  }[] = [
    {
      name: 'an empty tag gets Source and the server default Legacy',
      tag: { name: 'v1' },
      want: {
        name: 'v1',
        importPolicy: { importMode: 'Legacy' },
        referencePolicy: { type: 'Source' },
      },
    },
    {
      name: 'the server option sets the default mode',
      tag: { name: 'v1' },
      importMode: 'PreserveOriginal',
      want: {
        name: 'v1',
        importPolicy: { importMode: 'PreserveOriginal' },
        referencePolicy: { type: 'Source' },
      },
    },
    {
      name: 'given values are kept; insecure and scheduled are never added',
      tag: {
        name: 'v1',
        importPolicy: { importMode: 'PreserveOriginal', scheduled: true },
        referencePolicy: { type: 'Local' },
      },
      want: {
        name: 'v1',
        importPolicy: { importMode: 'PreserveOriginal', scheduled: true },
        referencePolicy: { type: 'Local' },
      },
    },
    {
      name: 'empty strings count as unset',
      tag: {
        name: 'v1',
        importPolicy: { importMode: '', insecure: false },
        referencePolicy: { type: '' },
      },
      want: {
        name: 'v1',
        importPolicy: { importMode: 'Legacy', insecure: false },
        referencePolicy: { type: 'Source' },
      },
    },
  ]
  for (const row of rows) {
    it(row.name, () => {
      const input = deepFreeze(stream([row.tag]))
      const got = defaultImageStream(input, row.importMode ? { importMode: row.importMode } : {})
      assert.deepEqual(got.spec?.tags, [row.want])
    })
  }

  it('a stream without spec gets lookupPolicy.local false and no tags', () => {
    assert.deepEqual(defaultImageStream(deepFreeze(stream())).spec, {
      lookupPolicy: { local: false },
    })
  })

  it('keeps lookupPolicy.local true', () => {
    const input = deepFreeze({ ...stream([]), spec: { lookupPolicy: { local: true }, tags: [] } })
    assert.deepEqual(defaultImageStream(input).spec, { lookupPolicy: { local: true }, tags: [] })
  })

  it('defaults the spec tag of an ImageStreamTag the same way', () => {
    const got = defaultImageStreamTag(
      deepFreeze({ metadata: { name: 'app:v1', namespace: 'a' }, tag: { name: 'v1' } }),
    )
    assert.deepEqual(got.tag, {
      name: 'v1',
      importPolicy: { importMode: 'Legacy' },
      referencePolicy: { type: 'Source' },
    })
  })
})

describe('defaultImageStreamImport (SetDefaults_ImageImportSpec)', () => {
  const rows: readonly {
    readonly name: string
    readonly image: ImageImportSpec
    readonly want: ImageImportSpec
  }[] = [
    {
      name: '`to` is the tag of from.name',
      image: { from: { kind: 'DockerImage', name: 'quay.io/example/app:1.5' } },
      want: {
        from: { kind: 'DockerImage', name: 'quay.io/example/app:1.5' },
        to: { name: '1.5' },
        referencePolicy: { type: 'Source' },
      },
    },
    {
      name: 'a digest alone gives no `to`',
      image: { from: { kind: 'DockerImage', name: `quay.io/example/app@${DIGEST}` } },
      want: {
        from: { kind: 'DockerImage', name: `quay.io/example/app@${DIGEST}` },
        referencePolicy: { type: 'Source' },
      },
    },
    {
      name: 'a tag and a digest: the tag',
      image: { from: { kind: 'DockerImage', name: `quay.io/example/app:v2@${DIGEST}` } },
      want: {
        from: { kind: 'DockerImage', name: `quay.io/example/app:v2@${DIGEST}` },
        to: { name: 'v2' },
        referencePolicy: { type: 'Source' },
      },
    },
    {
      name: 'no tag: no `to` (latest is the importer’s business)',
      image: { from: { kind: 'DockerImage', name: 'busybox' } },
      want: { from: { kind: 'DockerImage', name: 'busybox' }, referencePolicy: { type: 'Source' } },
    },
    {
      name: 'a given `to` and referencePolicy are kept',
      image: {
        from: { kind: 'DockerImage', name: 'busybox:1' },
        to: { name: 'stable' },
        referencePolicy: { type: 'Local' },
      },
      want: {
        from: { kind: 'DockerImage', name: 'busybox:1' },
        to: { name: 'stable' },
        referencePolicy: { type: 'Local' },
      },
    },
    {
      name: 'an invalid reference is left for validation',
      image: { from: { kind: 'DockerImage', name: 'Bad:Ref' } },
      want: { from: { kind: 'DockerImage', name: 'Bad:Ref' }, referencePolicy: { type: 'Source' } },
    },
    {
      name: 'an empty importMode is the server default; insecure and scheduled stay as sent',
      image: {
        from: { kind: 'DockerImage', name: 'busybox:1' },
        importPolicy: { scheduled: true },
      },
      want: {
        from: { kind: 'DockerImage', name: 'busybox:1' },
        to: { name: '1' },
        importPolicy: { scheduled: true, importMode: 'Legacy' },
        referencePolicy: { type: 'Source' },
      },
    },
    {
      name: 'a given importMode is kept',
      image: {
        from: { kind: 'DockerImage', name: 'busybox:1' },
        importPolicy: { importMode: 'PreserveOriginal' },
      },
      want: {
        from: { kind: 'DockerImage', name: 'busybox:1' },
        to: { name: '1' },
        importPolicy: { importMode: 'PreserveOriginal' },
        referencePolicy: { type: 'Source' },
      },
    },
  ]
  for (const row of rows) {
    it(row.name, () => {
      const input = deepFreeze({
        metadata: { name: 'app' },
        spec: { import: true, images: [row.image] },
      })
      const want = {
        ...row.want,
        importPolicy: { importMode: 'Legacy', ...row.want.importPolicy },
      }
      assert.deepEqual(defaultImageStreamImport(input).spec?.images, [want])
    })
  }

  it('fills an empty importMode with the server’s --default-import-mode', () => {
    const input = deepFreeze({
      metadata: { name: 'app' },
      spec: { import: true, images: [{ from: { kind: 'DockerImage', name: 'busybox:1' } }] },
    })
    const got = defaultImageStreamImport(input, { importMode: 'PreserveOriginal' })
    assert.deepEqual(got.spec?.images?.[0]?.importPolicy, { importMode: 'PreserveOriginal' })
  })

  it('defaults the repository’s referencePolicy and importMode', () => {
    const input = deepFreeze({
      metadata: { name: 'app' },
      spec: { import: true, repository: { from: { kind: 'DockerImage', name: 'quay.io/t' } } },
    })
    assert.deepEqual(defaultImageStreamImport(input).spec?.repository, {
      from: { kind: 'DockerImage', name: 'quay.io/t' },
      importPolicy: { importMode: 'Legacy' },
      referencePolicy: { type: 'Source' },
    })
  })
})

describe('core and Image defaults', () => {
  const rows: readonly { readonly name: string; readonly input: Secret; readonly want: Secret }[] =
    [
      {
        name: 'type Opaque when empty',
        input: { metadata: { name: 's' } },
        want: { metadata: { name: 's' }, type: 'Opaque' },
      },
      {
        name: 'stringData becomes base64 data and wins over data',
        input: {
          metadata: { name: 's' },
          type: 'kubernetes.io/dockerconfigjson',
          data: { a: 'MQ==', b: 'Mg==' },
          stringData: { b: 'two', '.dockerconfigjson': '{"auths":{}}' },
        },
        want: {
          metadata: { name: 's' },
          type: 'kubernetes.io/dockerconfigjson',
          data: { a: 'MQ==', b: 'dHdv', '.dockerconfigjson': 'eyJhdXRocyI6e319' },
        },
      },
    ]
  for (const row of rows) {
    it(`Secret: ${row.name}`, () => {
      assert.deepEqual(defaultSecret(deepFreeze(row.input)), row.want)
    })
  }

  it('Namespace: name label and phase Active', () => {
    assert.deepEqual(
      defaultNamespace(deepFreeze({ metadata: { name: 'team-a', labels: { x: 'y' } } })),
      {
        metadata: { name: 'team-a', labels: { x: 'y', 'kubernetes.io/metadata.name': 'team-a' } },
        status: { phase: 'Active' },
      },
    )
  })

  it('Image: dockerImageMetadataVersion 1.0', () => {
    assert.equal(
      defaultImage(deepFreeze({ metadata: { name: DIGEST } })).dockerImageMetadataVersion,
      '1.0',
    )
  })
})

describe('applyDefaults never mutates its input', () => {
  const objects: { readonly [K in KindName]: KindMap[K] } = {
    Namespace: { metadata: { name: 'a' } },
    Secret: { metadata: { name: 's' }, stringData: { a: 'b' } },
    ServiceAccount: { metadata: { name: 'default' }, secrets: [{ name: 's' }] },
    Event: { metadata: { name: 'app.1' }, involvedObject: { kind: 'ImageStream', name: 'app' } },
    Image: { metadata: { name: DIGEST } },
    ImageStream: stream([{ name: 'v1', importPolicy: {} }]),
    ImageStreamTag: { metadata: { name: 'app:v1' }, tag: { name: 'v1' } },
    ImageStreamImage: {
      metadata: { name: `app@${DIGEST}` },
      image: { metadata: { name: DIGEST } },
    },
    ImageStreamImport: {
      metadata: { name: 'app' },
      spec: { images: [{ from: { kind: 'DockerImage', name: 'a:1' } }] },
    },
    ImageTag: { metadata: { name: 'app:v1' }, spec: { name: 'v1', importPolicy: {} } },
    ImageStreamMapping: {
      metadata: { name: 'app' },
      image: { metadata: { name: DIGEST } },
      tag: 'v1',
    },
    ImageSignature: { metadata: { name: `${DIGEST}@s` }, type: 'atomic', content: 'YQ==' },
    Role: { metadata: { name: 'r' }, rules: [{ verbs: ['get'] }] },
    ClusterRole: { metadata: { name: 'c' }, rules: [{ verbs: ['get'] }] },
    RoleBinding: {
      metadata: { name: 'b' },
      roleRef: { kind: 'Role', name: 'r' },
      subjects: [{ kind: 'User', name: 'alice' }],
    },
    ClusterRoleBinding: {
      metadata: { name: 'cb' },
      roleRef: { kind: 'ClusterRole', name: 'c' },
      subjects: [{ kind: 'Group', name: 'g' }],
    },
  }
  for (const kind of Object.keys(objects) as KindName[]) {
    it(kind, () => {
      const input = deepFreeze(structuredClone(objects[kind]))
      const before = structuredClone(input)
      const got = applyDefaults(kind, input)
      assert.deepEqual(input, before)
      assert.notEqual(got, input)
    })
  }
})
