/**
 * What the registry client reads from a real registry: both list formats, both single-image
 * formats, Legacy platform selection, tag listing, and HEAD-first resolution.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  OCI_MANIFEST,
  inspect,
  parsePlatform,
  selectLegacyChild,
  type Repository,
} from '../../src/registry/index.js'
import { useRegistry } from '../harness/index.js'
import { configKeyring, testClient } from './support.js'

describe('registry content', () => {
  const env = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  let close: () => Promise<void>
  let repo: (name: string) => Repository
  before(() => {
    const { client, agents } = testClient(env.reg)
    close = () => agents.close()
    const keyring = configKeyring({ [env.reg.host]: 'alice:alice-pass' })
    repo = (name) => client.repository({ registry: env.reg.host, repository: name, keyring })
  })
  after(() => close?.())

  const lists = [
    ['OCI index', 'ociIndex', OCI_INDEX],
    ['Docker manifest list', 'dockerList', DOCKER_MANIFEST_LIST],
  ] as const
  for (const [name, key, mediaType] of lists) {
    it(`reads a ${name} and every image child, verified`, async () => {
      const list = env.fx[key]
      const result = await inspect(repo(list.repository), { tag: list.tag }, { allChildren: true })
      assert.equal(result.list?.digest, list.digest)
      assert.equal(result.list?.mediaType, mediaType)
      assert.equal(result.list?.manifests.length, 5)
      const images = list.children.filter((c) => !c.attestation)
      assert.deepEqual(
        result.images.map((i) => i.digest),
        images.map((c) => c.digest),
      )
      assert.deepEqual(
        result.images.map((i) => [i.config.os, i.config.architecture, i.config.variant ?? '']),
        images.map((c) => [c.platform.os, c.platform.architecture, c.platform.variant ?? '']),
      )
    })

    it(`selects Legacy children of a ${name} by platform, never the attestation`, async () => {
      const list = env.fx[key]
      const result = await inspect(repo(list.repository), { tag: list.tag })
      assert.equal(result.images.length, 0)
      const manifests = result.list!.manifests
      const cases = [
        ['linux/amd64', 'amd64', ''],
        ['linux/arm64', 'arm64', 'v8'],
        ['linux/arm64/v8', 'arm64', 'v8'],
        ['linux/aarch64', 'arm64', 'v8'],
        ['linux/arm/v7', 'arm', 'v7'],
        ['linux/s390x', 'amd64', ''],
      ] as const
      for (const [wanted, arch, variant] of cases) {
        const chosen = selectLegacyChild(manifests, [parsePlatform(wanted)])
        const expected = list.children.find(
          (c) => c.platform.architecture === arch && (c.platform.variant ?? '') === variant,
        )
        assert.equal(chosen?.digest, expected?.digest, wanted)
      }
      const attestation = list.children.find((c) => c.attestation)!
      const onlyAttestation = manifests.filter((m) => m.digest === attestation.digest)
      assert.equal(selectLegacyChild(onlyAttestation, []), undefined)
    })

    it(`fetches just the filtered child of a ${name}`, async () => {
      const list = env.fx[key]
      const arm64 = list.children.find((c) => c.platform.architecture === 'arm64')!
      const result = await inspect(
        repo(list.repository),
        { tag: list.tag },
        { platform: parsePlatform('linux/arm64') },
      )
      assert.deepEqual(
        result.images.map((i) => i.digest),
        [arm64.digest],
      )
    })
  }

  const singles = [
    ['OCI manifest', 'ociSingle', OCI_MANIFEST],
    ['Docker schema 2 manifest', 'dockerSingle', DOCKER_MANIFEST],
  ] as const
  for (const [name, key, mediaType] of singles) {
    it(`reads a single-arch ${name} with its config`, async () => {
      const image = env.fx[key]
      const result = await inspect(repo(image.repository), { tag: image.tag })
      const got = result.images[0]!
      assert.equal(result.list, undefined)
      assert.equal(got.digest, image.digest)
      assert.equal(got.mediaType, mediaType)
      assert.equal(got.configDigest, image.config.digest)
      assert.equal(got.config.architecture, image.imageConfig!.architecture)
      assert.deepEqual(got.config.config.Env, image.imageConfig!.config.Env)
      assert.equal(got.size, image.config.size + image.layers.reduce((s, l) => s + l.size, 0))
    })
  }

  it('resolves an unchanged tag with exactly one HEAD and no GET', async () => {
    const r = repo(env.fx.ociIndex.repository)
    await r.resolveTag(env.fx.ociIndex.tag)
    await env.reg.accessLogSettled()
    env.reg.clearAccessLog()
    const resolved = await r.resolveTag(env.fx.ociIndex.tag)
    assert.equal(resolved.digest, env.fx.ociIndex.digest)
    assert.equal(resolved.via, 'HEAD')
    const log = (await env.reg.accessLogSettled()).filter((l) => l.status !== 401)
    assert.deepEqual(
      log.map((l) => `${l.method} ${l.path}`),
      [`HEAD /v2/${env.fx.ociIndex.repository}/manifests/${env.fx.ociIndex.tag}`],
    )
  })

  it('lists every tag of a repository, sorted', async () => {
    assert.deepEqual(await repo(env.fx.manyTags.repository).tags(), env.fx.manyTags.tags)
  })

  it('reports a missing tag as NotFound with the registry code', async () => {
    await assert.rejects(repo(env.fx.ociSingle.repository).resolveTag('nope'), (err: unknown) => {
      assert.equal((err as { code?: string }).code, 'NotFound')
      assert.match((err as Error).message, /MANIFEST_UNKNOWN/)
      return true
    })
  })
})
