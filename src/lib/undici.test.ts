import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { once } from 'node:events'
import { describe, it } from 'node:test'
import { Agent, request } from './undici.js'

describe('direct undici loading', () => {
  it('sends a request through an Agent and reads the answer', async () => {
    const server = createServer((req, res) => res.end(`${req.method} ${req.url}`))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as { port: number }
    const agent = new Agent()
    try {
      const res = await request(agent, new URL(`http://127.0.0.1:${port}/v2/?x=1`), {
        method: 'GET',
        headers: {},
        signal: AbortSignal.timeout(10_000),
      })
      assert.equal(res.statusCode, 200)
      assert.equal(await res.body.text(), 'GET /v2/?x=1')
    } finally {
      await agent.close()
      server.close()
    }
  })
})
