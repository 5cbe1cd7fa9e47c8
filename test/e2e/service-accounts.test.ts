/**
 * Service accounts and their tokens against a real `isctl serve`, driven by the real kubectl as
 * a user would: the accounts every namespace gets (and gets back when one is deleted),
 * `kubectl create sa|serviceaccount`, `kubectl create token` (a protobuf TokenRequest) and a
 * token that `kubectl auth whoami` shows as the account, until the account (or the Secret it is
 * bound to) is deleted, and after a restart; the lifetime cap and floor; the integrated registry
 * telling an unknown token (401) from a known one without rights (403); issuer discovery.
 */
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  adminCredentials,
  kubectl,
  makeTempDir,
  pollUntil,
  registryAnswer,
  removeTempDir,
  startServe,
  stopServe,
  succeeded,
  useServe,
} from '../harness/index.js'

describe('service accounts and tokens with kubectl', () => {
  const suite = useServe()
  const ok = (args: readonly string[]) => succeeded(suite.kubectl(args))
  const uidOf = async (name: string, namespace: string) =>
    ok(['get', 'sa', name, '-n', namespace, '-o', 'jsonpath={.metadata.uid}'])

  /**
   * refused waits until `kubectl auth whoami` refuses `token` as kubectl reports a 401: a
   * deletion reaches the server's token cache through a watch, as in Kubernetes.
   */
  const refused = async (token: string) => {
    let last = { code: 0, stderr: '' }
    await pollUntil('the token to be refused', async () => {
      last = await suite.kubectl(['auth', 'whoami', '--token', token])
      return last.code !== 0
    })
    assert.deepEqual(last, {
      ...last,
      code: 1,
      stderr: 'error: You must be logged in to the server (Unauthorized)\n',
    })
  }

  /** registry sends one request to the server's /v2/ with `authorization`. */
  const registry = (path: string, authorization: string) =>
    registryAnswer(suite.kubeconfig, path, authorization)

  it('gives a new namespace the ServiceAccounts default, builder and deployer', async () => {
    await ok(['create', 'namespace', 'team-a'])
    assert.equal(
      await ok(['get', 'sa', '-n', 'team-a', '-o', 'name']),
      'serviceaccount/builder\nserviceaccount/default\nserviceaccount/deployer\n',
    )
  })

  it('creates ServiceAccounts with kubectl create sa and create serviceaccount', async () => {
    assert.equal(await ok(['create', 'sa', 'ci', '-n', 'team-a']), 'serviceaccount/ci created\n')
    assert.equal(
      await ok(['create', 'serviceaccount', 'robot', '-n', 'team-a']),
      'serviceaccount/robot created\n',
    )
  })

  it('lists serviceaccounts/token in discovery as Kubernetes does', async () => {
    const list = JSON.parse(await ok(['get', '--raw', '/api/v1'])) as {
      resources: { name: string }[]
    }
    assert.deepEqual(
      list.resources.find((r) => r.name === 'serviceaccounts/token'),
      {
        name: 'serviceaccounts/token',
        singularName: '',
        namespaced: true,
        group: 'authentication.k8s.io',
        version: 'v1',
        kind: 'TokenRequest',
        verbs: ['create'],
      },
    )
  })

  it('issues a token kubectl auth whoami shows as the account, until the account is deleted', async () => {
    const token = await ok(['create', 'token', 'ci', '-n', 'team-a', '--duration', '10m'])
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/)
    assert.equal(
      await ok(['auth', 'whoami', '--token', token]),
      'ATTRIBUTE   VALUE\n' +
        'Username    system:serviceaccount:team-a:ci\n' +
        'Groups      [system:serviceaccounts system:serviceaccounts:team-a system:authenticated]\n',
    )

    // The integrated registry: the token is known, and may pull in its own namespace (the
    // system:image-pullers binding: no such stream there) but not in another (403 DENIED); a
    // stranger gets 401.
    for (const authorization of [`Bearer ${token}`, `Basic ${btoa(`any:${token}`)}`]) {
      assert.deepEqual(await registry('/v2/team-a/app/tags/list', authorization), {
        status: 404,
        code: 'NAME_UNKNOWN',
      })
      assert.deepEqual(await registry('/v2/default/app/tags/list', authorization), {
        status: 403,
        code: 'DENIED',
      })
    }
    assert.deepEqual(await registry('/v2/team-a/app/tags/list', 'Bearer not-a-token'), {
      status: 401,
      code: 'UNAUTHORIZED',
    })

    await ok(['delete', 'sa', 'ci', '-n', 'team-a'])
    await refused(token)
    // An account made again under the same name does not bring the token back.
    await ok(['create', 'sa', 'ci', '-n', 'team-a'])
    assert.equal((await suite.kubectl(['auth', 'whoami', '--token', token])).code, 1)
  })

  it('binds a token to a Secret with --bound-object-kind: deleting the Secret revokes it', async () => {
    await ok(['create', 'secret', 'generic', 'robot-token', '--from-literal=a=b', '-n', 'team-a'])
    const token = await ok([
      'create',
      'token',
      'robot',
      '-n',
      'team-a',
      '--bound-object-kind',
      'Secret',
      '--bound-object-name',
      'robot-token',
    ])
    assert.equal(
      await ok(['auth', 'whoami', '--token', token, '-o', 'jsonpath={.status.userInfo.username}']),
      'system:serviceaccount:team-a:robot',
    )
    await ok(['delete', 'secret', 'robot-token', '-n', 'team-a'])
    await refused(token)
  })

  it('shortens a lifetime over the server cap (a year by default) and says so', async () => {
    const res = await suite.kubectl([
      'create',
      'token',
      'robot',
      '-n',
      'team-a',
      '--duration',
      '10000h',
    ])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(
      res.stderr,
      'Warning: requested expiration of 36000000 seconds shortened to 31536000 seconds\n',
    )
    const claims = JSON.parse(Buffer.from(res.stdout.split('.')[1]!, 'base64url').toString()) as {
      iat: number
      exp: number
    }
    assert.equal(claims.exp - claims.iat, 31_536_000)
  })

  it('refuses a lifetime under ten minutes with the apiserver message', async () => {
    const res = await suite.kubectl([
      'create',
      'token',
      'robot',
      '-n',
      'team-a',
      '--duration',
      '1m',
    ])
    assert.equal(res.code, 1)
    assert.equal(
      res.stderr,
      'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: ' +
        'spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes\n',
    )
  })

  it('makes a deleted builder ServiceAccount again, with a new uid', async () => {
    const before = await uidOf('builder', 'team-a')
    await ok(['delete', 'sa', 'builder', '-n', 'team-a'])
    let after = ''
    await pollUntil('builder to be made again', async () => {
      const res = await suite.kubectl([
        'get',
        'sa',
        'builder',
        '-n',
        'team-a',
        '-o',
        'jsonpath={.metadata.uid}',
      ])
      after = res.stdout
      return res.code === 0
    })
    assert.notEqual(after, before)
  })

  it('serves the service account issuer discovery documents', async () => {
    const config = JSON.parse(await ok(['get', '--raw', '/.well-known/openid-configuration'])) as {
      issuer: string
      jwks_uri: string
    }
    assert.equal(config.issuer, 'https://kubernetes.default.svc')
    assert.equal(config.jwks_uri, `${adminCredentials(suite.kubeconfig).server}/openid/v1/jwks`)
    const jwks = JSON.parse(await ok(['get', '--raw', '/openid/v1/jwks'])) as {
      keys: { kty: string; alg: string; use: string; kid: string }[]
    }
    const token = await ok(['create', 'token', 'robot', '-n', 'team-a'])
    const kid = (
      JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as {
        kid: string
      }
    ).kid
    assert.deepEqual(
      jwks.keys.map(({ kty, alg, use, kid }) => ({ kty, alg, use, kid })),
      [{ kty: 'RSA', alg: 'RS256', use: 'sig', kid }],
    )
  })
})

describe('service-account tokens across a restart', () => {
  let dir: string
  before(() => {
    dir = makeTempDir('sa-restart')
  })
  after(() => removeTempDir(dir))

  it('keeps the signing key (0600) in the data dir, so tokens outlive a restart', async () => {
    const dataDir = join(dir, 'data')
    const run = (kubeconfig: string, args: readonly string[]) =>
      succeeded(kubectl(args, { kubeconfig, cacheDir: join(dir, 'cache') }))
    const first = await startServe(dataDir)
    await run(first.kubeconfig, ['create', 'sa', 'ci'])
    const token = await run(first.kubeconfig, ['create', 'token', 'ci'])
    assert.deepEqual(await stopServe(first), { code: 0, signal: null })
    assert.equal(statSync(join(dataDir, 'service-account.key')).mode & 0o777, 0o600)

    const second = await startServe(dataDir)
    try {
      const ready = second.lines().find((l) => l.msg === 'service account signing key ready')
      assert.equal(ready?.state, 'reused')
      assert.equal(
        await run(second.kubeconfig, [
          'auth',
          'whoami',
          '--token',
          token,
          '-o',
          'jsonpath={.status.userInfo.username}',
        ]),
        'system:serviceaccount:default:ci',
      )
    } finally {
      await stopServe(second)
    }
  })
})
