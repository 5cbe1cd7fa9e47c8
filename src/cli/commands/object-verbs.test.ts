import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compactGoJson, withLastApplied } from './apply.js'
import { headerText, mergePatchDiff, stripComments } from './edit.js'
import { indent, wrap } from './explain.js'
import { parseAnnotationPairs, parseLabelPairs, splitPairs } from './label.js'
import { imageStreamTagBody } from './create-imagestream.js'
import { completionScript } from './completion.js'
import { readLine } from './complete.js'
import { placeManifest } from '../manifests.js'

const stream = {
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name: 'web' },
}

void describe('apply', () => {
  void it("writes kubectl's annotation: sorted compact JSON, empty annotations kept, newline", () => {
    const out = withLastApplied({ ...stream, spec: { tags: [{ name: 'a<b' }] } })
    assert.deepEqual(out.metadata, {
      name: 'web',
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration':
          '{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"annotations":{},"name":"web"},"spec":{"tags":[{"name":"a\\u003cb"}]}}\n',
      },
    })
  })

  void it('leaves an earlier annotation out of the new one', () => {
    const prev = {
      metadata: {
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'x', b: '1' },
      },
    }
    assert.equal(
      withLastApplied(prev).metadata && compactGoJson(withLastApplied(prev).metadata),
      '{"annotations":{"b":"1","kubectl.kubernetes.io/last-applied-configuration":"{\\"metadata\\":{\\"annotations\\":{\\"b\\":\\"1\\"}}}\\n"}}',
    )
  })
})

void describe('manifests', () => {
  void it('gives a namespaced object the namespace, and refuses one that contradicts -n', () => {
    assert.equal(placeManifest(stream, 'f.yaml', 'team', false).namespace, 'team')
    const own = { ...stream, metadata: { name: 'web', namespace: 'other' } }
    assert.equal(placeManifest(own, 'f.yaml', 'team', false).namespace, 'other')
    assert.throws(
      () => placeManifest(own, 'f.yaml', 'team', true),
      /the namespace from the provided object "other" does not match the namespace "team". You must pass '--namespace=other' to perform this operation./,
    )
  })

  void it('leaves cluster-scoped objects without a namespace and names an unknown kind as kubectl', () => {
    const image = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'Image',
      metadata: { name: 'sha256:x' },
    }
    assert.equal(placeManifest(image, 'f', 'team', true).namespace, undefined)
    assert.throws(
      () =>
        placeManifest(
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } },
          'p.yaml',
          'd',
          false,
        ),
      /no matches for kind "Pod" in version "v1"\nensure CRDs are installed first/,
    )
  })
})

void describe('edit', () => {
  void it("writes kubectl's header with the reasons of a failed save", () => {
    assert.equal(
      headerText([
        {
          head: 'imagestreams.image.openshift.io "web" was not valid',
          other: ['spec.tags: bad\nworse'],
        },
      ]),
      `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
# imagestreams.image.openshift.io "web" was not valid:
# * spec.tags: bad
# worse
#
`,
    )
  })

  void it('compares files without comments and sends a merge patch of the difference', () => {
    assert.equal(stripComments('# a\nkind: X\n  # b\n#!keep\n'), 'kind: X\n#!keep\n')
    assert.deepEqual(
      mergePatchDiff({ a: 1, b: { c: 1, d: 2 }, e: [1] }, { a: 1, b: { c: 2 }, e: [2] }),
      {
        b: { c: 2, d: null },
        e: [2],
      },
    )
  })
})

void describe('explain', () => {
  void it('wraps as go-wordwrap: at spaces, keeping newlines, long words whole', () => {
    assert.equal(wrap('aaa bbb ccc', 7), 'aaa bbb\nccc')
    assert.equal(wrap('one\ntwo three', 8), 'one\ntwo\nthree')
    assert.equal(wrap('https://example.com/very/long x', 10), 'https://example.com/very/long\nx')
    assert.equal(indent('a\nb', 2), '  a\n  b')
  })
})

void describe('label and annotate', () => {
  void it('separates resources from pairs as kubectl', () => {
    assert.deepEqual(splitPairs(['is', 'web', 'a=b', 'c-'], 'label'), {
      resources: ['is', 'web'],
      pairs: ['a=b', 'c-'],
    })
    assert.throws(
      () => splitPairs(['is', 'a=b', 'web'], 'label'),
      /all resources must be specified before label changes: web/,
    )
  })

  void it("reads pairs with kubectl's messages", () => {
    assert.deepEqual(parseLabelPairs(['a=b', 'c-']), { set: new Map([['a', 'b']]), remove: ['c'] })
    assert.throws(() => parseLabelPairs(['a=b=c']), /invalid label spec: a=b=c/)
    assert.throws(
      () => parseLabelPairs(['a=b', 'a-']),
      /can not both modify and remove a label in the same command/,
    )
    assert.throws(
      () => parseLabelPairs(['a=b c']),
      /invalid label value: "a=b c": a valid label must be/,
    )
    assert.deepEqual(parseAnnotationPairs(['a=b=c']).set, new Map([['a', 'b=c']]))
    assert.throws(() => parseAnnotationPairs(['=x']), /invalid annotation format: =x/)
  })
})

void describe('create imagestreamtag', () => {
  void it("builds oc's ImageStreamTag from --from", () => {
    const body = imageStreamTagBody('web:v2', {
      from: 'team/web@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    }) as {
      tag: { from: object }
    }
    assert.deepEqual(body.tag.from, {
      kind: 'ImageStreamImage',
      name: 'web@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      namespace: 'team',
    })
    const local = imageStreamTagBody('web:v2', { from: ':v1' }) as { tag: { from: object } }
    assert.deepEqual(local.tag.from, { kind: 'ImageStreamTag', name: 'v1' })
    assert.throws(
      () => imageStreamTagBody('web:v2', { from: 'quay.io/a/b:1' }),
      /registry may not be specified/,
    )
    assert.throws(
      () => imageStreamTagBody('web:v2', { referencePolicy: 'x' }),
      /valid values for --reference-policy are: source, local/,
    )
  })
})

void describe('completion', () => {
  const verbs = [
    { path: ['get'], load: () => Promise.reject(new Error('unused')) },
    { path: ['set', 'image-lookup'], load: () => Promise.reject(new Error('unused')) },
  ]

  void it('reads the verb, operands and global flags of a line', () => {
    assert.deepEqual(readLine(['-n', 'team', 'get', 'is', 'we'], verbs), {
      verb: ['get'],
      operands: ['is'],
      previous: 'is',
      current: 'we',
      globals: { namespace: 'team' },
    })
    assert.deepEqual(readLine(['set', 'image-'], verbs).verb, ['set'])
  })

  void it('has a script per shell and refuses others', () => {
    assert.match(completionScript(['bash']), /complete -o default -F _isctl_completions isctl/)
    assert.match(completionScript(['fish']), /complete -c isctl/)
    assert.throws(() => completionScript(['tcsh']), /Unsupported shell type "tcsh"/)
    assert.throws(() => completionScript([]), /Shell not specified/)
  })
})
