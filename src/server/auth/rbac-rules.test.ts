/** RBAC rule matching, coverage and the escalation message, table-driven from upstream's cases. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { escalationMessage } from './escalation.js'
import type { AuthorizationAttributes } from './index.js'
import { compactRules, compactString, missingRules, ruleAllows, type Rule } from './rbac-rules.js'

const res = (
  verb: string,
  group: string,
  resource: string,
  more: { subresource?: string; name?: string; namespace?: string } = {},
): AuthorizationAttributes => ({ kind: 'resource', verb, group, resource, ...more })

const url = (verb: string, path: string): AuthorizationAttributes => ({
  kind: 'nonResource',
  verb,
  path,
})

const IMAGES = 'image.openshift.io'

void describe('ruleAllows (RBAC RuleAllows)', () => {
  const cases: [string, Rule, AuthorizationAttributes, boolean][] = [
    [
      'exact',
      { verbs: ['get'], apiGroups: [IMAGES], resources: ['imagestreams'] },
      res('get', IMAGES, 'imagestreams'),
      true,
    ],
    [
      'other verb',
      { verbs: ['get'], apiGroups: [IMAGES], resources: ['imagestreams'] },
      res('list', IMAGES, 'imagestreams'),
      false,
    ],
    [
      'verb *',
      { verbs: ['*'], apiGroups: [IMAGES], resources: ['imagestreams'] },
      res('delete', IMAGES, 'imagestreams'),
      true,
    ],
    [
      'other group',
      { verbs: ['get'], apiGroups: [''], resources: ['imagestreams'] },
      res('get', IMAGES, 'imagestreams'),
      false,
    ],
    [
      'group *',
      { verbs: ['get'], apiGroups: ['*'], resources: ['secrets'] },
      res('get', '', 'secrets'),
      true,
    ],
    [
      'no groups matches nothing',
      { verbs: ['get'], resources: ['secrets'] },
      res('get', '', 'secrets'),
      false,
    ],
    [
      'resource does not grant its subresource',
      { verbs: ['get'], apiGroups: [IMAGES], resources: ['imagestreams'] },
      res('get', IMAGES, 'imagestreams', { subresource: 'layers' }),
      false,
    ],
    [
      'resource/subresource',
      { verbs: ['get'], apiGroups: [IMAGES], resources: ['imagestreams/layers'] },
      res('get', IMAGES, 'imagestreams', { subresource: 'layers' }),
      true,
    ],
    [
      'subresource does not grant the resource',
      { verbs: ['get'], apiGroups: [IMAGES], resources: ['imagestreams/layers'] },
      res('get', IMAGES, 'imagestreams'),
      false,
    ],
    [
      '*/subresource',
      { verbs: ['update'], apiGroups: [IMAGES], resources: ['*/status'] },
      res('update', IMAGES, 'imagestreams', { subresource: 'status' }),
      true,
    ],
    [
      '*/subresource is not the resource',
      { verbs: ['update'], apiGroups: [IMAGES], resources: ['*/status'] },
      res('update', IMAGES, 'imagestreams'),
      false,
    ],
    [
      '*/other subresource',
      { verbs: ['get'], apiGroups: [IMAGES], resources: ['*/secrets'] },
      res('get', IMAGES, 'imagestreams', { subresource: 'layers' }),
      false,
    ],
    [
      'resource * grants subresources',
      { verbs: ['get'], apiGroups: ['*'], resources: ['*'] },
      res('get', IMAGES, 'imagestreams', { subresource: 'layers' }),
      true,
    ],
    [
      'resourceNames: that name',
      { verbs: ['get'], apiGroups: [IMAGES], resources: ['imagestreams'], resourceNames: ['app'] },
      res('get', IMAGES, 'imagestreams', { name: 'app' }),
      true,
    ],
    [
      'resourceNames: another name',
      { verbs: ['get'], apiGroups: [IMAGES], resources: ['imagestreams'], resourceNames: ['app'] },
      res('get', IMAGES, 'imagestreams', { name: 'db' }),
      false,
    ],
    [
      'resourceNames: a list has no name',
      { verbs: ['list'], apiGroups: [IMAGES], resources: ['imagestreams'], resourceNames: ['app'] },
      res('list', IMAGES, 'imagestreams'),
      false,
    ],
    [
      'resourceNames: * is a name, not a wildcard',
      { verbs: ['get'], apiGroups: [IMAGES], resources: ['imagestreams'], resourceNames: ['*'] },
      res('get', IMAGES, 'imagestreams', { name: 'app' }),
      false,
    ],
    ['URL exact', { verbs: ['get'], nonResourceURLs: ['/version'] }, url('get', '/version'), true],
    [
      'URL exact is not a prefix',
      { verbs: ['get'], nonResourceURLs: ['/version'] },
      url('get', '/version/x'),
      false,
    ],
    [
      'URL prefix*',
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
      url('get', '/apis/image.openshift.io/v1'),
      true,
    ],
    [
      'URL prefix* is not the bare path',
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
      url('get', '/apis'),
      false,
    ],
    ['URL *', { verbs: ['*'], nonResourceURLs: ['*'] }, url('post', '/metrics'), true],
    [
      'URL rule, resource request',
      { verbs: ['*'], nonResourceURLs: ['*'] },
      res('get', '', 'secrets'),
      false,
    ],
    [
      'resource rule, URL request',
      { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
      url('get', '/metrics'),
      false,
    ],
  ]
  for (const [name, rule, attrs, allowed] of cases) {
    void it(name, () => assert.equal(ruleAllows(rule, attrs), allowed))
  }
})

void describe('missingRules (Covers) and the escalation message', () => {
  const edit: Rule[] = [
    {
      verbs: ['get', 'list', 'watch'],
      apiGroups: [IMAGES],
      resources: ['imagestreams', 'imagestreamtags'],
    },
    { verbs: ['get', 'update'], apiGroups: [IMAGES], resources: ['imagestreams/layers'] },
    { verbs: ['get'], apiGroups: [IMAGES], resources: ['imagestreams'], resourceNames: ['only'] },
    { verbs: ['update'], apiGroups: ['*'], resources: ['*/status'] },
    { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
  ]
  const cases: [string, Rule[], string[]][] = [
    ['a subset', [{ verbs: ['get'], apiGroups: [IMAGES], resources: ['imagestreams'] }], []],
    [
      'another verb',
      [{ verbs: ['get', 'delete'], apiGroups: [IMAGES], resources: ['imagestreams'] }],
      ['{APIGroups:["image.openshift.io"], Resources:["imagestreams"], Verbs:["delete"]}'],
    ],
    [
      'a subresource held',
      [{ verbs: ['update'], apiGroups: [IMAGES], resources: ['imagestreams/layers'] }],
      [],
    ],
    [
      '*/status covers every status',
      [{ verbs: ['update'], apiGroups: [IMAGES], resources: ['imagestreams/status'] }],
      [],
    ],
    [
      'a named object held',
      [{ verbs: ['get'], apiGroups: [IMAGES], resources: ['imagestreams'], resourceNames: ['x'] }],
      [],
    ],
    [
      'a URL under a prefix',
      [{ verbs: ['get'], nonResourceURLs: ['/apis/image.openshift.io'] }],
      [],
    ],
    [
      'a URL outside it',
      [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }],
      ['{NonResourceURLs:["/metrics"], Verbs:["get"]}'],
    ],
    [
      'missing verbs compacted per resource',
      [{ verbs: ['create', 'delete'], apiGroups: [''], resources: ['secrets', 'serviceaccounts'] }],
      [
        '{APIGroups:[""], Resources:["secrets"], Verbs:["create" "delete"]}',
        '{APIGroups:[""], Resources:["serviceaccounts"], Verbs:["create" "delete"]}',
      ],
    ],
    [
      'wildcards are not covered by a list',
      [{ verbs: ['*'], apiGroups: [IMAGES], resources: ['imagestreams'] }],
      ['{APIGroups:["image.openshift.io"], Resources:["imagestreams"], Verbs:["*"]}'],
    ],
  ]
  for (const [name, requested, missing] of cases) {
    void it(name, () => {
      assert.deepEqual(
        compactRules(missingRules(edit, requested)).map(compactString).sort(),
        missing,
      )
    })
  }

  void it('words the refusal as ConfirmNoEscalation does', () => {
    const missing = missingRules(edit, [
      { verbs: ['create', 'delete'], apiGroups: [''], resources: ['secrets'] },
      { verbs: ['get'], nonResourceURLs: ['/metrics'] },
    ])
    assert.equal(
      escalationMessage(
        { name: 'alice', groups: ['system:authenticated:oauth', 'system:authenticated'] },
        missing,
      ),
      'user "alice" (groups=["system:authenticated:oauth" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["secrets"], Verbs:["create" "delete"]}\n' +
        '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
    )
  })
})
