/**
 * The shape of the image streams the server returns, driven with real kubectl against the built
 * `isctl serve`: spec and status tags come back sorted by name whatever order kubectl sent them
 * in (OpenShift keeps both as maps keyed by name).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { succeeded, useServe, type ServeSuite } from '../harness/index.js'

/** A stream whose tags are out of order; `reference: true` tags get their status at once. */
const OUT_OF_ORDER = JSON.stringify({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name: 'app', namespace: 'team-a' },
  spec: {
    tags: ['zeta', 'alpha', 'mid'].map((name) => ({
      name,
      reference: true,
      from: { kind: 'DockerImage', name: `quay.io/example/app:${name}` },
    })),
  },
})

interface Stream {
  spec: { tags: { name: string }[] }
  status: { tags?: { tag: string }[] }
}

async function getStream(suite: ServeSuite): Promise<Stream> {
  return JSON.parse(
    await succeeded(suite.kubectl(['-n', 'team-a', 'get', 'imagestream', 'app', '-o', 'json'])),
  ) as Stream
}

const names = (stream: Stream) => ({
  spec: stream.spec.tags.map((t) => t.name),
  status: (stream.status.tags ?? []).map((t) => t.tag),
})

describe('image streams as returned: tags sorted by name', () => {
  const suite = useServe()

  it('kubectl create with tags out of order gets them back sorted', async () => {
    await succeeded(suite.kubectl(['create', 'namespace', 'team-a']))
    const created = JSON.parse(
      await succeeded(suite.kubectl(['create', '-f', '-', '-o', 'json'], OUT_OF_ORDER)),
    ) as Stream
    const sorted = ['alpha', 'mid', 'zeta']
    assert.deepEqual(names(created), { spec: sorted, status: sorted })
    assert.deepEqual(names(await getStream(suite)), { spec: sorted, status: sorted })
  })

  it('a tag appended by kubectl patch lands in its place', async () => {
    const patch = JSON.stringify([
      {
        op: 'add',
        path: '/spec/tags/-',
        value: {
          name: 'beta',
          reference: true,
          from: { kind: 'DockerImage', name: 'quay.io/example/app:beta' },
        },
      },
    ])
    await succeeded(
      suite.kubectl(['-n', 'team-a', 'patch', 'imagestream', 'app', '--type=json', '-p', patch]),
    )
    const sorted = ['alpha', 'beta', 'mid', 'zeta']
    assert.deepEqual(names(await getStream(suite)), { spec: sorted, status: sorted })
  })
})
