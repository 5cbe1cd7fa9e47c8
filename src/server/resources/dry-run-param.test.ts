/**
 * The dryRun parameter of every write, checked as apimachinery's ValidateDryRun does (only
 * `All` exists) before anything is decoded or stored: 422 CreateOptions, UpdateOptions,
 * PatchOptions or DeleteOptions whose one cause echoes every value given as Go's %#v of the
 * list, together with the options' other problems.
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
  SECRETS,
  stream,
  type RefusedOptionsCase,
} from './testing/refused-options.js'

const SUPPORTED = 'supported values: "All"'

const CASES: readonly RefusedOptionsCase[] = [
  {
    name: 'a create with X',
    method: 'POST',
    url: IS,
    query: 'dryRun=X',
    body: stream('created'),
    message: `CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
  {
    name: 'a secret create with the lowercase all',
    method: 'POST',
    url: SECRETS,
    query: 'dryRun=all',
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'created' } },
    message: `CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"all"}: ${SUPPORTED}`,
  },
  {
    name: 'an update with All and an empty value',
    method: 'PUT',
    url: `${IS}/ruby`,
    query: 'dryRun=All&dryRun=',
    body: stream('ruby'),
    message: `UpdateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"All", ""}: ${SUPPORTED}`,
  },
  {
    name: 'a merge patch with a quote and a tab',
    method: 'PATCH',
    url: `${IS}/ruby`,
    query: `dryRun=${encodeURIComponent('a"\tb')}`,
    body: { metadata: { labels: { a: 'b' } } },
    contentType: MERGE,
    message: `PatchOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"a\\"\\tb"}: ${SUPPORTED}`,
  },
  {
    name: 'an apply without a field manager and with X',
    method: 'PATCH',
    url: `${IS}/ruby`,
    query: 'dryRun=X',
    body: APPLY_RUBY,
    contentType: APPLY,
    message: `PatchOptions.meta.k8s.io "" is invalid: [fieldManager: Required value: is required for apply patch, dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}]`,
  },
  {
    name: 'a merge patch of an image stream tag with X',
    method: 'PATCH',
    url: `${G}/namespaces/team-a/imagestreamtags/ruby:latest`,
    query: 'dryRun=X',
    body: { metadata: { labels: { a: 'b' } } },
    contentType: MERGE,
    message: `PatchOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
  {
    name: 'an image stream import with X',
    method: 'POST',
    url: ISI,
    query: 'dryRun=X',
    body: IMPORT_ONLY_CHECK,
    message: `CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
  {
    name: 'a delete with X in the query',
    method: 'DELETE',
    url: `${IS}/ruby`,
    query: 'dryRun=X',
    message: `DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
  {
    name: 'a delete with X in the DeleteOptions body',
    method: 'DELETE',
    url: `${IS}/ruby`,
    query: '',
    body: { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['X'] },
    message: `DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
  {
    name: 'a delete of a collection with X',
    method: 'DELETE',
    url: IS,
    query: 'dryRun=X',
    message: `DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
  {
    name: 'a delete of an image stream tag with X',
    method: 'DELETE',
    url: `${G}/namespaces/team-a/imagestreamtags/ruby:latest`,
    query: 'dryRun=X',
    message: `DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
]

describeRefusedOptions('the dryRun parameter', 'dryRun', CASES, {
  causeReason: 'FieldValueNotSupported',
  more: (fixture) => {
    void it('All is still a dry run', async () => {
      const fx = fixture()
      const res = await fx.request({
        method: 'POST',
        url: `${IS}?dryRun=All`,
        body: stream('tried'),
      })
      assert.equal(res.statusCode, 201, res.body)
      const gone = await fx.request({ method: 'GET', url: `${IS}/tried` })
      assert.equal(gone.statusCode, 404, gone.body)
    })
  },
})
