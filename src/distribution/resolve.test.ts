import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Image, ImageStream, TagEvent } from '../api/index.js'
import { DistributionError } from './errors.js'
import {
  currentTags,
  parseManifestReference,
  resolveBlob,
  resolveManifest,
  type ManifestReference,
  type PullSource,
} from './resolve.js'

const d = (c: string) => `sha256:${c.repeat(64)}`
const event = (repo: string, c: string, created: string): TagEvent => ({
  created,
  dockerImageReference: `${repo}@${d(c)}`,
  image: d(c),
  generation: 1,
})

/** latest: list `a` from reg.example/team/app, then `b`; old: `b` again from an older import elsewhere. */
const stream: ImageStream = {
  metadata: { name: 'app', namespace: 'ns' },
  spec: {
    tags: [
      { name: 'latest', importPolicy: { insecure: true } },
      { name: 'old', importPolicy: {} },
    ],
  },
  status: {
    tags: [
      {
        tag: 'latest',
        items: [
          event('reg.example/team/app', 'a', '2026-01-02T00:00:00Z'),
          event('reg.example/team/app', 'b', '2026-01-01T00:00:00Z'),
        ],
      },
      { tag: 'old', items: [event('other.example:5000/x/y', 'b', '2025-01-01T00:00:00Z')] },
      { tag: 'failed', items: [] },
    ],
  },
}
const images: Record<string, Image> = {
  [d('a')]: {
    metadata: { name: d('a') },
    dockerImageManifests: [
      { digest: d('c'), mediaType: 'x', manifestSize: 1, architecture: 'amd64', os: 'linux' },
      { digest: d('7'), mediaType: 'x', manifestSize: 1, architecture: 'unknown', os: 'unknown' },
    ],
  },
  [d('c')]: {
    metadata: { name: d('c') },
    dockerImageMetadata: { Id: d('9') },
    dockerImageLayers: [{ name: d('e'), size: 5, mediaType: 'x' }],
  },
}
const getImage = (digest: string) => Promise.resolve(images[digest])
/** grants is a namespace's grant lookup holding grants for `digests`. */
const grants =
  (...digests: string[]) =>
  (image: string) =>
    Promise.resolve(digests.includes(image))
const none = grants()
/** The upstream manifest of the child `7`, which has no Image, has one layer `8`. */
const childBlobs = (child: PullSource) =>
  Promise.resolve(child.digest === d('7') ? [{ digest: d('8'), size: 3 }] : [])

describe('parseManifestReference', () => {
  const cases: [string, ManifestReference | string][] = [
    ['v1', { kind: 'tag', tag: 'v1' }],
    [d('a'), { kind: 'digest', digest: d('a') }],
    ['sha256:abc', 'DIGEST_INVALID'],
    ['-bad', 'TAG_INVALID'],
  ]
  for (const [input, want] of cases) {
    it(`${input} -> ${JSON.stringify(want)}`, () => {
      if (typeof want !== 'string') return assert.deepEqual(parseManifestReference(input), want)
      assert.throws(
        () => parseManifestReference(input),
        (err) => err instanceof DistributionError && err.code === want && err.status === 400,
      )
    })
  }
})

describe('resolveManifest', () => {
  const team = { registry: 'reg.example', repository: 'team/app', granted: false }
  const cases: [string, ManifestReference, PullSource | string][] = [
    [
      'a tag is its newest image, with the tag insecure setting',
      { kind: 'tag', tag: 'latest' },
      { ...team, digest: d('a'), insecure: true, image: d('a') },
    ],
    [
      'a digest in history comes from its newest event',
      { kind: 'digest', digest: d('b') },
      { ...team, digest: d('b'), insecure: true, image: d('b') },
    ],
    [
      'a child of a preserved list comes from the list repository, naming the list',
      { kind: 'digest', digest: d('c') },
      { ...team, digest: d('c'), insecure: true, list: d('a'), image: d('a') },
    ],
    ['a tag without images is unknown', { kind: 'tag', tag: 'failed' }, 'MANIFEST_UNKNOWN'],
    ['an absent tag is unknown', { kind: 'tag', tag: 'nope' }, 'MANIFEST_UNKNOWN'],
    [
      'a digest of no stream image is unknown',
      { kind: 'digest', digest: d('f') },
      'MANIFEST_UNKNOWN',
    ],
  ]
  for (const [name, ref, want] of cases) {
    it(name, async () => {
      if (typeof want !== 'string') {
        return assert.deepEqual(await resolveManifest(stream, ref, getImage, none), want)
      }
      await assert.rejects(
        resolveManifest(stream, ref, getImage, none),
        (err) => err instanceof DistributionError && err.code === want && err.status === 404,
      )
    })
  }

  it('a digest only in an older import of another tag uses that tag', async () => {
    const onlyOld: ImageStream = { ...stream, status: { tags: stream.status!.tags!.slice(1) } }
    const ref = { kind: 'digest', digest: d('b') } as const
    assert.deepEqual(await resolveManifest(onlyOld, ref, getImage, none), {
      registry: 'other.example:5000',
      repository: 'x/y',
      digest: d('b'),
      insecure: false,
      image: d('b'),
      granted: false,
    })
  })

  it('the insecureRepository annotation makes every tag insecure', async () => {
    const annotated: ImageStream = {
      ...stream,
      metadata: {
        ...stream.metadata,
        annotations: { 'openshift.io/image.insecureRepository': 'true' },
      },
    }
    const got = await resolveManifest(annotated, { kind: 'tag', tag: 'old' }, getImage, none)
    assert.equal(got.insecure, true)
  })
})

describe('resolveBlob', () => {
  const team = {
    registry: 'reg.example',
    repository: 'team/app',
    insecure: true,
    image: d('a'),
    granted: false,
  }
  const cases: [string, string, PullSource | string][] = [
    ['a layer of a list child, with its size', d('e'), { ...team, digest: d('e'), size: 5 }],
    ['the config of a list child', d('9'), { ...team, digest: d('9') }],
    [
      'a layer of a child without an Image, read upstream',
      d('8'),
      { ...team, digest: d('8'), size: 3 },
    ],
    ['a manifest is not a blob', d('a'), 'BLOB_UNKNOWN'],
    ['a blob of no image', d('f'), 'BLOB_UNKNOWN'],
  ]
  for (const [name, digest, want] of cases) {
    it(name, async () => {
      if (typeof want !== 'string') {
        return assert.deepEqual(await resolveBlob(stream, digest, getImage, none, childBlobs), want)
      }
      await assert.rejects(
        resolveBlob(stream, digest, getImage, none, childBlobs),
        (err) => err instanceof DistributionError && err.code === want && err.status === 404,
      )
    })
  }
})

/**
 * written: a status written by a client puts list `d` (which has child `c` too) from another
 * repository as the newest event, above the imported list `a`.
 */
const written: ImageStream = {
  ...stream,
  status: {
    tags: [
      { tag: 'written', items: [event('elsewhere.example/w', 'd', '2026-02-01T00:00:00Z')] },
      ...stream.status!.tags!,
    ],
  },
}
const withWritten = (digest: string) =>
  digest === d('d')
    ? Promise.resolve<Image>({
        metadata: { name: d('d') },
        dockerImageManifests: images[d('a')]!.dockerImageManifests!,
      })
    : getImage(digest)

describe('resolution through granted images', () => {
  const child = { kind: 'digest', digest: d('c') } as const
  const cases: {
    name: string
    granted: string[]
    resolve: (g: (image: string) => Promise<boolean>) => Promise<PullSource>
    image: string
    isGranted: boolean
  }[] = [
    {
      name: 'a tag of a granted image is granted',
      granted: [d('a')],
      resolve: (g) => resolveManifest(stream, { kind: 'tag', tag: 'latest' }, getImage, g),
      image: d('a'),
      isGranted: true,
    },
    {
      name: 'a tag of an image granted to no one is not',
      granted: [d('b')],
      resolve: (g) => resolveManifest(stream, { kind: 'tag', tag: 'latest' }, getImage, g),
      image: d('a'),
      isGranted: false,
    },
    {
      name: 'a granted child digest is granted through its list only',
      granted: [d('c')],
      resolve: (g) => resolveManifest(stream, child, getImage, g),
      image: d('a'),
      isGranted: false,
    },
    {
      name: 'a child in two lists resolves through the granted one, though older',
      granted: [d('a')],
      resolve: (g) => resolveManifest(written, child, withWritten, g),
      image: d('a'),
      isGranted: true,
    },
    {
      name: 'a child in two lists without grants resolves through the newest',
      granted: [],
      resolve: (g) => resolveManifest(written, child, withWritten, g),
      image: d('d'),
      isGranted: false,
    },
    {
      name: 'a blob of two lists resolves through the granted one, though older',
      granted: [d('a')],
      resolve: (g) => resolveBlob(written, d('e'), withWritten, g, childBlobs),
      image: d('a'),
      isGranted: true,
    },
    {
      name: 'a blob of two lists without grants resolves through the newest',
      granted: [],
      resolve: (g) => resolveBlob(written, d('e'), withWritten, g, childBlobs),
      image: d('d'),
      isGranted: false,
    },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const got = await c.resolve(grants(...c.granted))
      assert.deepEqual(
        { image: got.image, granted: got.granted },
        {
          image: c.image,
          granted: c.isGranted,
        },
      )
    })
  }
})

describe('currentTags', () => {
  it('lists the tags that have an image, sorted', () => {
    assert.deepEqual(currentTags(stream), ['latest', 'old'])
  })
})
