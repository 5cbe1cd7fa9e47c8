import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { CommandIO } from '../cli/io.js'
import { runImageInfo } from './image-info.js'

function capture(env: Record<string, string> = {}): CommandIO & { out(): string; err(): string } {
  let out = ''
  let err = ''
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    now: () => new Date('2024-05-06T13:00:00Z'),
    out: () => out,
    err: () => err,
  }
}

// Every case fails before any network access, so none needs a registry.
void describe('runImageInfo argument validation', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isctl-image-info-'))
    await writeFile(join(dir, 'not-json.json'), '{')
  })
  after(async () => rm(dir, { recursive: true, force: true }))

  const cases: {
    name: string
    args: () => string[]
    env?: Record<string, string>
    stderr: RegExp
  }[] = [
    {
      name: 'no IMAGE',
      args: () => [],
      stderr: /^error: info expects at least one argument, an image pull spec\n$/,
    },
    {
      name: 'an unknown flag',
      args: () => ['--bogus', 'busybox'],
      stderr: /^error: unknown option '--bogus'/,
    },
    {
      name: 'an invalid reference',
      args: () => ['busybox', 'Upper/Case'],
      stderr: /^error: invalid image reference "Upper\/Case": .+\n$/,
    },
    {
      name: 'a --filter-by-os that is not OS/ARCH[/VARIANT]',
      args: () => ['--filter-by-os=linux', 'busybox'],
      stderr:
        /^error: invalid platform "linux": expected OS\/ARCH\[\/VARIANT\], e\.g\. linux\/arm64\n$/,
    },
    {
      name: 'an unsupported output',
      args: () => ['-o', 'yaml', 'busybox'],
      stderr: /^error: unrecognized --output, only 'json' is supported\n$/,
    },
    {
      name: 'a --registry-config that does not exist',
      args: () => ['--registry-config', join(dir, 'missing.json'), 'busybox'],
      stderr:
        /^error: unable to load --registry-config: .*missing\.json: no such file or directory\n$/,
    },
    {
      name: 'a $REGISTRY_AUTH_FILE that does not exist',
      args: () => ['busybox'],
      env: { REGISTRY_AUTH_FILE: '/nonexistent/auth.json' },
      stderr:
        /^error: unable to load \$REGISTRY_AUTH_FILE: \/nonexistent\/auth\.json: no such file/,
    },
    {
      name: 'an --additional-trusted-ca that cannot be read',
      args: () => [
        '--registry-config',
        join(dir, 'not-json.json'),
        '--additional-trusted-ca',
        dir,
        'busybox',
      ],
      // The malformed config is a warning (its credentials are skipped), the CA an error.
      stderr:
        /^warning: .*not-json\.json.*\nerror: unable to read --additional-trusted-ca: .*: is a directory\n$/,
    },
  ]
  for (const c of cases) {
    void it(`exits 1 on ${c.name}`, async () => {
      const io = capture(c.env)
      assert.equal(await runImageInfo(c.args(), io), 1)
      assert.match(io.err(), c.stderr)
      assert.equal(io.out(), '')
    })
  }

  void it('prints help and exits 0 on --help', async () => {
    const io = capture()
    assert.equal(await runImageInfo(['--help'], io), 0)
    for (const flag of [
      '--registry-config',
      '--insecure',
      '--filter-by-os',
      '--show-multiarch',
      '--output',
      '--additional-trusted-ca',
    ]) {
      assert.ok(io.out().includes(flag), flag)
    }
  })
})

/** A minimal plain-HTTP registry serving fixed manifests and blobs from memory. */
async function fakeRegistry(): Promise<{
  host: string
  digests: Record<string, string>
  close(): Promise<void>
}> {
  const { createServer } = await import('node:http')
  const { createHash } = await import('node:crypto')
  const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`
  const blobs = new Map<string, Buffer>()
  const manifests = new Map<string, { type: string; body: Buffer }>()
  const put = (
    type: string,
    value: object,
  ): { digest: string; size: number; mediaType: string } => {
    const body = Buffer.from(JSON.stringify(value))
    manifests.set(sha(body), { type, body })
    return { mediaType: type, digest: sha(body), size: body.length }
  }
  const blob = (value: object | string, mediaType: string) => {
    const body = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))
    blobs.set(sha(body), body)
    return { mediaType, digest: sha(body), size: body.length }
  }
  const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
  const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
  const image = (architecture: string) =>
    put(OCI_MANIFEST, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: blob(
        { architecture, os: 'linux', created: '2024-05-01T12:00:00Z', config: { Cmd: ['/run'] } },
        'application/vnd.oci.image.config.v1+json',
      ),
      layers: [blob(`layer of ${architecture}`, 'application/vnd.oci.image.layer.v1.tar+gzip')],
    })
  const amd64 = image('amd64')
  const arm64 = image('arm64')
  const attestation = {
    ...put(OCI_MANIFEST, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: blob({}, 'application/vnd.oci.image.config.v1+json'),
      layers: [],
    }),
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
  }
  const index = (children: object[]) =>
    put(OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: children })
  const multi = index([
    { ...amd64, platform: { os: 'linux', architecture: 'amd64' } },
    { ...arm64, platform: { os: 'linux', architecture: 'arm64' } },
    attestation,
  ])
  const one = index([{ ...amd64, platform: { os: 'linux', architecture: 'amd64' } }, attestation])
  const tags: Record<string, string> = {
    single: amd64.digest,
    multi: multi.digest,
    one: one.digest,
  }

  const server = createServer((req, res) => {
    const url = req.url ?? ''
    const m = /^\/v2\/app\/(manifests|blobs)\/(.+)$/.exec(url)
    if (url === '/v2/') return res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    const ref = m?.[2] ?? ''
    if (m?.[1] === 'manifests') {
      const found = manifests.get(tags[ref] ?? ref)
      if (found) {
        res.writeHead(200, {
          'content-type': found.type,
          'docker-content-digest': sha(found.body),
          'content-length': found.body.length,
        })
        return res.end(req.method === 'HEAD' ? undefined : found.body)
      }
    }
    const body = m?.[1] === 'blobs' ? blobs.get(ref) : undefined
    if (body) return res.writeHead(200).end(body)
    res.writeHead(404, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    host: `127.0.0.1:${port}`,
    digests: { amd64: amd64.digest, arm64: arm64.digest, multi: multi.digest, one: one.digest },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

void describe('runImageInfo against a registry', () => {
  let reg: Awaited<ReturnType<typeof fakeRegistry>>
  before(async () => {
    reg = await fakeRegistry()
  })
  after(async () => reg.close())

  const cases: {
    name: string
    args: () => string[]
    code: number
    stdout?: () => RegExp[]
    notStdout?: () => RegExp[]
    stderr?: () => RegExp[]
  }[] = [
    {
      name: 'a single image is described',
      args: () => [`${reg.host}/app:single`],
      code: 0,
      stdout: () => [
        new RegExp(`^Name: +${reg.host}/app:single\nDigest: +${reg.digests.amd64}\n`),
        /\nArch: +amd64\nCommand: +\/run\n\n$/,
      ],
      notStdout: () => [/Manifest List:/],
    },
    {
      name: 'an image pulled by its own digest has no Digest line',
      args: () => [`${reg.host}/app@${reg.digests.amd64}`],
      code: 0,
      stdout: () => [new RegExp(`^Name: +${reg.host}/app@${reg.digests.amd64}\nMedia Type:`)],
    },
    {
      name: 'a list of several images is refused with the choices, attestations left out',
      args: () => [`${reg.host}/app:multi`],
      code: 1,
      stderr: () => [
        new RegExp(
          `^error: the image is a manifest list and contains multiple images - use --filter-by-os to select from:\n\n` +
            `  OS +DIGEST\n  linux/amd64 ${reg.digests.amd64}\n  linux/arm64 ${reg.digests.arm64}\n\n$`,
        ),
      ],
    },
    {
      name: '--filter-by-os picks the child and names the list',
      args: () => ['--filter-by-os', 'linux/aarch64', `${reg.host}/app@${reg.digests.multi}`],
      code: 0,
      stdout: () => [
        new RegExp(`\nDigest: +${reg.digests.arm64}\nManifest List: ${reg.digests.multi}\n`),
        /\nArch: +arm64\n/,
      ],
    },
    {
      name: '--filter-by-os for a platform the list lacks',
      args: () => ['--filter-by-os', 'linux/s390x', `${reg.host}/app:multi`],
      code: 1,
      stderr: () => [
        /^error: .*has no image for linux\/s390x \(it has linux\/amd64, linux\/arm64\)\n$/,
      ],
    },
    {
      name: 'a list holding one image (and an attestation) shows that image',
      args: () => [`${reg.host}/app:one`],
      code: 0,
      stdout: () => [
        new RegExp(`\nDigest: +${reg.digests.amd64}\nManifest List: ${reg.digests.one}\n`),
      ],
    },
    {
      name: '--show-multiarch describes every image child in list order',
      args: () => ['--show-multiarch', `${reg.host}/app:multi`],
      code: 0,
      stdout: () => [/Arch: +amd64\n(.|\n)*\n\nName:(.|\n)*Arch: +arm64\n/],
    },
    {
      name: '--show-multiarch -o json is an array of the image children',
      args: () => ['--show-multiarch', '-o', 'json', `${reg.host}/app:multi`],
      code: 0,
      stdout: () => [
        new RegExp(
          `^\\[\n {2}\\{\n {4}"name": "${reg.host}/app:multi",\n {4}"digest": "${reg.digests.amd64}"`,
        ),
        new RegExp(
          `"listDigest": "${reg.digests.multi}"(.|\n)*"listDigest": "${reg.digests.multi}"`,
        ),
      ],
    },
    {
      name: 'a missing tag',
      args: () => [`${reg.host}/app:nope`],
      code: 1,
      stderr: () => [/^error: manifest nope not found in .*\/app \(MANIFEST_UNKNOWN\)\n$/],
    },
  ]
  for (const c of cases) {
    void it(c.name, async () => {
      const io = capture()
      const code = await runImageInfo(['--insecure', ...c.args()], io)
      assert.equal(code, c.code, io.err())
      for (const re of c.stdout?.() ?? []) assert.match(io.out(), re)
      for (const re of c.notStdout?.() ?? []) assert.doesNotMatch(io.out(), re)
      for (const re of c.stderr?.() ?? []) assert.match(io.err(), re)
      if (!c.stderr) assert.equal(io.err(), '')
    })
  }
})
