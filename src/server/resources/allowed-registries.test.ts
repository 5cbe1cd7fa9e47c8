/**
 * The allow-list through a real server (docs/imports.md#allowed-registries), as OpenShift's
 * whitelister validation tables put it (openshift-apiserver
 * `pkg/image/apis/image/validation/validation_test.go`: TestValidateImageStreamWithWhitelister,
 * TestValidateImageStreamUpdateWithWhitelister, TestValidateISTUpdateWithWhitelister,
 * TestValidateITUpdateWithWhitelister, TestValidateRegistryAllowedForImport): 422 Forbidden on
 * the field for streams, imagestreamtags, imagetags, status writes and ImageStreamImports, the
 * integrated registry always allowed, and references an object already held left writable.
 * Every refusal lists the integrated registry first, as OpenShift's do when its registry
 * hostname is known.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createRegistryAllowList, type RegistryAllowList } from '../../reference/index.js'
import { importsWith, REGISTRY, startFixture, type Fixture } from './testing/fixture.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

const G = '/apis/image.openshift.io/v1/namespaces/ns'
const LIST = `"${REGISTRY}", "example.com:*"`
const notAllowed = (registry: string) =>
  `Forbidden: registry "${registry}" not allowed by whitelist: ${LIST}`
const docker = (name: string, insecure?: boolean) => ({
  from: { kind: 'DockerImage', name },
  ...(insecure === undefined ? {} : { importPolicy: { insecure } }),
})

describe('the allow-list in validation', () => {
  let fx: Fixture
  // Switched off to store what a server without the list accepted, as a restart with a new
  // file would find it.
  let enforced = true
  const strict = createRegistryAllowList([{ domainName: 'example.com:*' }], {
    integratedRegistry: () => REGISTRY,
  })
  const list: RegistryAllowList = {
    admit: (...args) => (enforced ? strict.admit(...args) : undefined),
    admitImport: (...args) => (enforced ? strict.admitImport(...args) : undefined),
  }
  const send = (method: 'POST' | 'PUT' | 'PATCH', url: string, body: unknown) =>
    fx.request({
      method,
      url,
      body,
      ...(method === 'PATCH' ? { contentType: 'application/merge-patch+json' } : {}),
    })
  const ok = async (method: 'POST' | 'PUT' | 'PATCH', url: string, body: unknown) => {
    const res = await send(method, url, body)
    assert.ok(res.statusCode < 300, `${res.statusCode} ${res.body}`)
    return res.json<Json>()
  }
  /** refused checks a 422 whose causes are exactly `causes`: Forbidden, [field, message]. */
  const refused = async (
    method: 'POST' | 'PUT' | 'PATCH',
    url: string,
    body: unknown,
    causes: readonly (readonly [string, string])[],
  ) => {
    const res = await send(method, url, body)
    assert.equal(res.statusCode, 422, res.body)
    const got = (res.json<Json>().details.causes as Json[]).map((c) => [
      c.reason,
      c.field,
      c.message,
    ])
    assert.deepEqual(
      got,
      causes.map(([field, message]) => ['FieldValueForbidden', field, message]),
    )
  }

  before(async () => {
    fx = await startFixture({ allowedRegistries: list }, importsWith(list))
    await fx.createNamespace('ns')
    enforced = false
    await ok('POST', `${G}/imagestreams`, {
      metadata: { name: 'old' },
      spec: { tags: [{ name: 'v1', ...docker('foo/bar:biz') }] },
    })
    enforced = true
  })
  after(() => fx.close())

  it('refuses spec tags and dockerImageRepository not on the list (forbid spec references)', () =>
    refused(
      'POST',
      `${G}/imagestreams`,
      {
        metadata: { name: 'new' },
        spec: {
          dockerImageRepository: 'registry.ltd/a/b',
          tags: [
            { name: 'hub', ...docker('foo/bar:biz') },
            { name: 'hub-insecure', ...docker('bar:biz', true) },
            { name: 'ok', ...docker('example.com:5000/a/b:1') },
            { name: 'local', ...docker(`${REGISTRY}/ns/other:1`) },
          ],
        },
      },
      [
        ['spec.dockerImageRepository', notAllowed('registry.ltd')],
        ['spec.tags[hub].from.name', notAllowed('docker.io:443')],
        ['spec.tags[hub-insecure].from.name', notAllowed('docker.io')],
      ],
    ))

  it('refuses an imagestreamtag or imagetag not on the list (forbid not whitelisted)', async () => {
    await refused(
      'POST',
      `${G}/imagestreamtags`,
      { metadata: { name: 'new:v1' }, tag: { name: 'v1', ...docker('foo/bar:biz') } },
      [['tag.from.name', notAllowed('docker.io:443')]],
    )
    await refused(
      'POST',
      `${G}/imagetags`,
      { metadata: { name: 'new:v1' }, spec: { name: 'v1', ...docker('quay.io/a/b:1') } },
      [['spec.from.name', notAllowed('quay.io')]],
    )
  })

  it('takes the integrated registry and entries with any port (match integrated registry URL)', async () => {
    await ok('POST', `${G}/imagestreamtags`, {
      metadata: { name: 'local:v1' },
      tag: { name: 'v1', ...docker(`${REGISTRY}/ns/other:1`) },
    })
    await ok('POST', `${G}/imagetags`, {
      metadata: { name: 'local:v2' },
      spec: { name: 'v2', ...docker('example.com:5000/a/b:1') },
    })
  })

  it('keeps references the stored object held writable (allow old not whitelisted)', async () => {
    // An edit elsewhere, and another tag of a repository the stream held.
    await ok('PATCH', `${G}/imagestreams/old`, { metadata: { annotations: { a: 'b' } } })
    await ok('PATCH', `${G}/imagestreamtags/old:v1`, { tag: docker('foo/bar:baz') })
    await ok('PATCH', `${G}/imagestreams/old`, {
      spec: {
        tags: [
          { name: 'v1', ...docker('foo/bar:baz') },
          { name: 'v2', ...docker('foo/bar:v2') },
        ],
      },
    })
    // Another repository is new, and refused; a new imagestreamtag holds nothing yet.
    await refused(
      'PATCH',
      `${G}/imagestreams/old`,
      { spec: { tags: [{ name: 'v3', ...docker('foo/other:1') }] } },
      [['spec.tags[v3].from.name', notAllowed('docker.io:443')]],
    )
    await refused(
      'POST',
      `${G}/imagestreamtags`,
      { metadata: { name: 'old:v4' }, tag: { name: 'v4', ...docker('foo/bar:v4') } },
      [['tag.from.name', notAllowed('docker.io:443')]],
    )
  })

  it('refuses new status references not on the list (forbid status references)', async () => {
    const stream = await ok('PATCH', `${G}/imagestreams/old`, {})
    const image = `sha256:${'a'.repeat(64)}`
    await refused(
      'PUT',
      `${G}/imagestreams/old/status`,
      {
        ...stream,
        status: {
          tags: [
            {
              tag: 'v1',
              items: [
                {
                  created: '2026-01-01T00:00:00Z',
                  dockerImageReference: `foo/bar@${image}`,
                  image,
                  generation: 1,
                },
                {
                  created: '2026-01-01T00:00:00Z',
                  dockerImageReference: `registry.ltd/x@${image}`,
                  image,
                  generation: 1,
                },
              ],
            },
          ],
        },
      },
      [['status.tags[v1].items[1].dockerImageReference', notAllowed('registry.ltd')]],
    )
  })

  it('refuses an ImageStreamImport before fetching (TestValidateRegistryAllowedForImport)', async () => {
    const forbidden = (hostPort: string) =>
      `Forbidden: importing images from registry "${hostPort}" is forbidden: registry "${hostPort}" not allowed by whitelist: ${LIST}`
    await refused(
      'POST',
      `${G}/imagestreamimports`,
      {
        metadata: { name: 'new' },
        spec: {
          import: true,
          repository: { from: { kind: 'DockerImage', name: 'docker.io/library/busybox' } },
          images: [
            { from: { kind: 'DockerImage', name: 'example.org/a:1' }, to: { name: 'a' } },
            {
              from: { kind: 'DockerImage', name: 'example.org/a:1' },
              to: { name: 'b' },
              importPolicy: { insecure: true },
            },
            { from: { kind: 'DockerImage', name: 'example.com/a:1' }, to: { name: 'c' } },
          ],
        },
      },
      [
        ['spec.repository.from.name', forbidden('registry-1.docker.io:443')],
        ['spec.images[0].from.name', forbidden('example.org:443')],
        ['spec.images[1].from.name', forbidden('example.org:80')],
      ],
    )
  })
})
