/**
 * API behaviours kubectl depends on, with real kubectl 1.32 and Debian's kubectl 1.20 against a
 * real `isctl serve`: bodies sent without Content-Type (kubectl 1.20's creates), what a delete
 * answers, namespace deletion through Terminating, PUT without resourceVersion, and `kubectl
 * auth can-i`. No timing: every wait is kubectl's own (`delete` and `wait` block until the
 * object is gone) or a poll for an outcome.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { kubectl, legacyKubectl, pollUntil, succeeded, useServe } from '../harness/index.js'

const G = '/apis/image.openshift.io/v1'

/** stream is an ImageStream manifest as JSON (kubectl reads it from a file or stdin). */
const stream = (namespace: string, name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name, namespace, ...extra },
    spec: {
      tags: [{ name: 'latest', from: { kind: 'DockerImage', name: 'quay.io/team/app:latest' } }],
    },
  })

interface Listed {
  items: { metadata: { name: string } }[]
}

void describe('kubectl against isctl serve: API behaviours clients depend on', () => {
  const suite = useServe()
  let legacy: string
  before(async () => {
    legacy = await legacyKubectl()
  })
  const k = (args: readonly string[], input?: string) => suite.kubectl(args, input)
  const k120 = (args: readonly string[], input?: string) =>
    kubectl(args, {
      kubeconfig: suite.kubeconfig,
      cacheDir: join(suite.home, 'kubectl-1.20'),
      bin: legacy,
      ...(input !== undefined && { input }),
    })
  const file = (name: string, text: string) => {
    const path = join(suite.home, name)
    writeFileSync(path, text)
    return path
  }

  it('kubectl 1.20 creates namespaces, secrets and image streams (bodies without Content-Type)', async () => {
    const cases: [string, string[], string | undefined, string][] = [
      [
        'create namespace',
        ['create', 'namespace', 'legacy'],
        undefined,
        'namespace/legacy created',
      ],
      [
        'create secret generic',
        ['create', 'secret', 'generic', 'plain', '--from-literal=password=hunter2', '-n', 'legacy'],
        undefined,
        'secret/plain created',
      ],
      [
        'create secret docker-registry',
        [
          'create',
          'secret',
          'docker-registry',
          'pull',
          '--docker-server=quay.io',
          '--docker-username=alice',
          '--docker-password=alice-pass',
          '-n',
          'legacy',
        ],
        undefined,
        'secret/pull created',
      ],
      [
        'create -f an ImageStream',
        ['create', '-f', '-'],
        stream('legacy', 'app'),
        'imagestream.image.openshift.io/app created',
      ],
    ]
    for (const [name, args, input, printed] of cases) {
      const res = await k120(args, input)
      assert.equal(res.code, 0, `${name}: ${res.stderr}`)
      assert.equal(res.stdout.trim(), printed, name)
    }
    const secrets = JSON.parse(
      await succeeded(k(['get', 'secrets', '-n', 'legacy', '-o', 'json'])),
    ) as { items: { metadata: { name: string }; type: string; data: Record<string, string> }[] }
    const byName = new Map(secrets.items.map((s) => [s.metadata.name, s]))
    assert.equal(byName.get('plain')?.data.password, Buffer.from('hunter2').toString('base64'))
    assert.equal(byName.get('pull')?.type, 'kubernetes.io/dockerconfigjson')
    const auth = JSON.parse(
      Buffer.from(byName.get('pull')?.data['.dockerconfigjson'] ?? '', 'base64').toString(),
    ) as { auths: Record<string, { username: string }> }
    assert.equal(auth.auths['quay.io']?.username, 'alice')
    assert.match(await succeeded(k(['get', 'is', 'app', '-n', 'legacy'])), /^app\s/m)
  })

  it('deleting a Secret answers a Success Status; a ServiceAccount answers the object', async () => {
    await succeeded(k(['create', 'namespace', 'deletes']))
    await succeeded(
      k(['create', 'secret', 'generic', 'gone', '--from-literal=a=b', '-n', 'deletes']),
    )
    const uid = await succeeded(
      k(['get', 'secret', 'gone', '-n', 'deletes', '-o', 'jsonpath={.metadata.uid}']),
    )
    const status = JSON.parse(
      await succeeded(k(['delete', '--raw', '/api/v1/namespaces/deletes/secrets/gone'])),
    ) as unknown
    assert.deepEqual(status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'gone', kind: 'secrets', uid },
    })
    await succeeded(
      k(['create', 'secret', 'generic', 'again', '--from-literal=a=b', '-n', 'deletes']),
    )
    assert.equal(
      (await succeeded(k(['delete', 'secret', 'again', '-n', 'deletes']))).trim(),
      'secret "again" deleted',
    )
    await succeeded(k(['create', 'serviceaccount', 'robot', '-n', 'deletes']))
    const sa = JSON.parse(
      await succeeded(k(['delete', '--raw', '/api/v1/namespaces/deletes/serviceaccounts/robot'])),
    ) as { kind: string; metadata: { name: string } }
    assert.deepEqual([sa.kind, sa.metadata.name], ['ServiceAccount', 'robot'])
  })

  it('kubectl delete namespace waits while it terminates, and its contents are gone after', async () => {
    await succeeded(k(['create', 'namespace', 'doomed']))
    await succeeded(k(['create', '-f', '-'], stream('doomed', 'app')))
    await succeeded(
      k(['create', 'secret', 'generic', 'token', '--from-literal=a=b', '-n', 'doomed']),
    )
    await succeeded(k(['create', 'serviceaccount', 'robot', '-n', 'doomed']))
    assert.equal(
      (await succeeded(k(['delete', 'namespace', 'doomed']))).trim(),
      'namespace "doomed" deleted',
    )
    const gone = await k(['get', 'namespace', 'doomed'])
    assert.equal(gone.code, 1)
    assert.match(gone.stderr, /namespaces "doomed" not found/)
    for (const kind of ['imagestreams', 'secrets', 'serviceaccounts']) {
      const listed = JSON.parse(
        await succeeded(k(['get', kind, '-n', 'doomed', '-o', 'json'])),
      ) as Listed
      assert.deepEqual(listed.items, [], kind)
    }
    const kept = await k(['delete', 'namespace', 'default'])
    assert.equal(kept.code, 1)
    assert.match(
      kept.stderr,
      /namespaces "default" is forbidden: this namespace may not be deleted/,
    )
  })

  it('a terminating namespace shows Terminating, refuses new content, and goes when released', async () => {
    // A finalizer of the user's keeps it terminating, as in Kubernetes, until it is removed.
    const ns = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'held', finalizers: ['example.com/hold'] },
    }
    await succeeded(k(['create', '-f', '-'], JSON.stringify(ns)))
    await succeeded(k(['create', 'secret', 'generic', 'token', '--from-literal=a=b', '-n', 'held']))
    await succeeded(k(['delete', 'namespace', 'held', '--wait=false']))
    const table = await succeeded(k(['get', 'namespace', 'held']))
    assert.match(table, /^held\s+Terminating\s/m)
    // The contents go first, then the server's own `kubernetes` finalizer.
    await pollUntil(
      'the namespace to be emptied',
      async () => {
        const listed = JSON.parse(
          await succeeded(k(['get', 'secrets', '-n', 'held', '-o', 'json'])),
        ) as Listed
        return listed.items.length === 0
      },
      { timeoutMs: 120_000 },
    )
    const held = JSON.parse(await succeeded(k(['get', 'namespace', 'held', '-o', 'json']))) as {
      metadata: { deletionTimestamp?: string; finalizers?: string[] }
      spec: { finalizers?: string[] }
      status: { phase: string }
    }
    assert.equal(held.status.phase, 'Terminating')
    assert.match(held.metadata.deletionTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.deepEqual(held.metadata.finalizers, ['example.com/hold'])
    const refused = await k([
      'create',
      'secret',
      'generic',
      'late',
      '--from-literal=a=b',
      '-n',
      'held',
    ])
    assert.equal(refused.code, 1)
    assert.equal(
      refused.stderr.trim(),
      'error: failed to create secret secrets "late" is forbidden: unable to create new content in namespace held because it is being terminated',
    )
    const refusedStream = await k(['create', '-f', '-'], stream('held', 'late'))
    assert.match(
      refusedStream.stderr,
      /imagestreams.image.openshift.io "late" is forbidden: unable to create new content in namespace held because it is being terminated/,
    )
    await succeeded(
      k(['patch', 'namespace', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']),
    )
    await succeeded(k(['wait', '--for=delete', 'namespace/held', '--timeout=300s']))
  })

  it('PUT of an image stream without resourceVersion is 422; of a Secret it is allowed', async () => {
    await succeeded(k(['create', 'namespace', 'puts']))
    await succeeded(k(['create', '-f', '-'], stream('puts', 'app')))
    const manifest = file('app.json', stream('puts', 'app', { labels: { edited: 'yes' } }))
    const raw = await k([
      'replace',
      '--raw',
      `${G}/namespaces/puts/imagestreams/app`,
      '-f',
      manifest,
    ])
    assert.equal(raw.code, 1)
    assert.equal(
      raw.stderr.trim(),
      'The imagestreams "app" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    )
    // kubectl replace itself fills in the server's resourceVersion, so it works as ever.
    assert.equal(
      (await succeeded(k(['replace', '-f', manifest]))).trim(),
      'imagestream.image.openshift.io/app replaced',
    )
    await succeeded(k(['create', 'secret', 'generic', 'token', '--from-literal=a=b', '-n', 'puts']))
    const secret = file(
      'secret.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'token', namespace: 'puts', labels: { edited: 'yes' } },
        stringData: { a: 'c' },
      }),
    )
    const replaced = JSON.parse(
      await succeeded(
        k(['replace', '--raw', '/api/v1/namespaces/puts/secrets/token', '-f', secret]),
      ),
    ) as { metadata: { labels: Record<string, string> }; data: Record<string, string> }
    assert.deepEqual(replaced.metadata.labels, { edited: 'yes' })
    assert.equal(replaced.data.a, Buffer.from('c').toString('base64'))
  })

  it('kubectl auth can-i answers from the server’s authorizer', async () => {
    const yes: string[][] = [
      ['get', 'imagestreams', '-n', 'default'],
      ['delete', 'secrets', '-n', 'default'],
      ['create', 'selfsubjectaccessreviews.authorization.k8s.io'],
      ['get', '/healthz'],
    ]
    for (const args of yes) {
      const res = await k(['auth', 'can-i', ...args])
      assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}`)
      assert.equal(res.stdout.trim(), 'yes', args.join(' '))
    }
    const legacyAnswer = await k120(['auth', 'can-i', 'list', 'imagestreams', '-n', 'default'])
    assert.equal(legacyAnswer.stdout.trim(), 'yes', legacyAnswer.stderr)
    const list = await succeeded(k(['auth', 'can-i', '--list', '-n', 'default']))
    const [header = '', ...rows] = list.trimEnd().split('\n')
    assert.deepEqual(header.trim().split(/\s{2,}/), [
      'Resources',
      'Non-Resource URLs',
      'Resource Names',
      'Verbs',
    ])
    const cells = rows.map((r) => r.trim().split(/\s{2,}/))
    assert.deepEqual(cells[0], ['*.*', '[]', '[]', '[*]'])
    assert.ok(
      cells.some((c) => c.join(' ') === '[*] [] [*]'),
      list,
    )
    assert.ok(
      cells.some((c) => c[0] === 'selfsubjectaccessreviews.authorization.k8s.io'),
      list,
    )
    const resources = await succeeded(
      k(['api-resources', '--api-group=authorization.k8s.io', '-o', 'name']),
    )
    assert.deepEqual(resources.trim().split('\n').sort(), [
      'localsubjectaccessreviews.authorization.k8s.io',
      'selfsubjectaccessreviews.authorization.k8s.io',
      'selfsubjectrulesreviews.authorization.k8s.io',
      'subjectaccessreviews.authorization.k8s.io',
    ])
  })
})
