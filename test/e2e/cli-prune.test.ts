/**
 * `isctl adm prune images` (the built binary) against a real `isctl serve` and a real
 * plain-HTTP registry: a tag with four history items imported from it, two of them pulled
 * through the integrated registry by real skopeo (so their blobs are in its cache). A dry run
 * changes nothing and prints exactly what `--confirm` then does; what was pulled recently is
 * kept until `--keep-pulled-within=0`; the pruned Images leave the API and their blobs the cache,
 * while the kept image's stay; invalid workload references stop the run with oc's text.
 */
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { ImageStream } from '../../src/api/index.js'
import {
  adminCredentials,
  insecureImport,
  makeTempDir,
  removeTempDir,
  runCommand,
  succeeded,
  useRegistry,
  useServe,
  type FixtureChild,
} from '../harness/index.js'

describe('isctl adm prune images', () => {
  const env = useRegistry({ auth: 'none' })
  const suite = useServe()
  let dir: string
  /** The four single-platform images of the OCI index, oldest history item first. */
  let images: FixtureChild[]
  const k = (args: readonly string[], input?: string) => succeeded(suite.kubectl(args, input))
  const prune = (args: readonly string[], input?: string) =>
    suite.run(['adm', 'prune', 'images', ...args], input)
  const history = async () => {
    const stream = JSON.parse(
      await k(['get', 'is', 'app', '-n', 'team-a', '-o', 'json']),
    ) as ImageStream
    return stream.status?.tags?.map((t) => [t.tag, t.items?.map((i) => i.image)])
  }
  const imageExists = async (name: string) =>
    (await suite.kubectl(['get', 'image', name])).code === 0
  /** cached is where the server keeps a blob it pulled through. */
  const cached = (digest: string) =>
    existsSync(join(dirname(suite.kubeconfig), 'registry-cache', 'sha256', digest.slice(7)))
  const blobsOf = (image: FixtureChild) => [
    image.config.digest,
    ...image.layers.map((l) => l.digest),
  ]
  const digests = () => images.map((i) => i.digest)

  before(async () => {
    dir = makeTempDir('cli-prune-')
    images = env.fx.ociIndex.children.filter((c) => !c.attestation)
    assert.equal(images.length, 4)
    await k(['create', 'namespace', 'team-a'])
    for (const image of images) {
      const from = `${env.reg.host}/${env.fx.ociIndex.repository}@${image.digest}`
      await k(['create', '-f', '-'], insecureImport('team-a', 'app', 'v1', from))
    }
    // Pull the oldest and the newest through the integrated registry: their blobs are cached.
    const admin = adminCredentials(suite.kubeconfig)
    const certDir = join(dir, 'certs')
    mkdirSync(certDir)
    copyFileSync(admin.caFile, join(certDir, 'ca.crt'))
    const policy = join(dir, 'policy.json')
    writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }))
    const host = new URL(suite.server.address).host
    for (const image of [images[0]!, images[3]!]) {
      await succeeded(
        runCommand('skopeo', [
          '--policy',
          policy,
          'copy',
          '--src-cert-dir',
          certDir,
          '--src-creds',
          `any:${admin.token}`,
          `docker://${host}/team-a/app@${image.digest}`,
          `oci:${join(dir, image.digest.slice(7, 19))}`,
        ]),
      )
    }
  })
  after(() => removeTempDir(dir))

  const DRY_RUN =
    'Dry run enabled - no modifications will be made. Add --confirm to remove images\n'
  const KEEP = ['--keep-tag-revisions=2', '--keep-younger-than=0']

  it('starts from four history items, two of them pulled through the integrated registry', async () => {
    const [oldest, , , newest] = images as [FixtureChild, FixtureChild, FixtureChild, FixtureChild]
    assert.deepEqual(await history(), [['v1', [...digests()].reverse()]])
    for (const blob of [...blobsOf(oldest), ...blobsOf(newest)]) assert.ok(cached(blob), blob)
  })

  it('keeps what the integrated registry served recently, and changes nothing in a dry run', async () => {
    const res = await prune(KEEP)
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stderr, DRY_RUN)
    const lines = res.stdout.trimEnd().split('\n')
    assert.equal(lines[0], 'Deleting 1 items from image stream team-a/app')
    assert.ok(lines.includes(`Deleting image ${images[1]!.digest}`), res.stdout)
    assert.ok(!lines.includes(`Deleting image ${images[0]!.digest}`), 'the pulled image stays')
    assert.match(
      lines.at(-1)!,
      /^Summary: deleted 1 image object\(s\), deleted 1 image stream tag item\(s\), updated 1 image stream\(s\), deleted \d+ blob\(s\)$/,
    )
    assert.deepEqual(await history(), [['v1', [...digests()].reverse()]])
  })

  it('stops on an invalid workload reference (read from stdin) before changing anything', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'team-a' },
      spec: { containers: [{ name: 'web', image: 'Not A Reference' }] },
      status: { phase: 'Running' },
    }
    const res = await prune(
      [...KEEP, '--keep-pulled-within=0', '--workloads', '-', '--confirm'],
      JSON.stringify(pod),
    )
    assert.equal(res.code, 1)
    assert.equal(res.stdout, '')
    assert.match(
      res.stderr,
      /^Failed to build graph!\n\nThe following objects have invalid references:\n\n {2}.*web.*"Not A Reference".*\n\nEither fix the references or delete the objects to make the pruner proceed\.\nerror: failed to build graph - no changes made\n$/,
    )
    assert.deepEqual(await history(), [['v1', [...digests()].reverse()]])
  })

  it('--confirm does exactly what the dry run printed: history, Images and cached blobs go', async () => {
    const args = [...KEEP, '--keep-pulled-within=0']
    const dry = await prune(args)
    assert.equal(dry.code, 0, dry.stderr)
    const [oldest, second, , newest] = images as [
      FixtureChild,
      FixtureChild,
      FixtureChild,
      FixtureChild,
    ]
    const lines = dry.stdout.trimEnd().split('\n')
    assert.equal(lines[0], 'Deleting 2 items from image stream team-a/app')
    for (const image of [oldest, second]) {
      assert.ok(lines.includes(`Deleting image ${image.digest}`), dry.stdout)
    }
    const kept = new Set([...blobsOf(images[2]!), ...blobsOf(newest)])
    for (const blob of blobsOf(oldest).filter((b) => !kept.has(b))) {
      assert.ok(lines.includes(`Deleting blob ${blob}`), `${blob} in\n${dry.stdout}`)
    }

    const confirmed = await prune([...args, '--confirm'])
    assert.deepEqual(
      { code: confirmed.code, stdout: confirmed.stdout, stderr: confirmed.stderr },
      { code: 0, stdout: dry.stdout, stderr: '' },
    )
    assert.deepEqual(await history(), [['v1', [newest.digest, images[2]!.digest]]])
    assert.equal(await imageExists(oldest.digest), false)
    assert.equal(await imageExists(second.digest), false)
    assert.equal(await imageExists(newest.digest), true)
    for (const blob of blobsOf(oldest)) assert.equal(cached(blob), kept.has(blob), blob)
    for (const blob of blobsOf(newest)) assert.ok(cached(blob), `kept ${blob}`)
  })

  it('a second run finds nothing to do', async () => {
    const res = await prune([...KEEP, '--keep-pulled-within=0', '--confirm'])
    assert.deepEqual(
      { code: res.code, stdout: res.stdout, stderr: res.stderr },
      { code: 0, stdout: 'Summary: deleted 0 objects\n', stderr: '' },
    )
  })
})
