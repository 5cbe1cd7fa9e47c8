/**
 * A full disk through a real server (docs/kubernetes-api.md#a-full-disk): SQLite's
 * max_page_count on the store's writer connection makes writes fail with SQLITE_FULL as a full
 * disk does. A write then gets a 500 InternalError naming the cause, `/readyz` fails its
 * `store-space` check, nothing stored before is lost, and once there is space again a write
 * succeeds and `/readyz` is ok.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, type Fixture } from './testing/fixture.js'

const NS = 'full'
const STREAMS = `/apis/image.openshift.io/v1/namespaces/${NS}/imagestreams`

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

/** stream is an ImageStream carrying `kib` KiB in an annotation, so it takes pages of its own. */
const stream = (name: string, kib: number) => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name, annotations: { filler: 'x'.repeat(kib * 1024) } },
})

describe('a full disk', () => {
  let fx: Fixture
  before(async () => {
    fx = await startFixture()
    await fx.createNamespace(NS)
  })
  after(() => fx.close())

  it('answers a write with the cause, fails /readyz, keeps the data, and recovers when space returns', async () => {
    const before: Json[] = []
    for (let i = 0; i < 3; i++) {
      const res = await fx.request({ method: 'POST', url: STREAMS, body: stream(`kept-${i}`, 8) })
      assert.equal(res.statusCode, 201, res.body)
      before.push(res.json())
    }
    const ready = await fx.request({ method: 'GET', url: '/readyz' })
    assert.equal(ready.body, 'ok')

    // The database may not grow past the pages it has: the next writes that need pages fail.
    const [{ page_count: pages }] = fx.pragma('page_count') as [{ page_count: number }]
    fx.pragma(`max_page_count = ${pages}`)
    let refused: Json | undefined
    let refusedName = ''
    for (let i = 0; i < 20 && refused === undefined; i++) {
      refusedName = `big-${i}`
      const res = await fx.request({ method: 'POST', url: STREAMS, body: stream(refusedName, 64) })
      if (res.statusCode !== 201) {
        assert.equal(res.statusCode, 500, res.body)
        refused = res.json()
      }
    }
    assert.ok(refused, 'a write failed once the store could not grow')
    assert.equal(refused.reason, 'InternalError')
    assert.equal(refused.code, 500)
    assert.equal(
      refused.message,
      'Internal error occurred: the store is out of disk space: database or disk is full; ' +
        "nothing was written, and writes succeed again once the data directory's disk has space",
    )
    assert.deepEqual(refused.details, {
      causes: [
        {
          reason: 'InsufficientStorage',
          message: 'the store is out of disk space: database or disk is full',
        },
      ],
    })

    const failing = await fx.request({ method: 'GET', url: '/readyz?verbose' })
    assert.equal(failing.statusCode, 500)
    assert.equal(
      failing.body,
      '[+]ping ok\n[-]store-space failed: reason withheld\nreadyz check failed\n',
    )
    const check = await fx.request({ method: 'GET', url: '/readyz/store-space' })
    assert.equal(check.statusCode, 500)
    assert.equal(
      check.body,
      'internal server error: the store is out of disk space: database or disk is full\n',
    )
    const missing = await fx.request({ method: 'GET', url: `${STREAMS}/${refusedName}` })
    assert.equal(missing.statusCode, 404, 'the refused write left nothing behind')

    fx.pragma('max_page_count = 1073741823')
    const again = await fx.request({ method: 'POST', url: STREAMS, body: stream('after', 64) })
    assert.equal(again.statusCode, 201, again.body)
    const ok = await fx.request({ method: 'GET', url: '/readyz?verbose' })
    assert.equal(ok.statusCode, 200)
    assert.equal(ok.body, '[+]ping ok\n[+]store-space ok\nreadyz check passed\n')

    for (const object of before) {
      const res = await fx.request({ method: 'GET', url: `${STREAMS}/${object.metadata.name}` })
      assert.equal(res.statusCode, 200, res.body)
      assert.deepEqual(res.json(), object)
    }
  })
})
