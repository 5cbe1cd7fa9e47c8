/** oc's who-can text for the cases the end-to-end test does not reach, and resource resolution. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatWhoCan, resourceFor, subresourceWarning } from './who-can.js'

void describe('formatWhoCan', () => {
  const streams = { group: 'image.openshift.io', resource: 'imagestreams', version: 'v1' }
  void it('cluster-wide, several users, no groups, an evaluation error', () => {
    const text = formatWhoCan(
      { users: ['bob', 'alice', 'bob'], groups: [], evalutionError: 'role "x" not found' },
      'get',
      streams,
      'layers',
    )
    assert.equal(
      text,
      '\n\nNamespace: <all>\nVerb:      get\nResource:  imagestreams.image.openshift.io/layers\n\n' +
        'Users:  alice\n        bob\n\nGroups: none\n\n' +
        'Error during evaluation, results may not be complete: role "x" not found\n',
    )
  })
  void it('a core resource with no users', () => {
    const text = formatWhoCan(
      { namespace: 'a', users: [], groups: ['g2', 'g1'] },
      'list',
      { group: '', resource: 'secrets', version: 'v1' },
      '',
    )
    assert.equal(
      text,
      '\n\nNamespace: a\nVerb:      list\nResource:  secrets\n\nUsers:  none\nGroups: g1\n        g2\n',
    )
  })
})

void describe('resourceFor', () => {
  const cases: [string, string, string, string, string][] = [
    ['is', 'image.openshift.io', 'imagestreams', 'v1', ''],
    ['ImageStreamTag', 'image.openshift.io', 'imagestreamtags', 'v1', ''],
    ['imagestreams.image.openshift.io', 'image.openshift.io', 'imagestreams', 'v1', ''],
    ['secret', '', 'secrets', 'v1', ''],
    ['Pods', '', 'Pods', '', "Warning: the server doesn't have a resource type 'pods'\n"],
    [
      'routes.route.openshift.io',
      '',
      'routes.route.openshift.io',
      '',
      "Warning: the server doesn't have a resource type 'routes' in group 'route.openshift.io'\n",
    ],
  ]
  for (const [arg, group, resource, version, warning] of cases) {
    void it(arg, () => {
      let warned = ''
      assert.deepEqual(
        resourceFor(arg, (line) => (warned += line)),
        { group, resource, version },
      )
      assert.equal(warned, warning)
    })
  }
  void it('warns of a subresource the resource does not have', () => {
    const streams = { group: 'image.openshift.io', resource: 'imagestreams', version: 'v1' }
    const served = ['imagestreams', 'imagestreams/layers']
    assert.equal(subresourceWarning(streams, 'layers', served), undefined)
    assert.equal(
      subresourceWarning(streams, 'logs', served),
      "Warning: the server doesn't have a subresource 'imagestreams/logs' in group 'image.openshift.io'\n",
    )
    assert.equal(
      subresourceWarning({ group: '', resource: 'pods', version: '' }, 'log', []),
      "Warning: the server doesn't have a subresource 'pods/log'\n",
    )
  })
})
