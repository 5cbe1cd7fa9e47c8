/**
 * Import modes and pull-secret types end to end, with the built CLI and kubectl against a real
 * `isctl serve` and real registries: the seed's procedure 6.7.3 (a multi-arch tag imported whole
 * with PreserveOriginal, turned back into its linux/amd64 image by `--from` without
 * `--import-mode`, and whole again with the flag), a bare refresh that keeps the mode, insecure
 * and scheduled settings, the seed's Opaque pull secret named by the failed import, `describe
 * secret` and `secrets link` (and working once recreated as the advice says), and
 * `includeManifest` through `kubectl create -f`.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { succeeded, useRegistry, useServe } from '../harness/index.js'

interface StoredTag {
  spec?: { importPolicy?: { importMode?: string; insecure?: boolean; scheduled?: boolean } }
  image?: string
}

const LINUX_AMD64 = { os: 'linux', architecture: 'amd64' }

describe('import modes and pull-secret types', () => {
  const basic = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  const plain = useRegistry({ auth: 'none' })
  const suite = useServe(() => ['--additional-trusted-ca', basic.reg.ca!.caCertPath])
  const isctl = (ns: string, args: readonly string[]) => suite.run(['-n', ns, ...args])
  const kubectlOk = (args: readonly string[], input?: string) =>
    succeeded(suite.kubectl(args, input))
  const tagOf = async (ns: string, stream: string, tag: string): Promise<StoredTag> => {
    const is = JSON.parse(await kubectlOk(['get', 'is', stream, '-n', ns, '-o', 'json'])) as {
      spec: { tags: ({ name: string } & StoredTag['spec'])[] }
      status: { tags?: { tag: string; items?: { image: string }[] }[] }
    }
    return {
      spec: is.spec.tags.find((t) => t.name === tag),
      image: is.status.tags?.find((t) => t.tag === tag)?.items?.[0]?.image,
    }
  }
  const dockerConfig = () =>
    JSON.stringify({
      auths: { [basic.reg.host]: { auth: Buffer.from('alice:alice-pass').toString('base64') } },
    })

  before(async () => {
    for (const ns of ['seed', 'refresh', 'opaque', 'raw']) {
      await kubectlOk(['create', 'namespace', ns])
    }
    await kubectlOk(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'pull', namespace: 'seed' },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': dockerConfig() },
      }),
    )
  })

  it('runs the seed’s 6.7.3: PreserveOriginal, then --from without the flag is one linux/amd64 image, then the list again', async () => {
    const list = basic.fx.ociIndex
    const amd64 = list.children.find(
      (c) =>
        c.platform.os === LINUX_AMD64.os && c.platform.architecture === LINUX_AMD64.architecture,
    )!
    const from = `--from=${list.reference}`
    const whole = await isctl('seed', [
      'import-image',
      'app:v1',
      from,
      '--import-mode=PreserveOriginal',
      '--confirm',
    ])
    assert.equal(whole.code, 0, whole.stderr)
    assert.ok(whole.stdout.includes('Arch:\t\t<none>\n'))
    assert.ok(whole.stdout.includes('Manifests:\t'))
    let tag = await tagOf('seed', 'app', 'v1')
    assert.equal(tag.spec?.importPolicy?.importMode, 'PreserveOriginal')
    assert.equal(tag.image, list.digest)

    const single = await isctl('seed', ['import-image', 'app:v1', from, '--confirm'])
    assert.equal(single.code, 0, single.stderr)
    assert.ok(single.stdout.includes(`Name:\t\t${amd64.digest}\n`), single.stdout)
    assert.ok(single.stdout.includes('Arch:\t\tamd64\n'))
    assert.ok(!single.stdout.includes('Manifests:'))
    tag = await tagOf('seed', 'app', 'v1')
    assert.equal(tag.spec?.importPolicy?.importMode, 'Legacy')
    assert.equal(tag.image, amd64.digest)
    const istag = JSON.parse(
      await kubectlOk(['get', 'istag', 'app:v1', '-n', 'seed', '-o', 'json']),
    ) as { image: { dockerImageMetadata: { Architecture: string; Os: string } } }
    assert.equal(istag.image.dockerImageMetadata.Architecture, 'amd64')
    assert.equal(istag.image.dockerImageMetadata.Os, 'linux')

    const again = await isctl('seed', [
      'import-image',
      'app:v1',
      from,
      '--import-mode=PreserveOriginal',
      '--confirm',
    ])
    assert.equal(again.code, 0, again.stderr)
    assert.ok(again.stdout.includes('Manifests:\t'))
    tag = await tagOf('seed', 'app', 'v1')
    assert.equal(tag.spec?.importPolicy?.importMode, 'PreserveOriginal')
    assert.equal(tag.image, list.digest)
  })

  it('a bare refresh keeps the tag’s mode, insecure and scheduled settings; --from alone resets only the mode', async () => {
    const list = plain.fx.ociIndex
    const from = `--from=${plain.reg.host}/${list.repository}:${list.tag}`
    const first = await isctl('refresh', [
      'import-image',
      'multi:v1',
      from,
      '--import-mode=PreserveOriginal',
      '--insecure',
      '--scheduled',
      '--confirm',
    ])
    assert.equal(first.code, 0, first.stderr)
    const want = { importMode: 'PreserveOriginal', insecure: true, scheduled: true }
    assert.deepEqual((await tagOf('refresh', 'multi', 'v1')).spec?.importPolicy, want)
    for (let i = 0; i < 2; i++) {
      const refresh = await isctl('refresh', ['import-image', 'multi:v1'])
      assert.equal(refresh.code, 0, refresh.stderr)
      assert.ok(refresh.stdout.includes('Manifests:\t'))
      const tag = await tagOf('refresh', 'multi', 'v1')
      assert.deepEqual(tag.spec?.importPolicy, want)
      assert.equal(tag.image, list.digest)
    }
    const reset = await isctl('refresh', ['import-image', 'multi:v1', from])
    assert.equal(reset.code, 0, reset.stderr)
    assert.deepEqual((await tagOf('refresh', 'multi', 'v1')).spec?.importPolicy, {
      ...want,
      importMode: 'Legacy',
    })
  })

  it('names the seed’s Opaque pull secret when the import fails, warns in describe and secrets link, and works once recreated', async () => {
    const config = dockerConfig()
    const encoded = Buffer.from(config).toString('base64')
    // The seed document's example: a pull secret applied as type Opaque.
    await kubectlOk(
      ['apply', '-f', '-'],
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: registry-credentials',
        '  namespace: opaque',
        'type: Opaque',
        'data:',
        `  .dockerconfigjson: ${encoded}`,
      ].join('\n'),
    )
    const advice =
      'secret "registry-credentials" has a .dockerconfigjson key but type Opaque, so imports ignore it; delete it and create it with type kubernetes.io/dockerconfigjson: isctl create secret generic registry-credentials --from-file=.dockerconfigjson=FILE --type=kubernetes.io/dockerconfigjson'
    const image = basic.fx.ociSingle
    const failed = await isctl('opaque', [
      'import-image',
      'app:v1',
      `--from=${image.reference}`,
      '--confirm',
    ])
    assert.equal(failed.code, 1)
    const { host } = basic.reg
    assert.equal(
      failed.stderr,
      `error: tag v1 failed: you may not have access to the container image "${image.reference}": authentication required to ${host}/${image.repository}: ${host} no credential matched ${host}/${image.repository}, and anonymous access was refused (${advice})\nerror: import completed with errors\n`,
    )
    const described = await isctl('opaque', ['describe', 'is', 'app'])
    assert.equal(described.code, 0, described.stderr)
    assert.ok(described.stdout.includes(`(${advice})`), described.stdout)

    const secret = await isctl('opaque', ['describe', 'secret', 'registry-credentials'])
    assert.equal(secret.code, 0, secret.stderr)
    assert.equal(
      secret.stdout,
      [
        'Name:         registry-credentials',
        'Namespace:    opaque',
        'Labels:       <none>',
        'Annotations:  <none>',
        '',
        'Type:  Opaque',
        '',
        'Data',
        '====',
        `.dockerconfigjson:  ${config.length} bytes`,
        '',
        `Warning: ${advice}`,
        '',
      ].join('\n'),
    )
    const link = await isctl('opaque', [
      'secrets',
      'link',
      'default',
      'registry-credentials',
      '--for=pull',
    ])
    assert.equal(link.code, 0, link.stderr)
    assert.equal(link.stderr, `Warning: ${advice}\n`)
    for (const out of [failed.stderr, described.stdout, secret.stdout, link.stderr]) {
      assert.ok(!out.includes(encoded) && !out.includes('alice-pass'))
    }

    const file = join(suite.home, 'config.json')
    writeFileSync(file, config)
    await kubectlOk(['delete', 'secret', 'registry-credentials', '-n', 'opaque'])
    await succeeded(
      isctl('opaque', [
        'create',
        'secret',
        'generic',
        'registry-credentials',
        `--from-file=.dockerconfigjson=${file}`,
        '--type=kubernetes.io/dockerconfigjson',
      ]),
    )
    const fixed = await isctl('opaque', ['import-image', 'app:v1'])
    assert.equal(fixed.code, 0, fixed.stderr)
    assert.equal((await tagOf('opaque', 'app', 'v1')).image, image.digest)
    const clean = await isctl('opaque', ['describe', 'secret', 'registry-credentials'])
    assert.ok(!clean.stdout.includes('Warning'), clean.stdout)
  })

  it('returns the raw manifest and config to `kubectl create -f` with includeManifest, storing neither', async () => {
    const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`
    const image = plain.fx.ociSingle
    const out = await kubectlOk(
      ['create', '-f', '-', '-o', 'json'],
      JSON.stringify({
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStreamImport',
        metadata: { name: 'app', namespace: 'raw' },
        spec: {
          import: true,
          images: [
            {
              from: {
                kind: 'DockerImage',
                name: `${plain.reg.host}/${image.repository}:${image.tag}`,
              },
              to: { name: 'v1' },
              importPolicy: { insecure: true },
              includeManifest: true,
            },
          ],
        },
      }),
    )
    const isi = JSON.parse(out) as {
      spec: { images: { importPolicy: { importMode?: string } }[] }
      status: {
        images: {
          image: {
            dockerImageManifest?: string
            dockerImageConfig?: string
            dockerImageMetadata: { Id: string }
          }
        }[]
      }
    }
    assert.equal(isi.spec.images[0]!.importPolicy.importMode, 'Legacy')
    const returned = isi.status.images[0]!.image
    assert.equal(sha(returned.dockerImageManifest!), image.digest)
    assert.equal(sha(returned.dockerImageConfig!), returned.dockerImageMetadata.Id)
    const stored = JSON.parse(
      await kubectlOk(['get', 'images', image.digest, '-o', 'json']),
    ) as Record<string, unknown>
    assert.equal(stored.dockerImageManifest, undefined)
    assert.equal(stored.dockerImageConfig, undefined)
  })
})
