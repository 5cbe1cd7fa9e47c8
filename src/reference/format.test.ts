import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { formatImageReference, repositoryName, tagOrLatest } from './format.js'
import { parseImageReference } from './parse.js'

const DIGEST = `sha256:${'e'.repeat(64)}`

// input, formatImageReference, repositoryName, tagOrLatest
const cases: readonly (readonly [string, string, string, string | undefined])[] = [
  ['busybox', 'docker.io/library/busybox', 'docker.io/library/busybox', 'latest'],
  [
    'registry-1.docker.io/busybox:1.36',
    'docker.io/library/busybox:1.36',
    'docker.io/library/busybox',
    '1.36',
  ],
  [`quay.io/org/app@${DIGEST}`, `quay.io/org/app@${DIGEST}`, 'quay.io/org/app', undefined],
  [
    `Quay.IO:5000/org/app:v1@${DIGEST}`,
    `quay.io:5000/org/app:v1@${DIGEST}`,
    'quay.io:5000/org/app',
    'v1',
  ],
  ['[::1]:5000/repo', '[::1]:5000/repo', '[::1]:5000/repo', 'latest'],
]

void describe('formatImageReference, repositoryName, tagOrLatest', () => {
  for (const [input, formatted, name, tag] of cases) {
    void it(input, () => {
      const ref = parseImageReference(input)
      assert.equal(formatImageReference(ref), formatted)
      assert.equal(repositoryName(ref), name)
      assert.equal(tagOrLatest(ref), tag)
      // A formatted reference is canonical: parsing it again changes nothing.
      assert.deepEqual(parseImageReference(formatted), ref)
    })
  }
})
