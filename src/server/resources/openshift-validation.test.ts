/**
 * OpenShift's own validation tables, sent as requests to a real server: every case of
 * openshift-apiserver `pkg/image/apis/image/validation/validation_test.go` and
 * `pkg/image/apiserver/registry/imagestreamtag/rest_test.go` is either a request below with
 * OpenShift's verdict (status code, field paths and messages), or an entry of UNSUPPORTED
 * saying why no request of ours can ask it. Messages are written out as apimachinery renders
 * them (`Invalid value: "x": detail`), and a case's causes must match as a set, as the upstream
 * tables compare (reflect.DeepEqual), or, where an upstream table only checks the type and field
 * of its errors, by that check ('some' or 'every').
 *
 * A table that calls a validator directly skips what a request goes through first: v1
 * defaulting, namespace admission and the REST strategy's PrepareForCreate/PrepareForUpdate.
 * Where that changes the answer, the verdict below is the one a request gets, and the case's
 * `note` says why; the one case kept at the table's verdict (a status history item without a
 * reference) says so in its note.
 */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, withImageStreamImports, type Fixture } from './testing/fixture.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

const G = '/apis/image.openshift.io/v1'
const ns = (namespace: string) => `${G}/namespaces/${namespace}`
const IMG = `sha256:${'1'.repeat(64)}`
const MANIFEST_DIGEST = 'sha256:82bc737c1fede1c1534446cd5fdd0737c4e0f3650454c9e1905e2d70af95778e'

interface Call {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  readonly url: string
  readonly body?: Json
  /** Sends the stored object's metadata.resourceVersion (read first), as a client's replace does. */
  readonly withResourceVersion?: boolean
  /** Sends this edit of the object as read (GET of the same URL first), as kubectl replace does. */
  readonly edit?: (current: Json) => Json
}

/** Cause is one Status cause: apimachinery's field.Error as the API renders it. */
interface Cause {
  readonly reason: string
  readonly field: string
  readonly message?: string
}

interface Verdict {
  readonly code: number
  /** The causes as a set (upstream compares the whole error list). */
  readonly causes?: readonly Cause[]
  /** Upstream checks only that some error has this type and field. */
  readonly some?: Cause
  /** Upstream checks that every error has this type and field. */
  readonly every?: Cause
  /** Status details of an error answer (upstream checks the target kind and name). */
  readonly details?: { readonly kind: string; readonly name: string }
  /** Further checks of the answer and the stored state. */
  readonly verify?: (fx: Fixture, body: Json) => Promise<void> | void
}

interface Case {
  /** The upstream test function and case name. */
  readonly source: string
  readonly setup?: readonly Call[]
  readonly call: Call
  readonly openshift: Verdict
  /** Why the verdict or the request differs from the upstream table's literal input or answer. */
  readonly note?: string
}

interface Unsupported {
  readonly source: string
  readonly reason: string
}

// --- apimachinery's renderings ---------------------------------------------------------------

const q = (value: string) => JSON.stringify(value)
const invalid = (field: string, value: string, detail: string): Cause => ({
  reason: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${value}: ${detail}`,
})
const required = (field: string, detail = ''): Cause => ({
  reason: 'FieldValueRequired',
  field,
  message: detail === '' ? 'Required value' : `Required value: ${detail}`,
})

// The namespace of a create comes from the URL, and NamespaceLifecycle admission (which
// openshift-apiserver runs first, openshiftadmission/register.go) refuses one that does not exist
// before the strategy validates metadata.namespace.
const NAMESPACE_NOT_FOUND: Verdict = { code: 404, details: { kind: 'namespaces', name: '!$' } }
const NAMESPACE_NOTE = `the table's verdict is metadata.namespace: Invalid value: "!$": a lowercase RFC 1123 label ..., but a request meets namespace admission first`
const NAME_REQUIRED = required('metadata.name', 'name or generateName is required')
const STREAM_NAME_RULE = 'must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"'
const BAD_REFERENCE = 'invalid reference format'
const IMPORT_MODE = "invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'"
const SCHEDULED = 'only tags pointing to Docker repositories may be scheduled for background import'
const ONLY_DOCKER_IMAGE = 'only DockerImage is supported'
const ISTAG_METADATA = 'may not update fields other than metadata.annotations'

const NS63 = 'a'.repeat(63)
const NAME191 = 'b'.repeat(191)
const NAME192 = `x${NAME191}`

// --- requests ---------------------------------------------------------------------------------

const createStream = (namespace: string, body: Json): Call => ({
  method: 'POST',
  url: `${ns(namespace)}/imagestreams`,
  body: { kind: 'ImageStream', apiVersion: 'image.openshift.io/v1', ...body },
})
const stream = (name: string | undefined, spec: Json = {}, extra: Json = {}): Json => ({
  metadata: name === undefined ? {} : { name },
  spec,
  ...extra,
})
const dockerTag = (name: string, from: string, extra: Json = {}): Json => ({
  name,
  from: { kind: 'DockerImage', name: from },
  referencePolicy: { type: 'Source' },
  ...extra,
})
const createImport = (namespace: string, name: string | undefined, spec: Json): Call => ({
  method: 'POST',
  url: `${ns(namespace)}/imagestreamimports`,
  body: {
    kind: 'ImageStreamImport',
    apiVersion: 'image.openshift.io/v1',
    metadata: name === undefined ? {} : { name },
    spec,
  },
})
const repository = (from: string, extra: Json = {}): Json => ({
  repository: { from: { kind: 'DockerImage', name: from }, ...extra },
})
const createImage = (body: Json): Call => ({
  method: 'POST',
  url: `${G}/images`,
  body: { kind: 'Image', apiVersion: 'image.openshift.io/v1', ...body },
})
const putStatus = (namespace: string, name: string, status: Json): Call => ({
  method: 'PUT',
  url: `${ns(namespace)}/imagestreams/${name}/status`,
  body: { kind: 'ImageStream', apiVersion: 'image.openshift.io/v1', metadata: { name }, status },
  withResourceVersion: true,
})
const istagUrl = (namespace: string, name: string) => `${ns(namespace)}/imagestreamtags/${name}`
const istag = (name: string, extra: Json = {}): Json => ({
  kind: 'ImageStreamTag',
  apiVersion: 'image.openshift.io/v1',
  metadata: { name, ...(extra.metadata ?? {}) },
  ...(extra.tag === undefined ? {} : { tag: extra.tag }),
})
const putIstag = (namespace: string, name: string, extra: Json = {}): Call => ({
  method: 'PUT',
  url: istagUrl(namespace, name),
  body: istag(name, extra),
})

const OTHER_STREAM = createStream('namespace', stream('other'))

// --- validation_test.go ----------------------------------------------------------------------

const imageCases: Case[] = [
  {
    source: 'TestValidateImageMissingFields/missing Name',
    call: createImage({ metadata: {}, dockerImageReference: 'ref' }),
    openshift: { code: 422, some: { reason: 'FieldValueRequired', field: 'metadata.name' } },
  },
  {
    source: 'TestValidateImageMissingFields/no slash in Name',
    call: createImage({ metadata: { name: 'foo/bar' } }),
    openshift: { code: 422, some: { reason: 'FieldValueInvalid', field: 'metadata.name' } },
  },
  {
    source: 'TestValidateImageMissingFields/no percent in Name',
    call: createImage({ metadata: { name: 'foo%%bar' } }),
    openshift: { code: 422, some: { reason: 'FieldValueInvalid', field: 'metadata.name' } },
  },
  {
    source: 'TestValidateImageMissingFields/missing DockerImageReference',
    call: createImage({ metadata: { name: 'foo' } }),
    openshift: { code: 422, some: { reason: 'FieldValueRequired', field: 'dockerImageReference' } },
  },
  ...(
    [
      [
        'invalid digest',
        { digest: 'abc', mediaType: 'foo/bar', manifestSize: 0, architecture: 'foo', os: 'bar' },
        invalid(
          'dockerImageManifests[0].digest',
          q('abc'),
          'digest does not conform with OCI image specification',
        ),
      ],
      [
        'invalid media type',
        {
          digest: MANIFEST_DIGEST,
          mediaType: 'foobar',
          manifestSize: 0,
          architecture: 'foo',
          os: 'bar',
        },
        invalid(
          'dockerImageManifests[0].mediaType',
          q('foobar'),
          'media type does not conform to RFC6838',
        ),
      ],
      [
        'required architecture',
        {
          digest: MANIFEST_DIGEST,
          mediaType: 'foo/bar',
          manifestSize: 0,
          architecture: '',
          os: 'bar',
        },
        required('dockerImageManifests[0].architecture'),
      ],
      [
        'required OS',
        {
          digest: MANIFEST_DIGEST,
          mediaType: 'foo/bar',
          manifestSize: 0,
          architecture: 'bar',
          os: '',
        },
        required('dockerImageManifests[0].os'),
      ],
      [
        'negative size',
        {
          digest: MANIFEST_DIGEST,
          mediaType: 'foo/bar',
          architecture: 'bar',
          os: 'linux',
          manifestSize: -2,
        },
        invalid('dockerImageManifests[0].size', '-2', 'manifest size cannot be negative'),
      ],
    ] as const
  ).map(([name, manifest, cause]): Case => ({
    source: `TestValidateImageManifests/${name}`,
    call: createImage({
      metadata: { name: IMG },
      dockerImageReference: `quay.io/r/app@${IMG}`,
      dockerImageManifests: [manifest],
    }),
    openshift: { code: 422, causes: [cause] },
    note: 'upstream validates the manifests alone; they are sent in an otherwise valid Image',
  })),
]

const imageStreamCases: Case[] = [
  {
    source: 'TestValidateImageStream/missing name',
    call: createStream('foo', stream(undefined)),
    openshift: { code: 422, causes: [NAME_REQUIRED] },
  },
  {
    source: 'TestValidateImageStream/no slash in Name',
    call: createStream('foo', stream('foo/bar')),
    openshift: {
      code: 422,
      causes: [invalid('metadata.name', q('foo/bar'), "may not contain '/'")],
    },
  },
  {
    source: 'TestValidateImageStream/no percent in Name',
    call: createStream('foo', stream('foo%%bar')),
    openshift: {
      code: 422,
      causes: [invalid('metadata.name', q('foo%%bar'), "may not contain '%'")],
    },
  },
  {
    source: 'TestValidateImageStream/other invalid name',
    call: createStream('foo', stream('foo bar')),
    openshift: { code: 422, causes: [invalid('metadata.name', q('foo bar'), STREAM_NAME_RULE)] },
  },
  {
    source: 'TestValidateImageStream/invalid namespace',
    call: createStream('!$', stream('foo')),
    openshift: NAMESPACE_NOT_FOUND,
    note: NAMESPACE_NOTE,
  },
  {
    source: 'TestValidateImageStream/invalid dockerImageRepository',
    call: createStream('namespace', stream('foo', { dockerImageRepository: 'a-|///bbb' })),
    openshift: {
      code: 422,
      causes: [invalid('spec.dockerImageRepository', q('a-|///bbb'), BAD_REFERENCE)],
    },
  },
  {
    source: 'TestValidateImageStream/invalid dockerImageRepository with tag',
    call: createStream('namespace', stream('foo', { dockerImageRepository: 'a/b:tag' })),
    openshift: {
      code: 422,
      causes: [
        invalid(
          'spec.dockerImageRepository',
          q('a/b:tag'),
          'the repository name may not contain a tag',
        ),
      ],
    },
  },
  {
    source: 'TestValidateImageStream/invalid dockerImageRepository with ID',
    call: createStream(
      'namespace',
      stream('foo', { dockerImageRepository: 'a/b@sha256:something' }),
    ),
    openshift: {
      code: 422,
      causes: [invalid('spec.dockerImageRepository', q('a/b@sha256:something'), BAD_REFERENCE)],
    },
  },
  {
    source: 'TestValidateImageStream/status tag missing dockerImageReference',
    setup: [createStream('namespace', stream('foo'))],
    call: putStatus('namespace', 'foo', {
      tags: [
        {
          tag: 'tag',
          items: [
            { dockerImageReference: '', image: '', created: '2026-01-01T00:00:00Z', generation: 1 },
            {
              dockerImageReference: 'foo/bar:latest',
              image: '',
              created: '2026-01-01T00:00:00Z',
              generation: 1,
            },
            { dockerImageReference: '', image: '', created: '2026-01-01T00:00:00Z', generation: 1 },
          ],
        },
      ],
    }),
    openshift: {
      code: 422,
      causes: [
        required('status.tags[tag].items[0].dockerImageReference'),
        required('status.tags[tag].items[2].dockerImageReference'),
      ],
    },
    note: 'a create drops the status (PrepareForCreate), so the status goes through /status. The verdict is the table\'s: OpenShift\'s /status runs ValidateImageStreamStatusUpdate instead, which would call these items Invalid ("": repository name must have at least one component)',
  },
  {
    source: 'TestValidateImageStream/referencePolicy.type must be valid',
    call: createStream(
      'namespace',
      stream('foo', { tags: [dockerTag('tag', 'abc', { referencePolicy: { type: 'Other' } })] }),
    ),
    openshift: {
      code: 422,
      causes: [
        invalid(
          'spec.tags[tag].referencePolicy.type',
          q('Other'),
          'valid values are "Source", "Local"',
        ),
      ],
    },
  },
  {
    source: "TestValidateImageStream/ImageStreamTags can't be scheduled",
    setup: [OTHER_STREAM],
    call: createStream(
      'namespace',
      stream('foo', {
        tags: [
          dockerTag('tag', 'abc', { importPolicy: { scheduled: true } }),
          {
            name: 'other',
            from: { kind: 'ImageStreamTag', name: 'other:latest' },
            importPolicy: { scheduled: true },
            referencePolicy: { type: 'Source' },
          },
        ],
      }),
    ),
    openshift: {
      code: 422,
      causes: [invalid('spec.tags[other].importPolicy.scheduled', 'true', SCHEDULED)],
    },
  },
  {
    source: "TestValidateImageStream/image IDs can't be scheduled",
    call: createStream(
      'namespace',
      stream('foo', {
        tags: [dockerTag('badid', 'abc@badid', { importPolicy: { scheduled: true } })],
      }),
    ),
    openshift: {
      code: 422,
      causes: [invalid('spec.tags[badid].from.name', q('abc@badid'), BAD_REFERENCE)],
    },
  },
  {
    source: "TestValidateImageStream/ImageStreamImages can't be scheduled",
    setup: [OTHER_STREAM],
    call: createStream(
      'namespace',
      stream('foo', {
        tags: [
          {
            name: 'otherimage',
            from: { kind: 'ImageStreamImage', name: 'other@latest' },
            importPolicy: { scheduled: true },
            referencePolicy: { type: 'Source' },
          },
        ],
      }),
    ),
    openshift: {
      code: 422,
      causes: [invalid('spec.tags[otherimage].importPolicy.scheduled', 'true', SCHEDULED)],
    },
  },
  {
    source: 'TestValidateImageStream/valid',
    setup: [OTHER_STREAM],
    call: createStream(
      'namespace',
      stream(
        'foo',
        {
          tags: [
            dockerTag('tag', 'abc'),
            {
              name: 'other',
              from: { kind: 'ImageStreamTag', name: 'other:latest' },
              referencePolicy: { type: 'Source' },
            },
          ],
        },
        {
          status: {
            tags: [
              {
                tag: 'tag',
                items: [
                  {
                    dockerImageReference: 'foo/bar:latest',
                    image: '',
                    created: '2026-01-01T00:00:00Z',
                    generation: 1,
                  },
                ],
              },
            ],
          },
        },
      ),
    ),
    openshift: { code: 201 },
  },
  {
    source: 'TestValidateImageStream/shortest name components',
    call: createStream('f', stream('g')),
    openshift: { code: 201 },
  },
  {
    source: 'TestValidateImageStream/all possible characters used',
    call: createStream(
      'abcdefghijklmnopqrstuvwxyz-1234567890',
      stream('abcdefghijklmnopqrstuvwxyz-1234567890.dot_underscore-dash'),
    ),
    openshift: { code: 201 },
  },
  {
    source: 'TestValidateImageStream/max name and namespace length met',
    call: createStream(NS63, stream(NAME191)),
    openshift: { code: 201 },
  },
  {
    source: 'TestValidateImageStream/max name and namespace length exceeded',
    call: createStream(NS63, stream(NAME192)),
    openshift: {
      code: 422,
      causes: [
        invalid(
          'metadata.name',
          q(NAME192),
          "'namespace/name' cannot be longer than 255 characters",
        ),
      ],
    },
  },
  {
    source: 'TestValidateImageStream/valid importMode',
    call: createStream(
      'namespace',
      stream('foo', {
        tags: [dockerTag('tag', 'abc', { importPolicy: { importMode: 'PreserveOriginal' } })],
      }),
    ),
    openshift: { code: 201 },
  },
  {
    source: 'TestValidateImageStream/invalid importMode',
    call: createStream(
      'namespace',
      stream('foo', {
        tags: [dockerTag('tag', 'abc', { importPolicy: { importMode: 'Invalid' } })],
      }),
    ),
    openshift: {
      code: 422,
      causes: [invalid('spec.tags[tag].importPolicy.importMode', q('Invalid'), IMPORT_MODE)],
    },
  },
]

// The stream of TestValidateISTUpdate: foo:bar from some/other:system, annotated one=two.
const FOO_BAR = createStream(
  'default',
  stream('foo', {
    tags: [dockerTag('bar', 'some/other:system', { annotations: { one: 'two' } })],
  }),
)

const istagUpdateCases: Case[] = [
  {
    source: 'TestValidateISTUpdate/(success: annotations added)',
    setup: [FOO_BAR],
    call: putIstag('default', 'foo:bar', {
      metadata: { annotations: { one: 'two', three: 'four' } },
    }),
    openshift: {
      code: 200,
      verify: async (fx) => {
        const res = await fx.request({ method: 'GET', url: `${ns('default')}/imagestreams/foo` })
        const tag = res.json().spec.tags.find((t: Json) => t.name === 'bar')
        assert.deepEqual(tag.annotations, { one: 'two', three: 'four' })
        assert.equal(tag.from.name, 'some/other:system', 'a PUT without tag keeps the spec tag')
      },
    },
  },
  {
    source: 'TestValidateISTUpdate/changedLabel',
    setup: [FOO_BAR],
    call: putIstag('default', 'foo:bar', {
      metadata: { annotations: { one: 'two' }, labels: { a: 'b' } },
    }),
    openshift: { code: 422, causes: [invalid('metadata', q(''), ISTAG_METADATA)] },
  },
  {
    source: 'TestValidateISTUpdate/mismatchedAnnotations',
    setup: [FOO_BAR],
    call: putIstag('default', 'foo:bar', {
      metadata: { annotations: { one: 'two' } },
      tag: {
        from: { kind: 'DockerImage', name: 'some/other:system' },
        annotations: { one: 'three' },
        referencePolicy: { type: 'Source' },
      },
    }),
    openshift: {
      code: 200,
      verify: async (fx) => {
        const res = await fx.request({ method: 'GET', url: `${ns('default')}/imagestreams/foo` })
        const tag = res.json().spec.tags.find((t: Json) => t.name === 'bar')
        assert.deepEqual(tag.annotations, { one: 'two' }, 'metadata.annotations win')
      },
    },
    note: "the table's validator refuses tag.annotations differing from metadata.annotations, but a PUT first replaces tag.annotations with metadata.annotations (imagestreamtag Strategy.PrepareForUpdate), so the request is accepted",
  },
  {
    source: 'TestValidateISTUpdate/tagToNameRequired',
    setup: [FOO_BAR],
    call: putIstag('default', 'foo:bar', {
      metadata: { annotations: { one: 'two' } },
      tag: { from: { kind: 'DockerImage', name: '' }, referencePolicy: { type: 'Source' } },
    }),
    openshift: { code: 422, every: { reason: 'FieldValueRequired', field: 'tag.from.name' } },
  },
  {
    source: 'TestValidateISTUpdate/tagToKindRequired',
    setup: [FOO_BAR],
    call: putIstag('default', 'foo:bar', {
      metadata: { annotations: { one: 'two' } },
      tag: { from: { kind: '', name: 'foo/bar:biz' }, referencePolicy: { type: 'Source' } },
    }),
    openshift: { code: 422, every: { reason: 'FieldValueRequired', field: 'tag.from.kind' } },
  },
]

const validRepositoryImport = repository('redis')

const imageStreamImportCases: Case[] = [
  {
    source: 'TestValidateImageStreamImport/missing name',
    call: createImport('foo', undefined, validRepositoryImport),
    openshift: { code: 422, causes: [NAME_REQUIRED] },
  },
  {
    source: 'TestValidateImageStreamImport/no slash in Name',
    call: createImport('foo', 'foo/bar', validRepositoryImport),
    openshift: {
      code: 422,
      causes: [invalid('metadata.name', q('foo/bar'), "may not contain '/'")],
    },
  },
  {
    source: 'TestValidateImageStreamImport/no percent in Name',
    call: createImport('foo', 'foo%%bar', validRepositoryImport),
    openshift: {
      code: 422,
      causes: [invalid('metadata.name', q('foo%%bar'), "may not contain '%'")],
    },
  },
  {
    source: 'TestValidateImageStreamImport/other invalid name',
    call: createImport('foo', 'foo bar', validRepositoryImport),
    openshift: { code: 422, causes: [invalid('metadata.name', q('foo bar'), STREAM_NAME_RULE)] },
  },
  {
    source: 'TestValidateImageStreamImport/invalid namespace',
    call: createImport('!$', 'foo', validRepositoryImport),
    openshift: NAMESPACE_NOT_FOUND,
    note: NAMESPACE_NOTE,
  },
  {
    source: 'TestValidateImageStreamImport/invalid dockerImageRepository',
    call: createImport('foo', 'foo', repository('a-|///bbb')),
    openshift: {
      code: 422,
      causes: [invalid('spec.repository.from.name', q('a-|///bbb'), BAD_REFERENCE)],
    },
  },
  {
    source: 'TestValidateImageStreamImport/invalid dockerImageRepository with tag',
    call: createImport('foo', 'foo', repository('a/b:tag')),
    openshift: {
      code: 422,
      causes: [
        invalid(
          'spec.repository.from.name',
          q('a/b:tag'),
          'you must specify an image repository, not a tag or ID',
        ),
      ],
    },
  },
  {
    source: 'TestValidateImageStreamImport/invalid dockerImageRepository with ID',
    call: createImport('foo', 'foo', repository('a/b@sha256:something')),
    openshift: {
      code: 422,
      causes: [invalid('spec.repository.from.name', q('a/b@sha256:something'), BAD_REFERENCE)],
    },
  },
  {
    source: 'TestValidateImageStreamImport/only DockerImage tags can be scheduled',
    call: createImport('foo', 'foo', {
      images: [
        { from: { kind: 'DockerImage', name: 'abc' }, importPolicy: { scheduled: true } },
        { from: { kind: 'DockerImage', name: 'abc@badid' }, importPolicy: { scheduled: true } },
        {
          from: { kind: 'ImageStreamTag', name: 'other:latest' },
          importPolicy: { scheduled: true },
        },
        {
          from: { kind: 'ImageStreamImage', name: 'other@latest' },
          importPolicy: { scheduled: true },
        },
      ],
    }),
    openshift: {
      code: 422,
      causes: [
        invalid('spec.images[1].from.name', q('abc@badid'), BAD_REFERENCE),
        invalid('spec.images[2].from.kind', q('ImageStreamTag'), ONLY_DOCKER_IMAGE),
        invalid('spec.images[3].from.kind', q('ImageStreamImage'), ONLY_DOCKER_IMAGE),
      ],
    },
  },
  {
    source: 'TestValidateImageStreamImport/invalid image importMode',
    call: createImport('foo', 'foo', {
      images: [
        { from: { kind: 'DockerImage', name: 'abc' }, importPolicy: { importMode: 'Invalid' } },
      ],
    }),
    openshift: {
      code: 422,
      causes: [invalid('spec.images[0].importPolicy.importMode', q('Invalid'), IMPORT_MODE)],
    },
  },
  {
    source: 'TestValidateImageStreamImport/invalid repository importMode',
    call: createImport(
      'foo',
      'foo',
      repository('abc', { importPolicy: { importMode: 'Invalid' } }),
    ),
    openshift: {
      code: 422,
      causes: [invalid('spec.repository.importPolicy.importMode', q('Invalid'), IMPORT_MODE)],
    },
  },
]

// --- rest_test.go -----------------------------------------------------------------------------

const event = (dockerImageReference: string, image: string, created = '2015-03-24T09:38:00Z') => ({
  created,
  dockerImageReference,
  image,
  generation: 1,
})
const IMAGE_10 = createImage({ metadata: { name: IMG }, dockerImageReference: 'foo/bar/baz' })
const TEST_STREAM = createStream('default', stream('test'))
const VALID_ISTAG = {
  tag: {
    name: 'latest',
    from: { kind: 'DockerImage', name: 'foo/bar/baz' },
    referencePolicy: { type: 'Source' },
  },
}
const IMAGE_NOTE = 'upstream\'s Image is named "10"; Images here are named by their digest'

const notFound = (kind: string, name: string): Verdict => ({ code: 404, details: { kind, name } })
const getTestLatest: Call = { method: 'GET', url: istagUrl('default', 'test:latest') }

const restCases: Case[] = [
  {
    source: 'TestGetImageStreamTag/happy path',
    setup: [
      IMAGE_10,
      createStream(
        'default',
        stream('test', {
          tags: [{ name: 'latest', annotations: { color: 'blue', size: 'large' } }],
        }),
      ),
      putStatus('default', 'test', { tags: [{ tag: 'latest', items: [event('test', IMG)] }] }),
    ],
    call: getTestLatest,
    openshift: {
      code: 200,
      verify: (_fx, body) => {
        assert.equal(body.metadata.namespace, 'default')
        assert.equal(body.metadata.name, 'test:latest')
        assert.deepEqual(body.image.metadata.annotations, { color: 'blue', size: 'large' })
        assert.equal(body.metadata.creationTimestamp, '2015-03-24T09:38:00Z')
      },
    },
    note: IMAGE_NOTE,
  },
  {
    source: "TestGetImageStreamTag/image = ''",
    setup: [
      TEST_STREAM,
      putStatus('default', 'test', { tags: [{ tag: 'latest', items: [event('test', '')] }] }),
    ],
    call: getTestLatest,
    openshift: notFound('imagestreamtags', 'test:latest'),
  },
  {
    source: 'TestGetImageStreamTag/missing image',
    setup: [
      TEST_STREAM,
      putStatus('default', 'test', { tags: [{ tag: 'latest', items: [event('test', IMG)] }] }),
    ],
    call: getTestLatest,
    openshift: notFound('images', IMG),
    note: IMAGE_NOTE,
  },
  {
    source: 'TestGetImageStreamTag/missing repo',
    call: getTestLatest,
    openshift: notFound('imagestreams', 'test'),
  },
  {
    source: 'TestGetImageStreamTag/missing tag',
    setup: [
      IMAGE_10,
      TEST_STREAM,
      putStatus('default', 'test', { tags: [{ tag: 'other', items: [event('test', IMG)] }] }),
    ],
    call: getTestLatest,
    openshift: notFound('imagestreamtags', 'test:latest'),
    note: IMAGE_NOTE,
  },
  {
    source: 'TestGetImageStreamTagDIR',
    setup: [
      createImage({ metadata: { name: IMG }, dockerImageReference: 'foo/bar/baz:different' }),
      TEST_STREAM,
      putStatus('default', 'test', {
        tags: [{ tag: 'latest', items: [event('foo/bar/baz:latest', IMG)] }],
      }),
    ],
    call: getTestLatest,
    openshift: {
      code: 200,
      verify: (_fx, body) => {
        assert.equal(body.image.dockerImageReference, 'foo/bar/baz:latest')
      },
    },
    note: IMAGE_NOTE,
  },
  {
    source: 'TestDeleteImageStreamTag/repo not found',
    call: { method: 'DELETE', url: istagUrl('default', 'test:latest') },
    openshift: { code: 404 },
  },
  {
    source: 'TestDeleteImageStreamTag/nil tag map',
    setup: [TEST_STREAM],
    call: { method: 'DELETE', url: istagUrl('default', 'test:latest') },
    openshift: { code: 404 },
  },
  {
    source: 'TestDeleteImageStreamTag/missing tag',
    setup: [
      createStream(
        'default',
        stream('test', {
          tags: [{ name: 'other', from: { kind: 'ImageStreamTag', name: 'test:foo' } }],
        }),
      ),
    ],
    call: { method: 'DELETE', url: istagUrl('default', 'test:latest') },
    openshift: { code: 404 },
  },
  {
    source: 'TestDeleteImageStreamTag/happy path',
    setup: [
      createStream(
        'default',
        stream('test', {
          tags: [
            { name: 'another', from: { kind: 'ImageStreamTag', name: 'test:foo' } },
            { name: 'latest', from: { kind: 'ImageStreamTag', name: 'test:bar' } },
          ],
        }),
      ),
      putStatus('default', 'test', {
        tags: ['another', 'foo', 'latest', 'bar'].map((tag) => ({
          tag,
          items: [event(`registry.default.local/default/test@${IMG}`, IMG)],
        })),
      }),
    ],
    call: { method: 'DELETE', url: istagUrl('default', 'test:latest') },
    openshift: {
      code: 200,
      verify: async (fx, body) => {
        assert.equal(body.kind, 'Status')
        assert.equal(body.status, 'Success')
        const res = await fx.request({ method: 'GET', url: `${ns('default')}/imagestreams/test` })
        const s = res.json()
        assert.equal(s.metadata.generation, 2, 'the delete is one more spec change')
        assert.deepEqual(
          s.spec.tags.map((t: Json) => [t.name, t.referencePolicy.type, t.importPolicy.importMode]),
          [['another', 'Source', 'Legacy']],
        )
        assert.deepEqual(
          s.status.tags.map((t: Json) => t.tag),
          ['another', 'bar', 'foo'],
        )
      },
    },
    note: 'upstream stores generation 2 straight into etcd and expects 3; a stream created here starts at 1, so the delete makes 2',
  },
  {
    source: 'TestCreateImageStreamTag/valid istag',
    setup: [TEST_STREAM],
    call: {
      method: 'POST',
      url: `${ns('default')}/imagestreamtags`,
      body: istag('test:tag', VALID_ISTAG),
    },
    openshift: {
      code: 201,
      verify: async (fx) => {
        const res = await fx.request({ method: 'GET', url: `${ns('default')}/imagestreams/test` })
        assert.deepEqual(
          res.json().spec.tags.map((t: Json) => t.name),
          ['tag'],
          "the spec tag is named by the ImageStreamTag's name, whatever tag.name says",
        )
      },
    },
  },
  {
    source: 'TestCreateImageStreamTag/nil tag',
    setup: [TEST_STREAM],
    call: { method: 'POST', url: `${ns('default')}/imagestreamtags`, body: istag('test:tag') },
    openshift: { code: 201 },
  },
  ...(['TestUpdateImageStreamTag', 'TestUpdateRetryImageStreamTag'] as const).flatMap(
    (test): Case[] => [
      {
        source: `${test}/valid istag`,
        setup: [TEST_STREAM],
        call: putIstag('default', 'test:tag', VALID_ISTAG),
        openshift: { code: 201 },
        note: 'the update creates the spec tag, so it answers 201 Created',
      },
      {
        source: `${test}/nil tag`,
        setup: [TEST_STREAM],
        call: putIstag('default', 'test:tag'),
        openshift: { code: 400 },
      },
    ],
  ),
  ...(['TestUpdateCreateImageStreamTag', 'TestUpdateCreateRetryImageStreamTag'] as const).flatMap(
    (test): Case[] => [
      {
        source: `${test}/valid istag`,
        call: putIstag('default', 'test:tag', VALID_ISTAG),
        openshift: {
          code: 201,
          verify: async (fx) => {
            const res = await fx.request({
              method: 'GET',
              url: `${ns('default')}/imagestreams/test`,
            })
            assert.equal(res.statusCode, 200, 'the update created the stream')
          },
        },
      },
      {
        source: `${test}/nil tag`,
        call: putIstag('default', 'test:tag'),
        openshift: { code: 400 },
      },
    ],
  ),
]

// --- imagesignatures, imagestreammappings, imagetags ------------------------------------------

const createSignature = (body: Json): Call => ({
  method: 'POST',
  url: `${G}/imagesignatures`,
  body: { kind: 'ImageSignature', apiVersion: 'image.openshift.io/v1', ...body },
})
const BLOB = Buffer.from('blob').toString('base64')
const IDENTITY = 'registry.company.ltd/app/core:v1.2'
const condition = (type: string, status: string) => ({ type, status })
const SIGNATURE_PREPARED =
  'a create drops conditions, imageIdentity, signedClaims, issuedBy and issuedTo first (imagesignature strategy PrepareForCreate), so the request is accepted'
const SIGNED_IMAGE_NOTE = `${IMAGE_NOTE}; the signature is named <digest>@<name>`
const signatureCases: Case[] = [
  ...(
    [
      ['valid', 'valid', {}, undefined],
      [
        'valid trusted',
        'trusted',
        {
          conditions: [condition('Trusted', 'True'), condition('ForImage', 'True')],
          imageIdentity: IDENTITY,
        },
        undefined,
      ],
      [
        'valid untrusted',
        'untrusted',
        {
          conditions: [
            condition('Trusted', 'True'),
            condition('ForImage', 'False'),
            condition('Trusted', 'False'),
          ],
          imageIdentity: IDENTITY,
        },
        undefined,
      ],
      [
        'missing ForImage condition',
        'noforimage',
        { type: 'invalid', conditions: [condition('Trusted', 'True')], imageIdentity: IDENTITY },
        SIGNATURE_PREPARED,
      ],
      [
        'filled metadata for unknown signature state',
        'metadatafilled',
        {
          type: 'invalid',
          conditions: [condition('Trusted', 'Unknown'), condition('ForImage', 'Unknown')],
          imageIdentity: IDENTITY,
          signedClaims: { claim: 'value' },
          issuedBy: { organization: 'org' },
          issuedTo: { publicKeyID: 'id' },
        },
        SIGNATURE_PREPARED,
      ],
    ] as const
  ).map(([name, signature, fields, note]): Case => ({
    source: `TestValidateImageSignature/${name}`,
    setup: [IMAGE_10],
    call: createSignature({
      metadata: { name: `${IMG}@${signature}` },
      type: 'valid',
      content: BLOB,
      ...fields,
    }),
    openshift: { code: 201 },
    note: note === undefined ? SIGNED_IMAGE_NOTE : `${SIGNED_IMAGE_NOTE}; ${note}`,
  })),
  {
    source: 'TestValidateImageSignature/invalid name and missing type',
    call: createSignature({ metadata: { name: 'notype' }, content: BLOB }),
    openshift: {
      code: 422,
      causes: [
        invalid('metadata.name', q('notype'), 'name must be of format <imageName>@<signatureName>'),
        required('type'),
      ],
    },
  },
  {
    source: 'TestValidateImageSignature/missing content',
    call: createSignature({ metadata: { name: 'img@nocontent' }, type: 'invalid' }),
    openshift: { code: 422, causes: [required('content')] },
  },
  {
    source: 'TestValidateImageSignature/adding labels and anotations',
    call: createSignature({
      metadata: {
        name: 'img@annotated',
        annotations: { key: 'value' },
        labels: { label: 'value' },
      },
      type: 'valid',
      content: BLOB,
    }),
    openshift: {
      code: 422,
      causes: [
        {
          reason: 'FieldValueForbidden',
          field: 'metadata.labels',
          message: 'Forbidden: signature labels cannot be set',
        },
        {
          reason: 'FieldValueForbidden',
          field: 'metadata.annotations',
          message: 'Forbidden: signature annotations cannot be set',
        },
      ],
    },
  },
]

const createMapping = (body: Json): Call => ({
  method: 'POST',
  url: `${ns('default')}/imagestreammappings`,
  body: { kind: 'ImageStreamMapping', apiVersion: 'image.openshift.io/v1', ...body },
})
const RUBY = 'openshift/ruby-19-centos'
const MAPPED_IMAGE = {
  metadata: { name: 'foo', namespace: 'default' },
  dockerImageReference: RUBY,
}
const V1_MAPPING_NOTE =
  'the v1 kind has no dockerImageRepository (only the internal type has it): the field is dropped as unknown, and the stream is named by metadata.name'
const mappingCases: Case[] = [
  {
    source: 'TestValidateImageStreamMappingNotOK/missing DockerImageRepository',
    call: createMapping({ metadata: {}, tag: 'latest', image: MAPPED_IMAGE }),
    openshift: {
      code: 422,
      some: { reason: 'FieldValueRequired', field: 'dockerImageRepository' },
    },
  },
  {
    source: 'TestValidateImageStreamMappingNotOK/missing Name',
    call: createMapping({ metadata: {}, tag: 'latest', image: MAPPED_IMAGE }),
    openshift: { code: 422, some: { reason: 'FieldValueRequired', field: 'name' } },
  },
  {
    source: 'TestValidateImageStreamMappingNotOK/missing Tag',
    call: createMapping({ metadata: {}, dockerImageRepository: RUBY, image: MAPPED_IMAGE }),
    openshift: { code: 422, some: { reason: 'FieldValueRequired', field: 'tag' } },

    note: V1_MAPPING_NOTE,
  },
  {
    source: 'TestValidateImageStreamMappingNotOK/missing image name',
    call: createMapping({
      metadata: {},
      dockerImageRepository: RUBY,
      tag: 'latest',
      image: { metadata: {}, dockerImageReference: RUBY },
    }),
    openshift: { code: 422, some: { reason: 'FieldValueRequired', field: 'image.metadata.name' } },

    note: V1_MAPPING_NOTE,
  },
]

// The stream of TestValidateITUpdate: annotated one=two, its tag bar from some/other:system.
const ANNOTATED_FOO = createStream(
  'default',
  stream('foo', { tags: [dockerTag('bar', 'some/other:system')] }, {}),
)
const annotatedFoo: Call = {
  ...ANNOTATED_FOO,
  body: { ...ANNOTATED_FOO.body, metadata: { name: 'foo', annotations: { one: 'two' } } },
}
const putItag = (edit: (current: Json) => Json): Call => ({
  method: 'PUT',
  url: `${ns('default')}/imagetags/foo:bar`,
  edit,
})
const ITAG_NOTE = 'the ImageTag is edited from what the server answers, as kubectl replace does'
const withSpec = (spec: Json) => (c: Json) => ({ ...c, spec })
const imageTagCases: Case[] = [
  {
    source: 'TestValidateITUpdate/(success)',
    setup: [annotatedFoo],
    call: putItag(({ spec: _spec, ...c }) => c),
    openshift: { code: 200 },
    note: ITAG_NOTE,
  },
  {
    source: 'TestValidateITUpdate/changedAnnotations',
    setup: [annotatedFoo],
    call: putItag((c) => ({
      ...c,
      metadata: { ...c.metadata, annotations: { one: 'two', three: 'four' } },
    })),
    openshift: { code: 422, every: { reason: 'FieldValueInvalid', field: 'metadata' } },
    note: ITAG_NOTE,
  },
  {
    source: 'TestValidateITUpdate/changedLabel',
    setup: [annotatedFoo],
    call: putItag((c) => ({ ...c, metadata: { ...c.metadata, labels: { a: 'b' } } })),
    openshift: { code: 422, every: { reason: 'FieldValueInvalid', field: 'metadata' } },
    note: ITAG_NOTE,
  },
  {
    source: 'TestValidateITUpdate/mismatchedSpecName',
    setup: [annotatedFoo],
    call: putItag(withSpec(dockerTag('baz', 'some/valid:image'))),
    openshift: { code: 422, every: { reason: 'FieldValueInvalid', field: 'spec.name' } },
    note: ITAG_NOTE,
  },
  {
    source: 'TestValidateITUpdate/tagToNameRequired',
    setup: [annotatedFoo],
    call: putItag(withSpec(dockerTag('bar', ''))),
    openshift: { code: 422, every: { reason: 'FieldValueRequired', field: 'spec.from.name' } },
    note: ITAG_NOTE,
  },
  {
    source: 'TestValidateITUpdate/tagToKindRequired',
    setup: [annotatedFoo],
    call: putItag(
      withSpec({
        name: 'bar',
        from: { kind: '', name: 'foo/bar:biz' },
        referencePolicy: { type: 'Source' },
      }),
    ),
    openshift: { code: 422, every: { reason: 'FieldValueRequired', field: 'spec.from.kind' } },
    note: ITAG_NOTE,
  },
]

const CASES: readonly Case[] = [
  ...imageCases,
  ...imageStreamCases,
  ...istagUpdateCases,
  ...imageStreamImportCases,
  ...restCases,
  ...signatureCases,
  ...mappingCases,
  ...imageTagCases,
]

// --- what no request of ours can ask ----------------------------------------------------------

const NO_ALLOW_LIST =
  'needs a server started with an allow-list (--allowed-registries-for-import), which this fixture is not; allowed-registries.test.ts beside this file sends cases of these tables to one that is'
const STAGED =
  'injects a storage error into the registry under the REST handler; no request produces it'
const DEFAULTED_TAG =
  'the internal object has an empty referencePolicy.type, which v1 defaulting always fills with Source, so no request carries it'
const UPSTREAM_SKIPS =
  'upstream never runs it: the case has no ImageStreamImport and the loop skips it'

const names = (test: string, cases: readonly string[], reason: string): Unsupported[] =>
  cases.map((c) => ({ source: `${test}/${c}`, reason }))

const UNSUPPORTED: readonly Unsupported[] = [
  {
    source: 'TestValidateImageOK',
    reason:
      'an Image named "foo": Images here are content-addressed, metadata.name must be the manifest digest (ours)',
  },
  {
    source: 'TestValidateImageStreamMappingNotOK/invalid repository pull spec',
    reason:
      'a bad dockerImageRepository: the v1 ImageStreamMapping has no such field (only the internal type has it), so no request carries one',
  },
  {
    source: 'TestValidateImageStream/missing namespace',
    reason: 'a namespaced create always names its namespace in the URL',
  },
  {
    source: 'TestValidateImageStreamImport/missing namespace',
    reason: 'a namespaced create always names its namespace in the URL',
  },
  ...names(
    'TestValidateImageStreamImport',
    [
      'valid',
      'valid scheduled dockerimage sha/digest ref',
      'shortest name components',
      'all possible characters used',
      'max name and namespace length met',
      'max name and namespace length exceeded',
    ],
    UPSTREAM_SKIPS,
  ),
  ...names(
    'TestValidateImageStreamWithWhitelister',
    [
      'forbid spec references not on the whitelist',
      'forbid status references not on the whitelist - secure',
      'forbid status references not on the whitelist - insecure',
      'forbid status references not on the whitelist',
      'local reference policy does not matter',
      'whitelisted repository',
      'not whitelisted repository',
    ],
    NO_ALLOW_LIST,
  ),
  ...names(
    'TestValidateImageStreamUpdateWithWhitelister',
    [
      'no old referencess',
      'report not whitelisted',
      'allow old not whitelisted references',
      'allow old not whitelisted references from status',
      'allow whitelisted dockerImageRepository',
      'forbid not whitelisted dockerImageRepository',
      'permit no change to not whitelisted dockerImageRepository',
    ],
    NO_ALLOW_LIST,
  ),
  ...(
    ['TestValidateISTUpdateWithWhitelister', 'TestValidateITUpdateWithWhitelister'] as const
  ).flatMap((test) =>
    names(
      test,
      [
        'allow whitelisted',
        'forbid not whitelisted',
        'allow old not whitelisted',
        'exact match not old references',
        'do not match insecure registries if not flagged as insecure',
        'match insecure registry if flagged',
        'match integrated registry URL',
        'ignore old reference of unexpected kind',
      ],
      NO_ALLOW_LIST,
    ),
  ),
  ...names(
    'TestValidateRegistryAllowedForImport',
    ['allow whitelisted', 'fail when not on whitelist'],
    NO_ALLOW_LIST,
  ),
  ...names(
    'TestValidateImageStreamLayers',
    ['empty', 'valid', 'invalid layer', 'invalid manifest'],
    'imagestreams/layers is read-only: ValidateImageStreamLayers checks an object no request sends',
  ),
  ...names('TestCreateImageStreamTag', ['invalid tag'], DEFAULTED_TAG),
  ...names(
    'TestUpdateImageStreamTag',
    ['valid istag invalid error', 'valid istag conflict error'],
    STAGED,
  ),
  ...names('TestUpdateImageStreamTag', ['invalid tag'], DEFAULTED_TAG),
  ...names('TestUpdateImageStreamTagMultipleConflicts', ['valid istag conflict error'], STAGED),
  ...(
    [
      'TestUpdateRetryImageStreamTag',
      'TestUpdateCreateImageStreamTag',
      'TestUpdateCreateRetryImageStreamTag',
    ] as const
  ).flatMap((test) => [
    ...names(test, ['valid istag invalid error', 'valid istag conflict error'], STAGED),
    ...names(test, ['invalid tag'], DEFAULTED_TAG),
  ]),
]

// How many cases each upstream test function has (its table rows, plus a success case written
// outside the table), so that none is dropped silently.
const UPSTREAM_CASES: Readonly<Record<string, number>> = {
  TestValidateImageOK: 1,
  TestValidateImageMissingFields: 4,
  TestValidateImageSignature: 8,
  TestValidateImageManifests: 5,
  TestValidateImageStreamMappingNotOK: 5,
  TestValidateImageStream: 21,
  TestValidateImageStreamWithWhitelister: 7,
  TestValidateImageStreamUpdateWithWhitelister: 7,
  TestValidateISTUpdate: 5,
  TestValidateISTUpdateWithWhitelister: 8,
  TestValidateITUpdate: 6,
  TestValidateITUpdateWithWhitelister: 8,
  TestValidateRegistryAllowedForImport: 2,
  TestValidateImageStreamImport: 18,
  TestValidateImageStreamLayers: 4,
  TestGetImageStreamTag: 5,
  TestGetImageStreamTagDIR: 1,
  TestDeleteImageStreamTag: 4,
  TestCreateImageStreamTag: 3,
  TestUpdateImageStreamTag: 5,
  TestUpdateImageStreamTagMultipleConflicts: 1,
  TestUpdateRetryImageStreamTag: 5,
  TestUpdateCreateImageStreamTag: 5,
  TestUpdateCreateRetryImageStreamTag: 5,
}

// --- the runner -------------------------------------------------------------------------------

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

function namespacesOf(calls: readonly Call[]): string[] {
  const found = calls.flatMap((c) => /\/namespaces\/([^/]+)\//.exec(c.url)?.[1] ?? [])
  return [...new Set(found)].filter((n) => DNS_LABEL.test(n) && n.length <= 63)
}

async function send(fx: Fixture, call: Call) {
  let body = call.body
  if (call.edit) {
    const current = await fx.request({ method: 'GET', url: call.url })
    assert.equal(current.statusCode, 200, current.body)
    body = call.edit(current.json<Json>())
  }
  if (call.withResourceVersion) {
    const url = call.url.replace(/\/status$/, '')
    const current = await fx.request({ method: 'GET', url })
    assert.equal(current.statusCode, 200, current.body)
    const rv = current.json().metadata.resourceVersion
    body = { ...body, metadata: { ...body?.metadata, resourceVersion: rv } }
  }
  return fx.request({ method: call.method, url: call.url, ...(body ? { body } : {}) })
}

// Removes what a case left: every stream and every image (the namespaces stay).
async function cleanUp(fx: Fixture): Promise<void> {
  const streams = await fx.request({ method: 'GET', url: `${G}/imagestreams` })
  for (const s of streams.json().items ?? []) {
    const url = `${ns(s.metadata.namespace)}/imagestreams/${s.metadata.name}`
    await fx.request({ method: 'DELETE', url })
  }
  const images = await fx.request({ method: 'GET', url: `${G}/images` })
  for (const i of images.json().items ?? []) {
    await fx.request({ method: 'DELETE', url: `${G}/images/${i.metadata.name}` })
  }
}

const causeKey = (c: Cause) => `${c.reason} ${c.field}: ${c.message ?? ''}`

/** disagreement says how the answer differs from OpenShift's verdict; undefined when it agrees. */
async function disagreement(fx: Fixture, verdict: Verdict, code: number, body: Json) {
  const problems: string[] = []
  if (code !== verdict.code) problems.push(`status ${code}, OpenShift ${verdict.code}`)
  const causes: Cause[] = (body.details?.causes ?? []).map((c: Json) => ({
    reason: c.reason,
    field: c.field,
    message: c.message,
  }))
  const got = causes.map(causeKey).sort()
  if (verdict.causes) {
    const want = verdict.causes.map(causeKey).sort()
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(
        `causes\n    got  ${got.join('\n         ')}\n    want ${want.join('\n         ')}`,
      )
    }
  }
  const matches = (want: Cause) => (c: Cause) => c.reason === want.reason && c.field === want.field
  if (verdict.some && !causes.some(matches(verdict.some))) {
    problems.push(
      `no ${verdict.some.reason} at ${verdict.some.field} in\n    ${got.join('\n    ')}`,
    )
  }
  if (verdict.every && (causes.length === 0 || !causes.every(matches(verdict.every)))) {
    problems.push(
      `not every cause is ${verdict.every.reason} at ${verdict.every.field}:\n    ${got.join('\n    ')}`,
    )
  }
  if (verdict.details) {
    const d = body.details ?? {}
    if (d.kind !== verdict.details.kind || d.name !== verdict.details.name) {
      problems.push(
        `details ${d.kind}/${d.name}, OpenShift ${verdict.details.kind}/${verdict.details.name}`,
      )
    }
  }
  if (problems.length === 0 && verdict.verify) {
    try {
      await verdict.verify(fx, body)
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err))
    }
  }
  return problems.length === 0 ? undefined : problems.join('; ')
}

describe("OpenShift's validation tables as requests", () => {
  let fx: Fixture
  const agreed: string[] = []
  before(async () => {
    // Every import case here is refused before the registry client is used.
    fx = await startFixture({}, withImageStreamImports)
  })
  after(async () => {
    const sources = new Set([...CASES, ...UNSUPPORTED].map((c) => c.source))
    const report = [
      `OpenShift validation cases: ${sources.size} upstream cases`,
      `  translated into requests: ${CASES.length}, agreeing: ${agreed.length}`,
      `  listed as unsupported: ${UNSUPPORTED.length}`,
      ...[...new Set(UNSUPPORTED.map((u) => u.reason))].map(
        (reason) => `    ${UNSUPPORTED.filter((u) => u.reason === reason).length}: ${reason}`,
      ),
    ]
    console.log(report.join('\n'))
    await fx.close()
  })

  it('lists every upstream case once, as a request or as unsupported', () => {
    const all = [...CASES, ...UNSUPPORTED].map((c) => c.source)
    assert.deepEqual(
      all.filter((s, i) => all.indexOf(s) !== i),
      [],
    )
    const counts: Record<string, number> = {}
    for (const source of all) {
      const test = source.split('/')[0] ?? source
      counts[test] = (counts[test] ?? 0) + 1
    }
    assert.deepEqual(counts, UPSTREAM_CASES)
  })

  for (const c of CASES) {
    it(c.source, async () => {
      try {
        const calls = [...(c.setup ?? []), c.call]
        for (const namespace of namespacesOf(calls)) {
          await fx.request({
            method: 'POST',
            url: '/api/v1/namespaces',
            body: { metadata: { name: namespace } },
          })
        }
        for (const step of c.setup ?? []) {
          const res = await send(fx, step)
          assert.ok(res.statusCode < 300, `setup ${step.method} ${step.url}: ${res.body}`)
        }
        const res = await send(fx, c.call)
        const body = res.body === '' ? {} : res.json<Json>()
        const problem = await disagreement(fx, c.openshift, res.statusCode, body)
        assert.equal(problem, undefined, `${problem ?? ''}\n  answer: ${res.body}`)
        agreed.push(c.source)
      } finally {
        await cleanUp(fx)
      }
    })
  }
})
