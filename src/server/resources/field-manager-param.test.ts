/**
 * The fieldManager parameter of every write, checked as apimachinery's ValidateFieldManager
 * does (at most 128 bytes, printable characters only) before anything is decoded or stored:
 * 422 CreateOptions, UpdateOptions or PatchOptions with one cause per problem. Deletes take no
 * field manager and ignore it.
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

const LONG = 'm'.repeat(129)
const TOO_LONG = 'fieldManager: Too long: may not be more than 128 bytes'
const managerQuery = (manager: string, force?: boolean) =>
  new URLSearchParams({
    fieldManager: manager,
    ...(force === undefined ? {} : { force: String(force) }),
  }).toString()

const CASES: readonly RefusedOptionsCase[] = [
  {
    name: 'a create with 129 characters',
    method: 'POST',
    url: IS,
    query: managerQuery(LONG),
    body: stream('created'),
    message: `CreateOptions.meta.k8s.io "" is invalid: ${TOO_LONG}`,
  },
  {
    name: 'a create with 65 two-byte characters (130 bytes)',
    method: 'POST',
    url: IS,
    query: managerQuery('é'.repeat(65)),
    body: stream('created'),
    message: `CreateOptions.meta.k8s.io "" is invalid: ${TOO_LONG}`,
  },
  {
    name: 'an update with 129 characters',
    method: 'PUT',
    url: `${IS}/ruby`,
    query: managerQuery(LONG),
    body: stream('ruby'),
    message: `UpdateOptions.meta.k8s.io "" is invalid: ${TOO_LONG}`,
  },
  {
    name: 'a merge patch with a tab',
    method: 'PATCH',
    url: `${IS}/ruby`,
    query: managerQuery('my\tmanager'),
    body: { metadata: { labels: { a: 'b' } } },
    contentType: MERGE,
    message:
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "my\\tmanager": invalid character U+0009 (at position 2)',
  },
  {
    name: 'an apply with 129 characters and a no-break space after a two-byte character',
    method: 'PATCH',
    url: `${IS}/ruby`,
    query: managerQuery(`${'m'.repeat(126)}é\u00a0`),
    body: APPLY_RUBY,
    contentType: APPLY,
    message: `PatchOptions.meta.k8s.io "" is invalid: [${TOO_LONG}, fieldManager: Invalid value: "${'m'.repeat(126)}é\\u00a0": invalid character U+00A0 (at position 128)]`,
  },
  {
    name: 'a forced merge patch with 129 characters',
    method: 'PATCH',
    url: `${IS}/ruby`,
    query: managerQuery(LONG, true),
    body: { metadata: { labels: { a: 'b' } } },
    contentType: MERGE,
    message: `PatchOptions.meta.k8s.io "" is invalid: [force: Forbidden: may not be specified for non-apply patch, ${TOO_LONG}]`,
  },
  {
    name: 'a merge patch of an image stream tag with 129 characters',
    method: 'PATCH',
    url: `${G}/namespaces/team-a/imagestreamtags/ruby:latest`,
    query: managerQuery(LONG),
    body: { metadata: { labels: { a: 'b' } } },
    contentType: MERGE,
    message: `PatchOptions.meta.k8s.io "" is invalid: ${TOO_LONG}`,
  },
  {
    name: 'an image stream import with 129 characters',
    method: 'POST',
    url: ISI,
    query: managerQuery(LONG),
    body: IMPORT_ONLY_CHECK,
    message: `CreateOptions.meta.k8s.io "" is invalid: ${TOO_LONG}`,
  },
]

describeRefusedOptions('the fieldManager parameter', 'fieldManager', CASES, {
  more: (fixture) => {
    void it('128 bytes of printable characters are recorded as the manager', async () => {
      const manager = `${'m'.repeat(124)}éé`
      const res = await fixture().request({
        method: 'POST',
        url: `${IS}?fieldManager=${encodeURIComponent(manager)}`,
        body: { ...stream('kept'), spec: { lookupPolicy: { local: true } } },
      })
      assert.equal(res.statusCode, 201, res.body)
      // eslint-disable-next-line @typescript-eslint/no-unsafe-member-access -- untyped JSON: a wrong path fails the assertion
      assert.equal(res.json<Json>().metadata.managedFields[0].manager, manager)
    })

    void it('a delete ignores the parameter, as DeleteOptions have none', async () => {
      const res = await fixture().request({
        method: 'DELETE',
        url: `${IS}/kept?fieldManager=${LONG}`,
      })
      assert.equal(res.statusCode, 200, res.body)
    })
  },
})
