/** Unit tests of the add-a-tag form: its messages are `isctl tag`'s, and the spec tag it writes. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { planTag } from '../cli/commands/tag.js'
import type { ImageStream } from './model.js'
import { checkTag, specTagOf, withSpecTag, type TagInput } from './tags.js'

const DIGEST = `sha256:${'a'.repeat(64)}`

function input(kind: TagInput['kind'], source: string, tag: string): TagInput {
  return { stream: 'app', kind, source, tag }
}

/** cliMessage is what `isctl tag --source=KIND SOURCE app:TAG` refuses with, or '' when it plans. */
function cliMessage(i: TagInput): string {
  try {
    planTag([i.source, `${i.stream}:${i.tag}`], { source: i.kind }, 'ns')
    return ''
  } catch (err) {
    return (err as Error).message
  }
}

describe('checkTag', () => {
  const rows: [string, TagInput, 'source' | 'tag' | undefined, RegExp | undefined][] = [
    ['a stream tag', input('ImageStreamTag', 'base:1', 'v1'), undefined, undefined],
    [
      'a stream tag of a namespace',
      input('ImageStreamTag', 'other/base:1', 'v1'),
      undefined,
      undefined,
    ],
    ['an image', input('DockerImage', 'quay.io/team/app:1', 'v1'), undefined, undefined],
    [
      'an image by digest',
      input('DockerImage', `quay.io/app@${DIGEST}`, 'v1'),
      undefined,
      undefined,
    ],
    ['an image without tag', input('DockerImage', 'nginx', 'v1'), undefined, undefined],
    ['an empty source', input('DockerImage', '', 'v1'), 'source', /^invalid SOURCE: /],
    ['a bad source', input('DockerImage', 'Bad Name', 'v1'), 'source', /^invalid SOURCE: /],
    [
      'a host in a stream source',
      input('ImageStreamTag', 'quay.io/a/b:1', 'v1'),
      'source',
      /^server in SOURCE/,
    ],
    [
      'a stream source without tag',
      input('ImageStreamTag', 'base', 'v1'),
      'source',
      /requires a valid <name>:<tag>/,
    ],
    ['an empty tag', input('DockerImage', 'nginx', ''), 'tag', /^"app:" must be of the form/],
    ['a tag with a colon', input('DockerImage', 'nginx', 'a:b'), 'tag', /must be of the form/],
    [
      'a tag starting with a dot',
      input('DockerImage', 'nginx', '.v1'),
      'tag',
      /^invalid tag "\.v1" format/,
    ],
    ['a tag too long', input('DockerImage', 'nginx', 'v'.repeat(129)), 'tag', /^invalid tag/],
  ]
  for (const [what, i, field, message] of rows) {
    it(`${what}: ${field ? `${field} refused` : 'accepted'}, as by isctl tag`, () => {
      const problems = checkTag(i)
      if (field === undefined) {
        assert.deepEqual(problems, {})
        assert.equal(cliMessage(i), '')
        return
      }
      assert.deepEqual(Object.keys(problems), [field])
      assert.match(problems[field]!, message!)
      assert.equal(problems[field], cliMessage(i))
    })
  }
})

describe('specTagOf and withSpecTag', () => {
  it('points at an image by the pull spec as given', () => {
    assert.deepEqual(specTagOf(input('DockerImage', 'quay.io/team/app:1', 'v1')), {
      name: 'v1',
      from: { kind: 'DockerImage', name: 'quay.io/team/app:1' },
      importPolicy: {},
      referencePolicy: { type: 'Source' },
    })
  })
  it('points at a stream tag, naming its namespace only when given', () => {
    assert.deepEqual(specTagOf(input('ImageStreamTag', 'base:1', 'v1')).from, {
      kind: 'ImageStreamTag',
      name: 'base:1',
    })
    assert.deepEqual(specTagOf(input('ImageStreamTag', 'other/base:1', 'v1')).from, {
      kind: 'ImageStreamTag',
      name: 'base:1',
      namespace: 'other',
    })
  })
  it('adds a tag, replacing one of the same name and keeping the others', () => {
    const stream: ImageStream = {
      metadata: { name: 'app', resourceVersion: '7' },
      spec: { tags: [{ name: 'a' }, { name: 'v1', from: { kind: 'DockerImage', name: 'old' } }] },
    }
    const tag = specTagOf(input('DockerImage', 'new', 'v1'))
    const next = withSpecTag(stream, tag)
    assert.deepEqual(next.spec?.tags, [{ name: 'a' }, tag])
    assert.equal(next.metadata.resourceVersion, '7')
    assert.deepEqual(withSpecTag({ metadata: { name: 'x' } }, tag).spec?.tags, [tag])
  })
})
