import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseWorkloads, WorkloadParseError, type RawReference } from './workloads.js'

const podSpec = {
  initContainers: [{ name: 'init', image: 'init:1' }],
  containers: [
    { name: 'app', image: 'app:1' },
    { name: 'blank', image: '  ' },
  ],
  ephemeralContainers: [{ name: 'debug', image: 'debug:1' }],
}
const template = { spec: { template: { spec: podSpec } } }
const allContainers = [
  ['init container init', 'init:1'],
  ['container app', 'app:1'],
  ['ephemeral container debug', 'debug:1'],
]

/** refs renders references compactly: `Kind ns/name | field | form | reference | namespace`. */
function refs(list: readonly RawReference[]): string[] {
  return list.map(
    (r) =>
      `${r.object.kind} ${r.object.namespace}/${r.object.name} | ${r.field} | ${r.form} | ${r.reference} | ${r.namespace}`,
  )
}

function one(object: object): string[] {
  return refs(parseWorkloads([{ name: 'w.json', text: JSON.stringify(object) }]).references)
}

const meta = { name: 'w', namespace: 'ns' }

describe('parseWorkloads: each kind', () => {
  const kinds: [string, object][] = [
    ['Pod', { spec: podSpec, status: { phase: 'Running' } }],
    ['ReplicationController', template],
    ['ReplicaSet', template],
    ['Deployment', template],
    ['DaemonSet', template],
    ['StatefulSet', template],
    ['Job', template],
    ['DeploymentConfig', template],
    ['CronJob', { spec: { jobTemplate: template } }],
  ]
  for (const [kind, body] of kinds) {
    it(`${kind}: every init, regular and ephemeral container image`, () => {
      assert.deepEqual(
        one({ kind, metadata: meta, ...body }),
        allContainers.map(
          ([field, image]) => `${kind} ns/w | ${field} | pull-spec | ${image} | ns`,
        ),
      )
    })
  }

  it('Pod: carries its phase and creation time', () => {
    const input = parseWorkloads([
      {
        name: 'p.json',
        text: JSON.stringify({
          kind: 'Pod',
          metadata: { ...meta, creationTimestamp: '2026-01-01T00:00:00Z' },
          spec: { containers: [{ name: 'c', image: 'x' }] },
          status: { phase: 'Succeeded' },
        }),
      },
    ])
    assert.deepEqual(input.references[0]!.pod, {
      phase: 'Succeeded',
      created: Date.UTC(2026, 0, 1),
    })
  })

  const builds: [string, object, string[]][] = [
    [
      'DockerImage from as a pull spec',
      { sourceStrategy: { from: { kind: 'DockerImage', name: 'reg/ns/base:1' } } },
      ['sourceStrategy from | pull-spec | reg/ns/base:1 | ns'],
    ],
    [
      'ImageStreamTag from in its own namespace',
      { dockerStrategy: { from: { kind: 'ImageStreamTag', name: 'base:1' } } },
      ['dockerStrategy from | ImageStreamTag | base:1 | ns'],
    ],
    [
      'ImageStreamTag from in another namespace',
      {
        sourceStrategy: {
          from: { kind: 'ImageStreamTag', name: 'base:1', namespace: 'openshift' },
        },
      },
      ['sourceStrategy from | ImageStreamTag | base:1 | openshift'],
    ],
    [
      'ImageStreamImage from',
      { customStrategy: { from: { kind: 'ImageStreamImage', name: 'base@sha256:abc' } } },
      ['customStrategy from | ImageStreamImage | base@sha256:abc | ns'],
    ],
    ['no from (a pipeline)', { jenkinsPipelineStrategy: {} }, []],
  ]
  for (const kind of ['BuildConfig', 'Build']) {
    for (const [name, strategy, want] of builds) {
      it(`${kind}: ${name}`, () => {
        assert.deepEqual(
          one({ kind, metadata: meta, spec: { strategy } }),
          want.map((w) => `${kind} ns/w | ${w}`),
        )
      })
    }
  }

  it('ignores kinds that hold no image reference', () => {
    assert.deepEqual(one({ kind: 'Service', metadata: meta, spec: {} }), [])
  })
})

describe('parseWorkloads: inputs', () => {
  it('reads a kubectl List and several sources', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { kind: 'Pod', metadata: meta, spec: { containers: [{ name: 'a', image: 'a:1' }] } },
        { kind: 'Deployment', metadata: { name: 'd', namespace: 'x' }, ...template },
      ],
    }
    const input = parseWorkloads([
      { name: 'list.json', text: JSON.stringify(list) },
      { name: '-', text: JSON.stringify({ kind: 'Pod', metadata: meta, spec: podSpec }) },
    ])
    assert.deepEqual(
      input.references.map((r) => `${r.object.kind}/${r.object.name} ${r.reference}`),
      [
        'Pod/w a:1',
        'Deployment/d init:1',
        'Deployment/d app:1',
        'Deployment/d debug:1',
        'Pod/w init:1',
        'Pod/w app:1',
        'Pod/w debug:1',
      ],
    )
  })

  it('reads an API list (PodList) whose items have no kind', () => {
    const text = JSON.stringify({
      kind: 'PodList',
      apiVersion: 'v1',
      items: [{ metadata: meta, spec: { containers: [{ name: 'a', image: 'a:1' }] } }],
    })
    assert.deepEqual(refs(parseWorkloads([{ name: 'pods.json', text }]).references), [
      'Pod ns/w | container a | pull-spec | a:1 | ns',
    ])
  })

  it('reads multi-document YAML, skipping empty documents', () => {
    const text = [
      '# pods',
      'kind: Pod',
      'metadata: {name: p1, namespace: ns}',
      'spec:',
      '  containers:',
      '  - name: a',
      '    image: a:1',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- kind: CronJob',
      '  metadata: {name: cj, namespace: ns}',
      '  spec:',
      '    jobTemplate:',
      '      spec:',
      '        template:',
      '          spec:',
      '            containers:',
      '            - {name: b, image: "b@sha256:' + 'a'.repeat(64) + '"}',
      '---',
      '',
    ].join('\n')
    assert.deepEqual(refs(parseWorkloads([{ name: 'w.yaml', text }]).references), [
      'Pod ns/p1 | container a | pull-spec | a:1 | ns',
      `CronJob ns/cj | container b | pull-spec | b@sha256:${'a'.repeat(64)} | ns`,
    ])
  })

  it('reads LimitRange image size limits, the least of several per namespace', () => {
    const limitRange = (name: string, namespace: string, storage: string | number) => ({
      kind: 'LimitRange',
      metadata: { name, namespace },
      spec: {
        limits: [
          { type: 'Container', max: { memory: '1Gi' } },
          { type: 'openshift.io/Image', max: { storage } },
        ],
      },
    })
    const input = parseWorkloads([
      {
        name: 'limits.json',
        text: JSON.stringify({
          kind: 'LimitRangeList',
          items: [
            limitRange('a', 'ns', '1Gi'),
            limitRange('b', 'ns', '500Mi'),
            limitRange('c', 'other', 1000),
          ],
        }),
      },
    ])
    assert.deepEqual(
      input.imageSizeLimits,
      new Map([
        ['ns', 500 * 2 ** 20],
        ['other', 1000],
      ]),
    )
  })

  const errors: [string, string, RegExp][] = [
    ['not JSON', '{"kind": "Pod", ', /^workloads file bad: not JSON or YAML: /],
    ['not YAML', 'kind: [Pod\n  x: :', /^workloads file bad: not JSON or YAML: /],
    ['empty', '  \n# nothing\n', /^workloads file bad: it is empty; give kubectl output/],
    [
      'no kind',
      '{"metadata": {"name": "x"}}',
      /the document is not a Kubernetes object: it has no "kind"/,
    ],
    ['a scalar', 'kind: Pod\n---\nhello\n', /document 2 is not a Kubernetes object: it is string/],
    [
      'a List item without kind',
      '{"kind": "List", "items": [{"metadata": {}}]}',
      /the document, List, item 1 is not a Kubernetes object: it has no "kind"/,
    ],
    [
      'a bad quantity',
      '{"kind": "LimitRange", "metadata": {"name": "l", "namespace": "ns"}, "spec": {"limits": [{"type": "openshift.io/Image", "max": {"storage": "lots"}}]}}',
      /LimitRange ns\/l: max storage "lots" is not a quantity/,
    ],
  ]
  for (const [name, text, message] of errors) {
    it(`refuses ${name}, naming the source`, () => {
      assert.throws(
        () => parseWorkloads([{ name: 'bad', text }]),
        (err: unknown) =>
          err instanceof WorkloadParseError && err.source === 'bad' && message.test(err.message),
      )
    })
  }

  it('names standard input as such', () => {
    assert.throws(
      () => parseWorkloads([{ name: '-', text: '' }]),
      /^WorkloadParseError: workloads from standard input: it is empty/,
    )
  })
})
