/**
 * Tag resolution (docs/integrated-registry.md#resolution, upstream ResolveReferenceForTagEvent): a
 * Local tag resolves to the integrated registry's `<repository>@<digest>`, falling back to the
 * event's own reference; Source tags, and the stored history, keep the external one.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ImageStream, TagEvent } from '../../../api/index.js'
import { imageStreamTagView, resolveReferenceForTagEvent } from './istag-view.js'

const A = `sha256:${'a'.repeat(64)}`
const SOURCE = `quay.io/r/app@${A}`
const LOCAL = `reg.test:5000/ns/app@${A}`
const EVENT: TagEvent = {
  created: '2026-01-01T00:00:00Z',
  dockerImageReference: SOURCE,
  image: A,
  generation: 1,
}

function stream(policy: 'Local' | 'Source' | undefined, repository?: string): ImageStream {
  return {
    metadata: { name: 'app', namespace: 'ns' },
    spec: {
      tags: [
        {
          name: 'v1',
          from: { kind: 'DockerImage', name: 'quay.io/r/app:v1' },
          ...(policy === undefined ? {} : { referencePolicy: { type: policy } }),
        },
      ],
    },
    status: {
      ...(repository === undefined ? {} : { dockerImageRepository: repository }),
      tags: [{ tag: 'v1', items: [EVENT] }],
    },
  }
}

void describe('resolveReferenceForTagEvent', () => {
  const cases: [string, ImageStream, string, TagEvent, string][] = [
    [
      'Local: the integrated pull spec',
      stream('Local', 'reg.test:5000/ns/app'),
      'v1',
      EVENT,
      LOCAL,
    ],
    [
      'Source: the external reference',
      stream('Source', 'reg.test:5000/ns/app'),
      'v1',
      EVENT,
      SOURCE,
    ],
    [
      'no policy: the external reference',
      stream(undefined, 'reg.test:5000/ns/app'),
      'v1',
      EVENT,
      SOURCE,
    ],
    [
      'Local without a registry hostname: the external reference',
      stream('Local'),
      'v1',
      EVENT,
      SOURCE,
    ],
    [
      'Local without an image ID: the external reference',
      stream('Local', 'reg.test:5000/ns/app'),
      'v1',
      { ...EVENT, image: '' },
      SOURCE,
    ],
    [
      'a status tag without a spec tag: the external reference',
      stream('Local', 'reg.test:5000/ns/app'),
      'other',
      EVENT,
      SOURCE,
    ],
  ]
  for (const [name, s, tag, event, want] of cases) {
    void it(name, () => assert.equal(resolveReferenceForTagEvent(s, tag, event), want))
  }
})

void describe('imageStreamTagView', () => {
  void it('resolves a Local tag’s image reference and leaves the stream’s history alone', () => {
    const s = stream('Local', 'reg.test:5000/ns/app')
    const view = imageStreamTagView(s, 'v1', undefined, false)
    assert.deepEqual(view?.image, { metadata: { name: A }, dockerImageReference: LOCAL })
    assert.equal(s.status?.tags?.[0]?.items?.[0]?.dockerImageReference, SOURCE)
  })
})
