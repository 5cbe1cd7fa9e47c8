/**
 * Streamed blob reads from a real registry, directly and through the fault proxy: verified
 * layers, HEAD sizes, missing blobs, redirects to another origin and corrupt bodies.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { after, before, beforeEach, describe, it } from 'node:test'
import {
  DigestMismatchError,
  RegistryClientError,
  type Repository,
} from '../../src/registry/index.js'
import { startFaultProxy, useRegistry, type FaultProxy } from '../harness/index.js'
import { configKeyring, testClient } from './support.js'

/** sha256 reads a stream to its end and returns its digest and length. */
async function sha256(body: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of body) {
    hash.update(chunk as Buffer)
    size += (chunk as Buffer).length
  }
  return { digest: `sha256:${hash.digest('hex')}`, size }
}

describe('registry blobs', () => {
  const env = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  let proxy: FaultProxy
  const closers: (() => Promise<void>)[] = []
  let direct: (name: string) => Repository
  let proxied: (name: string) => Repository

  before(async () => {
    proxy = await startFaultProxy({ upstream: env.reg })
    const { client, agents } = testClient(env.reg)
    closers.push(() => agents.close())
    const keyring = configKeyring({
      [env.reg.host]: 'alice:alice-pass',
      [proxy.host]: 'alice:alice-pass',
    })
    direct = (name) => client.repository({ registry: env.reg.host, repository: name, keyring })
    proxied = (name) => client.repository({ registry: proxy.host, repository: name, keyring })
  })
  beforeEach(() => {
    proxy.setFault(undefined)
    proxy.clearRequests()
  })
  after(async () => {
    await Promise.all(closers.map((c) => c()))
    await proxy?.stop()
  })

  it('streams every layer and the config of an image, verified', async () => {
    const image = env.fx.ociSingle
    for (const d of [...image.layers, image.config]) {
      const got = await direct(image.repository).blob(d)
      assert.equal(got.size, d.size)
      assert.deepEqual(await sha256(got.body), { digest: d.digest, size: d.size })
    }
  })

  it('reads the size of a layer with a HEAD', async () => {
    const layer = env.fx.ociSingle.layers[0]!
    const { digest } = layer
    assert.deepEqual(await direct(env.fx.ociSingle.repository).blobHead({ digest }), {
      digest,
      size: layer.size,
    })
  })

  it("reports a missing blob as NotFound with the registry's BLOB_UNKNOWN", async () => {
    const digest = `sha256:${'0'.repeat(64)}`
    await assert.rejects(direct(env.fx.ociSingle.repository).blob({ digest }), (e: unknown) => {
      assert.ok(e instanceof RegistryClientError)
      assert.equal(e.code, 'NotFound')
      assert.deepEqual(
        e.diagnostics.map((d) => d.code),
        ['BLOB_UNKNOWN'],
      )
      return true
    })
  })

  const redirects = [
    { target: 'other-origin', authorizedAtTarget: false },
    { target: 'same-origin', authorizedAtTarget: true },
  ] as const
  for (const c of redirects) {
    it(`follows a blob redirect to the ${c.target}, Authorization only on the same origin`, async () => {
      const image = env.fx.ociSingle
      const layer = image.layers[0]!
      proxy.setFault({ kind: 'redirect-blob', target: c.target, method: 'GET' })
      const got = await proxied(image.repository).blob(layer)
      assert.deepEqual(await sha256(got.body), { digest: layer.digest, size: layer.size })
      const redirected = proxy.requests().filter((r) => r.status === 307)
      assert.equal(redirected.length, 1)
      assert.equal(redirected[0]?.hadAuthorization, true)
      const landed =
        c.target === 'same-origin'
          ? proxy.requests().filter((r) => r.path.startsWith('/_redirected/'))
          : proxy.redirectTarget.requests()
      assert.ok(landed.length >= 1)
      for (const r of landed) assert.equal(r.hadAuthorization, c.authorizedAtTarget)
    })
  }

  it('errors a corrupt layer body with DigestMismatchError at its end', async () => {
    const image = env.fx.ociSingle
    const layer = image.layers[0]!
    proxy.setFault({ kind: 'corrupt-body', method: 'GET', path: /\/blobs\// })
    const got = await proxied(image.repository).blob(layer)
    await assert.rejects(sha256(got.body), (e: unknown) => {
      assert.ok(e instanceof DigestMismatchError)
      assert.equal(e.expected, layer.digest)
      return true
    })
  })
})
