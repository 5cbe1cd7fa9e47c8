import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { FieldError } from './field-errors.js'
import {
  duplicate,
  forbidden,
  formatFieldError,
  invalid,
  notSupported,
  required,
  tooLong,
} from './field-errors.js'
import { invalidMessage, isStatus, statusFailure, statusInvalid, statusSuccess } from './status.js'

describe('field errors render as apimachinery ErrorBody', () => {
  const rows: readonly { readonly error: FieldError; readonly want: string }[] = [
    { error: required('spec.tags[0].name'), want: 'spec.tags[0].name: Required value' },
    {
      error: required('metadata.name', 'name or generateName is required'),
      want: 'metadata.name: Required value: name or generateName is required',
    },
    {
      error: invalid('metadata.name', 'Bad_Name', 'must match "x"'),
      want: 'metadata.name: Invalid value: "Bad_Name": must match "x"',
    },
    {
      error: invalid('spec.images', null, 'you must specify at least one image'),
      want: 'spec.images: Invalid value: null: you must specify at least one image',
    },
    {
      error: invalid('spec.tags[0].importPolicy.scheduled', true, 'only tags'),
      want: 'spec.tags[0].importPolicy.scheduled: Invalid value: true: only tags',
    },
    {
      error: invalid('dockerImageLayers', undefined, 'should not be set'),
      want: 'dockerImageLayers: Invalid value: should not be set',
    },
    {
      error: notSupported('spec.tags[0].from.kind', 'Foo', ['A', 'B']),
      want: 'spec.tags[0].from.kind: Unsupported value: "Foo": supported values: "A", "B"',
    },
    {
      error: duplicate('spec.tags[1].name', 'v1'),
      want: 'spec.tags[1].name: Duplicate value: "v1"',
    },
    { error: tooLong('data', 1048576), want: 'data: Too long: may not be more than 1048576 bytes' },
    {
      error: forbidden('metadata.namespace', 'not allowed on this type'),
      want: 'metadata.namespace: Forbidden: not allowed on this type',
    },
    { error: forbidden('', 'create only'), want: 'Forbidden: create only' },
    {
      error: invalid('x', 'a'.repeat(600), 'too long to show'),
      want: `x: Invalid value: "${'a'.repeat(512)}"...: too long to show`,
    },
  ]
  for (const row of rows) {
    it(row.want.slice(0, 70), () => {
      assert.equal(formatFieldError(row.error), row.want)
    })
  }

  it('keeps the detail and the scalar value apart from the message', () => {
    const error = invalid('metadata.name', 'x', 'bad')
    assert.deepEqual(error, {
      type: 'FieldValueInvalid',
      field: 'metadata.name',
      message: 'Invalid value: "x": bad',
      detail: 'bad',
      value: 'x',
    })
  })
})

describe('Status builders (docs/kubernetes-api.md#status-errors)', () => {
  it('statusFailure has kube key order and fields', () => {
    const status = statusFailure(
      404,
      'NotFound',
      'imagestreams.image.openshift.io "nope" not found',
      { name: 'nope', group: 'image.openshift.io', kind: 'imagestreams' },
    )
    assert.equal(
      JSON.stringify(status),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"imagestreams.image.openshift.io \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","group":"image.openshift.io","kind":"imagestreams"},"code":404}',
    )
  })

  it('statusFailure without details omits them (the 401 body)', () => {
    assert.equal(
      JSON.stringify(statusFailure(401, 'Unauthorized', 'Unauthorized')),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}',
    )
  })

  it('statusSuccess carries a delete’s details and no code unless asked', () => {
    assert.deepEqual(
      statusSuccess({ name: 'app', group: 'image.openshift.io', kind: 'imagestreams', uid: 'u1' }),
      {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name: 'app', group: 'image.openshift.io', kind: 'imagestreams', uid: 'u1' },
      },
    )
    assert.equal(statusSuccess(undefined, { code: 201 }).code, 201)
  })

  it('statusInvalid: one cause per error, Kind in details, 422', () => {
    const errors = [
      invalid('metadata.name', 'Bad_Name', 'must match "x"'),
      required('spec.tags[0].name'),
    ]
    const status = statusInvalid('ImageStream', 'image.openshift.io', 'Bad_Name', errors)
    assert.deepEqual(status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'ImageStream.image.openshift.io "Bad_Name" is invalid: [metadata.name: Invalid value: "Bad_Name": must match "x", spec.tags[0].name: Required value]',
      reason: 'Invalid',
      details: {
        name: 'Bad_Name',
        group: 'image.openshift.io',
        kind: 'ImageStream',
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: "Bad_Name": must match "x"',
            field: 'metadata.name',
          },
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.tags[0].name' },
        ],
      },
      code: 422,
    })
  })

  it('invalidMessage: no brackets for one error, no group for core kinds, duplicates once', () => {
    const error = required('data[.dockerconfigjson]')
    assert.equal(
      invalidMessage('Secret', '', 'pull', [error, error]),
      'Secret "pull" is invalid: data[.dockerconfigjson]: Required value',
    )
    assert.equal(statusInvalid('Secret', '', 'pull', [error]).details?.group, undefined)
    assert.deepEqual(
      statusInvalid('ImageStreamImport', 'image.openshift.io', 'app', [
        forbidden('', 'create only'),
      ]).details?.causes,
      [{ reason: 'FieldValueForbidden', message: 'Forbidden: create only' }],
    )
  })

  it('isStatus recognises Status bodies only', () => {
    assert.equal(isStatus(statusFailure(500, 'InternalError', 'x')), true)
    assert.equal(isStatus({ kind: 'ImageStream', status: 'Failure' }), false)
    assert.equal(isStatus(null), false)
  })
})
