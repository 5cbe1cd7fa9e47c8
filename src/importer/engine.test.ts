import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ImageStream, ImageStreamImport, TagEvent } from '../api/index.js'
import { EMPTY_KEYRING } from '../credentials/index.js'
import { createRegistryAllowList } from '../reference/index.js'
import { parsePlatform, type RegistryClient } from '../registry/index.js'
import { applyImport, planImport, type ImportPlan } from './engine.js'

const digest = (c: string): string => `sha256:${c.repeat(64)}`
const event = (c: string, generation: number): TagEvent => ({
  created: '2026-01-01T00:00:00Z',
  dockerImageReference: `quay.io/src/app@${digest(c)}`,
  image: digest(c),
  generation,
})
const POLICY = {
  defaultImportMode: 'Legacy',
  platform: parsePlatform('linux/amd64'),
  maxImagesBulkImportedPerRepository: 50,
  concurrency: 1,
} as const
const NOW = new Date('2026-02-01T00:00:00Z')

const isi: ImageStreamImport = {
  metadata: { name: 'app', namespace: 'ns' },
  spec: { import: true },
}
const planOf = (c: string): ImportPlan => ({
  status: {},
  images: [],
  dryRun: false,
  outcomes: [
    {
      entry: {
        from: 'quay.io/src/app:1',
        to: '1',
        importPolicy: undefined,
        referencePolicy: undefined,
        includeManifest: false,
      },
      result: {
        image: {
          metadata: { name: digest(c) },
          dockerImageReference: `quay.io/src/app@${digest(c)}`,
        },
        children: [],
        fetched: true,
      },
      repository: 'quay.io/src/app',
    },
  ],
})
const current: ImageStream = {
  metadata: { name: 'app', namespace: 'ns', generation: 2 },
  spec: {
    tags: [
      { name: '1', generation: 1, from: { kind: 'DockerImage', name: 'quay.io/src/app:1' } },
      { name: 'alias', generation: 2, from: { kind: 'ImageStreamTag', name: '1' } },
      { name: 'other', generation: 2, from: { kind: 'ImageStreamTag', name: 'src:1' } },
    ],
  },
  status: {
    tags: [
      { tag: '1', items: [event('a', 1)] },
      { tag: 'alias', items: [event('a', 1)] },
    ],
  },
}

describe('applyImport and tracking tags', () => {
  const cases: [string, string, string[] | undefined][] = [
    ['a new image of a tag moves its same-stream aliases', 'b', ['b', 'a']],
    ['an unchanged image leaves them', 'a', ['a']],
  ]
  for (const [name, image, aliasHistory] of cases) {
    it(name, () => {
      const next = applyImport(isi, current, planOf(image), { policy: POLICY, now: NOW })
      const items = (tag: string) =>
        next?.status?.tags?.find((t) => t.tag === tag)?.items?.map((e) => e.image[7])
      assert.deepEqual(items('alias'), aliasHistory)
      assert.equal(items('other'), undefined, 'another stream’s tag is not an alias')
    })
  }
})

describe('applyImport and tag history', () => {
  const history = (s: ImageStream | undefined) =>
    s?.status?.tags?.find((t) => t.tag === '1')?.items?.map((e) => [e.image[7], e.generation])

  it('prepends a tag moving back to an earlier image again, keeping every event', () => {
    let s: ImageStream | undefined = current
    for (const image of ['b', 'a', 'b']) {
      s = applyImport(isi, s, planOf(image), { policy: POLICY, now: NOW }) ?? s
    }
    assert.deepEqual(history(s), [
      ['b', 5],
      ['a', 4],
      ['b', 3],
      ['a', 1],
    ])
  })

  it('re-importing the current image for a newer spec generation only moves its generation', () => {
    const bumped = structuredClone(current)
    bumped.spec!.tags![0]!.generation = 2
    const next = applyImport(isi, bumped, planOf('a'), { policy: POLICY, now: NOW })
    assert.deepEqual(history(next), [['a', 3]])
    const item = next?.status?.tags?.[0]?.items?.[0]
    assert.equal(item?.created, '2026-01-01T00:00:00Z', 'the event keeps its time')
  })
})

describe('applyImport into a stream a delete marked', () => {
  it('keeps its deletion fields and finalizers, so the import neither resurrects nor blocks it', () => {
    const marked: ImageStream = {
      ...current,
      metadata: {
        ...current.metadata,
        deletionTimestamp: '2026-01-15T00:00:00Z',
        deletionGracePeriodSeconds: 0,
        finalizers: ['example.com/hold'],
      },
    }
    const next = applyImport(isi, marked, planOf('b'), { policy: POLICY, now: NOW })
    assert.equal(next?.metadata.deletionTimestamp, '2026-01-15T00:00:00Z')
    assert.equal(next?.metadata.deletionGracePeriodSeconds, 0)
    assert.deepEqual(next?.metadata.finalizers, ['example.com/hold'])
  })
})

describe('planImport with an allow-list (docs/imports.md#allowed-registries)', () => {
  // Any registry request fails the test: a refused entry must not reach the client.
  const client = {
    repository: () => assert.fail('a refused import asked a registry'),
  } as unknown as RegistryClient
  const deps = {
    client,
    keyring: EMPTY_KEYRING,
    warnings: [],
    known: () => Promise.resolve(undefined),
    now: NOW,
    policy: {
      ...POLICY,
      allowedRegistries: createRegistryAllowList([
        { domainName: 'secure.example.com' },
        { domainName: 'plain.example.com', insecure: true },
      ]),
    },
  }
  const shown = '"secure.example.com:443", "plain.example.com:80"'
  const refusal = (hostPort: string) => ({
    metadata: {},
    status: 'Failure',
    code: 403,
    reason: 'Forbidden',
    message: `importing images from registry "${hostPort}" is forbidden: registry "${hostPort}" not allowed by whitelist: ${shown}`,
  })
  const stream: ImageStream = {
    metadata: { name: 'app', namespace: 'ns' },
    spec: {
      tags: [
        {
          name: 'plain',
          from: { kind: 'DockerImage', name: 'secure.example.com/a:1' },
          importPolicy: { insecure: true },
        },
      ],
    },
  }

  it('fails each refused entry with Forbidden, the insecure flag of the tag deciding the port', async () => {
    const request: ImageStreamImport = {
      metadata: { name: 'app', namespace: 'ns' },
      spec: {
        import: true,
        images: [
          { from: { kind: 'DockerImage', name: 'quay.io/a:1' }, to: { name: 'quay' } },
          { from: { kind: 'DockerImage', name: 'secure.example.com/a:1' }, to: { name: 'plain' } },
          {
            from: { kind: 'DockerImage', name: 'plain.example.com/a:1' },
            to: { name: 'http' },
            importPolicy: { insecure: false },
          },
        ],
      },
    }
    const plan = await planImport(request, stream, deps)
    assert.deepEqual(
      plan.status.images?.map((i) => i.status),
      [refusal('quay.io:443'), refusal('secure.example.com:80'), refusal('plain.example.com:443')],
    )
    assert.deepEqual(plan.images, [])
  })

  it('fails a refused repository import before listing its tags', async () => {
    const request: ImageStreamImport = {
      metadata: { name: 'app', namespace: 'ns' },
      spec: { import: true, repository: { from: { kind: 'DockerImage', name: 'docker.io/a/b' } } },
    }
    const plan = await planImport(request, undefined, deps)
    assert.deepEqual(plan.status.repository?.status, refusal('registry-1.docker.io:443'))
  })
})
