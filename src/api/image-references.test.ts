import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { IMAGE_REFERENCES } from './image-references.js'

const A = `sha256:${'a'.repeat(64)}`
const B = `sha256:${'b'.repeat(64)}`
const image = (name: string) => ({ resource: 'images', namespace: '', name })

describe('IMAGE_REFERENCES', () => {
  const cases: { case: string; resource: string; object: object; want: string[] }[] = [
    {
      case: 'a stream: every history item of every tag',
      resource: 'imagestreams',
      object: {
        metadata: { name: 's', namespace: 'ns' },
        status: {
          tags: [
            { tag: 'latest', items: [{ image: A }, { image: B }] },
            { tag: 'old', items: [{ image: A }] },
            { tag: 'failed', conditions: [{ type: 'ImportSuccess', status: 'False' }] },
          ],
        },
      },
      want: [A, B, A],
    },
    {
      case: 'a stream without status',
      resource: 'imagestreams',
      object: { metadata: { name: 's' }, spec: { tags: [{ name: 'x' }] } },
      want: [],
    },
    {
      case: 'a manifest list: its children',
      resource: 'images',
      object: { metadata: { name: A }, dockerImageManifests: [{ digest: B }, { digest: A }] },
      want: [B, A],
    },
    {
      case: 'a single-manifest image',
      resource: 'images',
      object: { metadata: { name: A } },
      want: [],
    },
  ]
  for (const c of cases) {
    it(c.case, () => {
      const extract = IMAGE_REFERENCES[c.resource]
      assert.ok(extract)
      assert.deepEqual(extract(c.object), c.want.map(image))
    })
  }

  it('declares streams and images only', () => {
    assert.deepEqual(Object.keys(IMAGE_REFERENCES).sort(), ['images', 'imagestreams'])
  })
})
