import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  OCI_MANIFEST,
  type FetchedManifest,
} from '../registry/index.js'
import { acceptedTypes, negotiate, type Negotiated } from './accept.js'

const AMD64 = `sha256:${'a'.repeat(64)}`
const ARM64 = `sha256:${'b'.repeat(64)}`

/** fetched is `manifest` as the registry client returns it (digest and bytes are not read). */
function fetched(manifest: FetchedManifest['manifest']): FetchedManifest {
  const digest = `sha256:${'0'.repeat(64)}`
  return { digest, mediaType: manifest.mediaType, bytes: Buffer.from('{}'), manifest }
}

const list = (mediaType: string, platforms: readonly [string, string][]) =>
  fetched({
    kind: 'index',
    mediaType,
    manifests: platforms.map(([architecture, digest]) => ({
      mediaType: DOCKER_MANIFEST,
      digest,
      size: 1,
      platform: { os: 'linux', architecture },
    })),
  })

const image = (mediaType: string) =>
  fetched({
    kind: 'image',
    mediaType,
    config: { mediaType: 'x', digest: `sha256:${'2'.repeat(64)}`, size: 1 },
    layers: [],
  })

describe('acceptedTypes', () => {
  const cases: [string, string | string[] | undefined, string[] | undefined][] = [
    ['no header accepts anything', undefined, undefined],
    ['a wildcard accepts anything', `${DOCKER_MANIFEST}, */*`, undefined],
    ['application/* accepts anything', 'application/*', undefined],
    ['an empty header accepts anything', '', undefined],
    [
      'types are read without parameters, lower-cased, across headers',
      [`${DOCKER_MANIFEST}; q=0.9`, ` ${OCI_MANIFEST.toUpperCase()} ,`],
      [DOCKER_MANIFEST, OCI_MANIFEST],
    ],
  ]
  for (const [name, header, want] of cases) {
    it(name, () => {
      const got = acceptedTypes(header)
      assert.deepEqual(got && [...got].sort(), want?.sort())
    })
  }
})

describe('negotiate', () => {
  const only = (...types: string[]) => new Set(types)
  const withAmd64 = list(DOCKER_MANIFEST_LIST, [
    ['arm64', ARM64],
    ['amd64', AMD64],
  ])
  const cases: [string, ReadonlySet<string> | undefined, FetchedManifest, boolean, Negotiated][] = [
    ['any type: as stored', undefined, withAmd64, true, { kind: 'manifest' }],
    [
      'the stored type accepted: as stored',
      only(DOCKER_MANIFEST_LIST, DOCKER_MANIFEST),
      withAmd64,
      true,
      { kind: 'manifest' },
    ],
    [
      'a Docker list by tag, lists not accepted: its linux/amd64 image',
      only(DOCKER_MANIFEST),
      withAmd64,
      true,
      { kind: 'child', digest: AMD64 },
    ],
    [
      'a Docker list by digest: as stored, nothing else has that digest',
      only(DOCKER_MANIFEST),
      withAmd64,
      false,
      { kind: 'manifest' },
    ],
    [
      'a Docker list without linux/amd64: refused',
      only(DOCKER_MANIFEST),
      list(DOCKER_MANIFEST_LIST, [['arm64', ARM64]]),
      true,
      { kind: 'refused', message: 'manifest list has no linux/amd64 image' },
    ],
    [
      'an OCI index not accepted: refused as distribution does',
      only(DOCKER_MANIFEST),
      list(OCI_INDEX, [['amd64', AMD64]]),
      true,
      {
        kind: 'refused',
        message: 'OCI index found, but accept header does not support OCI indexes',
      },
    ],
    [
      'an OCI image not accepted: refused as distribution does',
      only(DOCKER_MANIFEST),
      image(OCI_MANIFEST),
      true,
      {
        kind: 'refused',
        message: 'OCI manifest found, but accept header does not support OCI manifests',
      },
    ],
    [
      'a Docker image not accepted: as stored (no schema 1 rewrite)',
      only(OCI_MANIFEST),
      image(DOCKER_MANIFEST),
      true,
      { kind: 'manifest' },
    ],
  ]
  for (const [name, accepted, fetched, byTag, want] of cases) {
    it(name, () => assert.deepEqual(negotiate(accepted, fetched, byTag), want))
  }
})
