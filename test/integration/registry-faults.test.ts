/**
 * Faults a real registry cannot produce on demand, injected by the harness proxy in front of
 * a real docker-registry: rate limits, resets, corrupt bodies, redirects, slow headers,
 * pagination.
 */
import assert from 'node:assert/strict'
import { lookup as dnsLookup } from 'node:dns'
import type { LookupFunction } from 'node:net'
import { after, before, beforeEach, describe, it } from 'node:test'
import {
  DigestMismatchError,
  RateLimitedError,
  RegistryClientError,
  inspect,
  isPrivateAddress,
  type Repository,
} from '../../src/registry/index.js'
import { startFaultProxy, useRegistry, type FaultProxy } from '../harness/index.js'
import { configKeyring, testClient } from './support.js'

describe('registry client under faults', () => {
  const env = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  let proxy: FaultProxy
  const closers: (() => Promise<void>)[] = []
  let repo: (
    name: string,
    opts?: Parameters<typeof testClient>[1],
    agentOptions?: Parameters<typeof testClient>[2],
  ) => Repository

  before(async () => {
    proxy = await startFaultProxy({ upstream: env.reg })
    const keyring = configKeyring({ [proxy.host]: 'alice:alice-pass' })
    repo = (name, opts, agentOptions) => {
      const { client, agents } = testClient(env.reg, opts, agentOptions)
      closers.push(() => agents.close())
      return client.repository({ registry: proxy.host, repository: name, keyring })
    }
  })
  beforeEach(() => {
    proxy.setFault(undefined)
    proxy.clearRequests()
  })
  after(async () => {
    await Promise.all(closers.map((c) => c()))
    await proxy?.stop()
  })

  const manifestPath = (name: string) => new RegExp(`^/v2/${name}/manifests/`)

  it('waits for Retry-After on a 429 and then succeeds', async () => {
    const image = env.fx.ociSingle
    proxy.setFault({
      kind: 'status',
      status: 429,
      retryAfter: '1',
      method: 'HEAD',
      path: manifestPath(image.repository),
    })
    const resolved = await repo(image.repository).resolveTag(image.tag)
    assert.equal(resolved.digest, image.digest)
    const heads = proxy.requests().filter((r) => r.method === 'HEAD' && r.status !== 401)
    assert.deepEqual(
      heads.map((r) => r.status),
      [429, 200],
    )
  })

  it('fails fast as RateLimited when Retry-After is longer than a minute', async () => {
    const image = env.fx.ociSingle
    proxy.setFault({
      kind: 'status',
      status: 429,
      retryAfter: '3600',
      method: 'HEAD',
      times: 'always',
    })
    await assert.rejects(repo(image.repository).resolveTag(image.tag), (err: unknown) => {
      assert.ok(err instanceof RateLimitedError)
      assert.ok(err.retryAt && err.retryAt.getTime() > Date.now() + 3_000_000)
      return true
    })
    assert.equal(proxy.requests().filter((r) => r.status === 429).length, 1)
  })

  it('retries a 5xx burst, and gives up on a registry that stays down', async () => {
    const image = env.fx.dockerSingle
    proxy.setFault({ kind: 'status', status: 503, method: 'HEAD', times: 2 })
    assert.equal((await repo(image.repository).resolveTag(image.tag)).digest, image.digest)
    proxy.setFault({ kind: 'status', status: 502, method: 'HEAD', times: 'always' })
    await assert.rejects(repo(image.repository).resolveTag(image.tag), (err: unknown) => {
      assert.ok(err instanceof RegistryClientError)
      assert.equal(err.code, 'RegistryUnavailable')
      assert.equal(err.status, 502)
      return true
    })
  })

  it('retries a connection reset in the middle of a manifest body', async () => {
    const list = env.fx.ociIndex
    proxy.setFault({
      kind: 'reset-mid-body',
      method: 'GET',
      path: new RegExp(`/manifests/${list.digest}$`),
    })
    const got = await repo(list.repository).manifest(list.digest)
    assert.equal(got.digest, list.digest)
    const gets = proxy.requests().filter((r) => r.path.endsWith(list.digest) && r.status !== 401)
    assert.equal(gets.length, 2)
    assert.equal(gets[0]?.fault, 'reset-mid-body')
  })

  it('rejects a manifest whose bytes do not match the digest, returning nothing', async () => {
    const list = env.fx.dockerList
    proxy.setFault({
      kind: 'corrupt-body',
      method: 'GET',
      path: /\/manifests\/sha256:/,
      times: 'always',
    })
    const r = repo(list.repository)
    await assert.rejects(r.manifest(list.digest), DigestMismatchError)
    await assert.rejects(inspect(r, { tag: list.tag }, { allChildren: true }), DigestMismatchError)
  })

  it('rejects a config blob whose bytes do not match its digest', async () => {
    const image = env.fx.ociSingle
    proxy.setFault({ kind: 'corrupt-body', method: 'GET', path: /\/blobs\//, times: 'always' })
    await assert.rejects(repo(image.repository).config(image.config), (err: unknown) => {
      assert.ok(err instanceof DigestMismatchError)
      assert.equal(err.expected, image.config.digest)
      return true
    })
  })

  it('follows a blob redirect to another origin without sending Authorization there', async () => {
    const image = env.fx.ociSingle
    proxy.setFault({ kind: 'redirect-blob', method: 'GET' })
    const got = await repo(image.repository).config(image.config)
    assert.equal(got.digest, image.config.digest)
    const atProxy = proxy.requests().filter((r) => r.path.includes('/blobs/') && r.status === 307)
    assert.equal(atProxy[0]?.hadAuthorization, true)
    // A loaded machine may retry the hop; what matters is that no attempt carried the credential.
    const atTarget = proxy.redirectTarget.requests()
    assert.ok(atTarget.length >= 1)
    for (const r of atTarget) assert.equal(r.hadAuthorization, false)
  })

  // The proxy stands in for a public registry: its own address, 127.0.0.1 exactly, counts as
  // public; every other spelling of loopback, and every address a name resolves to, is judged
  // as in production. `internal.test` resolves (through the client's resolver) to loopback.
  const asPublic = {
    isPrivateAddress: (address: string) => address !== '127.0.0.1' && isPrivateAddress(address),
    lookup: ((hostname, options, callback) => {
      if (hostname !== 'internal.test') return dnsLookup(hostname, options, callback)
      const address = { address: '::ffff:127.0.0.1', family: 6 }
      if (options.all) callback(null, [address])
      else callback(null, address.address, address.family)
    }) as LookupFunction,
  }
  const privateRedirects = [
    { host: '[::ffff:127.0.0.1]', why: /::ffff:7f00:1 is a private address/ },
    { host: 'localhost', why: /localhost is a private address/ },
    {
      host: 'internal.test',
      why: /internal\.test resolves to the private address ::ffff:127\.0\.0\.1/,
    },
  ]
  for (const { host, why } of privateRedirects) {
    for (const what of ['config', 'layer'] as const) {
      it(`refuses a public registry's ${what} redirect to ${host}`, async () => {
        const image = env.fx.ociSingle
        proxy.setFault({ kind: 'redirect-blob', method: 'GET', host, times: 'always' })
        const r = repo(image.repository, {}, asPublic)
        const fetch =
          what === 'config'
            ? r.config(image.config)
            : r.blob(image.layers[0]!).then((b) => b.body.toArray())
        await assert.rejects(fetch, (err: unknown) => {
          assert.ok(err instanceof RegistryClientError, String(err))
          assert.equal(err.code, 'RedirectRefused')
          assert.match(err.message, /refusing redirect from a public host/)
          assert.match(err.message, why)
          return true
        })
        assert.deepEqual(proxy.redirectTarget.requests(), [])
      })
    }
  }

  it("follows a public registry's redirect to another public address", async () => {
    const image = env.fx.ociSingle
    proxy.setFault({ kind: 'redirect-blob', method: 'GET' })
    const got = await repo(image.repository, {}, asPublic).config(image.config)
    assert.equal(got.digest, image.config.digest)
    assert.equal(proxy.redirectTarget.requests().length, 1)
  })

  it('keeps Authorization on a redirect to the same origin', async () => {
    const image = env.fx.dockerSingle
    proxy.setFault({ kind: 'redirect-blob', target: 'same-origin', method: 'GET' })
    await repo(image.repository).config(image.config)
    const blobs = proxy.requests().filter((r) => r.path.includes('blob'))
    assert.ok(blobs.length >= 2, JSON.stringify(blobs))
    assert.ok(blobs.every((r) => r.hadAuthorization))
  })

  it('follows Link pagination beyond one page', async () => {
    proxy.setFault({ kind: 'paginate-tags', pageSize: 40 })
    const tags = await repo(env.fx.manyTags.repository).tags()
    assert.deepEqual(tags, env.fx.manyTags.tags)
    const pages = proxy.requests().filter((r) => r.path.includes('/tags/list') && r.status === 200)
    assert.equal(pages.length, 4)
  })

  it('falls back to GET when HEAD is refused, and remembers the host', async () => {
    const image = env.fx.ociSingle
    proxy.setFault({ kind: 'status', status: 405, method: 'HEAD', times: 'always' })
    const r = repo(image.repository)
    const first = await r.resolveTag(image.tag)
    assert.equal(first.via, 'GET')
    assert.equal(first.digest, image.digest)
    proxy.clearRequests()
    const second = await r.resolveTag(image.tag)
    assert.equal(second.via, 'GET')
    assert.equal(proxy.requests().filter((x) => x.method === 'HEAD').length, 0)
  })

  it('times out on a registry that never sends headers, and honours an AbortSignal', async () => {
    const image = env.fx.ociSingle
    proxy.setFault({ kind: 'slow-headers', ms: 20_000, method: 'HEAD', times: 'always' })
    const slow = repo(image.repository, {
      retry: { attempts: 1, baseMs: 10, maxMs: 10 },
      attemptDeadlineMs: 500,
    })
    await assert.rejects(slow.resolveTag(image.tag), (err: unknown) => {
      assert.ok(err instanceof RegistryClientError)
      assert.equal(err.code, 'Timeout')
      return true
    })
    const controller = new AbortController()
    const pending = repo(image.repository).resolveTag(image.tag, { signal: controller.signal })
    setImmediate(() => controller.abort(new Error('user cancelled')))
    await assert.rejects(pending, /user cancelled/)
  })
})
