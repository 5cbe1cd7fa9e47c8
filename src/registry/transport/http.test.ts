/**
 * HttpTransport against a local node:http server scripted per test: size caps with and
 * without Content-Length, retries, Retry-After limits, redirect policy and streamed bodies.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { setTimeout as delay } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import { RateLimitedError, RegistryClientError } from '../errors.js'
import { createAgents, type Agents } from './agents.js'
import { HttpTransport, SILENT_LOGGER, type ResponseObservation } from './http.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

describe('HttpTransport', () => {
  let handler: Handler = (_req, res) => res.end()
  let base: URL
  let agents: Agents
  const server = createServer((req, res) => handler(req, res))
  const transport = () =>
    new HttpTransport({
      agents,
      retry: { attempts: 3, baseMs: 5, factor: 2, maxMs: 20, maxRetryAfterMs: 60_000 },
      attemptDeadlineMs: 10_000,
      logger: SILENT_LOGGER,
    })
  const get = (path: string, maxBytes = 1024, extra: { followRedirects?: boolean } = {}) =>
    transport().send({
      method: 'GET',
      url: new URL(path, base),
      headers: { authorization: 'Bearer secret' },
      maxBytes,
      insecure: false,
      context: { registry: base.host, repository: 'a/b' },
      ...extra,
    })

  before(async () => {
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    base = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/`)
    agents = createAgents()
  })
  after(async () => {
    await agents.close()
    server.close()
  })

  it('rejects a body over the cap when Content-Length announces it', async () => {
    handler = (_req, res) => res.end(Buffer.alloc(2048))
    await assert.rejects(
      get('/big'),
      (e: unknown) => e instanceof RegistryClientError && e.code === 'TooLarge',
    )
  })

  it('rejects a chunked body once it passes the cap, without reading it all', async () => {
    let written = 0
    handler = (_req, res) => {
      const pump = () => {
        while (written < 64 * 1024 * 1024 && res.write(Buffer.alloc(16 * 1024)))
          written += 16 * 1024
        if (written < 64 * 1024 * 1024) res.once('drain', pump)
        else res.end()
      }
      pump()
    }
    await assert.rejects(
      get('/stream', 100_000),
      (e: unknown) => e instanceof RegistryClientError && e.code === 'TooLarge',
    )
    assert.ok(written < 64 * 1024 * 1024, 'the whole body was produced')
  })

  it('retries 503 and returns the success that follows', async () => {
    let calls = 0
    handler = (_req, res) => {
      calls++
      res.statusCode = calls < 3 ? 503 : 200
      res.end('ok')
    }
    const res = await get('/flaky')
    assert.equal(res.status, 200)
    assert.equal(calls, 3)
  })

  it('does not retry a 404', async () => {
    let calls = 0
    handler = (_req, res) => {
      calls++
      res.statusCode = 404
      res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
    }
    assert.equal((await get('/missing')).status, 404)
    assert.equal(calls, 1)
  })

  it('turns a Retry-After beyond the limit into RateLimited with the time', async () => {
    handler = (_req, res) => {
      res.statusCode = 429
      res.setHeader('retry-after', '999999999')
      res.end()
    }
    await assert.rejects(get('/limited'), RateLimitedError)
  })

  it("remembers Docker Hub's exhausted pull allowance until its window ends", async () => {
    const t = transport()
    const head = (remaining: string) => {
      handler = (_req, res) => {
        res.setHeader('ratelimit-remaining', remaining)
        res.end()
      }
      return t.send({
        method: 'HEAD',
        url: new URL('/v2/a/b/manifests/latest', base),
        headers: {},
        maxBytes: 0,
        insecure: false,
        context: { registry: 'hub.example', repository: 'a/b' },
      })
    }
    assert.equal(t.pullLimitReachedUntil('hub.example'), undefined)
    const before = Date.now()
    await head('0;w=21600')
    const until = t.pullLimitReachedUntil('hub.example')!
    assert.ok(until >= before + 21_600_000 && until <= Date.now() + 21_600_000)
    assert.equal(t.pullLimitReachedUntil('other.example'), undefined)
    await head('7;w=21600')
    assert.equal(t.pullLimitReachedUntil('hub.example'), undefined)
  })

  it('stops following redirects after five hops', async () => {
    handler = (req, res) => {
      res.statusCode = 307
      res.setHeader('location', `/loop${(req.url ?? '').length}`)
      res.end()
    }
    await assert.rejects(
      get('/loop', 1024, { followRedirects: true }),
      (e: unknown) => e instanceof RegistryClientError && e.code === 'RedirectRefused',
    )
  })

  it('keeps Authorization on a same-origin redirect', async () => {
    handler = (req, res) => {
      if (req.url === '/start') {
        res.statusCode = 302
        res.setHeader('location', '/end')
        res.end()
      } else res.end(req.headers.authorization ?? 'none')
    }
    const res = await get('/start', 1024, { followRedirects: true })
    assert.equal(res.body.toString(), 'Bearer secret')
  })

  describe('reports every response to onResponse, without its URL', () => {
    const cases: {
      name: string
      method: 'GET' | 'HEAD'
      statuses: readonly number[]
      followRedirects?: boolean
      want: readonly number[]
    }[] = [
      { name: 'one response', method: 'HEAD', statuses: [404], want: [404] },
      { name: 'each retry', method: 'GET', statuses: [503, 429, 200], want: [503, 429, 200] },
      {
        name: 'each redirect hop',
        method: 'GET',
        statuses: [307, 200],
        followRedirects: true,
        want: [307, 200],
      },
    ]
    for (const c of cases) {
      it(c.name, async () => {
        let calls = 0
        handler = (_req, res) => {
          res.statusCode = c.statuses[calls++]!
          if (res.statusCode === 307) res.setHeader('location', '/next')
          res.end()
        }
        const seen: ResponseObservation[] = []
        await new HttpTransport({
          agents,
          retry: { attempts: 3, baseMs: 1, factor: 1, maxMs: 1, maxRetryAfterMs: 60_000 },
          attemptDeadlineMs: 10_000,
          logger: SILENT_LOGGER,
          onResponse: (r) => seen.push(r),
        }).send({
          method: c.method,
          url: new URL('/v2/a/b/manifests/latest', base),
          maxBytes: 1024,
          insecure: false,
          followRedirects: c.followRedirects ?? false,
          context: { registry: 'registry.example', repository: 'a/b' },
        })
        assert.deepEqual(
          seen,
          c.want.map((status) => ({ registry: 'registry.example', method: c.method, status })),
        )
      })
    }
  })

  it('reports a refused connection as a Transport error naming the URL', async () => {
    const closed = createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const port = (closed.address() as { port: number }).port
    closed.close()
    await once(closed, 'close')
    await assert.rejects(
      transport().send({
        method: 'GET',
        url: new URL(`http://127.0.0.1:${port}/v2/`),
        maxBytes: 10,
        insecure: false,
        retry: false,
        context: { registry: `127.0.0.1:${port}` },
      }),
      (e: unknown) =>
        e instanceof RegistryClientError &&
        e.code === 'Transport' &&
        e.message.includes(`127.0.0.1:${port}/v2/`),
    )
  })

  describe('streaming mode', () => {
    const stream = (
      path: string,
      extra: { signal?: AbortSignal; attemptDeadlineMs?: number } = {},
    ) =>
      new HttpTransport({
        agents,
        retry: { attempts: 3, baseMs: 1, factor: 1, maxMs: 1, maxRetryAfterMs: 60_000 },
        attemptDeadlineMs: extra.attemptDeadlineMs ?? 10_000,
        logger: SILENT_LOGGER,
      }).send({
        method: 'GET',
        url: new URL(path, base),
        maxBytes: 0,
        stream: true,
        insecure: false,
        signal: extra.signal,
        context: { registry: base.host },
      })
    const drain = async (body: Readable) => {
      let n = 0
      for await (const chunk of body) n += (chunk as Buffer).length
      return n
    }
    /** pump writes `total` bytes in 64 KiB chunks as fast as the client takes them. */
    const pump = (res: ServerResponse, total: number, sent: { bytes: number }) => {
      const write = () => {
        while (sent.bytes < total) {
          sent.bytes += 64 * 1024
          if (!res.write(Buffer.alloc(64 * 1024))) return void res.once('drain', write)
        }
        res.end()
      }
      write()
    }

    it('leaves the body to a slow reader, with backpressure reaching the server', async () => {
      const total = 64 * 1024 * 1024
      const sent = { bytes: 0 }
      handler = (_req, res) => pump(res, total, sent)
      const res = await stream('/blob')
      assert.equal(res.status, 200)
      assert.equal(res.body.length, 0)
      await delay(300)
      // Kernel socket buffers hold a few MiB; without backpressure all 64 MiB would be gone.
      assert.ok(sent.bytes < total / 2, `the server wrote ${sent.bytes} bytes to a paused reader`)
      assert.equal(await drain(res.stream!), total)
    })

    it('reads a 4xx body as usual, with no stream', async () => {
      handler = (_req, res) => {
        res.statusCode = 404
        res.end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}')
      }
      const res = await stream('/missing')
      assert.equal(res.stream, undefined)
      assert.match(res.body.toString(), /BLOB_UNKNOWN/)
    })

    it('retries a 503 before the first byte', async () => {
      let calls = 0
      handler = (_req, res) => {
        res.statusCode = calls++ === 0 ? 503 : 200
        res.end('blob')
      }
      const res = await stream('/flaky')
      assert.equal(await drain(res.stream!), 4)
      assert.equal(calls, 2)
    })

    it('lets a body outlast the attempt deadline once the headers came in time', async () => {
      handler = (_req, res) => {
        res.write('a')
        setTimeout(() => res.end('b'), 300)
      }
      const res = await stream('/slow-body', { attemptDeadlineMs: 100 })
      assert.equal(await drain(res.stream!), 2)
    })

    const stops: {
      name: string
      stop: (body: Readable, abort: AbortController) => void
      want: RegExp
    }[] = [
      {
        name: 'aborting the signal',
        stop: (_b, a) => a.abort(new Error('client left')),
        want: /client left/,
      },
      {
        name: 'destroying the body',
        stop: (b) => b.destroy(new Error('reader gone')),
        want: /reader gone/,
      },
    ]
    for (const c of stops) {
      it(`${c.name} mid-body closes the upstream connection`, async () => {
        let closed!: Promise<unknown>
        const sent = { bytes: 0 }
        handler = (_req, res) => {
          closed = once(res, 'close')
          pump(res, 1024 * 1024 * 1024, sent)
        }
        const abort = new AbortController()
        const res = await stream('/endless', { signal: abort.signal })
        const body = res.stream!
        const failed = assert.rejects(drain(body), c.want)
        await once(body, 'data')
        c.stop(body, abort)
        await failed
        await closed
        assert.ok(sent.bytes < 1024 * 1024 * 1024)
      })
    }
  })
})
