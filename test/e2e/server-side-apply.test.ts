/**
 * Server-side apply with field ownership, end to end: real kubectl 1.32 applying as three
 * managers (`--field-manager=a|b|c`) to one ImageStream's labels, annotations and spec.tags
 * entries, as Kubernetes answers them: a conflict refused with the apiserver's text and exit
 * code 1, `--force-conflicts` taking the field, a field dropped by the only manager that owned
 * it removed, one another manager also owns kept, `--show-managed-fields` listing each
 * manager's fields; a `kubectl create`d object adopted through `before-first-apply`; and
 * Python's client applying through its DynamicClient.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parse } from 'yaml'
import { python, succeeded, useServe } from '../harness/index.js'

interface Entry {
  manager: string
  operation: string
  apiVersion: string
  time?: string
  fieldsType: string
  fieldsV1: Record<string, unknown>
  subresource?: string
}

interface Stream {
  metadata: {
    labels?: Record<string, string>
    annotations?: Record<string, string>
    managedFields?: Entry[]
  }
  spec: { tags?: { name: string; from?: { kind: string; name: string } }[] }
}

const X = (n: number) => `127.0.0.1:9/ssa/app:${n}`

function stream(parts: {
  labels?: Record<string, string>
  annotations?: Record<string, string>
  tags?: [string, string][]
}): string {
  return JSON.stringify({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: {
      name: 'tools',
      namespace: 'ssa',
      ...(parts.labels && { labels: parts.labels }),
      ...(parts.annotations && { annotations: parts.annotations }),
    },
    ...(parts.tags && {
      spec: {
        tags: parts.tags.map(([name, from]) => ({
          name,
          from: { kind: 'DockerImage', name: from },
        })),
      },
    }),
  })
}

// kubectl's own advice, printed after the server's message.
const ADVICE = 'Please review the fields above--they currently have other managers.'

const tag = (name: string) => `k:{"name":"${name}"}`
// A tag's `from` is an ObjectReference, which Kubernetes declares atomic: owned as a whole.
const atomicFrom = {}

describe('server-side apply: three managers on labels, annotations and spec.tags', () => {
  const serve = useServe()
  const apply = (manager: string, body: string, ...extra: string[]) =>
    serve.kubectl(
      ['apply', '--server-side', `--field-manager=${manager}`, ...extra, '-f', '-'],
      body,
    )
  const live = async (...flags: string[]): Promise<Stream> =>
    parse(
      await succeeded(serve.kubectl(['get', 'is', 'tools', '-n', 'ssa', '-o', 'yaml', ...flags])),
    ) as Stream
  const owned = (s: Stream, manager: string) =>
    s.metadata.managedFields?.find((e) => e.manager === manager)?.fieldsV1

  it('a and b apply, sharing what they set alike', async () => {
    await succeeded(serve.kubectl(['create', 'namespace', 'ssa']))
    const a = await apply(
      'a',
      stream({
        labels: { team: 'a', shared: 'yes' },
        annotations: { owner: 'a' },
        tags: [
          ['v1', X(1)],
          ['a-only', X(4)],
        ],
      }),
    )
    assert.equal(a.code, 0, a.stderr)
    assert.equal(a.stdout.trim(), 'imagestream.image.openshift.io/tools serverside-applied')
    const b = await apply(
      'b',
      stream({
        labels: { shared: 'yes', env: 'b' },
        annotations: { reviewed: 'b' },
        tags: [
          ['v1', X(1)],
          ['v2', X(2)],
        ],
      }),
    )
    assert.equal(b.code, 0, b.stderr)
  })

  it('a field manager over 128 bytes is refused as the apiserver refuses it, nothing applied', async () => {
    const res = await apply('m'.repeat(129), stream({ labels: { team: 'long' } }))
    assert.equal(res.code, 1)
    assert.equal(
      res.stderr,
      'The PatchOptions "" is invalid: fieldManager: Too long: may not be more than 128 bytes\n',
    )
    assert.equal((await live()).metadata.labels?.team, 'a')
  })

  it('c changing a field a owns is refused with the apiserver conflict text', async () => {
    const res = await apply('c', stream({ labels: { team: 'c' } }))
    assert.equal(res.code, 1)
    assert.ok(
      res.stderr.startsWith(
        'error: Apply failed with 1 conflict: conflict with "a": .metadata.labels.team\n',
      ),
      res.stderr,
    )
    assert.ok(res.stderr.includes(ADVICE), res.stderr)
    assert.equal((await live()).metadata.labels?.team, 'a')
  })

  it('conflicts with several managers are listed by manager', async () => {
    const res = await apply(
      'c',
      stream({ labels: { team: 'c' }, annotations: { reviewed: 'c' }, tags: [['v2', X(3)]] }),
    )
    assert.equal(res.code, 1)
    assert.ok(
      res.stderr.startsWith(
        'error: Apply failed with 3 conflicts: conflicts with "a":\n' +
          '- .metadata.labels.team\n' +
          'conflicts with "b":\n' +
          '- .metadata.annotations.reviewed\n' +
          '- .spec.tags[name="v2"].from\n',
      ),
      res.stderr,
    )
  })

  it('--force-conflicts takes the fields from their managers', async () => {
    const res = await apply(
      'c',
      stream({ labels: { team: 'c' }, tags: [['v2', X(3)]] }),
      '--force-conflicts',
    )
    assert.equal(res.code, 0, res.stderr)
    const s = await live('--show-managed-fields')
    assert.equal(s.metadata.labels?.team, 'c')
    assert.equal(s.spec.tags?.find((t) => t.name === 'v2')?.from?.name, X(3))
    assert.deepEqual(
      s.metadata.managedFields?.map((e) => [e.manager, e.operation, e.apiVersion, e.fieldsType]),
      [
        ['a', 'Apply', 'image.openshift.io/v1', 'FieldsV1'],
        ['b', 'Apply', 'image.openshift.io/v1', 'FieldsV1'],
        ['c', 'Apply', 'image.openshift.io/v1', 'FieldsV1'],
      ],
    )
    assert.deepEqual(owned(s, 'a'), {
      'f:metadata': {
        'f:annotations': { 'f:owner': {} },
        'f:labels': { 'f:shared': {} },
      },
      'f:spec': {
        'f:tags': {
          [tag('a-only')]: { '.': {}, 'f:from': atomicFrom, 'f:name': {} },
          [tag('v1')]: { '.': {}, 'f:from': atomicFrom, 'f:name': {} },
        },
      },
    })
    assert.deepEqual(owned(s, 'b'), {
      'f:metadata': {
        'f:annotations': { 'f:reviewed': {} },
        'f:labels': { 'f:env': {}, 'f:shared': {} },
      },
      'f:spec': {
        'f:tags': {
          [tag('v1')]: { '.': {}, 'f:from': atomicFrom, 'f:name': {} },
          [tag('v2')]: { '.': {}, 'f:name': {} },
        },
      },
    })
    assert.deepEqual(owned(s, 'c'), {
      'f:metadata': { 'f:labels': { 'f:team': {} } },
      'f:spec': { 'f:tags': { [tag('v2')]: { '.': {}, 'f:from': atomicFrom, 'f:name': {} } } },
    })
  })

  it('plain -o yaml leaves managedFields out', async () => {
    assert.equal((await live()).metadata.managedFields, undefined)
  })

  it('an update by another client takes the field it changes from its applier', async () => {
    await succeeded(serve.kubectl(['label', 'is', 'tools', '-n', 'ssa', 'team=z', '--overwrite']))
    const s = await live('--show-managed-fields')
    assert.deepEqual(owned(s, 'c'), {
      'f:spec': { 'f:tags': { [tag('v2')]: { '.': {}, 'f:from': atomicFrom, 'f:name': {} } } },
    })
    const label = s.metadata.managedFields?.find((e) => e.manager === 'kubectl-label')
    assert.equal(label?.operation, 'Update')
    assert.deepEqual(label?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:team': {} } } })
  })

  it('what a drops is removed when a alone owned it and kept when another manager owns it', async () => {
    const res = await apply('a', stream({}))
    assert.equal(res.code, 0, res.stderr)
    const s = await live('--show-managed-fields')
    assert.deepEqual(s.metadata.labels, { env: 'b', shared: 'yes', team: 'z' })
    // owner was a's alone; reviewed is b's (the importer's own annotation is nobody's).
    assert.equal(s.metadata.annotations?.owner, undefined)
    assert.equal(s.metadata.annotations?.reviewed, 'b')
    assert.deepEqual(
      s.spec.tags?.map((t) => t.name),
      ['v1', 'v2'],
    )
    assert.equal(owned(s, 'a'), undefined)
    assert.deepEqual(
      s.metadata.managedFields?.map((e) => e.manager),
      ['b', 'c', 'kubectl-label'],
    )
  })
})

describe('server-side apply: objects written before, and other clients', () => {
  const serve = useServe()

  it('an apply to a kubectl-created object conflicts with its creator', async () => {
    await succeeded(serve.kubectl(['create', 'namespace', 'ssa']))
    await succeeded(
      serve.kubectl(['create', '-f', '-'], stream({ labels: { team: 'x' }, tags: [['v1', X(1)]] })),
    )
    const created = parse(
      await succeeded(
        serve.kubectl(['get', 'is', 'tools', '-n', 'ssa', '-o', 'yaml', '--show-managed-fields']),
      ),
    ) as Stream
    const entry = created.metadata.managedFields?.[0]
    assert.equal(entry?.manager, 'kubectl-create')
    assert.equal(entry?.operation, 'Update')
    assert.deepEqual(entry?.fieldsV1, {
      'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } },
      'f:spec': {
        'f:tags': {
          '.': {},
          // The server's defaults belong to the creator, as decoding defaults them upstream.
          [tag('v1')]: {
            '.': {},
            'f:from': atomicFrom,
            'f:importPolicy': { '.': {}, 'f:importMode': {} },
            'f:name': {},
            'f:referencePolicy': { '.': {}, 'f:type': {} },
          },
        },
      },
    })
    const refused = await serve.kubectl(
      ['apply', '--server-side', '--field-manager=a', '-f', '-'],
      stream({ labels: { team: 'a' } }),
    )
    assert.equal(refused.code, 1)
    assert.ok(
      refused.stderr.startsWith(
        'error: Apply failed with 1 conflict: conflict with "kubectl-create" using image.openshift.io/v1: .metadata.labels.team\n',
      ),
      refused.stderr,
    )
  })

  it('an object nobody manages is adopted through before-first-apply', async () => {
    // A JSON patch may reset managedFields ([{}]), as upstream allows; the object then stays
    // untracked, like one the server wrote itself, until the first apply.
    await succeeded(
      serve.kubectl(
        ['create', '-f', '-'],
        stream({ labels: { team: 'x' } }).replace('"tools"', '"old"'),
      ),
    )
    await succeeded(
      serve.kubectl([
        'patch',
        'is',
        'old',
        '-n',
        'ssa',
        '--type=json',
        '-p',
        '[{"op":"replace","path":"/metadata/managedFields","value":[{}]}]',
      ]),
    )
    const get = async () =>
      parse(
        await succeeded(
          serve.kubectl(['get', 'is', 'old', '-n', 'ssa', '-o', 'yaml', '--show-managed-fields']),
        ),
      ) as Stream
    assert.equal((await get()).metadata.managedFields, undefined)
    await succeeded(serve.kubectl(['label', 'is', 'old', '-n', 'ssa', 'more=y']))
    assert.equal((await get()).metadata.managedFields, undefined, 'updates do not start tracking')
    const config = stream({ labels: { team: 'a' } }).replace('"tools"', '"old"')
    const refused = await serve.kubectl(
      ['apply', '--server-side', '--field-manager=a', '-f', '-'],
      config,
    )
    assert.equal(refused.code, 1)
    assert.ok(
      refused.stderr.startsWith(
        'error: Apply failed with 1 conflict: conflict with "before-first-apply" using image.openshift.io/v1: .metadata.labels.team\n',
      ),
      refused.stderr,
    )
    await succeeded(
      serve.kubectl(
        ['apply', '--server-side', '--field-manager=a', '--force-conflicts', '-f', '-'],
        config,
      ),
    )
    const adopted = await get()
    assert.deepEqual(
      adopted.metadata.managedFields?.map((e) => [e.manager, e.operation, e.fieldsV1]),
      [
        ['a', 'Apply', { 'f:metadata': { 'f:labels': { 'f:team': {} } } }],
        [
          'before-first-apply',
          'Update',
          // OpenShift stores status.dockerImageRepository, so its migration owns it too.
          {
            'f:metadata': { 'f:labels': { '.': {}, 'f:more': {} } },
            'f:status': { 'f:dockerImageRepository': {} },
          },
        ],
      ],
    )
  })

  it('kubectl apply --server-side takes over from client-side apply without conflicts', async () => {
    const csa = stream({ labels: { team: 'csa' } }).replace('"tools"', '"csa"')
    await succeeded(serve.kubectl(['apply', '-f', '-'], csa))
    const ssa = await serve.kubectl(
      ['apply', '--server-side', '-f', '-'],
      stream({ labels: { team: 'ssa' } }).replace('"tools"', '"csa"'),
    )
    assert.equal(ssa.code, 0, ssa.stderr)
    const s = parse(
      await succeeded(
        serve.kubectl(['get', 'is', 'csa', '-n', 'ssa', '-o', 'yaml', '--show-managed-fields']),
      ),
    ) as Stream
    assert.equal(s.metadata.labels?.team, 'ssa')
    const applied = s.metadata.managedFields?.find((e) => e.manager === 'kubectl')
    assert.equal(applied?.operation, 'Apply')
    assert.deepEqual((applied?.fieldsV1['f:metadata'] as Record<string, unknown>)['f:labels'], {
      'f:team': {},
    })
  })

  it("Python's client applies with a field manager and gets the 409", async () => {
    // python3-kubernetes 22.6 cannot send application/apply-patch+yaml (its REST layer refuses
    // the content type, DynamicClient.server_side_apply included), so the script sends the
    // PATCH through the client's own connection pool, TLS settings and credentials.
    const script = `
import json
from kubernetes import client, config
config.load_kube_config()
api = client.ApiClient()
path = '/apis/image.openshift.io/v1/namespaces/ssa/imagestreams/tools?fieldManager=py'
def apply(labels):
    headers = {'Content-Type': 'application/apply-patch+yaml', 'Accept': 'application/json'}
    api.update_params_for_auth(headers, [], ['BearerToken'])
    body = {'apiVersion': 'image.openshift.io/v1', 'kind': 'ImageStream',
            'metadata': {'name': 'tools', 'namespace': 'ssa', 'labels': labels}}
    return api.rest_client.pool_manager.request(
        'PATCH', api.configuration.host + path, body=json.dumps(body), headers=headers)
ok = apply({'py': 'one'})
print(ok.status, json.dumps(json.loads(ok.data)['metadata']['labels']))
refused = apply({'team': 'py'})
status = json.loads(refused.data)
print(refused.status, status['reason'], status['message'])
print(json.dumps(status['details']['causes']))
secret = client.CoreV1Api().create_namespaced_secret('ssa', {'metadata': {'name': 'py'}, 'stringData': {'k': 'v'}})
entry = secret.metadata.managed_fields[0]
print(entry.manager, entry.operation, json.dumps(entry.fields_v1, sort_keys=True))
`
    const res = await python(script, { kubeconfig: serve.kubeconfig })
    assert.equal(res.code, 0, res.stderr)
    const [applied, conflict, causes, created] = res.stdout.trim().split('\n')
    assert.equal(applied, '200 {"team": "x", "py": "one"}')
    assert.equal(
      conflict,
      '409 Conflict Apply failed with 1 conflict: conflict with "kubectl-create" using image.openshift.io/v1: .metadata.labels.team',
    )
    assert.deepEqual(JSON.parse(causes ?? ''), [
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "kubectl-create" using image.openshift.io/v1',
        field: '.metadata.labels.team',
      },
    ])
    // Without a fieldManager, the manager is the User-Agent's product, as the apiserver names it.
    assert.equal(created, 'OpenAPI-Generator Update {"f:data": {".": {}, "f:k": {}}, "f:type": {}}')
  })
})
