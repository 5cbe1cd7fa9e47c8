import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { capturedIO } from '../testing/captured-io.js'
import type { DescriptorView } from '../printers/image-info.js'
import { runImageInfo, type ImageRegistry, type InspectionView } from './image-info-run.js'

const capture = () => capturedIO(new Date('2024-05-06T13:00:00Z'))

class FakeTlsError extends Error {}

const child = (arch: string, digest: string): DescriptorView => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest,
  size: 1,
  platform: { os: 'linux', architecture: arch },
})

/** A registry port that answers every inspection with `answer`, and counts closes. */
function fakeRegistry(answer: () => InspectionView) {
  const calls = { closed: 0 }
  const registry: ImageRegistry<string, string, string> = {
    parsePlatform: (v) => v,
    emptyKeyring: 'anonymous',
    keyringFromDockerConfig: () => ({ keyring: 'file', warnings: [] }),
    connect: () => ({
      repository: (t) => `${t.registry}/${t.repository}`,
      close: () => {
        calls.closed++
        return Promise.resolve()
      },
    }),
    inspect: () => Promise.resolve(answer()),
    isImageChild: (d) => d.platform?.architecture !== 'unknown',
    tlsProblem: (err) => (err instanceof FakeTlsError ? 'untrusted-certificate' : undefined),
  }
  return { registry, calls }
}

void describe('image info run (registry port)', () => {
  it('refuses a list of several images with the choices, reported once with its own newline', async () => {
    const { registry, calls } = fakeRegistry(() => ({
      list: {
        digest: 'sha256:list',
        manifests: [child('amd64', 'sha256:a'), child('arm64', 'sha256:b'), child('unknown', 'x')],
      },
      images: [],
    }))
    const io = capture()
    assert.equal(await runImageInfo(['example.com/app:1'], io, registry), 1)
    assert.match(io.err(), /^error: the image is a manifest list .*--filter-by-os/)
    assert.match(io.err(), /linux\/amd64 +sha256:a\n {2}linux\/arm64 +sha256:b\n\n$/)
    assert.doesNotMatch(io.err(), /sha256:list|unknown/)
    assert.equal(calls.closed, 1)
  })

  it('names the flags that fix a TLS failure', async () => {
    const { registry, calls } = fakeRegistry(() => {
      throw new FakeTlsError('x509: certificate signed by unknown authority')
    })
    const io = capture()
    assert.equal(await runImageInfo(['example.com/app:1'], io, registry), 1)
    assert.equal(
      io.err(),
      'error: x509: certificate signed by unknown authority (--additional-trusted-ca=PATH or --insecure)\n',
    )
    assert.equal(calls.closed, 1)
  })

  it('reports a usage mistake before connecting', async () => {
    const { registry, calls } = fakeRegistry(() => ({ images: [] }))
    const io = capture()
    assert.equal(await runImageInfo(['-o', 'yaml', 'example.com/app:1'], io, registry), 1)
    assert.equal(io.err(), "error: unrecognized --output, only 'json' is supported\n")
    assert.equal(calls.closed, 0)
  })
})
