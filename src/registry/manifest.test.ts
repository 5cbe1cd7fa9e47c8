import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ManifestParseError, parseImageConfig, parseManifest } from './manifest.js'
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  OCI_MANIFEST,
  DOCKER_CONFIG,
  OCI_CONFIG,
} from './media-types.js'

const digest = `sha256:${'a'.repeat(64)}`
const enc = (v: unknown) => Buffer.from(JSON.stringify(v))
const image = (configType: string, mediaType?: string) => ({
  schemaVersion: 2,
  ...(mediaType && { mediaType }),
  config: { mediaType: configType, digest, size: 10 },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: 20 }],
})
const index = (mediaType?: string) => ({
  schemaVersion: 2,
  ...(mediaType && { mediaType }),
  manifests: [
    { mediaType: OCI_MANIFEST, digest, size: 5, platform: { os: 'linux', architecture: 'amd64' } },
  ],
})

describe('parseManifest content types', () => {
  const cases: { name: string; body: unknown; contentType: string | undefined; want: string }[] = [
    {
      name: 'OCI manifest with exact type',
      body: image(OCI_CONFIG),
      contentType: OCI_MANIFEST,
      want: OCI_MANIFEST,
    },
    {
      name: 'charset parameter ignored',
      body: image(DOCKER_CONFIG, DOCKER_MANIFEST),
      contentType: `${DOCKER_MANIFEST}; charset=utf-8`,
      want: DOCKER_MANIFEST,
    },
    {
      name: 'text/plain sniffed to Docker schema 2',
      body: image(DOCKER_CONFIG),
      contentType: 'text/plain',
      want: DOCKER_MANIFEST,
    },
    {
      name: 'application/json sniffed to OCI manifest',
      body: image(OCI_CONFIG),
      contentType: 'application/json',
      want: OCI_MANIFEST,
    },
    {
      name: 'missing type sniffed to index',
      body: index(),
      contentType: undefined,
      want: OCI_INDEX,
    },
    {
      name: 'body mediaType wins over a generic header',
      body: index(DOCKER_MANIFEST_LIST),
      contentType: 'application/octet-stream',
      want: DOCKER_MANIFEST_LIST,
    },
  ]
  for (const c of cases) {
    it(c.name, () => assert.equal(parseManifest(enc(c.body), c.contentType).mediaType, c.want))
  }

  it('rejects a known Content-Type contradicted by the body', () => {
    assert.throws(
      () => parseManifest(enc(index(DOCKER_MANIFEST_LIST)), OCI_INDEX),
      ManifestParseError,
    )
  })

  it('refuses schema 1, signed and unsigned, as unsupported', () => {
    for (const body of [{ schemaVersion: 1, signatures: [] }, { schemaVersion: 1 }]) {
      assert.throws(
        () => parseManifest(enc(body), 'application/json'),
        (e: unknown) =>
          e instanceof ManifestParseError &&
          e.code === 'UnsupportedManifest' &&
          /schema 1/.test(e.message),
      )
    }
  })

  it('rejects bad descriptors', () => {
    const bad = [
      { ...image(OCI_CONFIG), config: { mediaType: OCI_CONFIG, digest: 'sha256:abc', size: 1 } },
      { ...image(OCI_CONFIG), config: { mediaType: OCI_CONFIG, digest, size: -1 } },
      { ...image(OCI_CONFIG), config: { mediaType: '', digest, size: 1 } },
      { schemaVersion: 2, mediaType: OCI_INDEX },
    ]
    for (const body of bad)
      assert.throws(
        () => parseManifest(enc(body), OCI_MANIFEST === body.mediaType ? OCI_MANIFEST : undefined),
        ManifestParseError,
      )
  })

  it('rejects non-JSON', () => {
    assert.throws(() => parseManifest(Buffer.from('<html>'), 'text/html'), ManifestParseError)
  })
})

describe('parseImageConfig', () => {
  it('keeps the fields users look at', () => {
    const config = parseImageConfig(
      enc({
        architecture: 'arm',
        os: 'linux',
        variant: 'v7',
        created: '2026-01-01T00:00:00Z',
        config: {
          Env: ['A=1'],
          Cmd: ['sh'],
          ExposedPorts: { '80/tcp': {} },
          Labels: { a: 'b', n: 1 },
        },
        rootfs: { type: 'layers', diff_ids: [digest] },
      }),
    )
    assert.deepEqual(config, {
      architecture: 'arm',
      os: 'linux',
      variant: 'v7',
      created: '2026-01-01T00:00:00Z',
      config: { Env: ['A=1'], Cmd: ['sh'], ExposedPorts: { '80/tcp': {} }, Labels: { a: 'b' } },
      diffIds: [digest],
    })
  })
})
