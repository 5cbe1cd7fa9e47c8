/**
 * Pull grants passed by spec tags (docs/integrated-registry.md#what-a-namespace-may-pull-from-the-caches):
 * the decision on its own, then through a real server with a second user who may write streams
 * in team-b but not pull from team-a: the writer's access to a cross-namespace source is checked
 * as OpenShift's TagVerifier checks it (422, Forbidden on `spec.tags[x].from`), a tag passes a
 * grant only for an image the source namespace holds one for, and `/status` writes, dry runs
 * and same-namespace tags pass none.
 */
/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { grantPull, hasPullGrant, pullGrantKey } from '../../storage/index.js'
import { hashToken, type Authorizer } from '../auth/index.js'
import { namespaceContents } from './namespaces.js'
import { grantsCopiedImage, type CopiedImage } from './strategies/tag-grants.js'
import { startFixture, type Fixture } from './testing/fixture.js'

const G = '/apis/image.openshift.io/v1'
const A = `sha256:${'a'.repeat(64)}`
const B = `sha256:${'b'.repeat(64)}`
const C = `sha256:${'c'.repeat(64)}`
const BOB_TOKEN = 'bob-token'
const DENIED = 'bob may not pull from team-a'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

describe('grantsCopiedImage', () => {
  const base: CopiedImage = {
    namespace: 'team-b',
    sourceNamespace: 'team-a',
    image: A,
    sourceGranted: true,
    writerMayRead: true,
  }
  const cases: [string, Partial<CopiedImage>, boolean][] = [
    ['another namespace holding a grant, read by an allowed writer', {}, true],
    ['the source namespace holds no grant', { sourceGranted: false }, false],
    ['the writer may not pull from the source', { writerMayRead: false }, false],
    ['nobody was asked (a write the server makes itself)', { writerMayRead: undefined }, false],
    ['the same namespace: grants belong to namespaces', { sourceNamespace: 'team-b' }, false],
    ['an event without an image', { image: '' }, false],
  ]
  for (const [name, change, want] of cases) {
    it(`${want ? 'grants' : 'no grant'}: ${name}`, () => {
      assert.equal(grantsCopiedImage({ ...base, ...change }), want)
    })
  }
})

describe('pull grants passed by spec tags', () => {
  let fx: Fixture
  const authorizer: Authorizer = {
    authorize: (user, attrs) => {
      const layersOfA =
        attrs.kind === 'resource' &&
        attrs.resource === 'imagestreams' &&
        attrs.subresource === 'layers' &&
        attrs.namespace === 'team-a'
      if (user.name === 'bob' && layersOfA) {
        return Promise.resolve({ allowed: false, reason: DENIED })
      }
      return Promise.resolve({ allowed: true })
    },
    rulesFor: () => Promise.resolve({ resourceRules: [], nonResourceRules: [], incomplete: true }),
    allowedSubjects: () => Promise.reject(new Error('not used')),
  }
  const send = async (
    method: 'POST' | 'PUT' | 'PATCH',
    url: string,
    body: unknown,
    token?: string,
  ) =>
    fx.request({
      method,
      url,
      body,
      ...(method === 'PATCH' ? { contentType: 'application/merge-patch+json' } : {}),
      ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
    })
  const ok = async (method: 'POST' | 'PUT' | 'PATCH', url: string, body: unknown) => {
    const res = await send(method, url, body)
    assert.ok(res.statusCode < 300, `${res.statusCode} ${res.body}`)
    return res.json<Json>()
  }
  const tagFrom = (tag: string, name: string, namespace: string) => ({
    spec: { tags: [{ name: tag, from: { kind: 'ImageStreamTag', name, namespace } }] },
  })
  const granted = (namespace: string, digest: string) => hasPullGrant(fx.store, namespace, digest)

  before(async () => {
    fx = await startFixture(
      {},
      undefined,
      {},
      {
        tokens: [
          { sha256: hashToken(BOB_TOKEN), user: { name: 'bob', groups: ['system:authenticated'] } },
        ],
        authorizer,
      },
    )
    for (const ns of ['team-a', 'team-b']) await fx.createNamespace(ns)
    const created = await ok('POST', `${G}/namespaces/team-a/imagestreams`, {
      metadata: { name: 'src' },
    })
    const event = (image: string) => ({
      created: '2026-01-01T00:00:10Z',
      dockerImageReference: `quay.io/r/app@${image}`,
      image,
      generation: 1,
    })
    await ok('PUT', `${G}/namespaces/team-a/imagestreams/src/status`, {
      ...created,
      status: {
        tags: [
          { tag: 'imported', items: [event(A)] },
          { tag: 'written', items: [event(B)] },
        ],
      },
    })
    // As an import of A into team-a would; B was only written into team-a's status.
    await fx.store.transaction((tx) => grantPull(tx, 'team-a', A, 'Import'))
    await ok('POST', `${G}/namespaces/team-b/imagestreams`, { metadata: { name: 'dst' } })
  })
  after(() => fx.close())

  it("refuses a writer who may not pull from the source, with OpenShift's TagVerifier error", async () => {
    const res = await send(
      'PATCH',
      `${G}/namespaces/team-b/imagestreams/dst`,
      tagFrom('bob', 'src:imported', 'team-a'),
      BOB_TOKEN,
    )
    assert.equal(res.statusCode, 422, res.body)
    const status = res.json<Json>()
    assert.equal(status.reason, 'Invalid')
    assert.deepEqual(status.details.causes, [
      {
        reason: 'FieldValueForbidden',
        message: `Forbidden: team-a/src: "${DENIED}" ""`,
        field: 'spec.tags[bob].from',
      },
    ])
    assert.equal(await granted('team-b', A), false)
  })

  it('lets the same writer tag within its own namespace, asking nothing', async () => {
    const res = await send(
      'PATCH',
      `${G}/namespaces/team-b/imagestreams/dst`,
      { spec: { tags: [{ name: 'self', from: { kind: 'ImageStreamTag', name: 'dst:none' } }] } },
      BOB_TOKEN,
    )
    assert.equal(res.statusCode, 200, res.body)
  })

  it('a dry run of an allowed tag passes no grant', async () => {
    const url = `${G}/namespaces/team-b/imagestreams/dst?dryRun=All`
    await ok('PATCH', url, tagFrom('dry', 'src:imported', 'team-a'))
    assert.equal(await granted('team-b', A), false)
  })

  it('a tag of an image the source namespace never proved it may read passes no grant', async () => {
    const stream = await ok(
      'PATCH',
      `${G}/namespaces/team-b/imagestreams/dst`,
      tagFrom('written', 'src:written', 'team-a'),
    )
    assert.equal(stream.status.tags.find((t: Json) => t.tag === 'written').items[0].image, B)
    assert.equal(await granted('team-b', B), false)
  })

  it('a status write passes no grant', async () => {
    const current = await ok('PATCH', `${G}/namespaces/team-b/imagestreams/dst`, {})
    await ok('PUT', `${G}/namespaces/team-b/imagestreams/dst/status`, {
      ...current,
      status: {
        tags: [
          {
            tag: 'status',
            items: [
              {
                created: '2026-01-01T00:00:10Z',
                dockerImageReference: `quay.io/r/app@${C}`,
                image: C,
                generation: 1,
              },
            ],
          },
        ],
      },
    })
    assert.equal(await granted('team-b', C), false)
  })

  it('a tag by a writer who may pull from the source passes its grant, kept with the namespace', async () => {
    const stream = await ok(
      'PATCH',
      `${G}/namespaces/team-b/imagestreams/dst`,
      tagFrom('admin', 'src:imported', 'team-a'),
    )
    assert.equal(stream.status.tags.find((t: Json) => t.tag === 'admin').items[0].image, A)
    assert.equal(await granted('team-b', A), true)
    const contents = await namespaceContents(fx.store, 'team-b')
    assert.ok(contents.some((k) => JSON.stringify(k) === JSON.stringify(pullGrantKey('team-b', A))))
  })

  it('creating a stream with such a tag passes the grant too', async () => {
    await fx.createNamespace('team-c')
    await ok('POST', `${G}/namespaces/team-c/imagestreams`, {
      metadata: { name: 'new' },
      ...tagFrom('v1', 'src:imported', 'team-a'),
    })
    assert.equal(await granted('team-c', A), true)
  })
})
