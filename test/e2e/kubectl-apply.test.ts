/**
 * Client-side `kubectl apply` of an ImageStream against the built `isctl serve`, with real
 * kubectl 1.32. The OpenAPI v3 PATCH operation of the kind lists the strategic merge patch type
 * and the schema carries `spec.tags`' merge key, so kubectl sends a three-way strategic merge
 * patch: an identical re-apply sends nothing (`unchanged`) although the server filled defaults
 * into the tags, a tag dropped from the manifest is deleted by name, and a tag another client
 * added (isctl tag, kubectl patch) survives, as it does against OpenShift.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { ImageStream } from '../../src/api/index.js'
import { useServe } from '../harness/index.js'

const NAMESPACE = 'apply'

/** manifest is an ImageStream whose tags point at an unreachable registry (imports just fail). */
function manifest(tags: readonly string[]): string {
  return [
    'apiVersion: image.openshift.io/v1',
    'kind: ImageStream',
    'metadata:',
    '  name: app',
    `  namespace: ${NAMESPACE}`,
    'spec:',
    '  lookupPolicy:',
    '    local: false',
    '  tags:',
    ...tags.flatMap((t) => [
      `  - name: "${t}"`,
      '    from:',
      '      kind: DockerImage',
      `      name: 127.0.0.1:9/team/app:${t}`,
    ]),
    '',
  ].join('\n')
}

describe('kubectl apply (client-side) of an ImageStream', () => {
  const suite = useServe()
  const ok = async (args: readonly string[]) => {
    const res = await suite.kubectl(args)
    assert.equal(res.code, 0, `kubectl ${args.join(' ')}:\n${res.stderr}`)
    return res
  }
  const apply = async (tags: readonly string[]) => {
    const file = join(suite.home, `is-${tags.join('-')}.yaml`)
    writeFileSync(file, manifest(tags))
    const res = await ok(['apply', '-f', file])
    // No "error calculating patch from openapi v3 spec" fallback warning.
    assert.equal(res.stderr, '')
    return res.stdout
  }
  const stream = async (): Promise<ImageStream> => {
    const res = await ok(['get', 'is', 'app', '-n', NAMESPACE, '-o', 'json'])
    return JSON.parse(res.stdout) as ImageStream
  }
  const tagNames = async () => ((await stream()).spec?.tags ?? []).map((t) => t.name).sort()

  it('creates the stream with tags a and b', async () => {
    await ok(['create', 'namespace', NAMESPACE])
    assert.equal(await apply(['a', 'b']), 'imagestream.image.openshift.io/app created\n')
    assert.deepEqual(await tagNames(), ['a', 'b'])
  })

  it('an identical re-apply sends no patch and prints unchanged', async () => {
    // The server filled in each tag's generation, importPolicy and referencePolicy: a merge
    // patch would send the whole list again, a strategic merge patch sees nothing to change.
    const before = await stream()
    assert.equal(await apply(['a', 'b']), 'imagestream.image.openshift.io/app unchanged\n')
    const after = await stream()
    assert.deepEqual(after.spec, before.spec)
    assert.equal(after.metadata.generation, before.metadata.generation)
  })

  it('tags added by other clients survive an apply that drops b and adds c', async () => {
    const tagged = await suite.run([
      'tag',
      '--source=docker',
      '127.0.0.1:9/team/app:x',
      'app:x',
      '-n',
      NAMESPACE,
    ])
    assert.equal(tagged.code, 0, tagged.stderr)
    // kubectl patch defaults to a strategic merge patch, which adds y by name.
    await ok([
      'patch',
      'is',
      'app',
      '-n',
      NAMESPACE,
      '-p',
      '{"spec":{"tags":[{"name":"y","from":{"kind":"DockerImage","name":"127.0.0.1:9/team/app:y"}}]}}',
    ])
    assert.deepEqual(await tagNames(), ['a', 'b', 'x', 'y'])
    const a = (await stream()).spec?.tags?.find((t) => t.name === 'a')

    assert.equal(await apply(['a', 'c']), 'imagestream.image.openshift.io/app configured\n')
    const after = await stream()
    assert.deepEqual(
      (after.spec?.tags ?? []).map((t) => t.name).sort(),
      ['a', 'c', 'x', 'y'],
      'b deleted by name, c added, a kept, x and y (not in any applied manifest) kept',
    )
    // a was merged, not replaced: the generation the server gave it is unchanged.
    assert.deepEqual(
      after.spec?.tags?.find((t) => t.name === 'a'),
      a,
    )
    const lastApplied = JSON.parse(
      after.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '{}',
    ) as ImageStream
    assert.deepEqual(
      lastApplied.spec?.tags?.map((t) => t.name),
      ['a', 'c'],
    )
    // Applying it again changes nothing. kubectl still sends a patch, as it would to OpenShift:
    // the live list (with x and y) is longer than the manifest's, so it restates the order.
    await apply(['a', 'c'])
    assert.deepEqual((await stream()).spec, after.spec)
  })
})
