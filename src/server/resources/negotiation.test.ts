import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StatusError } from '../status.js'
import { negotiate } from './negotiation.js'

describe('negotiate', () => {
  const cases: [string | undefined, unknown][] = [
    [undefined, { table: false }],
    ['', { table: false }],
    ['application/json', { table: false }],
    ['*/*', { table: false }],
    ['application/vnd.kubernetes.protobuf,application/json', { table: false }],
    [
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
      { table: true, version: 'v1' },
    ],
    ['application/json;as=Table;v=v1beta1;g=meta.k8s.io', { table: true, version: 'v1beta1' }],
    ['application/json;as=Table;v=v1;g=meta.k8s.io;q=0.5, application/json', { table: false }],
    [
      'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json',
      { table: false },
    ],
  ]
  for (const [accept, want] of cases) {
    it(`${accept ?? '(none)'}`, () => assert.deepEqual(negotiate(accept), want))
  }
  it('refuses what it cannot produce with 406', () => {
    assert.throws(
      () => negotiate('text/html'),
      (err: unknown) => err instanceof StatusError && err.httpStatus === 406,
    )
  })
})
