import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RESOURCES, type ImageStream, type KindName, type ResourceInfo } from '../../api/index.js'
import { present, presentJson } from './present.js'
import type { StrategyContext } from './strategies/index.js'
import { decorateImageStreamJson } from './strategies/imagestream-json.js'

const plain: StrategyContext = {
  settings: { registryHostname: () => 'reg:5000' },
  now: () => 0,
}
const withPublic: StrategyContext = {
  settings: { registryHostname: () => 'reg:5000', registryPublicHostname: 'pub.example' },
  now: () => 0,
}

const tag = (name: string) => ({ name, from: { kind: 'DockerImage', name: `q.io/a:${name}` } })
const history = (name: string) => ({
  tag: name,
  items: [{ created: '2026-01-01T00:00:00Z', dockerImageReference: 'q.io/a@sha256:1', image: 'x' }],
})

// Stored texts as JSON.stringify wrote them, of every shape the splice must get right or leave.
const streams: Record<string, unknown> = {
  'stored status first': {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 's', namespace: 'ns', labels: { '1': 'x', a: 'y' } },
    spec: { tags: [tag('latest'), tag('v1')] },
    status: { dockerImageRepository: '', tags: [history('latest'), history('v1')] },
  },
  'kind first, status without the computed fields': {
    kind: 'ImageStream',
    apiVersion: 'image.openshift.io/v1',
    metadata: { name: 's', namespace: 'ns' },
    spec: { tags: [tag('a')] },
    status: { tags: [history('a')] },
  },
  'no status, no spec': {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 's', namespace: 'ns' },
  },
  'status then spec, computed fields stored in the middle': {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { namespace: 'ns', name: 's' },
    status: { tags: [], publicDockerImageRepository: 'old', dockerImageRepository: 'old/x' },
    spec: {},
  },
  'strings that look like structure': {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: {
      name: 's"q\\',
      namespace: 'n\\"s',
      annotations: { a: '"status":{"dockerImageRepository":"x"},"spec":{', b: '\\', c: '}]' },
    },
    spec: { tags: [tag('ä\\"'), tag('ü')] },
    status: { tags: [history('"'), history('\\')], other: [1, -2.5e-7, true, null, {}, []] },
  },
  'computed field names as values, the stored repository not first': {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 's', namespace: 'ns' },
    status: { tags: [], reason: '"dockerImageRepository"', dockerImageRepository: 'x' },
  },
  'a status holding only the stored repository': {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 's', namespace: 'ns' },
    status: { dockerImageRepository: 'x' },
  },
  'an empty status': {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 's', namespace: 'ns' },
    status: {},
    spec: { tags: [] },
  },
  'tags out of order': {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 's', namespace: 'ns' },
    spec: { tags: [tag('v1'), tag('latest')] },
    status: { tags: [history('v1'), history('latest')] },
  },
  'no namespace, null status': {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 's' },
    status: null,
  },
  'no kind': { metadata: { name: 's', namespace: 'ns' }, spec: { tags: [tag('a')] } },
  'the stored repository between kept members, status before metadata': {
    kind: 'ImageStream',
    apiVersion: 'image.openshift.io/v1',
    status: { tags: [history('a')], dockerImageRepository: 'x', other: 'y' },
    metadata: { name: 's', namespace: 'ns', uid: 'u' },
  },
  'the public repository stored last': {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 's', namespace: 'ns' },
    status: { tags: [history('a'), history('b')], publicDockerImageRepository: 'p' },
  },
  'a null spec and empty metadata': {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: {},
    spec: null,
  },
  'a tag without a name': {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 's', namespace: 'ns' },
    spec: { tags: [{ from: { kind: 'DockerImage', name: 'q.io/a' } }, tag('a')] },
  },
}

function assertSame<K extends KindName>(
  resource: ResourceInfo<K>,
  object: unknown,
  ctx: StrategyContext,
): void {
  const stored = JSON.stringify(object)
  const parsed = JSON.parse(stored) as Parameters<typeof present<K>>[1]
  assert.equal(presentJson(resource, stored, ctx), JSON.stringify(present(resource, parsed, ctx)))
}

describe('presentJson', () => {
  for (const [what, stream] of Object.entries(streams)) {
    it(`serves an ImageStream as present does: ${what}`, () => {
      assertSame(RESOURCES.imagestreams, stream, plain)
      assertSame(RESOURCES.imagestreams, stream, withPublic)
    })
  }

  it('splices the text of a stream whose tags are in order, and parses the others', () => {
    const served = (what: string) =>
      JSON.stringify(
        present(
          RESOURCES.imagestreams,
          JSON.parse(JSON.stringify(streams[what])) as ImageStream,
          plain,
        ),
      )
    const text = served('stored status first')
    const from = text.indexOf('"metadata"')
    assert.equal(text.slice(0, from) + decorateImageStreamJson(text, from, plain)?.join(''), text)
    const unsorted = JSON.stringify(streams['tags out of order'])
    assert.equal(
      decorateImageStreamJson(unsorted, unsorted.indexOf('"metadata"'), plain),
      undefined,
    )
  })

  // The store writes texts with JSON.stringify, which never repeats a key; where the splice
  // would pick one of two, it leaves the text to be parsed instead.
  for (const [what, stored] of Object.entries({
    'a tag named twice': `{"kind":"ImageStream","apiVersion":"image.openshift.io/v1","metadata":{"name":"s"},"status":{"tags":[{"tag":"b","tag":"a"}]}}`,
    'two statuses': `{"kind":"ImageStream","apiVersion":"image.openshift.io/v1","metadata":{},"status":{"tags":[]},"status":{}}`,
    'two metadatas': `{"kind":"ImageStream","apiVersion":"image.openshift.io/v1","metadata":{"name":"a"},"metadata":{"name":"b"}}`,
  })) {
    it(`serves an ImageStream text with a repeated key as present does: ${what}`, () => {
      const parsed = JSON.parse(stored) as ImageStream
      assert.equal(
        presentJson(RESOURCES.imagestreams, stored, plain),
        JSON.stringify(present(RESOURCES.imagestreams, parsed, plain)),
      )
    })
  }

  it('serves kinds without read-time fields with kind and apiVersion first', () => {
    assertSame(RESOURCES.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: {} }, plain)
    assertSame(RESOURCES.images, { kind: 'Image', metadata: { name: 'sha256:1' } }, plain)
    assertSame(
      RESOURCES.secrets,
      { metadata: { name: 'a' }, apiVersion: 'v1', kind: 'Secret', data: { k: 'dg==' } },
      plain,
    )
  })

  it('writes the hostname the context gives at the time of the read', () => {
    const stored = JSON.stringify(streams['stored status first'])
    let host = 'one:1'
    const ctx: StrategyContext = { settings: { registryHostname: () => host }, now: () => 0 }
    assert.match(presentJson(RESOURCES.imagestreams, stored, ctx), /"one:1\/ns\/s"/)
    host = 'two:2'
    assert.match(presentJson(RESOURCES.imagestreams, stored, ctx), /"two:2\/ns\/s"/)
  })
})
