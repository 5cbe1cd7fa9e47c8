/**
 * Watches (docs/kubernetes-api.md#watch): synthetic ADDED for resourceVersion 0, replay after a
 * resourceVersion, Table events, errors before the 200 (410 Expired, 400 selectors), and, over
 * a real HTTPS connection, live events, bookmarks, a clean end on client disconnect and on
 * server shutdown, the close of a watch whose client stops reading, and many watches of one
 * namespace getting the same bytes (with a label selector and an older resourceVersion among them).
 */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { request as httpsRequest } from 'node:https'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { startFixture, TABLE_ACCEPT, TOKEN, type Fixture } from './testing/fixture.js'

const G = '/apis/image.openshift.io/v1'
const IS = `${G}/namespaces/team-a/imagestreams`

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

function lines(body: string): Json[] {
  return body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json)
}

/** startWatch sends a watch request to the server at `base` and returns its 200 response. */
async function startWatch(base: URL, ca: string, path: string, accept: string) {
  const req = httpsRequest(new URL(path, base), {
    ca,
    headers: { authorization: `Bearer ${TOKEN}`, accept },
  })
  req.on('error', () => undefined)
  req.end()
  const [res] = (await once(req, 'response')) as [IncomingMessage]
  // Destroying the request to disconnect makes the response emit 'aborted' errors.
  res.on('error', () => undefined)
  assert.equal(res.statusCode, 200)
  return { req, res }
}

describe('watch (inject)', () => {
  let fx: Fixture
  let listRV: string
  before(async () => {
    fx = await startFixture()
    await fx.createNamespace('team-a')
    for (const name of ['a', 'b']) {
      await fx.request({
        method: 'POST',
        url: IS,
        body: { metadata: { name, labels: { n: name } } },
      })
    }
    listRV = (await fx.request({ method: 'GET', url: IS })).json().metadata
      .resourceVersion as string
    await fx.request({
      method: 'PATCH',
      url: `${IS}/a`,
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { x: 'y' } } },
    })
    await fx.request({ method: 'DELETE', url: `${IS}/b` })
  })
  after(() => fx.close())
  const watch = async (query: string, accept?: string) => {
    const res = await fx.request({
      method: 'GET',
      url: `${IS}?watch=true&timeoutSeconds=1&${query}`,
      ...(accept ? { accept } : {}),
    })
    assert.equal(res.statusCode, 200, res.body)
    assert.equal(res.headers['content-type'], 'application/json')
    assert.equal(res.headers['transfer-encoding'], 'chunked')
    return lines(res.body)
  }

  it('resourceVersion=0 starts with a synthetic ADDED per object, then ends at timeoutSeconds', async () => {
    const events = await watch('resourceVersion=0')
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata.name]),
      [['ADDED', 'a']],
    )
    assert.equal(events[0]!.object.status.dockerImageRepository, 'registry.test:5000/team-a/a')
  })

  it('no resourceVersion is the same as 0', async () => {
    const events = await watch('')
    assert.deepEqual(
      events.map((e) => e.type),
      ['ADDED'],
    )
  })

  it('a resourceVersion replays the changes after it', async () => {
    const events = await watch(`resourceVersion=${listRV}`)
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata.name]),
      [
        ['MODIFIED', 'a'],
        ['DELETED', 'b'],
      ],
    )
    assert.ok(
      Number(events[1]!.object.metadata.resourceVersion) >
        Number(events[0]!.object.metadata.resourceVersion),
    )
  })

  it('selectors apply: an object leaving the selection is DELETED for the watcher', async () => {
    const byLabel = await watch(`resourceVersion=${listRV}&labelSelector=n%3Db`)
    assert.deepEqual(
      byLabel.map((e) => [e.type, e.object.metadata.name]),
      [['DELETED', 'b']],
    )
    const byName = await watch('resourceVersion=0&fieldSelector=metadata.name%3Da')
    assert.deepEqual(
      byName.map((e) => e.object.metadata.name),
      ['a'],
    )
  })

  it('with a Table Accept header, each event is a one-row Table', async () => {
    const events = await watch(`resourceVersion=${listRV}`, TABLE_ACCEPT)
    assert.deepEqual(
      events.map((e) => [e.type, e.object.kind, e.object.rows.length]),
      [
        ['MODIFIED', 'Table', 1],
        ['DELETED', 'Table', 1],
      ],
    )
    assert.deepEqual(events[0]!.object.rows[0].cells.slice(0, 2), [
      'a',
      'registry.test:5000/team-a/a',
    ])
    assert.equal(events[0]!.object.rows[0].object.kind, 'PartialObjectMetadata')
    assert.equal(events[0]!.object.columnDefinitions[0].name, 'Name')
  })

  it('the legacy /watch/ path watches one object by name', async () => {
    const res = await fx.request({
      method: 'GET',
      url: `${G}/watch/namespaces/team-a/imagestreams/a?timeoutSeconds=1`,
    })
    assert.deepEqual(
      lines(res.body).map((e) => [e.type, e.object.metadata.name]),
      [['ADDED', 'a']],
    )
  })

  it('a compacted resourceVersion is 410 Expired before any event', async () => {
    fx.clock.advance(2 * 3600 * 1000)
    await fx.request({ method: 'POST', url: IS, body: { metadata: { name: 'later' } } })
    await fx.store.compact()
    const res = await fx.request({
      method: 'GET',
      url: `${IS}?watch=true&resourceVersion=${listRV}`,
    })
    assert.equal(res.statusCode, 410)
    assert.equal(res.json().reason, 'Expired')
    assert.match(res.json().message, /^too old resource version: /)
  })

  it('a bad selector is 400 before any event', async () => {
    const res = await fx.request({
      method: 'GET',
      url: `${IS}?watch=true&fieldSelector=spec.x%3D1`,
    })
    assert.equal(res.statusCode, 400)
  })

  it('a resourceVersion from the future is refused', async () => {
    const res = await fx.request({ method: 'GET', url: `${IS}?watch=true&resourceVersion=999999` })
    assert.equal(res.statusCode, 504)
  })
})

describe('watch (HTTPS)', () => {
  let fx: Fixture
  let base: URL
  before(async () => {
    fx = await startFixture()
    await fx.createNamespace('team-a')
    await fx.request({ method: 'POST', url: IS, body: { metadata: { name: 'a' } } })
    await fx.app.listen({ host: '127.0.0.1', port: 0 })
    base = new URL(`https://127.0.0.1:${(fx.app.server.address() as AddressInfo).port}`)
  })
  after(() => fx.close())

  /** openWatch starts a watch and yields its lines as they arrive. */
  async function openWatch(path: string, accept = 'application/json') {
    const { req, res } = await startWatch(base, fx.caCertPem, path, accept)
    let buffer = ''
    const queue: Json[] = []
    const waiters: (() => void)[] = []
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      buffer += chunk
      let nl: number
      while ((nl = buffer.indexOf('\n')) >= 0) {
        queue.push(JSON.parse(buffer.slice(0, nl)) as Json)
        buffer = buffer.slice(nl + 1)
      }
      waiters.splice(0).forEach((w) => w())
    })
    const ended = new Promise<void>((resolve) => res.once('close', resolve))
    const next = async (): Promise<Json> => {
      while (queue.length === 0) await new Promise<void>((resolve) => waiters.push(resolve))
      return queue.shift()!
    }
    return { req, res, next, ended }
  }

  it('headers arrive before any event; live changes follow; disconnecting ends the watch', async () => {
    const rv = (await fx.request({ method: 'GET', url: IS })).json().metadata
      .resourceVersion as string
    const w = await openWatch(`${IS}?watch=true&resourceVersion=${rv}`)
    await fx.request({
      method: 'PATCH',
      url: `${IS}/a`,
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { live: '1' } } },
    })
    const event = await w.next()
    assert.equal(event.type, 'MODIFIED')
    assert.equal(event.object.metadata.labels.live, '1')
    w.req.destroy()
    await w.ended
  })

  it('allowWatchBookmarks sends BOOKMARK events with the kind and the resourceVersion', async () => {
    const w = await openWatch(`${IS}?watch=true&allowWatchBookmarks=true`)
    assert.equal((await w.next()).type, 'ADDED')
    fx.clock.advance(61_000)
    const bookmark = await w.next()
    assert.equal(bookmark.type, 'BOOKMARK')
    assert.equal(bookmark.object.kind, 'ImageStream')
    assert.equal(bookmark.object.apiVersion, 'image.openshift.io/v1')
    assert.match(bookmark.object.metadata.resourceVersion, /^\d+$/)
    w.req.destroy()
    await w.ended
  })

  it('server shutdown ends open watches, so close() does not hang', async () => {
    const w = await openWatch(`${IS}?watch=true`, TABLE_ACCEPT)
    assert.equal((await w.next()).object.kind, 'Table')
    await fx.app.close()
    await w.ended
  })
})

describe('watch (a client that stops reading)', () => {
  const BOUND = 1024 * 1024
  const READERS = 3
  let fx: Fixture
  let base: URL
  before(async () => {
    fx = await startFixture({}, undefined, { watchBufferBytes: BOUND })
    await fx.createNamespace('team-a')
    await fx.app.listen({ host: '127.0.0.1', port: 0 })
    base = new URL(`https://127.0.0.1:${(fx.app.server.address() as AddressInfo).port}`)
  })
  after(() => fx.close())

  /** watchFrom starts a watch over HTTPS and returns its response unread (paused). */
  async function watchFrom(rv: string): Promise<IncomingMessage> {
    const req = httpsRequest(new URL(`${IS}?watch=true&resourceVersion=${rv}`, base), {
      ca: fx.caCertPem,
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    req.end()
    const [res] = (await once(req, 'response')) as [IncomingMessage]
    assert.equal(res.statusCode, 200)
    res.pause()
    return res
  }

  /** reader consumes a watch as it arrives, one name per event. */
  function reader(res: IncomingMessage) {
    const names: string[] = []
    const waiters: (() => void)[] = []
    let buffer = ''
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      buffer += chunk
      let nl: number
      while ((nl = buffer.indexOf('\n')) >= 0) {
        names.push(JSON.parse(buffer.slice(0, nl)).object.metadata.name as string)
        buffer = buffer.slice(nl + 1)
      }
      waiters.splice(0).forEach((w) => w())
    })
    res.resume()
    const until = async (count: number): Promise<void> => {
      while (names.length < count) await new Promise<void>((r) => waiters.push(r))
    }
    return { names, until }
  }

  /** body reads a response to its end, failing if the stream is cut rather than ended. */
  async function body(res: IncomingMessage): Promise<Json[]> {
    res.setEncoding('utf8')
    let text = ''
    res.on('data', (chunk: string) => (text += chunk))
    res.resume()
    await once(res, 'end')
    assert.equal(res.complete, true, 'the chunked stream ended with its last chunk')
    return lines(text)
  }

  it('is closed once its buffer is full; its memory is released; readers get every event; it re-watches from its last resourceVersion', async () => {
    const rv = (await fx.request({ method: 'GET', url: IS })).json().metadata
      .resourceVersion as string
    // The server's own watchers (the service account controller's) are there throughout.
    const own = fx.store.watchStats().watchers
    const readers = await Promise.all(
      Array.from({ length: READERS }, async () => reader(await watchFrom(rv))),
    )
    const stalled = await watchFrom(rv)
    assert.equal(fx.store.watchStats().watchers, own + READERS + 1)
    const big = 'x'.repeat(200 * 1024)
    const names: string[] = []
    const write = async () => {
      const name = `s${names.length}`
      const res = await fx.request({
        method: 'POST',
        url: IS,
        body: { metadata: { name, annotations: { big } } },
      })
      assert.equal(res.statusCode, 201, res.body)
      names.push(name)
      // Readers keep up: each has this event before the next write.
      await Promise.all(readers.map((r) => r.until(names.length)))
    }
    let peak = 0
    // 200 writes of 200 KiB are far beyond the 1 MiB bound plus what the sockets buffer.
    while (fx.store.watchStats().watchers > own + READERS && names.length < 200) {
      await write()
      peak = Math.max(peak, fx.store.watchStats().bufferedBytes)
    }
    assert.equal(
      fx.store.watchStats().watchers,
      own + READERS,
      `the stalled watch was not closed after ${names.length} writes`,
    )
    assert.ok(peak <= BOUND, `the stalled watcher held ${peak} bytes, bound ${BOUND}`)
    for (let i = 0; i < 3; i++) await write()
    for (const r of readers) assert.deepEqual(r.names, names)
    assert.deepEqual(fx.store.watchStats(), { watchers: own + READERS, bufferedBytes: 0 })
    assert.ok(
      fx.logs.some((l) => l.includes('closed a watch whose client does not keep up')),
      'the close is logged',
    )

    // The stalled client, reading again, finds a clean end after an in-order prefix of the
    // events, and picks up the rest by watching from the last resourceVersion it saw.
    const seen = await body(stalled)
    assert.ok(seen.length > 0 && seen.length < names.length, `saw ${seen.length}`)
    assert.deepEqual(
      seen.map((e) => e.object.metadata.name),
      names.slice(0, seen.length),
    )
    const last = seen.at(-1)!.object.metadata.resourceVersion as string
    const again = reader(await watchFrom(last))
    await again.until(names.length - seen.length)
    assert.deepEqual(again.names, names.slice(seen.length))
  })
})

describe('watch (many watchers of one namespace)', () => {
  const WATCHERS = 12
  const UPDATES = 8
  let fx: Fixture
  let base: URL
  before(async () => {
    fx = await startFixture()
    await fx.createNamespace('team-a')
    await fx.app.listen({ host: '127.0.0.1', port: 0 })
    base = new URL(`https://127.0.0.1:${(fx.app.server.address() as AddressInfo).port}`)
  })
  after(() => fx.close())

  /** rawWatch starts a watch over HTTPS and collects its lines as sent. */
  async function rawWatch(query: string, accept = 'application/json') {
    const { req, res } = await startWatch(base, fx.caCertPem, `${IS}?watch=true&${query}`, accept)
    const lines: string[] = []
    const waiters: (() => void)[] = []
    let buffer = ''
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      buffer += chunk
      let nl: number
      while ((nl = buffer.indexOf('\n')) >= 0) {
        lines.push(buffer.slice(0, nl))
        buffer = buffer.slice(nl + 1)
      }
      waiters.splice(0).forEach((w) => w())
    })
    const ended = new Promise<void>((resolve) => res.once('close', resolve))
    const until = async (count: number): Promise<Json[]> => {
      while (lines.length < count) await new Promise<void>((r) => waiters.push(r))
      return lines.map((l) => JSON.parse(l) as Json)
    }
    const close = async () => {
      req.destroy()
      await ended
    }
    return { lines, until, close }
  }

  const patch = async (labels: Record<string, string>): Promise<string> => {
    const res = await fx.request({
      method: 'PATCH',
      url: `${IS}/a`,
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels } },
    })
    assert.equal(res.statusCode, 200, res.body)
    return res.json().metadata.resourceVersion as string
  }

  it('every watcher gets every event, the same bytes; selectors and older resourceVersions still apply', async () => {
    const created = await fx.request({ method: 'POST', url: IS, body: { metadata: { name: 'a' } } })
    const olderRV = created.json().metadata.resourceVersion as string
    const earlyRV = await patch({ phase: 'early' })
    await fx.request({ method: 'POST', url: IS, body: { metadata: { name: 'b' } } })
    const rv = (await fx.request({ method: 'GET', url: IS })).json().metadata
      .resourceVersion as string

    const plain = await Promise.all(
      Array.from({ length: WATCHERS }, () => rawWatch(`resourceVersion=${rv}`)),
    )
    const selected = await rawWatch(`resourceVersion=${rv}&labelSelector=even%3Dtrue`)
    const older = await rawWatch(`resourceVersion=${olderRV}`)
    const tables = await Promise.all(
      [0, 1].map(() => rawWatch(`resourceVersion=${rv}`, TABLE_ACCEPT)),
    )
    const rvs: string[] = []
    for (let u = 0; u < UPDATES; u++)
      rvs.push(await patch({ u: String(u), even: String(u % 2 === 0) }))

    const events = await plain[0]!.until(UPDATES)
    for (const w of plain) {
      await w.until(UPDATES)
      assert.deepEqual(w.lines, plain[0]!.lines)
    }
    assert.deepEqual(
      events.map((e) => [e.type, e.object.kind, e.object.metadata.name]),
      rvs.map(() => ['MODIFIED', 'ImageStream', 'a']),
    )
    assert.deepEqual(
      events.map((e) => e.object.metadata.resourceVersion),
      rvs,
    )
    assert.deepEqual(
      events.map((e) => e.object.metadata.labels.u),
      rvs.map((_, u) => String(u)),
    )
    for (const e of events) {
      assert.equal(e.object.status.dockerImageRepository, 'registry.test:5000/team-a/a')
    }

    // The label selector sees `a` enter and leave; a DELETED carries the last matching state
    // at the revision of the change that made it leave.
    const seen = await selected.until(UPDATES)
    assert.deepEqual(
      seen.map((e) => [e.type, e.object.metadata.resourceVersion, e.object.metadata.labels.even]),
      rvs.map((r, u) => (u % 2 === 0 ? ['ADDED', r, 'true'] : ['DELETED', r, 'true'])),
    )

    // The older resourceVersion replays the two earlier changes, then sends the same bytes.
    const replay = await older.until(UPDATES + 2)
    assert.deepEqual(
      replay.slice(0, 2).map((e) => [e.type, e.object.metadata.name]),
      [
        ['MODIFIED', 'a'],
        ['ADDED', 'b'],
      ],
    )
    assert.equal(replay[0]!.object.metadata.resourceVersion, earlyRV)
    assert.deepEqual(older.lines.slice(2), plain[0]!.lines)

    const rows = await tables[0]!.until(UPDATES)
    await tables[1]!.until(UPDATES)
    assert.deepEqual(tables[1]!.lines, tables[0]!.lines)
    assert.deepEqual(
      rows.map((e) => [e.type, e.object.kind, e.object.rows[0].cells[0]]),
      rvs.map(() => ['MODIFIED', 'Table', 'a']),
    )

    await Promise.all([...plain, selected, older, ...tables].map((w) => w.close()))
  })
})
