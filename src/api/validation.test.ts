import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Namespace, Secret, ServiceAccount } from './core.js'
import type { FieldError, FieldErrorType } from './field-errors.js'
import type {
  Image,
  ImageImportSpec,
  ImageStream,
  ImageStreamImport,
  ImageStreamTag,
  TagReference,
} from './image.js'
import type { KindMap, KindName } from './resources.js'
import { REDACTED, validateObject, validateUpdate } from './validation.js'

const DIGEST = `sha256:${'1'.repeat(64)}`
const DIGEST2 = `sha256:${'2'.repeat(64)}`
// quay.io/ and a path of 248 characters: 256 as OpenShift counts a repository name.
const longPullSpec = `quay.io/${'a'.repeat(248)}:v1`

/** One expected error: its type and field, and optionally its exact message or a pattern. */
interface Want {
  readonly type: FieldErrorType
  readonly field: string
  readonly message?: string | RegExp
}

interface Row {
  readonly name: string
  readonly run: () => FieldError[]
  readonly want: readonly Want[]
}

function row<K extends KindName>(
  name: string,
  kind: K,
  object: KindMap[K],
  want: readonly Want[] = [],
): Row {
  return { name, run: () => validateObject(kind, object), want }
}

function updateRow<K extends KindName>(
  name: string,
  kind: K,
  prev: KindMap[K],
  next: KindMap[K],
  want: readonly Want[] = [],
): Row {
  return { name, run: () => validateUpdate(kind, prev, next), want }
}

function check(rows: readonly Row[]): void {
  for (const r of rows) {
    it(r.name, () => {
      const got = r.run()
      assert.deepEqual(
        got.map((e) => ({ type: e.type, field: e.field })),
        r.want.map((w) => ({ type: w.type, field: w.field })),
        got.map((e) => `${e.field}: ${e.message}`).join('\n'),
      )
      r.want.forEach((w, i) => {
        const message = got[i]!.message
        if (typeof w.message === 'string') assert.equal(message, w.message)
        else if (w.message !== undefined) assert.match(message, w.message)
      })
    })
  }
}

// --- fixtures ---------------------------------------------------------------------------------

const dockerTag = (over: Partial<TagReference> = {}): TagReference => ({
  name: 'v1',
  from: { kind: 'DockerImage', name: 'quay.io/example/app:v1' },
  ...over,
})

const stream = (
  tags: TagReference[] = [dockerTag()],
  over: Partial<ImageStream> = {},
): ImageStream => ({
  metadata: { name: 'app', namespace: 'team-a' },
  spec: { tags },
  ...over,
})

const image = (over: Partial<Image> = {}): Image => ({
  metadata: { name: DIGEST },
  dockerImageReference: `quay.io/example/app@${DIGEST}`,
  dockerImageMetadataVersion: '1.0',
  dockerImageLayers: [
    { name: DIGEST2, size: 10, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
  ],
  ...over,
})

const list = (manifests: Image['dockerImageManifests']): Image => ({
  metadata: { name: DIGEST },
  dockerImageReference: `quay.io/example/app@${DIGEST}`,
  dockerImageManifestMediaType: 'application/vnd.oci.image.index.v1+json',
  dockerImageManifests: manifests,
})

const child = {
  digest: DIGEST2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  manifestSize: 10,
  architecture: 'amd64',
  os: 'linux',
}

const isi = (
  images: ImageImportSpec[] | undefined,
  repository?: NonNullable<ImageStreamImport['spec']>['repository'],
): ImageStreamImport => ({
  metadata: { name: 'app', namespace: 'team-a' },
  spec: {
    import: true,
    ...(images === undefined ? {} : { images }),
    ...(repository === undefined ? {} : { repository }),
  },
})

const dockerImport = (over: Partial<ImageImportSpec> = {}): ImageImportSpec => ({
  from: { kind: 'DockerImage', name: 'quay.io/example/app:1.5' },
  to: { name: '1.5' },
  ...over,
})

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

const secret = (
  type: string,
  data: Record<string, string>,
  over: Partial<Secret> = {},
): Secret => ({
  metadata: { name: 'pull', namespace: 'team-a' },
  type,
  data,
  ...over,
})

const DOCKERCONFIGJSON = 'kubernetes.io/dockerconfigjson'
const DOCKERCFG = 'kubernetes.io/dockercfg'
const PASSWORD = 'p@ss:w"rd-SECRET'
const goodConfig = JSON.stringify({
  auths: { 'quay.io': { username: 'alice', password: PASSWORD } },
})

const istag = (over: Partial<ImageStreamTag> = {}): ImageStreamTag => ({
  metadata: { name: 'app:v1', namespace: 'team-a' },
  tag: { name: 'v1', from: { kind: 'DockerImage', name: 'quay.io/example/app:v1' } },
  ...over,
})

const namespace = (name: string, over: Partial<Namespace['metadata']> = {}): Namespace => ({
  metadata: { name, ...over },
})

const account = (over: Partial<ServiceAccount> = {}): ServiceAccount => ({
  metadata: { name: 'default', namespace: 'team-a' },
  ...over,
})

// --- rows -------------------------------------------------------------------------------------

describe('validation: object metadata (kube ValidateObjectMeta)', () => {
  check([
    row('a valid stream', 'ImageStream', stream()),
    row('name missing', 'ImageStream', stream([], { metadata: { namespace: 'team-a' } }), [
      {
        type: 'FieldValueRequired',
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
      },
    ]),
    row(
      'a generated name; the prefix may end in a dash',
      'Secret',
      secret(
        'Opaque',
        {},
        {
          metadata: { generateName: 'pull-', name: 'pull-x7k2q', namespace: 'team-a' },
        },
      ),
    ),
    row(
      'generateName is checked as a prefix',
      'Secret',
      secret('Opaque', {}, { metadata: { generateName: 'Pull_', namespace: 'team-a' } }),
      [
        { type: 'FieldValueInvalid', field: 'metadata.generateName' },
        { type: 'FieldValueRequired', field: 'metadata.name' },
      ],
    ),
    row(
      'namespace missing on a namespaced kind',
      'ImageStream',
      stream([], { metadata: { name: 'app' } }),
      [{ type: 'FieldValueRequired', field: 'metadata.namespace', message: 'Required value' }],
    ),
    row(
      'namespace not a DNS label',
      'ImageStream',
      stream([], { metadata: { name: 'app', namespace: 'Team_A' } }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.namespace',
          message: /^Invalid value: "Team_A": a lowercase RFC 1123 label/,
        },
      ],
    ),
    row(
      'namespace on a cluster-scoped kind',
      'Image',
      image({ metadata: { name: DIGEST, namespace: 'x' } }),
      [
        {
          type: 'FieldValueForbidden',
          field: 'metadata.namespace',
          message: 'Forbidden: not allowed on this type',
        },
      ],
    ),
    row(
      'valid labels and annotations',
      'ImageStream',
      stream([], {
        metadata: {
          name: 'app',
          namespace: 'team-a',
          labels: { 'app.kubernetes.io/part-of': 'shop', empty: '' },
          annotations: {
            'openshift.io/image.dockerRepositoryCheck': '2026-11-26T10:00:00Z',
            Mixed: 'x y',
          },
        },
      }),
    ),
    row(
      'a bad label key and a bad label value',
      'ImageStream',
      stream([], { metadata: { name: 'app', namespace: 'team-a', labels: { 'bad key': 'a b' } } }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.labels',
          message: /^Invalid value: "bad key": name part must consist/,
        },
        {
          type: 'FieldValueInvalid',
          field: 'metadata.labels',
          message: /^Invalid value: "a b": a valid label must be/,
        },
      ],
    ),
    row(
      'a bad annotation key',
      'ImageStream',
      stream([], { metadata: { name: 'app', namespace: 'team-a', annotations: { 'a/b/c': 'x' } } }),
      [{ type: 'FieldValueInvalid', field: 'metadata.annotations' }],
    ),
    row(
      'annotations over 256 KiB in total',
      'ImageStream',
      stream([], {
        metadata: { name: 'app', namespace: 'team-a', annotations: { big: 'x'.repeat(262144) } },
      }),
      [
        {
          type: 'FieldValueTooLong',
          field: 'metadata.annotations',
          message: 'Too long: may not be more than 262144 bytes',
        },
      ],
    ),
    row(
      'an owner reference without a uid',
      'ImageStream',
      stream([], {
        metadata: {
          name: 'app',
          namespace: 'team-a',
          ownerReferences: [{ apiVersion: 'v1', kind: 'Namespace', name: 'team-a', uid: '' }],
        },
      }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.ownerReferences[0].uid',
          message: 'Invalid value: "": uid must not be empty',
        },
      ],
    ),
    row(
      'a negative generation',
      'ImageStream',
      stream([], { metadata: { name: 'app', namespace: 'team-a', generation: -1 } }),
      [{ type: 'FieldValueInvalid', field: 'metadata.generation' }],
    ),
  ])
})

describe('validation: ImageStream names and spec (ValidateImageStream)', () => {
  const named = (name: string, ns = 'team-a'): ImageStream =>
    stream([], { metadata: { name, namespace: ns } })
  check([
    row('a dotted, dashed stream name', 'ImageStream', named('app.v2_x-y')),
    row('an uppercase stream name', 'ImageStream', named('Bad_Name'), [
      {
        type: 'FieldValueInvalid',
        field: 'metadata.name',
        message: 'Invalid value: "Bad_Name": must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"',
      },
    ]),
    row('a stream name with a slash', 'ImageStream', named('a/b'), [
      {
        type: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "a/b": may not contain '/'`,
      },
    ]),
    row(
      'namespace/name up to 255 characters',
      'ImageStream',
      named('a'.repeat(255 - 'team-a/'.length)),
    ),
    row(
      'namespace/name over 255 characters',
      'ImageStream',
      named('a'.repeat(256 - 'team-a/'.length)),
      [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.name',
          message: /: 'namespace\/name' cannot be longer than 255 characters$/,
        },
      ],
    ),
    row(
      'spec.dockerImageRepository: a repository',
      'ImageStream',
      stream([], {
        metadata: { name: 'app', namespace: 'team-a' },
        spec: { dockerImageRepository: 'quay.io/example/app' },
      }),
    ),
    row(
      'spec.dockerImageRepository with a tag',
      'ImageStream',
      stream([], {
        metadata: { name: 'app', namespace: 'team-a' },
        spec: { dockerImageRepository: 'quay.io/example/app:v1' },
      }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.dockerImageRepository',
          message: /the repository name may not contain a tag$/,
        },
      ],
    ),
    row(
      'spec.dockerImageRepository with a digest',
      'ImageStream',
      stream([], {
        metadata: { name: 'app', namespace: 'team-a' },
        spec: { dockerImageRepository: `quay.io/example/app@${DIGEST}` },
      }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.dockerImageRepository',
          message: /may not contain an ID$/,
        },
      ],
    ),
    row(
      'spec.dockerImageRepository unparseable',
      'ImageStream',
      stream([], {
        metadata: { name: 'app', namespace: 'team-a' },
        spec: { dockerImageRepository: 'quay.io/Example' },
      }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.dockerImageRepository',
          message: 'Invalid value: "quay.io/Example": repository name must be lowercase',
        },
      ],
    ),
  ])
})

describe('validation: spec tags (ValidateImageStreamTagReference)', () => {
  check([
    row('tag name missing', 'ImageStream', stream([dockerTag({ name: '' })]), [
      { type: 'FieldValueRequired', field: 'spec.tags[].name', message: 'Required value' },
    ]),
    row('tag name outside the tag grammar', 'ImageStream', stream([dockerTag({ name: '.v1' })]), [
      {
        type: 'FieldValueInvalid',
        field: 'spec.tags[.v1].name',
        message: /^Invalid value: "\.v1": a tag must be 1-128/,
      },
    ]),
    row('duplicate tag names', 'ImageStream', stream([dockerTag(), dockerTag()]), [
      {
        type: 'FieldValueDuplicate',
        field: 'spec.tags[v1].name',
        message: 'Duplicate value: "v1"',
      },
    ]),
    row('a tag without from', 'ImageStream', stream([{ name: 'v1' }])),
    row(
      'from.name missing',
      'ImageStream',
      stream([dockerTag({ from: { kind: 'DockerImage', name: '' } })]),
      [{ type: 'FieldValueRequired', field: 'spec.tags[v1].from.name' }],
    ),
    row(
      "from DockerImage that does not parse: distribution's message, as OpenShift answers",
      'ImageStream',
      stream([dockerTag({ from: { kind: 'DockerImage', name: 'quay.io/Example/app' } })]),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.tags[v1].from.name',
          message: 'Invalid value: "quay.io/Example/app": repository name must be lowercase',
        },
      ],
    ),
    row(
      "from DockerImage whose name is over 255 characters: distribution's length message",
      'ImageStream',
      stream([dockerTag({ from: { kind: 'DockerImage', name: longPullSpec } })]),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.tags[v1].from.name',
          message: `Invalid value: "${longPullSpec}": repository name must not be more than 255 characters`,
        },
      ],
    ),
    row(
      'from DockerImage in capitals and over 255 characters: the case is reported first',
      'ImageStream',
      stream([dockerTag({ from: { kind: 'DockerImage', name: longPullSpec.toUpperCase() } })]),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.tags[v1].from.name',
          message: `Invalid value: "${longPullSpec.toUpperCase()}": repository name must be lowercase`,
        },
      ],
    ),
    row(
      'from DockerImage with a digest',
      'ImageStream',
      stream([dockerTag({ from: { kind: 'DockerImage', name: `busybox@${DIGEST}` } })]),
    ),
    row('from.kind missing', 'ImageStream', stream([dockerTag({ from: { name: 'x' } })]), [
      {
        type: 'FieldValueRequired',
        field: 'spec.tags[v1].from.kind',
        message:
          "Required value: valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'",
      },
    ]),
    row(
      'from.kind unknown',
      'ImageStream',
      stream([dockerTag({ from: { kind: 'Foo', name: 'x' } })]),
      [
        {
          type: 'FieldValueNotSupported',
          field: 'spec.tags[v1].from.kind',
          message:
            'Unsupported value: "Foo": supported values: "DockerImage", "ImageStreamImage", "ImageStreamTag"',
        },
      ],
    ),
    row(
      'from ImageStreamTag: tag',
      'ImageStream',
      stream([dockerTag({ name: 'stable', from: { kind: 'ImageStreamTag', name: 'v1' } })]),
    ),
    row(
      'from ImageStreamTag: stream:tag in another namespace',
      'ImageStream',
      stream([
        dockerTag({ from: { kind: 'ImageStreamTag', name: 'other:v1', namespace: 'team-b' } }),
      ]),
    ),
    row(
      'from ImageStreamTag with a bad stream name',
      'ImageStream',
      stream([dockerTag({ from: { kind: 'ImageStreamTag', name: 'Other:v1' } })]),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.tags[v1].from.name',
          message: /stream name must match/,
        },
      ],
    ),
    row(
      'from ImageStreamTag with a bad namespace',
      'ImageStream',
      stream([dockerTag({ from: { kind: 'ImageStreamTag', name: 'other:v1', namespace: 'B' } })]),
      [{ type: 'FieldValueInvalid', field: 'spec.tags[v1].from.namespace' }],
    ),
    row(
      'from ImageStreamImage: stream@digest',
      'ImageStream',
      stream([dockerTag({ from: { kind: 'ImageStreamImage', name: `other@${DIGEST}` } })]),
    ),
    row(
      'from ImageStreamImage: a digest prefix',
      'ImageStream',
      stream([dockerTag({ from: { kind: 'ImageStreamImage', name: 'other@sha256:1111' } })]),
    ),
    row(
      'from ImageStreamImage without an id',
      'ImageStream',
      stream([dockerTag({ from: { kind: 'ImageStreamImage', name: 'other@' } })]),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.tags[v1].from.name',
          message: /the image id must be a digest or a prefix of one$/,
        },
      ],
    ),
    row(
      'scheduled DockerImage tag',
      'ImageStream',
      stream([dockerTag({ importPolicy: { scheduled: true } })]),
    ),
    row(
      'scheduled ImageStreamTag tag',
      'ImageStream',
      stream([
        dockerTag({
          from: { kind: 'ImageStreamTag', name: 'v2' },
          importPolicy: { scheduled: true },
        }),
      ]),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.tags[v1].importPolicy.scheduled',
          message:
            'Invalid value: true: only tags pointing to Docker repositories may be scheduled for background import',
        },
      ],
    ),
    row(
      'importMode PreserveOriginal',
      'ImageStream',
      stream([dockerTag({ importPolicy: { importMode: 'PreserveOriginal' } })]),
    ),
    row(
      'importMode Legacy',
      'ImageStream',
      stream([dockerTag({ importPolicy: { importMode: 'Legacy' } })]),
    ),
    row(
      'importMode empty (defaulting fills it)',
      'ImageStream',
      stream([dockerTag({ importPolicy: { importMode: '' } })]),
    ),
    row(
      'importMode unknown (OpenShift wording)',
      'ImageStream',
      stream([dockerTag({ importPolicy: { importMode: 'Preserve' } })]),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.tags[v1].importPolicy.importMode',
          message:
            "Invalid value: \"Preserve\": invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'",
        },
      ],
    ),
    row(
      'referencePolicy Local',
      'ImageStream',
      stream([dockerTag({ referencePolicy: { type: 'Local' } })]),
    ),
    row(
      'referencePolicy unknown',
      'ImageStream',
      stream([dockerTag({ referencePolicy: { type: 'Remote' } })]),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.tags[v1].referencePolicy.type',
          message: 'Invalid value: "Remote": valid values are "Source", "Local"',
        },
      ],
    ),
    row('generation 0 (re-import)', 'ImageStream', stream([dockerTag({ generation: 0 })])),
    row('negative generation', 'ImageStream', stream([dockerTag({ generation: -1 })]), [
      { type: 'FieldValueInvalid', field: 'spec.tags[v1].generation' },
    ]),
  ])
})

describe('validation: ImageStream status', () => {
  const withStatus = (status: ImageStream['status']): ImageStream =>
    stream([], { metadata: { name: 'app', namespace: 'team-a' }, status })
  const event = { created: '2026-11-26T10:00:00Z', image: DIGEST, generation: 1 }
  check([
    row(
      'a history item',
      'ImageStream',
      withStatus({
        tags: [
          {
            tag: 'v1',
            items: [{ ...event, dockerImageReference: `quay.io/example/app@${DIGEST}` }],
          },
        ],
      }),
    ),
    row(
      'a history item without a reference',
      'ImageStream',
      withStatus({ tags: [{ tag: 'v1', items: [{ ...event, dockerImageReference: '' }] }] }),
      [{ type: 'FieldValueRequired', field: 'status.tags[v1].items[0].dockerImageReference' }],
    ),
    row(
      'a history item with a bad reference',
      'ImageStream',
      withStatus({ tags: [{ tag: 'v1', items: [{ ...event, dockerImageReference: 'Bad Ref' }] }] }),
      [{ type: 'FieldValueInvalid', field: 'status.tags[v1].items[0].dockerImageReference' }],
    ),
    row('a status tag twice', 'ImageStream', withStatus({ tags: [{ tag: 'v1' }, { tag: 'v1' }] }), [
      { type: 'FieldValueDuplicate', field: 'status.tags[v1].tag' },
    ]),
  ])
})

describe('validation: Image (content-addressed, validateImage)', () => {
  check([
    row('an image', 'Image', image()),
    row('a name that is not a digest', 'Image', image({ metadata: { name: 'busybox' } }), [
      {
        type: 'FieldValueInvalid',
        field: 'metadata.name',
        message: /^Invalid value: "busybox": invalid digest "busybox"/,
      },
    ]),
    row('no pull spec', 'Image', image({ dockerImageReference: '' }), [
      { type: 'FieldValueRequired', field: 'dockerImageReference' },
    ]),
    row('a pull spec that does not parse', 'Image', image({ dockerImageReference: 'Bad Ref' }), [
      { type: 'FieldValueInvalid', field: 'dockerImageReference' },
    ]),
    row(
      'metadata version other than 1.0',
      'Image',
      image({ dockerImageMetadataVersion: 'pre012' }),
      [
        {
          type: 'FieldValueNotSupported',
          field: 'dockerImageMetadataVersion',
          message: 'Unsupported value: "pre012": supported values: "1.0"',
        },
      ],
    ),
    row(
      'a negative layer size',
      'Image',
      image({ dockerImageLayers: [{ name: DIGEST2, size: -1, mediaType: 'x/y' }] }),
      [{ type: 'FieldValueInvalid', field: 'dockerImageLayers[0].size' }],
    ),
    row(
      'a manifest list',
      'Image',
      list([child, { ...child, digest: DIGEST, architecture: 'arm64', variant: 'v8' }]),
    ),
    row(
      'a manifest list child with a bad digest, media type, no platform, negative size',
      'Image',
      list([
        {
          digest: 'sha256:xyz',
          mediaType: 'not a type',
          manifestSize: -1,
          architecture: '',
          os: '',
        },
      ]),
      [
        {
          type: 'FieldValueInvalid',
          field: 'dockerImageManifests[0].digest',
          message:
            'Invalid value: "sha256:xyz": digest does not conform with OCI image specification',
        },
        {
          type: 'FieldValueInvalid',
          field: 'dockerImageManifests[0].mediaType',
          message: 'Invalid value: "not a type": media type does not conform to RFC6838',
        },
        { type: 'FieldValueRequired', field: 'dockerImageManifests[0].architecture' },
        { type: 'FieldValueRequired', field: 'dockerImageManifests[0].os' },
        {
          type: 'FieldValueInvalid',
          field: 'dockerImageManifests[0].size',
          message: 'Invalid value: -1: manifest size cannot be negative',
        },
      ],
    ),
    row(
      'a manifest list with layers',
      'Image',
      { ...list([child]), dockerImageLayers: image().dockerImageLayers! },
      [
        {
          type: 'FieldValueInvalid',
          field: 'dockerImageLayers',
          message:
            'Invalid value: dockerImageLayers should not be set when dockerImageManifests is set',
        },
      ],
    ),
  ])
})

describe('validation: ImageStreamTag', () => {
  check([
    row('an istag', 'ImageStreamTag', istag()),
    row('an istag without a spec tag', 'ImageStreamTag', {
      metadata: { name: 'app:v1', namespace: 'team-a' },
    }),
    row(
      'a spec tag without a name (the server fills it)',
      'ImageStreamTag',
      istag({ tag: { name: '', from: { kind: 'DockerImage', name: 'a:v1' } } }),
    ),
    row(
      'a name without a tag',
      'ImageStreamTag',
      istag({ metadata: { name: 'app', namespace: 'team-a' } }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.name',
          message: 'Invalid value: "app": must be of the form <stream>:<tag>',
        },
      ],
    ),
    row(
      'a bad stream name',
      'ImageStreamTag',
      istag({ metadata: { name: 'App:v1', namespace: 'team-a' } }),
      [{ type: 'FieldValueInvalid', field: 'metadata.name', message: /stream name must match/ }],
    ),
    // OpenShift names the spec tag after metadata.name and ignores tag.name.
    row('a spec tag name other than the name’s', 'ImageStreamTag', istag({ tag: { name: 'v2' } })),
    row(
      'tag annotations different from the metadata’s',
      'ImageStreamTag',
      istag({ tag: { name: 'v1', annotations: { a: 'b' } } }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'tag.annotations',
          message: /tag annotations must not be provided or must be equal/,
        },
      ],
    ),
    row(
      'tag annotations equal to the metadata’s',
      'ImageStreamTag',
      istag({
        metadata: { name: 'app:v1', namespace: 'team-a', annotations: { a: 'b' } },
        tag: { name: 'v1', annotations: { a: 'b' } },
      }),
    ),
    row(
      'the spec tag is validated like a stream’s',
      'ImageStreamTag',
      istag({ tag: { name: 'v1', importPolicy: { importMode: 'x' } } }),
      [{ type: 'FieldValueInvalid', field: 'tag.importPolicy.importMode' }],
    ),
  ])
})

describe('validation: ImageStreamImage', () => {
  check([
    row('stream@digest', 'ImageStreamImage', {
      metadata: { name: `app@${DIGEST}`, namespace: 'team-a' },
      image: image(),
    }),
    row(
      'no digest',
      'ImageStreamImage',
      { metadata: { name: 'app', namespace: 'team-a' }, image: image() },
      [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.name',
          message: /must be of the form <stream>@<digest>/,
        },
      ],
    ),
  ])
})

describe('validation: ImageStreamImport (ValidateImageStreamImport)', () => {
  check([
    row(
      'images and a repository',
      'ImageStreamImport',
      isi([dockerImport()], { from: { kind: 'DockerImage', name: 'quay.io/example/tools' } }),
    ),
    row('nothing to import', 'ImageStreamImport', isi(undefined), [
      {
        type: 'FieldValueInvalid',
        field: 'spec.images',
        message: 'Invalid value: null: you must specify at least one image or a repository import',
      },
    ]),
    row(
      'a digest without a target tag',
      'ImageStreamImport',
      isi([{ from: { kind: 'DockerImage', name: `quay.io/example/app@${DIGEST}` } }]),
    ),
    row(
      'from kind other than DockerImage',
      'ImageStreamImport',
      isi([dockerImport({ from: { kind: 'ImageStreamTag', name: 'other:v1' } })]),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.images[0].from.kind',
          message: 'Invalid value: "ImageStreamTag": only DockerImage is supported',
        },
      ],
    ),
    row(
      'from name missing',
      'ImageStreamImport',
      isi([dockerImport({ from: { kind: 'DockerImage' } })]),
      [{ type: 'FieldValueRequired', field: 'spec.images[0].from.name' }],
    ),
    row(
      'from name that does not parse',
      'ImageStreamImport',
      isi([dockerImport({ from: { kind: 'DockerImage', name: 'https://quay.io/app' } })]),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.images[0].from.name',
          message: 'Invalid value: "https://quay.io/app": invalid reference format',
        },
      ],
    ),
    row(
      'from name over 255 characters',
      'ImageStreamImport',
      isi([dockerImport({ from: { kind: 'DockerImage', name: longPullSpec } })]),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.images[0].from.name',
          message: `Invalid value: "${longPullSpec}": repository name must not be more than 255 characters`,
        },
      ],
    ),
    row(
      'a repository name over 255 characters',
      'ImageStreamImport',
      isi(undefined, { from: { kind: 'DockerImage', name: longPullSpec.replace(/:v1$/, '') } }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.repository.from.name',
          message: `Invalid value: "${longPullSpec.replace(/:v1$/, '')}": repository name must not be more than 255 characters`,
        },
      ],
    ),
    row('to without a name', 'ImageStreamImport', isi([dockerImport({ to: {} })]), [
      {
        type: 'FieldValueInvalid',
        field: 'spec.images[0].to.name',
        message: 'Invalid value: "": the name of the target tag must be specified',
      },
    ]),
    row(
      'to outside the tag grammar',
      'ImageStreamImport',
      isi([dockerImport({ to: { name: '-x' } })]),
      [{ type: 'FieldValueInvalid', field: 'spec.images[0].to.name' }],
    ),
    row('two entries to the same tag', 'ImageStreamImport', isi([dockerImport(), dockerImport()]), [
      { type: 'FieldValueDuplicate', field: 'spec.images[1].to.name' },
    ]),
    row(
      'an image importMode',
      'ImageStreamImport',
      isi([dockerImport({ importPolicy: { importMode: 'PreserveOriginal' } })]),
    ),
    row(
      'a bad image importMode',
      'ImageStreamImport',
      isi([dockerImport({ importPolicy: { importMode: 'All' } })]),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.images[0].importPolicy.importMode',
          message:
            "Invalid value: \"All\": invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'",
        },
      ],
    ),
    row(
      'a bad image referencePolicy',
      'ImageStreamImport',
      isi([dockerImport({ referencePolicy: { type: 'Remote' } })]),
      [{ type: 'FieldValueInvalid', field: 'spec.images[0].referencePolicy.type' }],
    ),
    row(
      'a repository with a tag',
      'ImageStreamImport',
      isi(undefined, { from: { kind: 'DockerImage', name: 'quay.io/example/tools:v1' } }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.repository.from.name',
          message:
            'Invalid value: "quay.io/example/tools:v1": you must specify an image repository, not a tag or ID',
        },
      ],
    ),
    row(
      'a repository without a name',
      'ImageStreamImport',
      isi(undefined, { from: { kind: 'DockerImage' } }),
      [
        {
          type: 'FieldValueRequired',
          field: 'spec.repository.from.name',
          message: 'Required value: container image references require a name',
        },
      ],
    ),
    row(
      'a repository that does not parse',
      'ImageStreamImport',
      isi(undefined, { from: { kind: 'DockerImage', name: 'quay.io/Tools' } }),
      [{ type: 'FieldValueInvalid', field: 'spec.repository.from.name' }],
    ),
    row(
      'a repository of another kind',
      'ImageStreamImport',
      isi(undefined, { from: { kind: 'ImageStreamTag', name: 'x' } }),
      [{ type: 'FieldValueInvalid', field: 'spec.repository.from.kind' }],
    ),
    row(
      'a bad repository importMode',
      'ImageStreamImport',
      isi(undefined, {
        from: { kind: 'DockerImage', name: 'quay.io/t' },
        importPolicy: { importMode: 'x' },
      }),
      [{ type: 'FieldValueInvalid', field: 'spec.repository.importPolicy.importMode' }],
    ),
    row(
      'a target stream name that is not one',
      'ImageStreamImport',
      { ...isi([dockerImport()]), metadata: { name: 'App', namespace: 'team-a' } },
      [{ type: 'FieldValueInvalid', field: 'metadata.name' }],
    ),
  ])
})

describe('validation: Secret (kube ValidateSecret; contents redacted)', () => {
  const rows: Row[] = [
    row('an Opaque secret', 'Secret', secret('Opaque', { token: b64('x') })),
    row(
      'a secret name that is not a DNS subdomain',
      'Secret',
      secret('Opaque', {}, { metadata: { name: 'Pull_1', namespace: 'team-a' } }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.name',
          message: /a lowercase RFC 1123 subdomain/,
        },
      ],
    ),
    row('a bad data key', 'Secret', secret('Opaque', { 'bad key': b64('x') }), [
      {
        type: 'FieldValueInvalid',
        field: 'data[bad key]',
        message: /a valid config key must consist/,
      },
    ]),
    row('a bad stringData key', 'Secret', { ...secret('Opaque', {}), stringData: { '..x': 'v' } }, [
      { type: 'FieldValueInvalid', field: 'stringData[..x]' },
      { type: 'FieldValueInvalid', field: 'data[..x]' },
    ]),
    row('data that is not base64', 'Secret', secret('Opaque', { token: `${PASSWORD}!` }), [
      {
        type: 'FieldValueInvalid',
        field: 'data[token]',
        message: `Invalid value: "${REDACTED}": must be base64-encoded (standard alphabet, padded)`,
      },
    ]),
    row(
      '1 MiB of data',
      'Secret',
      secret('Opaque', { big: Buffer.alloc(1024 * 1024).toString('base64') }),
    ),
    row(
      'more than 1 MiB of data',
      'Secret',
      secret('Opaque', { big: Buffer.alloc(1024 * 1024 + 1).toString('base64') }),
      [
        {
          type: 'FieldValueTooLong',
          field: 'data',
          message: 'Too long: may not be more than 1048576 bytes',
        },
      ],
    ),
    row(
      'dockerconfigjson',
      'Secret',
      secret(DOCKERCONFIGJSON, { '.dockerconfigjson': b64(goodConfig) }),
    ),
    row('dockerconfigjson through stringData', 'Secret', {
      ...secret(DOCKERCONFIGJSON, {}),
      stringData: { '.dockerconfigjson': goodConfig },
    }),
    row(
      'dockerconfigjson without its key',
      'Secret',
      secret(DOCKERCONFIGJSON, { other: b64(goodConfig) }),
      [{ type: 'FieldValueRequired', field: 'data[.dockerconfigjson]', message: 'Required value' }],
    ),
    row(
      'dockerconfigjson that is not JSON',
      'Secret',
      secret(DOCKERCONFIGJSON, { '.dockerconfigjson': b64(`{"auths": ${PASSWORD}`) }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'data[.dockerconfigjson]',
          message: new RegExp(`^Invalid value: "${REDACTED}": `),
        },
      ],
    ),
    row(
      'dockerconfigjson that is empty (kubectl sends "" for an empty file)',
      'Secret',
      secret(DOCKERCONFIGJSON, { '.dockerconfigjson': '' }),
      [{ type: 'FieldValueInvalid', field: 'data[.dockerconfigjson]' }],
    ),
    row(
      'dockerconfigjson without auths (an old .dockercfg pasted in)',
      'Secret',
      secret(DOCKERCONFIGJSON, {
        '.dockerconfigjson': b64(JSON.stringify({ 'quay.io': { auth: b64(`a:${PASSWORD}`) } })),
      }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'data[.dockerconfigjson]',
          message: /must be a JSON object with an "auths" map/,
        },
      ],
    ),
    row(
      'dockerconfigjson that is a JSON array',
      'Secret',
      secret(DOCKERCONFIGJSON, { '.dockerconfigjson': b64('[]') }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'data[.dockerconfigjson]',
          message: /must be a JSON object$/,
        },
      ],
    ),
    row(
      'dockercfg',
      'Secret',
      secret(DOCKERCFG, { '.dockercfg': b64(JSON.stringify({ 'quay.io': { auth: 'eDp5' } })) }),
    ),
    row('dockercfg without its key', 'Secret', secret(DOCKERCFG, {}), [
      { type: 'FieldValueRequired', field: 'data[.dockercfg]' },
    ]),
    row('dockercfg that is not JSON', 'Secret', secret(DOCKERCFG, { '.dockercfg': b64('nope') }), [
      { type: 'FieldValueInvalid', field: 'data[.dockercfg]' },
    ]),
    row(
      'basic-auth with a username',
      'Secret',
      secret('kubernetes.io/basic-auth', { username: b64('alice') }),
    ),
    row('basic-auth with neither key', 'Secret', secret('kubernetes.io/basic-auth', {}), [
      { type: 'FieldValueRequired', field: 'data[username]' },
      { type: 'FieldValueRequired', field: 'data[password]' },
    ]),
    row('ssh-auth', 'Secret', secret('kubernetes.io/ssh-auth', { 'ssh-privatekey': b64('k') })),
    row('tls', 'Secret', secret('kubernetes.io/tls', { 'tls.crt': b64('c'), 'tls.key': b64('k') })),
    row(
      'service-account-token',
      'Secret',
      secret(
        'kubernetes.io/service-account-token',
        {},
        {
          metadata: {
            name: 'default-token',
            namespace: 'team-a',
            annotations: { 'kubernetes.io/service-account.name': 'default' },
          },
        },
      ),
    ),
    row('ssh-auth without the key', 'Secret', secret('kubernetes.io/ssh-auth', {}), [
      { type: 'FieldValueRequired', field: 'data[ssh-privatekey]' },
    ]),
    row('tls without a key', 'Secret', secret('kubernetes.io/tls', { 'tls.crt': b64('c') }), [
      { type: 'FieldValueRequired', field: 'data[tls.key]' },
    ]),
    row(
      'service-account-token without its annotation',
      'Secret',
      secret('kubernetes.io/service-account-token', {}),
      [
        {
          type: 'FieldValueRequired',
          field: 'metadata.annotations[kubernetes.io/service-account.name]',
        },
      ],
    ),
  ]
  check(rows)

  it('never puts secret contents in a message', () => {
    for (const r of rows) {
      for (const error of r.run()) {
        assert.ok(!error.message.includes(PASSWORD), `${r.name}: ${error.message}`)
        assert.ok(!error.message.includes(b64(goodConfig).slice(0, 20)), r.name)
      }
    }
  })
})

describe('validation: ServiceAccount and Namespace', () => {
  check([
    row(
      'a service account with links',
      'ServiceAccount',
      account({ secrets: [{ name: 'pull' }], imagePullSecrets: [{ name: 'pull' }] }),
    ),
    row(
      'a link without a name',
      'ServiceAccount',
      account({ secrets: [{}], imagePullSecrets: [{ name: '' }] }),
      [
        { type: 'FieldValueRequired', field: 'secrets[0].name' },
        { type: 'FieldValueRequired', field: 'imagePullSecrets[0].name' },
      ],
    ),
    row(
      'a service account name that is not a subdomain',
      'ServiceAccount',
      account({ metadata: { name: 'Default', namespace: 'team-a' } }),
      [{ type: 'FieldValueInvalid', field: 'metadata.name' }],
    ),
    row('a namespace', 'Namespace', namespace('team-a')),
    row('a namespace with a dot', 'Namespace', namespace('team.a'), [
      {
        type: 'FieldValueInvalid',
        field: 'metadata.name',
        message: 'Invalid value: "team.a": must not contain dots',
      },
    ]),
    row(
      'a namespace inside a namespace',
      'Namespace',
      namespace('team-a', { namespace: 'default' }),
      [{ type: 'FieldValueForbidden', field: 'metadata.namespace' }],
    ),
  ])
})

describe('validateUpdate', () => {
  const stored = (meta: Partial<Image['metadata']> = {}): Image =>
    image({ metadata: { name: DIGEST, uid: 'u1', resourceVersion: '5', ...meta } })
  check([
    updateRow(
      'an Image’s labels may change',
      'Image',
      stored(),
      stored({ labels: { keep: 'yes' } }),
    ),
    updateRow(
      'an Image’s content may not',
      'Image',
      stored(),
      { ...stored(), dockerImageReference: `quay.io/other/app@${DIGEST}`, dockerImageLayers: [] },
      [
        {
          type: 'FieldValueInvalid',
          field: 'dockerImageLayers',
          message: 'Invalid value: field is immutable',
        },
        {
          type: 'FieldValueInvalid',
          field: 'dockerImageReference',
          message: `Invalid value: "quay.io/other/app@${DIGEST}": field is immutable`,
        },
      ],
    ),
    updateRow(
      'stripped raw manifest and config and a defaulted version are not changes',
      'Image',
      {
        ...stored(),
        dockerImageManifest: '{}',
        dockerImageConfig: '{}',
        dockerImageMetadataVersion: '1.0',
      },
      { ...stored(), dockerImageMetadataVersion: '' },
      [],
    ),
    updateRow(
      'a name may not change',
      'ImageStream',
      stream(),
      stream([dockerTag()], { metadata: { name: 'other', namespace: 'team-a' } }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.name',
          message: 'Invalid value: "other": field is immutable',
        },
      ],
    ),
    updateRow(
      'a namespace may not change',
      'ImageStream',
      stream(),
      stream([dockerTag()], { metadata: { name: 'app', namespace: 'team-b' } }),
      [{ type: 'FieldValueInvalid', field: 'metadata.namespace' }],
    ),
    updateRow(
      'a uid may not change, but may be left out',
      'ImageStream',
      stream([dockerTag()], { metadata: { name: 'app', namespace: 'team-a', uid: 'u1' } }),
      stream([dockerTag()], { metadata: { name: 'app', namespace: 'team-a', uid: 'u2' } }),
      [{ type: 'FieldValueInvalid', field: 'metadata.uid' }],
    ),
    updateRow(
      'a uid left out',
      'ImageStream',
      stream([dockerTag()], { metadata: { name: 'app', namespace: 'team-a', uid: 'u1' } }),
      stream([dockerTag()]),
    ),
    updateRow(
      'a stream update is validated as a whole',
      'ImageStream',
      stream(),
      stream([dockerTag({ referencePolicy: { type: 'x' } })]),
      [{ type: 'FieldValueInvalid', field: 'spec.tags[v1].referencePolicy.type' }],
    ),
    updateRow(
      'a Secret’s data may change',
      'Secret',
      secret('Opaque', { a: b64('1') }),
      secret('Opaque', { a: b64('2') }),
    ),
    updateRow(
      'a Secret’s type may not',
      'Secret',
      secret('Opaque', {}),
      secret(DOCKERCFG, { '.dockercfg': b64('{}') }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'type',
          message: 'Invalid value: "kubernetes.io/dockercfg": field is immutable',
        },
      ],
    ),
    updateRow('an empty type is Opaque', 'Secret', secret('Opaque', {}), {
      ...secret('Opaque', {}),
      type: '',
    }),
    updateRow(
      'an immutable Secret keeps its data and its flag',
      'Secret',
      secret('Opaque', { a: b64('1') }, { immutable: true }),
      { ...secret('Opaque', {}, { immutable: false }), stringData: { a: '2' } },
      [
        {
          type: 'FieldValueForbidden',
          field: 'immutable',
          message: 'Forbidden: field is immutable when `immutable` is set',
        },
        { type: 'FieldValueForbidden', field: 'data' },
      ],
    ),
    updateRow(
      'an immutable Secret rewritten with the same data',
      'Secret',
      secret('Opaque', { a: b64('1') }, { immutable: true }),
      { ...secret('Opaque', {}, { immutable: true }), stringData: { a: '1' } },
    ),
    updateRow(
      'an istag’s spec tag may change',
      'ImageStreamTag',
      istag(),
      istag({ tag: { name: 'v1', from: { kind: 'DockerImage', name: 'quay.io/example/app:v2' } } }),
    ),
    updateRow(
      'an istag’s image may not',
      'ImageStreamTag',
      istag({ image: image() }),
      istag({ image: image({ dockerImageReference: `x/y@${DIGEST}` }) }),
      [
        {
          type: 'FieldValueInvalid',
          field: 'image',
          message: 'Invalid value: may not update fields other than tag and metadata.annotations',
        },
      ],
    ),
    updateRow(
      'imports are create-only',
      'ImageStreamImport',
      isi([dockerImport()]),
      isi([dockerImport()]),
      [
        {
          type: 'FieldValueForbidden',
          field: '',
          message: 'Forbidden: imagestreamimports may only be created',
        },
      ],
    ),
    updateRow(
      'imagestreamimages are read-only',
      'ImageStreamImage',
      { metadata: { name: `app@${DIGEST}`, namespace: 'team-a' }, image: image() },
      { metadata: { name: `app@${DIGEST}`, namespace: 'team-a' }, image: image() },
      [{ type: 'FieldValueForbidden', field: '' }],
    ),
    updateRow(
      'a namespace update',
      'Namespace',
      namespace('team-a'),
      namespace('team-a', { labels: { a: 'b' } }),
    ),
    updateRow(
      'a service account update',
      'ServiceAccount',
      account(),
      account({ secrets: [{ name: 'pull' }] }),
    ),
  ])
})
