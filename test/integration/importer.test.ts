/**
 * The import engine against a real registry: what an ImageStreamImport writes, what a
 * re-import of an unchanged tag costs (one HEAD), list modes, failures and repository imports.
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import type { Image, ImageStream, ImageStreamImport, ImportMode } from '../../src/api/index.js'
import { keyringFromSecrets, EMPTY_KEYRING } from '../../src/credentials/index.js'
import { runImport, type ImportDeps } from '../../src/importer/index.js'
import { parsePlatform, type RegistryClient } from '../../src/registry/index.js'
import { useRegistry } from '../harness/index.js'
import { testClient } from './support.js'

function isi(
  images: { from: string; to?: string; mode?: ImportMode }[],
  extra: Partial<NonNullable<ImageStreamImport['spec']>> = {},
): ImageStreamImport {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStreamImport',
    metadata: { name: 'app', namespace: 'team' },
    spec: {
      import: true,
      images: images.map((i) => ({
        from: { kind: 'DockerImage', name: i.from },
        ...(i.to && { to: { name: i.to } }),
        ...(i.mode && { importPolicy: { importMode: i.mode } }),
      })),
      ...extra,
    },
  }
}

describe('import engine', () => {
  const env = useRegistry(
    { auth: 'basic', users: { alice: 'alice-pass' } },
    { perRepository: true },
  )
  let client: RegistryClient
  const store = new Map<string, Image>()
  const deps = (over: Partial<ImportDeps> = {}): ImportDeps => ({
    client,
    keyring: keyringFromSecrets([
      {
        name: 'team/pull',
        type: 'kubernetes.io/dockerconfigjson',
        data: {
          '.dockerconfigjson': Buffer.from(
            JSON.stringify({
              auths: {
                [env.reg.host]: { auth: Buffer.from('alice:alice-pass').toString('base64') },
              },
            }),
          ).toString('base64'),
        },
      },
    ]).keyring,
    warnings: [],
    policy: {
      defaultImportMode: 'Legacy',
      platform: parsePlatform('linux/amd64'),
      maxImagesBulkImportedPerRepository: 50,
      concurrency: 4,
    },
    known: (digest) => Promise.resolve(store.get(digest)),
    now: new Date('2026-11-26T10:00:00Z'),
    ...over,
  })
  const keep = (images: readonly Image[]) => {
    for (const i of images) store.set(i.metadata.name!, i)
  }

  before(() => {
    client = testClient(env.reg).client
  })

  it('imports a tag into a new stream, naming the secret that worked', async () => {
    const single = env.fx.ociSingle
    const out = await runImport(isi([{ from: single.reference, to: 'v1' }]), undefined, deps())
    const entry = out.status.images![0]!
    assert.equal(entry.status.status, 'Success', entry.status.message)
    assert.match(entry.status.message!, /secret "team\/pull"/)
    assert.equal(entry.image?.metadata.name, single.digest)
    assert.equal(entry.image?.dockerImageMetadata?.Architecture, 'amd64')
    const stream = out.stream!
    assert.equal(stream.metadata.generation, 1)
    assert.equal(stream.spec?.tags?.[0]?.generation, 1)
    assert.deepEqual(stream.spec?.tags?.[0]?.from, { kind: 'DockerImage', name: single.reference })
    assert.equal(stream.spec?.tags?.[0]?.importPolicy?.importMode, 'Legacy')
    const item = stream.status?.tags?.[0]?.items?.[0]
    assert.equal(item?.image, single.digest)
    assert.equal(
      item?.dockerImageReference,
      `${env.reg.host}/${single.repository}@${single.digest}`,
    )
    assert.ok(stream.metadata.annotations?.['openshift.io/image.dockerRepositoryCheck'])
    assert.deepEqual(
      out.images.map((i) => i.metadata.name),
      [single.digest],
    )
  })

  it('re-imports an unchanged tag with one HEAD and writes nothing', async () => {
    const single = env.fx.dockerSingle
    const first = await runImport(isi([{ from: single.reference, to: 'v1' }]), undefined, deps())
    keep(first.images)
    await env.reg.accessLogSettled()
    env.reg.clearAccessLog()
    const again = await runImport(isi([{ from: single.reference, to: 'v1' }]), first.stream, deps())
    assert.equal(again.status.images![0]!.status.status, 'Success')
    assert.equal(again.stream, undefined)
    assert.deepEqual(again.images, [])
    const log = (await env.reg.accessLogSettled()).filter(
      (l) => l.status !== 401 && l.path !== '/v2/',
    )
    assert.deepEqual(
      log.map((l) => l.method),
      ['HEAD'],
    )
  })

  it('PreserveOriginal keeps the list and imports every child except the attestation', async () => {
    const list = env.fx.ociIndex
    const out = await runImport(
      isi([{ from: list.reference, to: 'multi', mode: 'PreserveOriginal' }]),
      undefined,
      deps(),
    )
    const entry = out.status.images![0]!
    assert.equal(entry.status.status, 'Success', entry.status.message)
    assert.equal(entry.image?.metadata.name, list.digest)
    assert.equal(entry.image?.dockerImageManifests?.length, 5)
    const images = list.children.filter((c) => !c.attestation).map((c) => c.digest)
    assert.deepEqual(
      entry.manifests?.map((m) => m.metadata.name),
      images,
    )
    assert.equal(out.stream?.status?.tags?.[0]?.items?.[0]?.image, list.digest)
    assert.equal(out.stream?.spec?.tags?.[0]?.importPolicy?.importMode, 'PreserveOriginal')
  })

  it('Legacy picks the server platform, or the tag preference, never the attestation', async () => {
    const list = env.fx.dockerList
    const digestOf = (arch: string) =>
      list.children.find((c) => c.platform.architecture === arch)!.digest
    const arm = await runImport(isi([{ from: list.reference, to: 'l' }]), undefined, {
      ...deps(),
      policy: { ...deps().policy, platform: parsePlatform('linux/arm64') },
    })
    assert.equal(arm.status.images![0]!.image?.metadata.name, digestOf('arm64'))
    const stream: ImageStream = {
      ...arm.stream!,
      spec: {
        tags: [
          {
            ...arm.stream!.spec!.tags![0]!,
            annotations: { 'importer.image.openshift.io/prefer-arch': 'ppc64le' },
          },
        ],
      },
    }
    const ppc = await runImport(isi([{ from: list.reference, to: 'l' }]), stream, deps())
    assert.equal(ppc.status.images![0]!.image?.metadata.name, digestOf('ppc64le'))
  })

  it('imports in the default mode when the request names none, whatever the tag had', async () => {
    const list = env.fx.ociIndex
    const amd64 = list.children.find((c) => c.platform.architecture === 'amd64')!.digest
    const first = await runImport(
      isi([
        { from: list.reference, to: 'default' },
        { from: list.reference, to: 'other', mode: 'PreserveOriginal' },
      ]),
      undefined,
      deps(),
    )
    keep(first.images)
    const again = await runImport(
      isi([{ from: list.reference, to: 'other' }]),
      first.stream,
      deps(),
    )
    assert.equal(again.status.images![0]!.image?.metadata.name, amd64)
    const tags = again.stream!.spec!.tags!
    assert.equal(tags.find((t) => t.name === 'other')?.importPolicy?.importMode, 'Legacy')
    const served = await runImport(isi([{ from: list.reference, to: 'p' }]), undefined, {
      ...deps(),
      policy: { ...deps().policy, defaultImportMode: 'PreserveOriginal' },
    })
    assert.equal(served.status.images![0]!.image?.metadata.name, list.digest)
    assert.equal(served.stream?.spec?.tags?.[0]?.importPolicy?.importMode, 'PreserveOriginal')
  })

  it('switches a tag between the whole list and one child, both ways', async () => {
    const list = env.fx.ociIndex
    const amd64 = list.children.find((c) => c.platform.architecture === 'amd64')!.digest
    const whole = await runImport(
      isi([{ from: list.reference, to: 'switch', mode: 'PreserveOriginal' }]),
      undefined,
      deps(),
    )
    keep([...whole.images])
    const legacy = await runImport(
      isi([{ from: list.reference, to: 'switch', mode: 'Legacy' }]),
      whole.stream,
      deps(),
    )
    assert.equal(legacy.status.images![0]!.image?.metadata.name, amd64)
    assert.equal(legacy.stream?.status?.tags?.[0]?.items?.[0]?.image, amd64)
    assert.equal(legacy.stream?.spec?.tags?.[0]?.importPolicy?.importMode, 'Legacy')
    const back = await runImport(
      isi([{ from: list.reference, to: 'switch', mode: 'PreserveOriginal' }]),
      legacy.stream,
      deps(),
    )
    assert.equal(back.stream?.status?.tags?.[0]?.items?.[0]?.image, list.digest)
  })

  it('names the repository imported from, even for an image first imported from another', async () => {
    const { teamA, teamB } = env.fx.perRepository!
    assert.equal(teamA.digest, teamB.digest)
    const first = await runImport(isi([{ from: teamA.reference, to: 'a' }]), undefined, deps())
    keep(first.images)
    const second = await runImport(isi([{ from: teamB.reference, to: 'b' }]), undefined, deps())
    const expected = `${env.reg.host}/${teamB.repository}@${teamB.digest}`
    assert.equal(second.status.images![0]!.image?.dockerImageReference, expected)
    assert.equal(second.stream?.status?.tags?.[0]?.items?.[0]?.dockerImageReference, expected)
  })

  it('records a failure as a condition, keeping its time when it repeats', async () => {
    const from = `${env.reg.host}/${env.fx.ociSingle.repository}:nope`
    const out = await runImport(isi([{ from, to: 'gone' }]), undefined, deps())
    const entry = out.status.images![0]!
    assert.equal(entry.status.status, 'Failure')
    assert.equal(entry.status.reason, 'NotFound')
    assert.equal(entry.status.message, `dockerimage.image.openshift.io "${from}" not found`)
    const condition = out.stream?.status?.tags?.[0]?.conditions?.[0]
    assert.equal(condition?.type, 'ImportSuccess')
    assert.equal(condition?.status, 'False')
    const later = await runImport(isi([{ from, to: 'gone' }]), out.stream, {
      ...deps(),
      now: new Date('2026-11-26T11:00:00Z'),
    })
    assert.equal(later.stream, undefined, 'an identical failure rewrote the stream')
  })

  it('without a matching secret the failure says none matched', async () => {
    const out = await runImport(isi([{ from: env.fx.ociSingle.reference, to: 'x' }]), undefined, {
      ...deps(),
      keyring: EMPTY_KEYRING,
    })
    const status = out.status.images![0]!.status
    assert.equal(status.reason, 'Unauthorized')
    assert.match(status.message!, /no credential matched/)
  })

  it('a dry run reports but writes nothing', async () => {
    const out = await runImport(
      isi([{ from: env.fx.ociSingle.reference, to: 'dry' }], { import: false }),
      undefined,
      deps(),
    )
    assert.equal(out.status.images![0]!.status.status, 'Success')
    assert.equal(out.stream, undefined)
    assert.deepEqual(out.images, [])
  })

  it('a repository import takes the first 50 tags and lists the rest', async () => {
    const from = `${env.reg.host}/${env.fx.manyTags.repository}`
    const out = await runImport(
      isi([], { repository: { from: { kind: 'DockerImage', name: from } } }),
      undefined,
      deps(),
    )
    assert.equal(out.status.repository?.status?.status, 'Success')
    assert.equal(out.status.repository?.images?.length, 50)
    assert.equal(out.status.repository?.additionalTags?.length, 100)
    assert.equal(out.stream?.spec?.tags?.length, 50)
  })
})
