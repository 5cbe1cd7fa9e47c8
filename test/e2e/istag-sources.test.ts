/**
 * Spec tags sourced from image streams through a real `isctl serve` and real kubectl against a
 * real registry (docs/imports.md#tags-from-image-streams): an ImageStreamTag copy of an imported
 * tag, a same-stream alias that follows its tag when the tag is re-imported with another image
 * (while a copy in another stream keeps the image it was given), a source in another namespace, and
 * an ImageStreamImage `stream@sha256:...` source found in the tag history.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { insecureImport, succeeded, useRegistry, useServe } from '../harness/index.js'

describe('image stream tags sourced from other tags and images', () => {
  const env = useRegistry({ auth: 'none' })
  const suite = useServe()
  const ok = succeeded
  const importTag = (stream: string, tag: string, from: string) =>
    ok(suite.kubectl(['create', '-f', '-'], insecureImport('default', stream, tag, from)))
  const createTag = (namespace: string, name: string, from: Record<string, string>) =>
    ok(
      suite.kubectl(
        ['create', '-f', '-'],
        JSON.stringify({
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStreamTag',
          metadata: { name, namespace },
          tag: { name: name.slice(name.indexOf(':') + 1), from },
        }),
      ),
    )
  const imageOf = async (name: string, namespace = 'default') => {
    const istag = JSON.parse(
      await ok(suite.kubectl(['get', 'istag', name, '-n', namespace, '-o', 'json'])),
    ) as { image: { metadata: { name: string }; dockerImageReference: string } }
    return istag.image
  }

  it('resolves copies, aliases, cross-namespace tags and images by digest', async () => {
    const first = env.fx.ociSingle
    const second = env.fx.dockerSingle
    assert.notEqual(first.digest, second.digest)
    await importTag('src', '1', first.reference)

    await createTag('default', 'copy:1', { kind: 'ImageStreamTag', name: 'src:1' })
    assert.equal((await imageOf('copy:1')).metadata.name, first.digest)

    await createTag('default', 'src:alias', { kind: 'ImageStreamTag', name: '1' })
    assert.equal((await imageOf('src:alias')).metadata.name, first.digest)
    await ok(
      suite.kubectl([
        'patch',
        'is',
        'copy',
        '--type=merge',
        '-p',
        JSON.stringify({
          spec: {
            tags: [
              { name: '1', from: { kind: 'ImageStreamTag', name: 'src:1' } },
              { name: 'follows', from: { kind: 'ImageStreamTag', name: 'copy:1' } },
            ],
          },
        }),
      ]),
    )
    assert.equal((await imageOf('copy:follows')).metadata.name, first.digest)

    await importTag('src', '1', second.reference)
    const alias = await imageOf('src:alias')
    assert.equal(alias.metadata.name, second.digest, 'the alias follows the re-imported tag')
    assert.match(alias.dockerImageReference, new RegExp(`@${second.digest}$`))
    assert.equal(
      (await imageOf('copy:1')).metadata.name,
      first.digest,
      'a tag of another stream keeps the image it was given',
    )

    await ok(suite.kubectl(['create', 'namespace', 'team']))
    await createTag('team', 'mirror:1', {
      kind: 'ImageStreamTag',
      name: 'src:1',
      namespace: 'default',
    })
    assert.equal((await imageOf('mirror:1', 'team')).metadata.name, second.digest)

    await createTag('default', 'pinned:old', {
      kind: 'ImageStreamImage',
      name: `src@${first.digest}`,
    })
    const pinned = await imageOf('pinned:old')
    assert.equal(pinned.metadata.name, first.digest, 'found in the history of src:1')
    assert.match(pinned.dockerImageReference, new RegExp(`@${first.digest}$`))
  })
})
