/**
 * The fieldValidation parameter of every write, checked as apimachinery's
 * ValidateFieldValidation does ('' and Ignore, Warn, Strict only, case-sensitive) before
 * anything is decoded or stored: 422 CreateOptions, UpdateOptions or PatchOptions, its cause
 * after the fieldManager and dryRun ones in one Status.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import {
  APPLY,
  APPLY_RUBY,
  describeRefusedOptions,
  IMPORT_ONLY_CHECK,
  ISI,
  G,
  IS,
  MERGE,
  stream,
  type RefusedOptionsCase,
} from './testing/refused-options.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

const unsupported = (value: string) =>
  `fieldValidation: Unsupported value: ${value}: supported values: "", "Ignore", "Strict", "Warn"`

const CASES: readonly RefusedOptionsCase[] = [
  {
    name: 'a create with X',
    method: 'POST',
    url: IS,
    query: 'fieldValidation=X',
    body: stream('created'),
    message: `CreateOptions.meta.k8s.io "" is invalid: ${unsupported('"X"')}`,
  },
  {
    name: 'a create with the lowercase strict',
    method: 'POST',
    url: IS,
    query: 'fieldValidation=strict',
    body: stream('created'),
    message: `CreateOptions.meta.k8s.io "" is invalid: ${unsupported('"strict"')}`,
  },
  {
    name: 'a create with a long field manager, dryRun X and fieldValidation X',
    method: 'POST',
    url: IS,
    query: `fieldManager=${'m'.repeat(129)}&dryRun=X&fieldValidation=X`,
    body: stream('created'),
    message:
      'CreateOptions.meta.k8s.io "" is invalid: [fieldManager: Too long: may not be more than 128 bytes, ' +
      `dryRun: Unsupported value: []string{"X"}: supported values: "All", ${unsupported('"X"')}]`,
  },
  {
    name: 'an update with a quote and a tab',
    method: 'PUT',
    url: `${IS}/ruby`,
    query: `fieldValidation=${encodeURIComponent('a"\tb')}`,
    body: stream('ruby'),
    message: `UpdateOptions.meta.k8s.io "" is invalid: ${unsupported('"a\\"\\tb"')}`,
  },
  {
    name: 'a merge patch with X',
    method: 'PATCH',
    url: `${IS}/ruby`,
    query: 'fieldValidation=X',
    body: { metadata: { labels: { a: 'b' } } },
    contentType: MERGE,
    message: `PatchOptions.meta.k8s.io "" is invalid: ${unsupported('"X"')}`,
  },
  {
    name: 'an apply with X',
    method: 'PATCH',
    url: `${IS}/ruby`,
    query: 'fieldManager=me&fieldValidation=X',
    body: APPLY_RUBY,
    contentType: APPLY,
    message: `PatchOptions.meta.k8s.io "" is invalid: ${unsupported('"X"')}`,
  },
  {
    name: 'an apply without a field manager, with dryRun X and fieldValidation X',
    method: 'PATCH',
    url: `${IS}/ruby`,
    query: 'dryRun=X&fieldValidation=X',
    body: APPLY_RUBY,
    contentType: APPLY,
    message:
      'PatchOptions.meta.k8s.io "" is invalid: [fieldManager: Required value: is required for apply patch, ' +
      `dryRun: Unsupported value: []string{"X"}: supported values: "All", ${unsupported('"X"')}]`,
  },
  {
    name: 'a create of an image stream tag with X',
    method: 'POST',
    url: `${G}/namespaces/team-a/imagestreamtags`,
    query: 'fieldValidation=X',
    body: {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStreamTag',
      metadata: { name: 'ruby:new' },
      tag: { from: { kind: 'DockerImage', name: 'ruby:3' } },
    },
    message: `CreateOptions.meta.k8s.io "" is invalid: ${unsupported('"X"')}`,
  },
  {
    name: 'an image stream import with X',
    method: 'POST',
    url: ISI,
    query: 'fieldValidation=X',
    body: IMPORT_ONLY_CHECK,
    message: `CreateOptions.meta.k8s.io "" is invalid: ${unsupported('"X"')}`,
  },
]

describeRefusedOptions('the fieldValidation parameter', 'fieldValidation', CASES, {
  causeReason: 'FieldValueNotSupported',
  more: (fixture) => {
    void it('an empty value is the default (Warn)', async () => {
      const res = await fixture().request({
        method: 'POST',
        url: `${IS}?fieldValidation=`,
        body: { ...stream('warned'), spec: { bogus: true } },
      })
      assert.equal(res.statusCode, 201, res.body)
      assert.match(String(res.headers.warning), /unknown field \\"spec\.bogus\\"/)
    })

    void it('Strict still refuses unknown fields', async () => {
      const res = await fixture().request({
        method: 'POST',
        url: `${IS}?fieldValidation=Strict`,
        body: { ...stream('strict'), spec: { bogus: true } },
      })
      assert.equal(res.statusCode, 400, res.body)
      assert.match(String(res.json<Json>().message), /unknown field "spec.bogus"/)
    })
  },
})
