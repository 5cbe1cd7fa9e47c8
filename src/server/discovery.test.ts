import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RESOURCE_LIST } from '../api/index.js'
import {
  aggregatedList,
  buildDiscovery,
  legacyGroupList,
  legacyResourceList,
  negotiateDiscovery,
  storageVersionHash,
  type DiscoveryFormat,
  type DiscoveryResource,
} from './discovery.js'

const KUBECTL_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'

describe('negotiateDiscovery', () => {
  const cases: [string | undefined, DiscoveryFormat | undefined][] = [
    [KUBECTL_ACCEPT, 'v2'],
    [
      'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
      'v2beta1',
    ],
    ['application/json; g=apidiscovery.k8s.io; v=v2; as=APIGroupDiscoveryList', 'v2'],
    ['application/json', 'legacy'],
    ['application/json, */*', 'legacy'],
    ['*/*', 'legacy'],
    [undefined, 'legacy'],
    ['', 'legacy'],
    // q values reorder; q=0 excludes.
    [
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0.5,application/json',
      'legacy',
    ],
    ['application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0,*/*', 'legacy'],
    // Versions and shapes this server cannot produce are skipped.
    [
      'application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json',
      'legacy',
    ],
    ['application/json;as=Table;v=v1;g=meta.k8s.io', undefined],
    ['application/vnd.kubernetes.protobuf', undefined],
    ['application/vnd.kubernetes.protobuf, application/json', 'legacy'],
  ]
  for (const [accept, want] of cases) {
    it(`${JSON.stringify(accept)} -> ${want ?? 'not acceptable'}`, () => {
      assert.equal(negotiateDiscovery(accept), want)
    })
  }
})

describe('discovery of the resources registry', () => {
  const d = buildDiscovery(RESOURCE_LIST)

  it('lists the image group, RBAC and core', () => {
    assert.deepEqual([...d.groups.keys()].sort(), [
      '',
      'image.openshift.io',
      'rbac.authorization.k8s.io',
    ])
    assert.deepEqual(legacyGroupList(d), {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [
        {
          name: 'image.openshift.io',
          versions: [{ groupVersion: 'image.openshift.io/v1', version: 'v1' }],
          preferredVersion: { groupVersion: 'image.openshift.io/v1', version: 'v1' },
        },
        {
          name: 'rbac.authorization.k8s.io',
          versions: [{ groupVersion: 'rbac.authorization.k8s.io/v1', version: 'v1' }],
          preferredVersion: { groupVersion: 'rbac.authorization.k8s.io/v1', version: 'v1' },
        },
      ],
    })
  })

  const shortNames: [string, string, string][] = [
    ['image.openshift.io', 'imagestreams', 'is'],
    ['image.openshift.io', 'imagestreamtags', 'istag'],
    ['image.openshift.io', 'imagestreamimages', 'isimage'],
    ['', 'namespaces', 'ns'],
    ['', 'serviceaccounts', 'sa'],
  ]
  for (const [group, plural, short] of shortNames) {
    it(`advertises ${short} for ${plural}, legacy and aggregated`, () => {
      const legacy = legacyResourceList(d, group, 'v1').resources.find((r) => r.name === plural)
      assert.deepEqual(legacy?.shortNames, [short])
      const list = aggregatedList(d, group ? 'groups' : 'core', 'v2')
      const resource = list.items[0]?.versions[0]?.resources.find((r) => r.resource === plural)
      assert.deepEqual(resource?.shortNames, [short])
    })
  }

  it('gives imagestreams the all category, its status subresource and a responseKind', () => {
    const list = aggregatedList(d, 'groups', 'v2')
    assert.equal(list.apiVersion, 'apidiscovery.k8s.io/v2')
    assert.equal(list.items.length, 2)
    const is = list.items[0]!.versions[0]!.resources.find((r) => r.resource === 'imagestreams')
    assert.deepEqual(is, {
      resource: 'imagestreams',
      responseKind: { group: 'image.openshift.io', version: 'v1', kind: 'ImageStream' },
      scope: 'Namespaced',
      singularResource: 'imagestream',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['is'],
      categories: ['all'],
      subresources: [
        {
          subresource: 'status',
          responseKind: { group: 'image.openshift.io', version: 'v1', kind: 'ImageStream' },
          verbs: ['get', 'patch', 'update'],
        },
      ],
    })
    const legacy = legacyResourceList(d, 'image.openshift.io', 'v1')
    assert.deepEqual(
      legacy.resources.find((r) => r.name === 'imagestreams/status'),
      {
        name: 'imagestreams/status',
        singularName: '',
        namespaced: true,
        kind: 'ImageStream',
        verbs: ['get', 'patch', 'update'],
      },
    )
  })

  it('puts only core in /api and every other group in /apis', () => {
    const core = aggregatedList(d, 'core', 'v2beta1')
    assert.equal(core.apiVersion, 'apidiscovery.k8s.io/v2beta1')
    assert.deepEqual(
      core.items.map((i) => i.metadata.name),
      [''],
    )
    const names = core.items[0]!.versions[0]!.resources.map((r) => r.resource).sort()
    assert.deepEqual(names, ['events', 'namespaces', 'secrets', 'serviceaccounts'])
    for (const r of core.items[0]!.versions[0]!.resources) assert.equal(r.responseKind.group, '')
  })

  it('omits empty short names and categories', () => {
    const images = legacyResourceList(d, 'image.openshift.io', 'v1').resources.find(
      (r) => r.name === 'images',
    )
    assert.ok(images && !('shortNames' in images) && !('categories' in images))
  })

  it('takes `parent/sub` entries as subresources', () => {
    const entries: DiscoveryResource[] = [
      {
        plural: 'widgets',
        singular: 'widget',
        kind: 'Widget',
        group: 'x.io',
        version: 'v1',
        namespaced: true,
        verbs: ['get'],
      },
      {
        plural: 'widgets/scale',
        singular: '',
        kind: 'Scale',
        group: 'x.io',
        version: 'v1',
        namespaced: true,
        verbs: ['get', 'update'],
      },
    ]
    const list = legacyResourceList(buildDiscovery(entries), 'x.io', 'v1')
    assert.deepEqual(
      list.resources.map((r) => [r.name, r.kind]),
      [
        ['widgets', 'Widget'],
        ['widgets/scale', 'Scale'],
      ],
    )
    assert.throws(() => buildDiscovery([entries[1]!]), /without\) its resource/)
  })

  it("names a subresource kind's own group and version, as serviceaccounts/token's", () => {
    const d = buildDiscovery([
      ...RESOURCE_LIST,
      {
        plural: 'serviceaccounts/token',
        singular: '',
        kind: 'TokenRequest',
        kindGroupVersion: { group: 'authentication.k8s.io', version: 'v1' },
        group: '',
        version: 'v1',
        namespaced: true,
        verbs: ['create'],
      },
    ])
    assert.deepEqual(
      legacyResourceList(d, '', 'v1').resources.find((r) => r.name === 'serviceaccounts/token'),
      {
        name: 'serviceaccounts/token',
        singularName: '',
        namespaced: true,
        group: 'authentication.k8s.io',
        version: 'v1',
        kind: 'TokenRequest',
        verbs: ['create'],
      },
    )
    const core = aggregatedList(d, 'core', 'v2').items[0]!.versions[0]!
    assert.deepEqual(core.resources.find((r) => r.resource === 'serviceaccounts')?.subresources, [
      {
        subresource: 'token',
        responseKind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
        verbs: ['create'],
      },
    ])
  })

  it('computes the apiserver storageVersionHash', () => {
    // The value kube-apiserver advertises for apps/v1 Deployment.
    assert.equal(storageVersionHash('apps', 'v1', 'Deployment'), '8aSe+NMegvE=')
  })
})
