/**
 * Finalizers with real kubectl 1.32 against the built `isctl serve`
 * (docs/kubernetes-api.md#update-and-delete): `kubectl delete --wait=false` of an image stream
 * holding a finalizer leaves it marked with a deletionTimestamp, and the patch that removes the
 * finalizer removes it; a plain `kubectl delete`, which waits for the object to be gone, returns
 * once another client removes the finalizer. No timing assertions: every wait polls.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { useServe } from '../harness/index.js'
import { pollUntil } from '../harness/process.js'

const NS = 'fin'
const HOLD = '{"metadata":{"finalizers":["example.com/hold"]}}'
const RELEASE = '[{"op":"remove","path":"/metadata/finalizers"}]'

describe('kubectl and finalizers', () => {
  const suite = useServe()
  const ok = async (args: readonly string[], input?: string) => {
    const res = await suite.kubectl(args, input)
    assert.equal(res.code, 0, `kubectl ${args.join(' ')}:\n${res.stderr}`)
    return res.stdout
  }
  const deletionTimestamp = (name: string) =>
    ok(['get', 'is', name, '-n', NS, '-o', 'jsonpath={.metadata.deletionTimestamp}'])
  const held = async (name: string) => {
    const stream = { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name } }
    await ok(['create', '-n', NS, '-f', '-'], JSON.stringify(stream))
    const patched = await ok(['patch', 'is', name, '-n', NS, '--type=merge', '-p', HOLD])
    assert.equal(patched.trim(), `imagestream.image.openshift.io/${name} patched`)
  }

  it('delete --wait=false marks the stream; removing the finalizer removes it', async () => {
    await ok(['create', 'namespace', NS])
    await held('x')
    const deleted = await ok(['delete', 'is', 'x', '-n', NS, '--wait=false'])
    assert.equal(deleted.trim(), 'imagestream.image.openshift.io "x" deleted')
    assert.match(await deletionTimestamp('x'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const refused = await suite.kubectl([
      'patch',
      'is',
      'x',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":["example.com/hold","example.com/more"]}}',
    ])
    assert.notEqual(refused.code, 0)
    assert.equal(
      refused.stderr.trim(),
      'The ImageStream "x" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/more"}',
    )
    await ok(['patch', 'is', 'x', '-n', NS, '--type=json', '-p', RELEASE])
    const gone = await suite.kubectl(['get', 'is', 'x', '-n', NS])
    assert.equal(gone.code, 1)
    assert.equal(
      gone.stderr.trim(),
      'Error from server (NotFound): imagestreams.image.openshift.io "x" not found',
    )
  })

  it('a plain delete waits until another client removes the finalizer', async () => {
    await held('w')
    const deleting = suite.kubectl(['delete', 'is', 'w', '-n', NS])
    await pollUntil('the stream is marked', async () => (await deletionTimestamp('w')) !== '', {
      timeoutMs: 60_000,
    })
    await ok(['patch', 'is', 'w', '-n', NS, '--type=json', '-p', RELEASE])
    const res = await deleting
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout.trim(), 'imagestream.image.openshift.io "w" deleted')
    assert.equal((await suite.kubectl(['get', 'is', 'w', '-n', NS])).code, 1)
  })
})
