import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ImageStream } from '../api/index.js'
import { tagsNeedingImport } from './tag-imports.js'

function stream(deletionTimestamp?: string): ImageStream {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: {
      name: 'app',
      namespace: 'team',
      ...(deletionTimestamp && { deletionTimestamp, finalizers: ['example.com/hold'] }),
    },
    spec: { tags: [{ name: 'latest', from: { kind: 'DockerImage', name: 'quay.io/a/b:latest' } }] },
  }
}

describe('tagsNeedingImport', () => {
  const cases = [
    { case: 'a stream never imported', stream: stream(), want: ['latest'] },
    {
      case: 'a stream a delete marked (it waits for finalizers)',
      stream: stream('2026-01-01T00:00:00Z'),
      want: [],
    },
  ]
  for (const c of cases) {
    it(c.case, () => {
      assert.deepEqual(
        tagsNeedingImport(c.stream).map((t) => t.name),
        c.want,
      )
    })
  }
})
