/**
 * `isctl image info` end to end: the built binary against real registries, cross-checked with
 * real skopeo, with docker config files written the ways users write them.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  CommandError,
  createTestCA,
  makeTempDir,
  removeTempDir,
  ISCTL_BIN,
  runCommand,
  useRegistry,
  type CommandResult,
} from '../harness/index.js'

async function isctl(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  try {
    return await runCommand(process.execPath, [ISCTL_BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env },
    })
  } catch (err) {
    if (err instanceof CommandError) return err.result
    throw err
  }
}

describe('isctl image info', () => {
  const env = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  let dir: string
  const config = (auths: Record<string, string>): string => {
    const path = join(dir, `config-${Object.keys(auths).join('').replace(/\W/g, '_')}.json`)
    const entries = Object.fromEntries(
      Object.entries(auths).map(([k, up]) => [k, { auth: Buffer.from(up).toString('base64') }]),
    )
    writeFileSync(path, JSON.stringify({ auths: entries }))
    return path
  }

  before(() => {
    dir = makeTempDir('isctl-e2e-')
  })
  after(() => removeTempDir(dir))

  const trustCA = () => ['--additional-trusted-ca', env.reg.ca!.caCertPath]
  /** imageInfo runs `isctl image info` trusting the registry's CA, with `auths` as its config. */
  const imageInfo = (auths: Record<string, string>, args: readonly string[]) =>
    isctl(['image', 'info', ...trustCA(), `--registry-config=${config(auths)}`, ...args])

  it('--filter-by-os prints the child digest skopeo sees', async () => {
    const list = env.fx.ociIndex.reference
    const res = await imageInfo({ [env.reg.host]: 'alice:alice-pass' }, [
      '--filter-by-os=linux/arm64',
      list,
    ])
    assert.equal(res.code, 0, res.stderr)
    const skopeo = (ref: string) =>
      runCommand('skopeo', [
        'inspect',
        '--raw',
        '--cert-dir',
        env.reg.ca!.certDir,
        '--creds',
        'alice:alice-pass',
        `docker://${ref}`,
      ])
    const raw = JSON.parse((await skopeo(list)).stdout) as {
      manifests: { digest: string; platform: { architecture: string } }[]
    }
    const entry = raw.manifests.find((m) => m.platform.architecture === 'arm64')!
    const child = await skopeo(`${env.reg.host}/${env.fx.ociIndex.repository}@${entry.digest}`)
    const hashed = `sha256:${createHash('sha256').update(child.stdout).digest('hex')}`
    assert.equal(hashed, entry.digest)
    assert.match(res.stdout, new RegExp(`^Digest:\\s+${hashed}$`, 'm'))
    assert.match(res.stdout, /^Arch:\s+arm64$/m)
  })

  it('loads none of the builtins its bundle defers', async () => {
    // scripts/bundle-cli.ts keeps these out of a run: ~16 ms of every `isctl image info`.
    const loadedList = join(dir, 'modules.json')
    const preload = join(dir, 'record-modules.cjs')
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loadedList)}, JSON.stringify(process.moduleLoadList)))`,
    )
    const res = await isctl(
      [
        'image',
        'info',
        ...trustCA(),
        `--registry-config=${config({ [env.reg.host]: 'alice:alice-pass' })}`,
        env.fx.ociSingle.reference,
      ],
      { NODE_OPTIONS: `--require=${preload}` },
    )
    assert.equal(res.code, 0, res.stderr)
    const loaded = JSON.parse(readFileSync(loadedList, 'utf8')) as string[]
    assert.ok(loaded.includes('NativeModule tls'), 'the record misses the run')
    for (const name of ['child_process', 'http', 'http2', 'fs/promises']) {
      assert.ok(!loaded.includes(`NativeModule ${name}`), `node:${name} was loaded`)
    }
  })

  it('trusts the system roots as well as --additional-trusted-ca', async () => {
    // NODE_EXTRA_CA_CERTS adds the registry's CA to Node's roots; the extra CA is another one.
    const other = await createTestCA(join(dir, 'other-ca'))
    const args = (ca: string) => [
      'image',
      'info',
      '--additional-trusted-ca',
      ca,
      `--registry-config=${config({ [env.reg.host]: 'alice:alice-pass' })}`,
      env.fx.ociSingle.reference,
    ]
    const viaRoots = await isctl(args(other.caCertPath), {
      NODE_EXTRA_CA_CERTS: env.reg.ca!.caCertPath,
    })
    assert.equal(viaRoots.code, 0, viaRoots.stderr)
    assert.match(viaRoots.stdout, new RegExp(`^Digest:\\s+${env.fx.ociSingle.digest}$`, 'm'))
    const untrusted = await isctl(args(other.caCertPath))
    assert.notEqual(untrusted.code, 0)
    assert.match(untrusted.stderr, /certificate is not trusted/)
  })

  it('without a filter, says the image is a manifest list and lists its platforms', async () => {
    const res = await imageInfo({ [env.reg.host]: 'alice:alice-pass' }, [
      env.fx.dockerList.reference,
    ])
    assert.notEqual(res.code, 0)
    const text = res.stdout + res.stderr
    assert.match(text, /manifest list/)
    for (const c of env.fx.dockerList.children.filter((c) => !c.attestation)) {
      assert.ok(text.includes(c.digest), `missing ${c.digest}`)
    }
    const attestation = env.fx.dockerList.children.find((c) => c.attestation)!
    assert.ok(!text.includes(attestation.digest), 'the attestation is listed as a platform')
  })

  it('--show-multiarch prints every platform', async () => {
    const res = await imageInfo({ [env.reg.host]: 'alice:alice-pass' }, [
      '--show-multiarch',
      env.fx.ociIndex.reference,
    ])
    assert.equal(res.code, 0, res.stderr)
    const arches = [...res.stdout.matchAll(/^Arch:\s+(\S+)$/gm)].map((m) => m[1])
    assert.deepEqual(arches.sort(), ['amd64', 'arm', 'arm64', 'ppc64le'])
    for (const c of env.fx.ociIndex.children.filter((c) => !c.attestation)) {
      assert.ok(res.stdout.includes(c.digest), `missing ${c.digest}`)
    }
  })

  for (const spelling of ['HOST', 'https://HOST', 'https://HOST/v2/']) {
    it(`authenticates with the config key written ${spelling}`, async () => {
      const res = await imageInfo(
        { [spelling.replace('HOST', env.reg.host)]: 'alice:alice-pass' },
        [env.fx.dockerSingle.reference],
      )
      assert.equal(res.code, 0, res.stderr)
      assert.match(res.stdout, new RegExp(`^Digest:\\s+${env.fx.dockerSingle.digest}$`, 'm'))
      assert.match(
        res.stdout,
        /^Media Type:\s+application\/vnd\.docker\.distribution\.manifest\.v2\+json$/m,
      )
    })
  }

  it('reads $REGISTRY_AUTH_FILE and prints JSON with -o json', async () => {
    const cfg = config({ [`https://${env.reg.host}`]: 'alice:alice-pass' })
    const res = await isctl(
      ['image', 'info', ...trustCA(), '-o', 'json', env.fx.ociSingle.reference],
      { REGISTRY_AUTH_FILE: cfg },
    )
    assert.equal(res.code, 0, res.stderr)
    const doc = JSON.parse(res.stdout) as Record<string, unknown>
    assert.ok(JSON.stringify(doc).includes(env.fx.ociSingle.digest))
  })

  it('a wrong password is an authentication error naming the key, with a non-zero exit', async () => {
    const key = `https://${env.reg.host}/v2/`
    const res = await imageInfo({ [key]: 'alice:wrong-password' }, [env.fx.ociSingle.reference])
    assert.notEqual(res.code, 0)
    assert.match(res.stderr, /^error: /m)
    assert.ok(res.stderr.includes(key), res.stderr)
    assert.ok(res.stderr.includes(env.reg.host))
    assert.ok(!res.stderr.includes('wrong-password'))
  })

  it('without credentials says none matched', async () => {
    const res = await isctl(['image', 'info', ...trustCA(), env.fx.ociSingle.reference])
    assert.notEqual(res.code, 0)
    assert.match(res.stderr, /no credential matched/)
  })

  it('rejects a registry host and port without a repository', async () => {
    const res = await isctl(['image', 'info', env.reg.host])
    assert.notEqual(res.code, 0)
    assert.match(res.stderr, /repository/)
  })
})

describe('isctl image info --insecure', () => {
  const env = useRegistry({ auth: 'none' })

  it('refuses a plain-HTTP registry without --insecure and names the way out', async () => {
    const res = await isctl(['image', 'info', env.fx.dockerSingle.reference])
    assert.notEqual(res.code, 0)
    assert.match(res.stderr, /does not speak HTTPS/)
    assert.match(res.stderr, /--insecure/)
  })

  it('reaches it over HTTP with --insecure', async () => {
    const res = await isctl(['image', 'info', '--insecure', env.fx.dockerSingle.reference])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, new RegExp(`^Digest:\\s+${env.fx.dockerSingle.digest}$`, 'm'))
  })
})
