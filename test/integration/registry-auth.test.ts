/**
 * The registry client against real docker-registry instances in all three auth modes:
 * anonymous and credentialed tokens, Basic, plain HTTP, credential matching and rotation.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keyringFromDockerConfig } from '../../src/credentials/index.js'
import { AuthError, TransportError, inspect } from '../../src/registry/index.js'
import { useRegistry } from '../harness/index.js'
import { configKeyring, secretKeyring, testClient } from './support.js'

describe('token-auth registry', () => {
  const env = useRegistry(
    {
      auth: 'token',
      token: {
        users: {
          alice: { password: 'alice-pass', grants: { 'team-a/*': ['pull'] } },
          bob: { password: 'bob-pass', grants: { 'team-b/*': ['pull'] } },
          carol: { password: 'carol-pass', grants: { '*': ['pull'] } },
        },
        anonymous: ['public/*'],
        refreshTokens: { 'refresh-carol': 'carol' },
      },
    },
    { perRepository: true },
  )

  it('pulls a public repository anonymously', async () => {
    const { client, agents } = testClient(env.reg)
    const repo = client.repository({ registry: env.reg.host, repository: 'public/base' })
    const result = await inspect(repo, { tag: '1.0' })
    assert.equal(result.images[0]?.digest, env.fx.perRepository!.publicBase.digest)
    assert.equal(repo.credentialSource, undefined)
    await agents.close()
  })

  it('refuses a private repository without credentials, saying none matched', async () => {
    const { client, agents } = testClient(env.reg)
    const repo = client.repository({ registry: env.reg.host, repository: 'team-a/app' })
    await assert.rejects(repo.resolveTag('v1'), (err: unknown) => {
      assert.ok(err instanceof AuthError)
      assert.equal(err.code, 'Unauthorized')
      assert.match(err.message, /team-a\/app/)
      assert.match(err.message, /no credential matched/)
      return true
    })
    await agents.close()
  })

  it('gives a user without pull rights an Unauthorized result naming the repository and key', async () => {
    const { client, agents } = testClient(env.reg)
    const keyring = secretKeyring([['ns/alice', env.reg.host, 'alice:alice-pass']])
    const repo = client.repository({ registry: env.reg.host, repository: 'team-b/app', keyring })
    await assert.rejects(repo.resolveTag('v1'), (err: unknown) => {
      assert.ok(err instanceof AuthError)
      assert.equal(err.code, 'Unauthorized')
      assert.match(err.message, /team-b\/app/)
      assert.match(err.message, /ns\/alice/)
      assert.deepEqual(
        err.attempts.map((a) => a.source?.secret),
        ['ns/alice'],
      )
      return true
    })
    await agents.close()
  })

  it('prefers the path-specific credential (host/team-a beats host)', async () => {
    const { client, agents } = testClient(env.reg)
    const keyring = secretKeyring([
      ['ns/bob', env.reg.host, 'bob:bob-pass'],
      ['ns/alice', `${env.reg.host}/team-a`, 'alice:alice-pass'],
    ])
    env.reg.tokenServer!.clearRequests()
    const teamA = client.repository({ registry: env.reg.host, repository: 'team-a/app', keyring })
    const resolved = await teamA.resolveTag('v1')
    assert.equal(resolved.digest, env.fx.perRepository!.teamA.digest)
    assert.deepEqual(teamA.credentialSource, { secret: 'ns/alice', key: `${env.reg.host}/team-a` })
    const users = env.reg.tokenServer!.requests().map((r) => r.claimedUser)
    assert.ok(!users.includes('bob'), `bob was tried first: ${users.join(',')}`)
    const teamB = client.repository({ registry: env.reg.host, repository: 'team-b/app', keyring })
    await teamB.resolveTag('v1')
    assert.deepEqual(teamB.credentialSource, { secret: 'ns/bob', key: env.reg.host })
    await agents.close()
  })

  it('falls back to the second matching credential after a 401', async () => {
    const { client, agents } = testClient(env.reg)
    const keyring = secretKeyring([
      ['ns/wrong-password', env.reg.host, 'alice:not-her-password'],
      ['ns/no-rights', env.reg.host, 'bob:bob-pass'],
      ['ns/carol', env.reg.host, 'carol:carol-pass'],
    ])
    const repo = client.repository({ registry: env.reg.host, repository: 'team-a/app', keyring })
    const result = await inspect(repo, { tag: 'v1' })
    assert.equal(result.images[0]?.digest, env.fx.perRepository!.teamA.digest)
    assert.equal(repo.credentialSource?.secret, 'ns/carol')
    await agents.close()
  })

  it('uses an identitytoken through the OAuth2 refresh-token flow', async () => {
    const { client, agents } = testClient(env.reg)
    const config = { auths: { [env.reg.host]: { identitytoken: 'refresh-carol' } } }
    const { keyring } = keyringFromDockerConfig(JSON.stringify(config), 'auth.json')
    env.reg.tokenServer!.clearRequests()
    const repo = client.repository({ registry: env.reg.host, repository: 'team-b/app', keyring })
    const resolved = await repo.resolveTag('v1')
    assert.equal(resolved.digest, env.fx.perRepository!.teamB.digest)
    const posts = env.reg.tokenServer!.requests().filter((r) => r.method === 'POST')
    assert.equal(posts[0]?.authMethod, 'refresh_token')
    assert.equal(posts[0]?.user, 'carol')
    await agents.close()
  })

  it('fetches one token for many concurrent requests (single flight)', async () => {
    const { client, agents } = testClient(env.reg)
    const keyring = secretKeyring([['ns/carol', env.reg.host, 'carol:carol-pass']])
    env.reg.tokenServer!.clearRequests()
    const repo = client.repository({ registry: env.reg.host, repository: 'many/tags', keyring })
    const tags = env.fx.manyTags.tags.slice(0, 40)
    const resolved = await Promise.all(tags.map((t) => repo.resolveTag(t)))
    assert.ok(resolved.every((r) => r.digest === env.fx.manyTags.digest))
    assert.equal(env.reg.tokenServer!.requests().length, 1)
    await agents.close()
  })
})

describe('Basic-auth registry', () => {
  const env = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })

  for (const spelling of ['HOST', 'https://HOST', 'https://HOST/v2/']) {
    it(`accepts the config key written ${spelling}`, async () => {
      const { client, agents } = testClient(env.reg)
      const key = spelling.replace('HOST', env.reg.host)
      const keyring = configKeyring({ [key]: 'alice:alice-pass' })
      const repo = client.repository({
        registry: env.reg.host,
        repository: 'single/oci-tool',
        keyring,
      })
      const result = await inspect(repo, { tag: '1.0' })
      assert.equal(result.images[0]?.digest, env.fx.ociSingle.digest)
      assert.equal(repo.credentialSource?.key, key)
      await agents.close()
    })
  }

  it('reports a wrong password with the key it used', async () => {
    const { client, agents } = testClient(env.reg)
    const keyring = configKeyring({ [`https://${env.reg.host}`]: 'alice:wrong' }, '/tmp/auth.json')
    const repo = client.repository({
      registry: env.reg.host,
      repository: 'single/oci-tool',
      keyring,
    })
    await assert.rejects(repo.resolveTag('1.0'), (err: unknown) => {
      assert.ok(err instanceof AuthError)
      assert.match(err.message, new RegExp(`https://${env.reg.host.replace(/\./g, '\\.')}`))
      assert.match(err.message, /auth\.json/)
      assert.ok(!err.message.includes('wrong'), 'the password leaked into the message')
      return true
    })
    await agents.close()
  })

  it('with insecure, skips verification over HTTPS and does not fall back on a 401', async () => {
    const { client, agents } = testClient(undefined)
    const repo = client.repository({
      registry: env.reg.host,
      repository: 'single/oci-tool',
      insecure: true,
    })
    await assert.rejects(repo.resolveTag('1.0'), AuthError)
    const keyring = configKeyring({ [env.reg.host]: 'alice:alice-pass' })
    const ok = client.repository({
      registry: env.reg.host,
      repository: 'single/oci-tool',
      keyring,
      insecure: true,
    })
    assert.equal((await ok.resolveTag('1.0')).digest, env.fx.ociSingle.digest)
    await agents.close()
  })

  it('without the CA and not insecure, fails with a certificate hint', async () => {
    const { client, agents } = testClient(undefined)
    const repo = client.repository({ registry: env.reg.host, repository: 'single/oci-tool' })
    await assert.rejects(repo.resolveTag('1.0'), (err: unknown) => {
      assert.ok(err instanceof TransportError)
      assert.match(err.message, /not trusted/)
      return true
    })
    await agents.close()
  })
})

describe('plain-HTTP registry', () => {
  const env = useRegistry({ auth: 'none' })

  it('is refused without insecure, with a hint, and never downgraded', async () => {
    const { client, agents } = testClient(env.reg)
    const repo = client.repository({ registry: env.reg.host, repository: 'single/docker-tool' })
    env.reg.clearAccessLog()
    await assert.rejects(repo.resolveTag('1.0'), (err: unknown) => {
      assert.ok(err instanceof TransportError)
      assert.match(err.message, /does not speak HTTPS/)
      return true
    })
    assert.deepEqual(await env.reg.accessLogSettled(), [])
    await agents.close()
  })

  it('is reached over plain HTTP when insecure, after the TLS attempt fails', async () => {
    const { client, agents } = testClient(env.reg)
    const repo = client.repository({
      registry: env.reg.host,
      repository: 'single/docker-tool',
      insecure: true,
    })
    const result = await inspect(repo, { tag: '1.0' })
    assert.equal(result.images[0]?.digest, env.fx.dockerSingle.digest)
    await agents.close()
  })
})
