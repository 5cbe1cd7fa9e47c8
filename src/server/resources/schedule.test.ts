/**
 * The read-only `imagestreams/<name>/schedule` subresource through a real server: the stream's
 * due-queue rows as an ImageStreamSchedule, the stream's own NotFound, 405 for writes, and its
 * discovery entry.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { ImageStreamSchedule } from '../../api/index.js'
import type { ScheduleSpec } from '../../storage/index.js'
import { START, startFixture, type Fixture } from './testing/fixture.js'

const G = '/apis/image.openshift.io/v1'
const NS = `${G}/namespaces/team-a`
const MINUTE = 60_000

const spec = (tag: string): ScheduleSpec => ({
  tag,
  source: `quay.io/r/app:${tag}`,
  registry: 'quay.io',
  intervalMs: 15 * MINUTE,
})

describe('imagestreams/schedule', () => {
  let fx: Fixture

  before(async () => {
    fx = await startFixture()
    const post = async (url: string, body: unknown) => {
      const res = await fx.request({ method: 'POST', url, body })
      assert.equal(res.statusCode, 201, res.body)
    }
    await post('/api/v1/namespaces', { metadata: { name: 'team-a' } })
    const scheduled = (tag: string) => ({
      name: tag,
      from: { kind: 'DockerImage', name: `quay.io/r/app:${tag}` },
      importPolicy: { scheduled: true },
    })
    await post(`${NS}/imagestreams`, {
      metadata: { name: 'app' },
      spec: { tags: [scheduled('v1'), scheduled('v2')] },
    })
    await post(`${NS}/imagestreams`, { metadata: { name: 'plain' } })
    // The rows as the scheduler leaves them: v1 checked and failing, v2 never checked yet.
    await fx.store.schedule.syncStream('team-a', 'app', [spec('v1'), spec('v2')], (s) =>
      s.tag === 'v1' ? START : START + 5 * MINUTE + 250,
    )
    const claimed = await fx.store.schedule.claimDue(START, 10, MINUTE)
    assert.deepEqual(
      claimed.map((r) => r.tag),
      ['v1'],
    )
    await fx.store.schedule.complete(
      { namespace: 'team-a', stream: 'app', tag: 'v1' },
      {
        lastCheckAt: START + 1 * MINUTE,
        nextCheckAt: START + 3 * MINUTE,
        failures: 2,
        lastError: 'unauthorized: authentication required',
      },
    )
  })
  after(() => fx.close())

  it('answers the rows of the stream, ordered by tag, times in RFC 3339', async () => {
    const res = await fx.request({ method: 'GET', url: `${NS}/imagestreams/app/schedule` })
    assert.equal(res.statusCode, 200, res.body)
    assert.match(String(res.headers['content-type']), /^application\/json/)
    assert.deepEqual(res.json<ImageStreamSchedule>(), {
      kind: 'ImageStreamSchedule',
      apiVersion: 'image.openshift.io/v1',
      metadata: { name: 'app', namespace: 'team-a' },
      tags: [
        {
          tag: 'v1',
          lastCheckTime: '2026-01-01T00:01:00Z',
          nextCheckTime: '2026-01-01T00:03:00Z',
          failures: 2,
          lastError: 'unauthorized: authentication required',
        },
        { tag: 'v2', nextCheckTime: '2026-01-01T00:05:00Z', failures: 0 },
      ],
    })
  })

  const cases: [string, 'GET' | 'PUT' | 'DELETE', string, number, string][] = [
    ['a stream without scheduled tags has none', 'GET', 'plain', 200, '"tags":[]'],
    [
      'a missing stream is the stream NotFound',
      'GET',
      'nope',
      404,
      'imagestreams.image.openshift.io \\"nope\\" not found',
    ],
    ['it is read-only', 'PUT', 'app', 405, 'MethodNotAllowed'],
    ['it cannot be deleted', 'DELETE', 'app', 405, 'MethodNotAllowed'],
  ]
  for (const [name, method, stream, status, text] of cases) {
    it(name, async () => {
      const res = await fx.request({
        method,
        url: `${NS}/imagestreams/${stream}/schedule`,
        ...(method === 'PUT' ? { body: {} } : {}),
      })
      assert.equal(res.statusCode, status, res.body)
      assert.ok(res.body.includes(text), res.body)
    })
  }

  it('needs a token like every resource', async () => {
    const res = await fx.app.inject({ method: 'GET', url: `${NS}/imagestreams/app/schedule` })
    assert.equal(res.statusCode, 401)
  })

  it('is listed in legacy discovery as imagestreams/schedule with get only', async () => {
    const res = await fx.request({ method: 'GET', url: G })
    const list = res.json<{ resources: { name: string; kind: string; verbs: string[] }[] }>()
    const entry = list.resources.find((r) => r.name === 'imagestreams/schedule')
    assert.deepEqual(entry && { kind: entry.kind, verbs: entry.verbs }, {
      kind: 'ImageStreamSchedule',
      verbs: ['get'],
    })
  })
})
