/**
 * `isctl registry info` and `isctl registry login` against a real `isctl serve`: the hostname
 * read off a stream's status (public first) or the server's address, credentials checked against
 * the registry's `/v2/` and saved where real skopeo then reads them.
 */
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  adminCredentials,
  makeTempDir,
  removeTempDir,
  runCommand,
  succeeded,
  useServe,
} from '../harness/index.js'

const PUBLIC = 'registry.public.test:8443'

describe('isctl registry', () => {
  const suite = useServe(() => ['--registry-public-hostname', PUBLIC])
  let dir: string
  let certDir: string
  let host: string
  let token: string

  before(async () => {
    dir = makeTempDir('cli-registry')
    certDir = join(dir, 'certs')
    mkdirSync(certDir)
    const admin = adminCredentials(suite.kubeconfig)
    copyFileSync(admin.caFile, join(certDir, 'ca.crt'))
    token = admin.token
    host = new URL(suite.server.address).host
    await succeeded(suite.kubectl(['create', 'namespace', 'team-a']))
    await succeeded(suite.kubectl(['create', 'namespace', 'empty']))
    const stream = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'app' },
    }
    await succeeded(suite.kubectl(['create', '-n', 'team-a', '-f', '-'], JSON.stringify(stream)))
  })
  after(() => removeTempDir(dir))

  it('info prints the public hostname a stream reports, --internal the internal one', async () => {
    assert.equal(await succeeded(suite.run(['registry', 'info', '-n', 'team-a'])), `${PUBLIC}\n`)
    const internal = await succeeded(suite.run(['registry', 'info', '--internal', '-n', 'team-a']))
    assert.equal(internal, `${host}\n`)
  })

  it('info without any image stream to read falls back to the server address', async () => {
    assert.equal(await succeeded(suite.run(['registry', 'info', '-n', 'empty'])), `${host}\n`)
  })

  it('info refuses --internal with --public', async () => {
    const res = await suite.run(['registry', 'info', '--internal', '--public', '-n', 'team-a'])
    assert.equal(res.code, 1)
    assert.equal(res.stderr, 'error: only one of --internal or --public may be specified\n')
  })

  it('login checks the token, keeps other entries and saves it where skopeo reads it', async () => {
    const file = join(dir, 'auth.json')
    const other = { auths: { 'quay.io': { auth: 'b3RoZXI6c2VjcmV0' } } }
    writeFileSync(file, JSON.stringify(other))
    const args = ['registry', 'login', '--registry', host, '-a', file, '-n', 'team-a']
    const out = await succeeded(suite.run(args))
    assert.equal(out, `Saved credentials for ${host} into ${file}\n`)
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      auths: Record<string, { auth: string }>
    }
    assert.equal(saved.auths['quay.io']?.auth, other.auths['quay.io'].auth)
    assert.equal(Buffer.from(saved.auths[host]!.auth, 'base64').toString(), `user:${token}`)
    assert.equal(statSync(file).mode & 0o777, 0o600)
    const tags = await succeeded(
      runCommand('skopeo', [
        'list-tags',
        '--authfile',
        file,
        '--cert-dir',
        certDir,
        `docker://${host}/team-a/app`,
      ]),
    )
    assert.deepEqual(JSON.parse(tags), { Repository: `${host}/team-a/app`, Tags: [] })
  })

  it('login with credentials the registry refuses fails with its error and saves nothing', async () => {
    const file = join(dir, 'refused.json')
    const res = await suite.run([
      'registry',
      'login',
      '--registry',
      host,
      '--auth-basic',
      'user:not-a-token',
      '-a',
      file,
    ])
    assert.equal(res.code, 1)
    assert.equal(
      res.stderr,
      'error: unable to check your credentials - pass --skip-check to bypass this error: unauthorized: authentication required\n',
    )
    assert.equal(existsSync(file), false)
  })

  it('login without --registry uses the public hostname a stream reports', async () => {
    const file = join(dir, 'public.json')
    const res = await suite.run(['registry', 'login', '--skip-check', '-a', file, '-n', 'team-a'])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stderr, `info: Using registry public hostname ${PUBLIC}\n`)
    assert.equal(res.stdout, `Saved credentials for ${PUBLIC} into ${file}\n`)
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      auths: Record<string, { auth: string }>
    }
    assert.deepEqual(Object.keys(saved.auths), [PUBLIC])
  })

  it('login refuses --auth-basic without a colon', async () => {
    const res = await suite.run(['registry', 'login', '--auth-basic', 'user', '--registry', host])
    assert.equal(res.code, 1)
    assert.equal(res.stderr, 'error: --auth-basic must be in the form user:password\n')
  })
})
