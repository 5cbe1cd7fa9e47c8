/**
 * Validation of the kinds that write into streams and Images: ImageSignature, ImageTag (create
 * and update) and ImageStreamMapping, with the verdicts of openshift-apiserver's
 * validation_test.go (TestValidateImageSignature, TestValidateITUpdate,
 * TestValidateImageStreamMappingNotOK) where our kinds can express the case.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { FieldError } from './field-errors.js'
import type { ImageSignature, ImageStreamMapping, ImageTag } from './image.js'
import { imageTagSpecRequired, validateObject, validateUpdate } from './validation.js'

const DIGEST = `sha256:${'1'.repeat(64)}`
const CONTENT = Buffer.from('blob').toString('base64')

function fields(errors: readonly FieldError[]): string[] {
  return errors.map((e) => `${e.type} ${e.field}${e.detail ? `: ${e.detail}` : ''}`)
}

describe('ImageSignature', () => {
  const sig = (extra: Partial<ImageSignature> & { name?: string }): ImageSignature => {
    const { name = 'img@sig', ...rest } = extra
    return { metadata: { name }, type: 'atomic', content: CONTENT, ...rest }
  }
  const trusted = (status: string) => ({ type: 'Trusted', status })
  const forImage = (status: string) => ({ type: 'ForImage', status })
  const rows: [string, ImageSignature, string[]][] = [
    ['valid', sig({}), []],
    [
      'trusted, with an identity',
      sig({
        conditions: [trusted('True'), forImage('True')],
        imageIdentity: 'registry.company.ltd/app/core:v1.2',
      }),
      [],
    ],
    [
      'the newest Trusted condition counts',
      sig({
        conditions: [trusted('True'), forImage('False'), trusted('False')],
        imageIdentity: 'registry.company.ltd/app/core:v1.2',
      }),
      [],
    ],
    [
      'a name without @ and no type',
      sig({ name: 'notype', type: '' }),
      [
        'FieldValueInvalid metadata.name: name must be of format <imageName>@<signatureName>',
        'FieldValueRequired type',
      ],
    ],
    ['no content', sig({ content: '' }), ['FieldValueRequired content']],
    [
      'Trusted without ForImage',
      sig({ conditions: [trusted('True')], imageIdentity: 'x' }),
      ['FieldValueInvalid conditions: missing "ForImage" condition type'],
    ],
    [
      'labels and annotations',
      sig({ metadata: { name: 'img@a', labels: { l: 'v' }, annotations: { k: 'v' } } }),
      [
        'FieldValueForbidden metadata.labels: signature labels cannot be set',
        'FieldValueForbidden metadata.annotations: signature annotations cannot be set',
      ],
    ],
    [
      'server-derived fields in an unknown state',
      sig({
        conditions: [trusted('Unknown'), forImage('Unknown')],
        imageIdentity: 'registry.company.ltd/app/core:v1.2',
        signedClaims: { claim: 'value' },
        issuedBy: { organization: 'org' },
        issuedTo: { publicKeyID: 'id' },
      }),
      [
        'FieldValueInvalid imageIdentity: must be unset for unknown signature state',
        'FieldValueInvalid signedClaims: must be unset for unknown signature state',
        'FieldValueInvalid issuedBy: must be unset for unknown signature state',
        'FieldValueInvalid issuedTo: must be unset for unknown signature state',
      ],
    ],
  ]
  for (const [name, signature, want] of rows) {
    it(name, () => assert.deepEqual(fields(validateObject('ImageSignature', signature)), want))
  }

  it('an Image validates its signatures under signatures[i]', () => {
    const errors = validateObject('Image', {
      metadata: { name: DIGEST },
      dockerImageReference: `example.com/a@${DIGEST}`,
      signatures: [sig({ content: '' })],
    })
    assert.deepEqual(fields(errors), ['FieldValueRequired signatures[0].content'])
  })
})

describe('ImageTag', () => {
  const meta = { namespace: 'default', name: 'foo:bar', resourceVersion: '1' }
  const old: ImageTag = {
    metadata: { ...meta, annotations: { one: 'two' } },
    spec: { name: 'bar', from: { kind: 'DockerImage', name: 'some/other:system' } },
  }
  const update = (next: ImageTag) => fields(validateUpdate('ImageTag', old, next))

  it('create needs a spec', () => {
    assert.deepEqual(fields(imageTagSpecRequired({ metadata: meta })), [
      'FieldValueRequired spec: spec is a required field during creation',
    ])
  })

  it('an update may drop the spec', () => {
    assert.deepEqual(update({ metadata: { ...meta, annotations: { one: 'two' } } }), [])
  })

  const rows: [string, ImageTag, string[]][] = [
    [
      'changed annotations',
      { metadata: { ...meta, annotations: { one: 'two', three: 'four' } } },
      ['FieldValueInvalid metadata: may not update fields other than spec'],
    ],
    [
      'a new label',
      { metadata: { ...meta, annotations: { one: 'two' }, labels: { a: 'b' } } },
      ['FieldValueInvalid metadata: may not update fields other than spec'],
    ],
    [
      'a spec named after another tag',
      {
        metadata: { ...meta, annotations: { one: 'two' } },
        spec: { name: 'baz', from: { kind: 'DockerImage', name: 'some/valid:image' } },
      },
      ['FieldValueInvalid spec.name: must match image tag name'],
    ],
    [
      'a source without a name',
      {
        metadata: { ...meta, annotations: { one: 'two' } },
        spec: { name: 'bar', from: { kind: 'DockerImage', name: '' } },
      },
      ['FieldValueRequired spec.from.name'],
    ],
    [
      'a source without a kind',
      {
        metadata: { ...meta, annotations: { one: 'two' } },
        spec: { name: 'bar', from: { kind: '', name: 'foo/bar:biz' } },
      },
      [
        "FieldValueRequired spec.from.kind: valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'",
      ],
    ],
    [
      'a changed history',
      {
        metadata: { ...meta, annotations: { one: 'two' } },
        status: { tag: 'bar', items: [] },
      },
      ['FieldValueInvalid status: may not update fields other than spec'],
    ],
  ]
  for (const [name, next, want] of rows) it(name, () => assert.deepEqual(update(next), want))
})

describe('ImageStreamMapping', () => {
  const image = { metadata: { name: DIGEST }, dockerImageReference: `openshift/ruby@${DIGEST}` }
  const mapping = (extra: Partial<ImageStreamMapping>): ImageStreamMapping => ({
    metadata: { namespace: 'default', name: 'ruby' },
    image,
    tag: 'latest',
    ...extra,
  })
  const rows: [string, ImageStreamMapping, string[]][] = [
    ['valid', mapping({}), []],
    [
      'no stream name',
      mapping({ metadata: { namespace: 'default' } }),
      [
        'FieldValueRequired metadata.name: name or generateName is required',
        'FieldValueRequired name',
        'FieldValueRequired dockerImageRepository',
      ],
    ],
    ['no tag', mapping({ tag: '' }), ['FieldValueRequired tag']],
    [
      'an image without a name',
      mapping({ image: { metadata: {}, dockerImageReference: 'openshift/ruby' } }),
      ['FieldValueRequired image.metadata.name: name or generateName is required'],
    ],
    [
      'an image pull spec that does not parse',
      mapping({ image: { ...image, dockerImageReference: 'registry/extra/openshift//ruby' } }),
      // The reference parser's message is its own; the field and type are the mapping's.
      ['FieldValueInvalid image.dockerImageReference: invalid'],
    ],
  ]
  for (const [name, object, want] of rows) {
    it(name, () => {
      const got = fields(validateObject('ImageStreamMapping', object))
      assert.deepEqual(
        got.map((g, i) => (want[i] !== undefined && g.startsWith(want[i]) ? want[i] : g)),
        want,
      )
    })
  }
})
