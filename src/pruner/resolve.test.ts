import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeInvalidReference, registryHostsOf, resolveWorkloads } from './resolve.js'
import { DAY, MINUTE, NOW, REGISTRY, stream } from './testing/fixtures.js'
import type { WorkloadReferences } from './types.js'
import type { PodLiveness, RawReference, ReferenceForm } from './workloads.js'

const D = `sha256:${'d'.repeat(64)}`
const hosts = new Set([REGISTRY, 'public.example.com'])

function ref(
  reference: string,
  form: ReferenceForm = 'pull-spec',
  pod?: PodLiveness,
): RawReference {
  return {
    object: { kind: pod ? 'Pod' : 'Deployment', namespace: 'ns', name: 'w' },
    field: 'container c',
    form,
    reference,
    namespace: 'ns',
    ...(pod && { pod }),
  }
}

function resolve(...references: RawReference[]): Promise<WorkloadReferences> {
  return resolveWorkloads(
    { references, imageSizeLimits: new Map() },
    { registryHosts: hosts, now: NOW, keepYoungerThanMs: 60 * MINUTE },
  )
}

/** what renders one reference's resolution: `digest D`, `tag ns/s:t`, `invalid` or `none`. */
async function what(r: RawReference): Promise<string> {
  const out = await resolve(r)
  if (out.digests.size > 0) return `digest ${[...out.digests.keys()].join()}`
  if (out.tags.length > 0)
    return out.tags.map((t) => `tag ${t.namespace}/${t.stream}:${t.tag}`).join()
  if (out.invalid.length > 0) return 'invalid'
  return 'none'
}

describe('resolveWorkloads', () => {
  const cases: [string, RawReference, string][] = [
    ['a digest on any host', ref(`quay.io/x/y@${D}`), `digest ${D}`],
    ['a digest on the integrated registry', ref(`${REGISTRY}/ns/app@${D}`), `digest ${D}`],
    ['a tag and a digest: the digest', ref(`${REGISTRY}/ns/app:v1@${D}`), `digest ${D}`],
    ['a tag on the integrated registry', ref(`${REGISTRY}/ns/app:v1`), 'tag ns/app:v1'],
    ['no tag: latest', ref(`${REGISTRY}/ns/app`), 'tag ns/app:latest'],
    ['the public host', ref('public.example.com/ns/app:v2'), 'tag ns/app:v2'],
    ['another registry', ref('quay.io/ns/app:v1'), 'none'],
    ['Docker Hub', ref('busybox'), 'none'],
    ['a deeper path', ref(`${REGISTRY}/ns/app/extra:v1`), 'none'],
    ['a bare stream name', ref(`${REGISTRY}/app:v1`), 'none'],
    ['uppercase', ref('Quay.io/NS/App:v1'), 'invalid'],
    ['a bad digest', ref('quay.io/x/y@sha256:abc'), 'invalid'],
    ['an ImageStreamTag', ref('base:1', 'ImageStreamTag'), 'tag ns/base:1'],
    ['an ImageStreamTag without tag', ref('base', 'ImageStreamTag'), 'invalid'],
    ['an ImageStreamTag with two tags', ref('base:1:2', 'ImageStreamTag'), 'invalid'],
    ['an ImageStreamImage', ref(`base@${D}`, 'ImageStreamImage'), `digest ${D}`],
    ['an ImageStreamImage without digest', ref('base@latest', 'ImageStreamImage'), 'invalid'],
    ['a running pod', ref(`x@${D}`, 'pull-spec', { phase: 'Running', created: 0 }), `digest ${D}`],
    ['a pending pod', ref(`x@${D}`, 'pull-spec', { phase: 'Pending', created: 0 }), `digest ${D}`],
    [
      'a young finished pod',
      ref(`x@${D}`, 'pull-spec', { phase: 'Succeeded', created: NOW - MINUTE }),
      `digest ${D}`,
    ],
    [
      'an old finished pod',
      ref(`x@${D}`, 'pull-spec', { phase: 'Failed', created: NOW - DAY }),
      'none',
    ],
    [
      'an old finished pod with a bad reference',
      ref('BAD', 'pull-spec', { phase: 'Succeeded', created: NOW - DAY }),
      'none',
    ],
    [
      'a pod of unknown age and phase',
      ref(`x@${D}`, 'pull-spec', { phase: '', created: undefined }),
      'none',
    ],
  ]
  for (const [name, r, want] of cases) {
    it(`${name}: ${want}`, async () => assert.equal(await what(r), want))
  }

  it('lists who uses a digest once per object', async () => {
    const r = ref(`x@${D}`)
    const out = await resolve(r, { ...r, field: 'container other' }, ref(`y@${D}`))
    assert.equal(out.digests.get(D)!.length, 2)
  })

  it('describes an invalid reference as OpenShift lists it', async () => {
    const out = await resolve(ref('Quay.io/NS/App:v1'))
    assert.equal(
      describeInvalidReference(out.invalid[0]!),
      'deployment/w namespace=ns: container c: invalid image reference "Quay.io/NS/App:v1": repository name "NS/App" must be lowercase; write "ns/app"',
    )
    assert.equal(out.invalid[0]!.reference, 'Quay.io/NS/App:v1')
  })
})

describe('registryHostsOf', () => {
  it('takes the hosts of status.dockerImageRepository and publicDockerImageRepository', () => {
    const a = stream('ns', 'a', {})
    const b = stream('ns', 'b', {})
    b.status!.publicDockerImageRepository = 'Public.Example.com/ns/b'
    const c = stream('ns', 'c', {})
    c.status!.dockerImageRepository = ''
    assert.deepEqual(registryHostsOf([a, b, c]), new Set([REGISTRY, 'public.example.com']))
  })
})
