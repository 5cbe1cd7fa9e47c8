/**
 * The shape of the image streams the server returns, driven with real kubectl against the built
 * `isctl serve`: spec and status tags come back sorted by name whatever order kubectl sent them
 * in (OpenShift keeps both as maps keyed by name), and `status.publicDockerImageRepository` is
 * `HOST/NAMESPACE/NAME` when the server runs with `--registry-public-hostname HOST`, absent
 * otherwise; `isctl describe is` then shows it, as oc does.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { succeeded, useServe, type ServeSuite } from '../harness/index.js'

const PUBLIC_HOST = 'registry.example.com:5443'

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
  status: { tags?: { tag: string }[]; publicDockerImageRepository?: string }
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

describe('image streams as returned: tags sorted by name, no public repository by default', () => {
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

  it('has no status.publicDockerImageRepository without --registry-public-hostname', async () => {
    const stream = await getStream(suite)
    assert.equal('publicDockerImageRepository' in stream.status, false)
  })
})

describe('isctl serve --registry-public-hostname', () => {
  const suite = useServe(() => ['--registry-public-hostname', PUBLIC_HOST])

  it('sets status.publicDockerImageRepository to HOST/NAMESPACE/NAME', async () => {
    await succeeded(suite.kubectl(['create', 'namespace', 'team-a']))
    await succeeded(suite.kubectl(['create', '-f', '-'], OUT_OF_ORDER))
    const stream = await getStream(suite)
    assert.equal(stream.status.publicDockerImageRepository, `${PUBLIC_HOST}/team-a/app`)
  })

  it('isctl describe is shows the public repository as its Image Repository, as oc does', async () => {
    const text = await succeeded(suite.run(['describe', 'is', 'app', '-n', 'team-a']))
    assert.match(text, new RegExp(`^Image Repository:\\s+${PUBLIC_HOST}/team-a/app$`, 'm'))
  })

  it('kubectl get shows the public repository, as OpenShift prints it', async () => {
    const table = await succeeded(suite.kubectl(['-n', 'team-a', 'get', 'imagestreams']))
    assert.match(table, new RegExp(`^app\\s+${PUBLIC_HOST}/team-a/app\\s`, 'm'))
  })
})
