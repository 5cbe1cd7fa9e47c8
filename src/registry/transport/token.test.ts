/** TokenSource against a scripted local token endpoint: response variants, expiry, realm policy. */
import assert from 'node:assert/strict'
import { lookup as dnsLookup } from 'node:dns'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { LookupFunction } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { Credential } from '../../credentials/index.js'
import { AuthError, RegistryClientError } from '../errors.js'
import { createAgents, type Agents } from './agents.js'
import { HttpTransport, SILENT_LOGGER } from './http.js'
import { TokenSource, type TokenRequest } from './token.js'

describe('TokenSource', () => {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, s) => s.end()
  let realm: string
  let agents: Agents
  let now = 1_000_000
  const server = createServer((req, res) => handler(req, res))
  const source = (over: Agents = agents) =>
    new TokenSource(
      new HttpTransport({
        agents: over,
        retry: { attempts: 1, baseMs: 1, factor: 2, maxMs: 1, maxRetryAfterMs: 1 },
        attemptDeadlineMs: 5000,
        logger: SILENT_LOGGER,
      }),
      () => now,
    )
  const alice: Credential = {
    username: 'alice',
    password: 'pw',
    source: { secret: 'ns/s', key: 'k' },
  }
  const request = (over: Partial<TokenRequest> = {}): TokenRequest => ({
    realm,
    service: 'svc',
    scopes: ['repository:a/b:pull'],
    credential: alice,
    registryURL: new URL(realm),
    insecure: false,
    context: { registry: 'r', repository: 'a/b' },
    ...over,
  })
  const answer = (body: unknown, status = 200) => {
    let calls = 0
    handler = (_req, res) => {
      calls++
      res.statusCode = status
      res.end(JSON.stringify(body))
    }
    return () => calls
  }

  before(async () => {
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    realm = `http://127.0.0.1:${(server.address() as { port: number }).port}/token`
    agents = createAgents()
  })
  after(async () => {
    await agents.close()
    server.close()
  })

  const variants: [string, unknown, string | undefined][] = [
    ['only token', { token: 't1' }, 't1'],
    ['only access_token', { access_token: 't2' }, 't2'],
    ['both', { token: 't3', access_token: 'other' }, 't3'],
    ['neither', {}, undefined],
  ]
  for (const [name, body, want] of variants) {
    it(`reads a response with ${name}`, async () => {
      answer(body)
      const got = source().token(request({ service: name }))
      if (want) assert.equal(await got, want)
      else await assert.rejects(got, RegistryClientError)
    })
  }

  it('sends service, every scope, and Basic credentials', async () => {
    let seen: IncomingMessage | undefined
    handler = (req, res) => {
      seen = req
      res.end('{"token":"x"}')
    }
    await source().token(request({ scopes: ['repository:a:pull', 'repository:b:pull'] }))
    const url = new URL(seen!.url!, realm)
    assert.equal(url.searchParams.get('service'), 'svc')
    assert.deepEqual(url.searchParams.getAll('scope'), ['repository:a:pull', 'repository:b:pull'])
    assert.equal(seen!.headers.authorization, `Basic ${Buffer.from('alice:pw').toString('base64')}`)
  })

  it('treats a short expires_in as 60 s and refetches only after expiry', async () => {
    const calls = answer({ token: 'short', expires_in: 10 })
    const tokens = source()
    await tokens.token(request())
    now += 45_000
    await tokens.token(request())
    assert.equal(calls(), 1)
    now += 20_000
    await tokens.token(request())
    assert.equal(calls(), 2)
  })

  it('shares one fetch among concurrent callers', async () => {
    const calls = answer({ token: 'shared' })
    const tokens = source()
    const all = await Promise.all(
      Array.from({ length: 50 }, () => tokens.token(request({ service: 'sf' }))),
    )
    assert.ok(all.every((t) => t === 'shared'))
    assert.equal(calls(), 1)
  })

  it('turns a 401 from the token server into an AuthError naming the secret', async () => {
    answer({ errors: [] }, 401)
    await assert.rejects(source().token(request({ service: 'denied' })), (e: unknown) => {
      assert.ok(e instanceof AuthError)
      assert.match(e.message, /ns\/s/)
      assert.ok(!e.message.includes('pw'))
      return true
    })
  })

  it('refuses an http realm for an https registry, and a private realm on another host', async () => {
    answer({ token: 'never' })
    await assert.rejects(
      source().token(request({ registryURL: new URL('https://127.0.0.1:1/') })),
      /plain http/,
    )
    await assert.rejects(
      source().token(request({ registryURL: new URL('http://registry.example/') })),
      /private address/,
    )
  })

  describe('realm on a private address', () => {
    // Names resolve through the agents' resolver: no DNS is asked, no traffic leaves loopback.
    const names: Record<string, string> = {
      'registry.example': '203.0.113.5',
      'registry.internal': '10.1.2.3',
      'auth.internal': '127.0.0.1',
    }
    const lookup = ((hostname, options, callback) => {
      const address = names[hostname]
      if (address === undefined) return dnsLookup(hostname, options, callback)
      if (options.all) callback(null, [{ address, family: 4 }])
      else callback(null, address, 4)
    }) as LookupFunction
    let named: Agents
    before(() => {
      named = createAgents({ lookup })
    })
    after(() => named.close())
    const port = () => new URL(realm).port

    const refused = [
      {
        host: '[::ffff:127.0.0.1]',
        why: /::ffff:7f00:1 is a private address/,
      },
      { host: 'localhost', why: /localhost is a private address/ },
      {
        host: 'auth.internal',
        why: /auth\.internal resolves to the private address 127\.0\.0\.1/,
      },
    ]
    for (const c of refused) {
      it(`refuses a realm on ${c.host} for a public registry`, async () => {
        const calls = answer({ token: 'never' })
        await assert.rejects(
          source(named).token(
            request({
              realm: `http://${c.host}:${port()}/token`,
              registryURL: new URL('http://registry.example/'),
            }),
          ),
          (e: unknown) => {
            assert.ok(e instanceof RegistryClientError)
            assert.equal(e.code, 'RegistryProtocol')
            assert.match(e.message, /^refusing token realm: /)
            assert.match(e.message, c.why)
            return true
          },
        )
        assert.equal(calls(), 0)
      })
    }

    it('fetches a realm on another private host for a registry that resolves to a private address', async () => {
      answer({ token: 'inside' })
      const got = await source(named).token(
        request({
          realm: `http://auth.internal:${port()}/token`,
          registryURL: new URL('http://registry.internal/'),
        }),
      )
      assert.equal(got, 'inside')
    })
  })
})
