/**
 * Repository.blob and blobHead against a local node:http registry scripted per case: what a
 * reader receives, and which typed error it gets, for good, corrupt, short and long bodies.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { createRegistryClient, type Repository } from './client.js'
import { DigestMismatchError, TransportError } from './errors.js'
import { createAgents, type Agents } from './transport/agents.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

const BLOB = Buffer.alloc(256 * 1024, 'layer bytes ')
const DIGEST = `sha256:${createHash('sha256').update(BLOB).digest('hex')}`

/** serve answers with `body` in 16 KiB chunks, announcing `length` (none: chunked). */
function serve(body: Buffer, length?: number): Handler {
  return (req, res) => {
    if (length !== undefined) res.setHeader('content-length', length)
    res.setHeader('content-type', 'application/octet-stream')
    if (req.method === 'HEAD') return void res.end()
    for (let i = 0; i < body.length; i += 16 * 1024) res.write(body.subarray(i, i + 16 * 1024))
    res.end()
  }
}

describe('Repository blobs', () => {
  let handler: Handler = (_req, res) => res.end()
  let agents: Agents
  let repo: Repository
  const server = createServer((req, res) => {
    if (req.url === '/v2/') return void res.end('{}')
    handler(req, res)
  })

  before(async () => {
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    agents = createAgents()
    const client = createRegistryClient({
      agents,
      retry: { attempts: 2, baseMs: 1, factor: 1, maxMs: 1 },
    })
    const registry = `127.0.0.1:${(server.address() as { port: number }).port}`
    repo = client.repository({ registry, repository: 'a/b', insecure: true })
  })
  after(async () => {
    await agents.close()
    server.close()
  })

  // The last byte differs: only the digest can tell.
  const corrupt = Buffer.concat([BLOB.subarray(0, -1), Buffer.from('!')])
  const cases: {
    name: string
    handler: Handler
    size?: number
    want: { bytes: number; size: number | undefined } | RegExp
  }[] = [
    {
      name: 'streams a blob of known size',
      handler: serve(BLOB, BLOB.length),
      size: BLOB.length,
      want: { bytes: BLOB.length, size: BLOB.length },
    },
    {
      name: 'takes the size from Content-Length when the descriptor has none',
      handler: serve(BLOB, BLOB.length),
      want: { bytes: BLOB.length, size: BLOB.length },
    },
    {
      name: 'streams a chunked blob of unknown size',
      handler: serve(BLOB),
      want: { bytes: BLOB.length, size: undefined },
    },
    {
      name: 'fails a corrupt body at its end',
      handler: serve(corrupt, corrupt.length),
      size: BLOB.length,
      want: /expected sha256:.*got sha256:/,
    },
    {
      name: 'fails a body shorter than the size',
      handler: serve(BLOB.subarray(1)),
      size: BLOB.length,
      want: new RegExp(`${BLOB.length - 1} bytes instead of ${BLOB.length}`),
    },
    {
      name: 'fails a body longer than the size as soon as it passes it',
      handler: serve(Buffer.concat([BLOB, BLOB])),
      size: BLOB.length,
      want: new RegExp(`more than ${BLOB.length} bytes`),
    },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      handler = c.handler
      const got = await repo.blob({ digest: DIGEST, ...(c.size !== undefined && { size: c.size }) })
      let bytes = 0
      const hash = createHash('sha256')
      const read = (async () => {
        for await (const chunk of got.body) {
          bytes += (chunk as Buffer).length
          hash.update(chunk as Buffer)
        }
      })()
      if (c.want instanceof RegExp) {
        const want = c.want
        await assert.rejects(
          read,
          (e: unknown) => e instanceof DigestMismatchError && want.test(e.message),
        )
        // The last chunk is held back until the digest is checked.
        assert.ok(
          bytes < Math.min(BLOB.length, c.size ?? Infinity),
          `the reader got ${bytes} bytes`,
        )
        return
      }
      await read
      assert.deepEqual({ bytes, size: got.size }, c.want)
      assert.equal(`sha256:${hash.digest('hex')}`, DIGEST)
      assert.equal(got.mediaType, 'application/octet-stream')
    })
  }

  it('refuses a Content-Length that contradicts the size before streaming', async () => {
    handler = serve(BLOB, BLOB.length)
    await assert.rejects(repo.blob({ digest: DIGEST, size: BLOB.length + 1 }), DigestMismatchError)
  })

  it('reports a connection reset mid-body as a Transport error', async () => {
    handler = (_req, res) => {
      res.setHeader('content-length', BLOB.length)
      res.write(BLOB.subarray(0, 1024), () => res.socket?.destroy())
    }
    const got = await repo.blob({ digest: DIGEST })
    await assert.rejects(
      (async () => {
        for await (const _ of got.body);
      })(),
      (e: unknown) => e instanceof TransportError && e.code === 'Transport',
    )
  })

  it('aborts the upstream request when the call is aborted mid-body, with its reason', async () => {
    let closed!: Promise<unknown>
    handler = (_req, res) => {
      closed = once(res, 'close')
      res.setHeader('content-length', BLOB.length)
      res.write(BLOB.subarray(0, 1024))
    }
    const abort = new AbortController()
    const got = await repo.blob({ digest: DIGEST }, { signal: abort.signal })
    const read = assert.rejects(
      (async () => {
        for await (const _ of got.body);
      })(),
      /client left/,
    )
    abort.abort(new Error('client left'))
    await read
    await closed
  })

  const heads: {
    name: string
    handler: Handler
    size?: number
    want: { size: number | undefined; digest: string } | RegExp
  }[] = [
    {
      name: 'reads the size of a blob from its HEAD',
      handler: serve(BLOB, BLOB.length),
      want: { size: BLOB.length, digest: DIGEST },
    },
    {
      name: 'refuses a HEAD whose length contradicts the size',
      handler: serve(BLOB, 7),
      size: BLOB.length,
      want: /7 bytes instead of/,
    },
    {
      name: 'refuses a HEAD naming another digest',
      handler: (_req, res) => {
        res.setHeader('docker-content-digest', `sha256:${'0'.repeat(64)}`)
        res.end()
      },
      want: /got sha256:0000/,
    },
    {
      name: 'reports a missing blob as NotFound',
      handler: (_req, res) => {
        res.statusCode = 404
        res.end()
      },
      want: /blob sha256:.* not found/,
    },
  ]
  for (const c of heads) {
    it(c.name, async () => {
      handler = c.handler
      const head = repo.blobHead({ digest: DIGEST, ...(c.size !== undefined && { size: c.size }) })
      if (c.want instanceof RegExp) await assert.rejects(head, c.want)
      else assert.deepEqual(await head, c.want)
    })
  }
})
