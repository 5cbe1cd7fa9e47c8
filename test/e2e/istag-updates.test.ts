/**
 * Updating ImageStreamTags with real kubectl against the built `isctl serve`, as OpenShift
 * answers: `kubectl replace` of an ImageStreamTag whose annotations were edited is accepted (the
 * server takes tag.annotations from metadata.annotations, imagestreamtag
 * Strategy.PrepareForUpdate), and `kubectl label` is refused, since an ImageStreamTag's labels
 * are its stream's.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { succeeded, useServe } from '../harness/index.js'

const DIGEST = `sha256:${'5'.repeat(64)}`

type Json = Record<string, unknown>

describe('imagestreamtags updated with kubectl', () => {
  const suite = useServe()
  const kubectlJson = async (args: string[], input?: string) =>
    JSON.parse(await succeeded(suite.kubectl([...args, '-o', 'json'], input))) as Json

  it('a stream whose tag has an image', async () => {
    await succeeded(suite.kubectl(['create', 'namespace', 'team-a']))
    const image = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'Image',
      metadata: { name: DIGEST },
      dockerImageReference: `quay.io/example/app@${DIGEST}`,
    }
    await succeeded(suite.kubectl(['create', '-f', '-'], JSON.stringify(image)))
    const stream = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'app', namespace: 'team-a' },
      spec: {
        tags: [
          {
            name: 'v1',
            annotations: { note: 'first' },
            // A reference tag is never imported: nothing leaves loopback.
            reference: true,
            from: { kind: 'DockerImage', name: 'quay.io/example/app:v1' },
          },
        ],
      },
    }
    await succeeded(suite.kubectl(['create', '-f', '-'], JSON.stringify(stream)))
    const current = await kubectlJson(['-n', 'team-a', 'get', 'imagestream', 'app'])
    const withStatus = {
      ...current,
      status: {
        tags: [
          {
            tag: 'v1',
            items: [
              {
                created: '2026-01-01T00:00:00Z',
                dockerImageReference: `quay.io/example/app@${DIGEST}`,
                image: DIGEST,
                generation: 1,
              },
            ],
          },
        ],
      },
    }
    await succeeded(
      suite.kubectl(['replace', '--subresource=status', '-f', '-'], JSON.stringify(withStatus)),
    )
  })

  it('kubectl replace of an ImageStreamTag with edited annotations is accepted', async () => {
    const istag = await kubectlJson(['-n', 'team-a', 'get', 'imagestreamtag', 'app:v1'])
    const metadata = istag.metadata as { annotations?: Record<string, string> }
    assert.deepEqual(metadata.annotations, { note: 'first' })
    metadata.annotations = { note: 'second' }
    // tag.annotations still says "first", as read.
    await succeeded(suite.kubectl(['replace', '-f', '-'], JSON.stringify(istag)))
    const stream = await kubectlJson(['-n', 'team-a', 'get', 'imagestream', 'app'])
    const tags = (stream.spec as { tags: { name: string; annotations?: Json }[] }).tags
    assert.deepEqual(tags.find((t) => t.name === 'v1')?.annotations, { note: 'second' })
  })

  it('kubectl label of an ImageStreamTag is refused: its labels are the stream’s', async () => {
    const res = await suite.kubectl(['-n', 'team-a', 'label', 'imagestreamtag', 'app:v1', 'x=y'])
    assert.notEqual(res.code, 0)
    assert.match(
      res.stderr,
      /metadata: Invalid value: "": may not update fields other than metadata\.annotations/,
    )
  })
})
