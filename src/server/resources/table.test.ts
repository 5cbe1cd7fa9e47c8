/**
 * Server-side Tables as kubectl 1.32 asks for them (docs/kubernetes-api.md#tables): the columns of
 * each kind, the cells (ages on the pinned clock), the row objects for `-A`/`--show-labels` and
 * `--sort-by`, and Table answers for single objects and watches' sibling, get.
 */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, TABLE_ACCEPT, type Fixture } from './testing/fixture.js'

const G = '/apis/image.openshift.io/v1'
const DIGEST = `sha256:${'b'.repeat(64)}`

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

describe('server-side Tables', () => {
  let fx: Fixture
  const table = async (url: string, accept = TABLE_ACCEPT): Promise<Json> => {
    const res = await fx.request({ method: 'GET', url, accept })
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json<Json>()
    assert.equal(body.kind, 'Table')
    return body
  }
  const header = (t: Json) =>
    (t.columnDefinitions as Json[])
      .filter((c) => c.priority === 0)
      .map((c) => String(c.name).toUpperCase())

  before(async () => {
    fx = await startFixture()
    const post = (url: string, body: unknown) => fx.request({ method: 'POST', url, body })
    await post('/api/v1/namespaces', { metadata: { name: 'team-a' } })
    await post('/api/v1/namespaces/team-a/secrets', {
      metadata: { name: 'pull' },
      type: 'kubernetes.io/dockerconfigjson',
      stringData: { '.dockerconfigjson': '{"auths":{}}' },
    })
    await post('/api/v1/namespaces/team-a/serviceaccounts', {
      metadata: { name: 'robot' },
      secrets: [{ name: 'pull' }],
    })
    await post(`${G}/images`, {
      metadata: { name: DIGEST },
      dockerImageReference: `quay.io/r/node@${DIGEST}`,
    })
    const created = await post(`${G}/namespaces/team-a/imagestreams`, {
      metadata: { name: 'nodejs', labels: { app: 'node' } },
      spec: { tags: [{ name: '20', from: { kind: 'DockerImage', name: 'quay.io/r/node:20' } }] },
    })
    // Status is the importer's: written here as an import would, through /status.
    const stream = created.json<Json>()
    fx.clock.advance(60_000)
    await fx.request({
      method: 'PUT',
      url: `${G}/namespaces/team-a/imagestreams/nodejs/status`,
      body: {
        ...stream,
        status: {
          tags: [
            {
              tag: '18',
              items: [
                {
                  created: '2026-01-01T00:00:30Z',
                  dockerImageReference: `quay.io/r/node@${DIGEST}`,
                  image: DIGEST,
                  generation: 1,
                },
              ],
            },
            {
              tag: '20',
              items: [
                {
                  created: '2026-01-01T00:01:00Z',
                  dockerImageReference: `quay.io/r/node@${DIGEST}`,
                  image: DIGEST,
                  generation: 1,
                },
              ],
            },
          ],
        },
      },
    })
    fx.clock.advance(28 * 60_000)
  })
  after(() => fx.close())

  const columns: [string, string, string[], unknown[][]][] = [
    [
      'imagestreams',
      `${G}/namespaces/team-a/imagestreams`,
      ['NAME', 'IMAGE REPOSITORY', 'TAGS', 'UPDATED'],
      [['nodejs', 'registry.test:5000/team-a/nodejs', '20,18', '28 minutes ago']],
    ],
    [
      'imagestreamtags',
      `${G}/namespaces/team-a/imagestreamtags`,
      ['NAME', 'IMAGE REFERENCE', 'UPDATED'],
      [
        ['nodejs:18', `quay.io/r/node@${DIGEST}`, '28 minutes ago', DIGEST],
        ['nodejs:20', `quay.io/r/node@${DIGEST}`, '28 minutes ago', DIGEST],
      ],
    ],
    ['images', `${G}/images`, ['NAME', 'IMAGE REFERENCE'], [[DIGEST, `quay.io/r/node@${DIGEST}`]]],
    [
      'secrets',
      '/api/v1/namespaces/team-a/secrets',
      ['NAME', 'TYPE', 'DATA', 'AGE'],
      [['pull', 'kubernetes.io/dockerconfigjson', 1, '29m']],
    ],
    [
      'serviceaccounts',
      '/api/v1/namespaces/team-a/serviceaccounts',
      ['NAME', 'SECRETS', 'AGE'],
      [
        ['builder', 0, '29m'],
        ['default', 0, '29m'],
        ['deployer', 0, '29m'],
        ['robot', 1, '29m'],
      ],
    ],
    [
      'namespaces',
      '/api/v1/namespaces',
      ['NAME', 'STATUS', 'AGE'],
      [
        ['default', 'Active', '29m'],
        ['team-a', 'Active', '29m'],
      ],
    ],
  ]
  for (const [name, url, want, rows] of columns) {
    it(`${name}: ${want.join(' ')}`, async () => {
      const t = await table(url)
      assert.deepEqual(header(t), want)
      assert.equal(t.columnDefinitions[0].format, 'name')
      assert.deepEqual(
        t.rows.map((r: Json) => r.cells),
        rows,
      )
      for (const row of t.rows as Json[]) assert.equal(row.cells.length, t.columnDefinitions.length)
      assert.match(t.metadata.resourceVersion, /^\d+$/)
    })
  }

  it('istag has IMAGE NAME at priority 1 (-o wide)', async () => {
    const t = await table(`${G}/namespaces/team-a/imagestreamtags`)
    assert.deepEqual(
      t.columnDefinitions.map((c: Json) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Image Reference', 0],
        ['Updated', 0],
        ['Image Name', 1],
      ],
    )
  })

  it('rows carry PartialObjectMetadata by default (for -A and --show-labels)', async () => {
    const t = await table(`${G}/imagestreams`)
    assert.deepEqual(Object.keys(t.rows[0].object), ['kind', 'apiVersion', 'metadata'])
    assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata')
    assert.equal(t.rows[0].object.apiVersion, 'meta.k8s.io/v1')
    assert.equal(t.rows[0].object.metadata.namespace, 'team-a')
    assert.deepEqual(t.rows[0].object.metadata.labels, { app: 'node' })
  })

  it('includeObject=Object embeds the full object (--sort-by), None embeds nothing', async () => {
    const full = await table(`${G}/imagestreams?includeObject=Object`)
    assert.equal(full.rows[0].object.kind, 'ImageStream')
    assert.equal(
      full.rows[0].object.status.dockerImageRepository,
      'registry.test:5000/team-a/nodejs',
    )
    const none = await table(`${G}/imagestreams?includeObject=None`)
    assert.equal(none.rows[0].object, undefined)
  })

  it('a single object is a one-row Table', async () => {
    const t = await table(`${G}/namespaces/team-a/imagestreams/nodejs`)
    assert.equal(t.rows.length, 1)
    assert.equal(t.rows[0].cells[0], 'nodejs')
    const istag = await table(`${G}/namespaces/team-a/imagestreamtags/nodejs:20`)
    assert.deepEqual(istag.rows[0].cells, [
      'nodejs:20',
      `quay.io/r/node@${DIGEST}`,
      '28 minutes ago',
      DIGEST,
    ])
  })

  it('v1beta1 only when only v1beta1 is acceptable', async () => {
    const t = await table('/api/v1/namespaces', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io')
    assert.equal(t.apiVersion, 'meta.k8s.io/v1beta1')
    assert.equal(t.rows[0].object.apiVersion, 'meta.k8s.io/v1beta1')
  })

  it('an empty list is an empty Table (kubectl: No resources found)', async () => {
    const t = await table(`${G}/namespaces/default/imagestreams`)
    assert.deepEqual(t.rows, [])
    assert.equal(t.columnDefinitions.length, 4)
  })

  it('paged Tables carry the continue token', async () => {
    const t = await table('/api/v1/namespaces?limit=1')
    assert.equal(t.rows.length, 1)
    assert.ok(t.metadata.continue)
  })
})
