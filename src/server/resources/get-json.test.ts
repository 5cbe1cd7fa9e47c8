/**
 * GET of one object answered from its stored JSON text: for every Accept header that is not a
 * Table's, the same bytes and headers as serialising the presented object.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { RESOURCES, type KindName, type ResourceInfo } from '../../api/index.js'
import { objectKey, type StoredObject } from '../../storage/index.js'
import { present } from './present.js'
import type { StrategyContext } from './strategies/index.js'
import { startFixture, TABLE_ACCEPT, type Fixture } from './testing/fixture.js'

const settings = { registryHostname: () => 'reg.test:5000', registryPublicHostname: 'pub.test' }
const ctx: StrategyContext = { settings, now: () => 0 }

const tag = (name: string) => ({ name, from: { kind: 'DockerImage', name: `q.io/a:${name}` } })
const history = (name: string) => ({
  tag: name,
  items: [{ created: '2026-01-01T00:00:00Z', dockerImageReference: 'q.io/a@sha256:1', image: 'x' }],
})

interface Case {
  readonly resource: ResourceInfo
  readonly object: StoredObject & Record<string, unknown>
}

// Stored objects of the shapes the text splice handles and of those it leaves to the parser.
const cases: Record<string, Case> = {
  'a stream with tags in order': {
    resource: RESOURCES.imagestreams,
    object: {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'sorted', namespace: 'ns', labels: { a: 'b' } },
      spec: { tags: [tag('latest'), tag('v1')] },
      status: { dockerImageRepository: '', tags: [history('latest'), history('v1')] },
    },
  },
  'a stream with tags out of order': {
    resource: RESOURCES.imagestreams,
    object: {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'unsorted', namespace: 'ns' },
      spec: { tags: [tag('v1'), tag('latest')] },
      status: { tags: [history('v1'), history('latest')] },
    },
  },
  'a stream without status, kind second': {
    resource: RESOURCES.imagestreams,
    object: {
      kind: 'ImageStream',
      apiVersion: 'image.openshift.io/v1',
      metadata: { name: 'bare', namespace: 'ns' },
    },
  },
  'a stream stored without kind': {
    resource: RESOURCES.imagestreams,
    object: { metadata: { name: 'kindless', namespace: 'ns' }, spec: { tags: [tag('a')] } },
  },
  'a namespace': {
    resource: RESOURCES.namespaces,
    object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } },
  },
  'a secret': {
    resource: RESOURCES.secrets,
    object: { metadata: { name: 's', namespace: 'ns' }, type: 'Opaque', data: { k: 'dg==' } },
  },
}

// What kubectl and other clients send for one object, apart from a Table.
const ACCEPTS: Record<string, string | undefined> = {
  none: undefined,
  JSON: 'application/json',
  'protobuf, then JSON': 'application/vnd.kubernetes.protobuf,application/json',
  YAML: 'application/yaml',
  anything: '*/*',
  'q-weighted JSON': 'application/yaml;q=0.5, application/json',
}

function urlOf(c: Case): string {
  const { resource, object } = c
  const prefix = resource.group ? `/apis/${resource.group}/${resource.version}` : '/api/v1'
  const ns = object.metadata.namespace ? `/namespaces/${object.metadata.namespace}` : ''
  return `${prefix}${ns}/${resource.plural}/${object.metadata.name}`
}

describe('GET of one object from its stored text', () => {
  let f: Fixture
  const stored = new Map<string, StoredObject>()
  before(async () => {
    f = await startFixture(settings)
    for (const [what, c] of Object.entries(cases)) {
      const { name = '', namespace = '' } = c.object.metadata
      const key = objectKey(c.resource.plural, name, namespace)
      if (c.resource.plural === 'namespaces') {
        stored.set(what, await f.store.get(key).catch(() => f.store.create(key, c.object)))
      } else {
        stored.set(what, await f.store.create(key, c.object))
      }
    }
  })
  after(() => f.close())

  for (const [what, c] of Object.entries(cases)) {
    for (const [asked, accept] of Object.entries(ACCEPTS)) {
      it(`${what}, Accept ${asked}: the bytes of the presented object`, async () => {
        const res = await f.request({
          method: 'GET',
          url: urlOf(c),
          ...(accept === undefined ? {} : { accept }),
        })
        assert.equal(res.statusCode, 200)
        assert.equal(res.headers['content-type'], 'application/json; charset=utf-8')
        const object = structuredClone(stored.get(what)) as Parameters<typeof present<KindName>>[1]
        assert.equal(res.body, JSON.stringify(present(c.resource, object, ctx)))
      })
    }
  }

  it('a Table still holds the object as served', async () => {
    const res = await f.request({
      method: 'GET',
      url: `${urlOf(cases['a stream with tags in order']!)}?includeObject=Object`,
      accept: TABLE_ACCEPT,
    })
    assert.equal(res.statusCode, 200)
    const table = res.json<{ kind: string; rows: { object: unknown }[] }>()
    assert.equal(table.kind, 'Table')
    const object = structuredClone(stored.get('a stream with tags in order')) as Parameters<
      typeof present<'ImageStream'>
    >[1]
    assert.deepEqual(table.rows[0]?.object, present(RESOURCES.imagestreams, object, ctx))
  })

  it('a missing object is the NotFound Status', async () => {
    const res = await f.request({
      method: 'GET',
      url: '/apis/image.openshift.io/v1/namespaces/ns/imagestreams/nope',
    })
    assert.equal(res.statusCode, 404)
    const status = res.json<{ kind: string; reason: string; details: { name: string } }>()
    assert.equal(status.kind, 'Status')
    assert.equal(status.reason, 'NotFound')
    assert.equal(status.details.name, 'nope')
  })
})
