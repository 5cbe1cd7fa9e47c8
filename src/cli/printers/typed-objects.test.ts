import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Secret } from '../../api/core.js'
import { goYamlKeyLess } from './go-encoding.js'
import { parseDryRun, parseOutput, renderObject } from './typed-objects.js'

void describe('printing', () => {
  it('orders YAML keys as go-yaml does', () => {
    const keys = ['a', 'AB', 'A_b', '10', '9', '.x', 'b2', 'b10']
    const sorted = keys.sort((x, y) => (goYamlKeyLess(x, y) ? -1 : goYamlKeyLess(y, x) ? 1 : 0))
    assert.deepEqual(sorted, ['.x', '9', '10', 'A_b', 'AB', 'a', 'b2', 'b10'])
  })
  const created: Secret = {
    metadata: {
      creationTimestamp: '2026-11-26T12:25:37Z',
      name: 's',
      namespace: 'default',
      resourceVersion: '5',
      uid: 'u-1',
      labels: {},
    },
    apiVersion: 'v1',
    type: 'Opaque',
    kind: 'Secret',
    data: { b: 'Yg==', a: 'YQ==' },
    extra: 'dropped',
  } as Secret
  it('prints -o json in Go field order, unknown and empty fields dropped', () => {
    assert.equal(
      renderObject(created, 'json', 'created'),
      `{
    "kind": "Secret",
    "apiVersion": "v1",
    "metadata": {
        "name": "s",
        "namespace": "default",
        "uid": "u-1",
        "resourceVersion": "5",
        "creationTimestamp": "2026-11-26T12:25:37Z"
    },
    "data": {
        "a": "YQ==",
        "b": "Yg=="
    },
    "type": "Opaque"
}
`,
    )
  })
  it('prints -o yaml with sorted keys and YAML 1.1 quoting', () => {
    assert.equal(
      renderObject(created, 'yaml', 'created'),
      `apiVersion: v1
data:
  a: YQ==
  b: Yg==
kind: Secret
metadata:
  creationTimestamp: "2026-11-26T12:25:37Z"
  name: s
  namespace: default
  resourceVersion: "5"
  uid: u-1
type: Opaque
`,
    )
  })
  it('prints the name and the operation, marked for dry runs', () => {
    assert.equal(renderObject(created, 'name', 'created'), 'secret/s\n')
    assert.equal(renderObject(created, '', 'created'), 'secret/s created\n')
    assert.equal(renderObject(created, '', 'created', 'client'), 'secret/s created (dry run)\n')
    assert.equal(
      renderObject(created, '', 'created', 'server'),
      'secret/s created (server dry run)\n',
    )
  })
  it('refuses other formats and dry-run values with kubectl messages', () => {
    assert.throws(() => parseOutput('wide'), {
      message:
        'unable to match a printer suitable for the output format "wide", allowed formats are: json,name,yaml',
    })
    assert.throws(() => parseDryRun('bogus'), {
      message: 'Invalid dry-run value (bogus). Must be "none", "server", or "client".',
    })
    assert.equal(parseDryRun(true), 'client')
    assert.equal(parseDryRun(undefined), 'none')
  })
})
