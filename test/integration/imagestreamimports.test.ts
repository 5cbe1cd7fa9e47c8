/**
 * The imagestreamimports endpoint over a real SQLite store and a real Basic-auth registry:
 * what an import stores, a re-import that changes nothing, the server's default import mode,
 * includeManifest, namespace isolation of pull secrets, the advice about an Opaque pull secret, concurrent
 * imports into one stream, and bad requests.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import {
  IMAGE_REFERENCES,
  RESOURCE_LIST,
  type Image,
  type ImageStream,
  type ImageStreamImport,
} from '../../src/api/index.js'
import { keyringFromDockerConfig } from '../../src/credentials/index.js'
import { importInto } from '../../src/scheduler/index.js'
import { createServer } from '../../src/server/app.js'
import {
  ADMIN_USER,
  createAdminAuthorizer,
  createTokenAuthenticator,
  hashToken,
} from '../../src/server/auth/index.js'
import { registerImageStreamImports } from '../../src/server/imagestreamimports.js'
import { createLogger } from '../../src/server/logger.js'
import { ensurePki } from '../../src/server/pki.js'
import { objectKey, type Store } from '../../src/storage/index.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import { useRegistry } from '../harness/index.js'
import { IMPORT_POLICY, testClient } from './support.js'

const AUTH = { authorization: 'Bearer admin-token' }
describe('imagestreamimports', () => {
  const env = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  let dir: string
  let store: Store
  let app: FastifyInstance

  const post = (ns: string, isi: Partial<ImageStreamImport>) =>
    app.inject({
      method: 'POST',
      url: `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreamimports`,
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: JSON.stringify({
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStreamImport',
        ...isi,
      }),
    })
  const importTag = (ns: string, stream: string, from: string, to: string) =>
    post(ns, {
      metadata: { name: stream },
      spec: {
        import: true,
        images: [{ from: { kind: 'DockerImage', name: from }, to: { name: to } }],
      },
    })
  const secret = (ns: string, name: string) =>
    store.create(objectKey('secrets', name, ns), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: ns },
      type: 'kubernetes.io/dockerconfigjson',
      data: {
        '.dockerconfigjson': Buffer.from(
          JSON.stringify({
            auths: { [env.reg.host]: { auth: Buffer.from('alice:alice-pass').toString('base64') } },
          }),
        ).toString('base64'),
      },
    })
  const namespace = (name: string) =>
    store.create(objectKey('namespaces', name), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    })

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-isi-'))
    store = await openSqliteStore({ path: join(dir, 'db.sqlite'), references: IMAGE_REFERENCES })
    const pki = await ensurePki({ dataDir: dir, hosts: [] })
    app = createServer({
      logger: createLogger({
        level: 'warn',
        destination: new Writable({ write: (_c, _e, cb) => cb() }),
      }),
      auth: createTokenAuthenticator([{ sha256: hashToken('admin-token'), user: ADMIN_USER }]),
      authorizer: createAdminAuthorizer(),
      resources: RESOURCE_LIST,
      tls: { cert: pki.certPem, key: pki.keyPem },
    })
    registerImageStreamImports(app, {
      store,
      client: testClient(env.reg).client,
      policy: IMPORT_POLICY,
      registryHostname: () => 'registry.test:5000',
    })
    await app.ready()
    await namespace('team-a')
    await namespace('team-b')
    await secret('team-a', 'pull')
  })
  after(async () => {
    await app?.close()
    await store?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('imports through the namespace secret and stores Images and the stream', async () => {
    const list = env.fx.ociIndex
    const res = await post('team-a', {
      metadata: { name: 'app' },
      spec: {
        import: true,
        images: [
          {
            from: { kind: 'DockerImage', name: list.reference },
            to: { name: 'v1' },
            importPolicy: { importMode: 'PreserveOriginal' },
          },
        ],
      },
    })
    assert.equal(res.statusCode, 201, res.body)
    const body = res.json<ImageStreamImport>()
    const entry = body.status!.images![0]!
    assert.equal(entry.status.status, 'Success', entry.status.message)
    assert.match(entry.status.message!, /secret "team-a\/pull"/)
    assert.equal(
      body.status?.import?.status?.dockerImageRepository,
      'registry.test:5000/team-a/app',
    )
    const stream = await store.get<ImageStream>(objectKey('imagestreams', 'app', 'team-a'))
    assert.equal(stream.status?.tags?.[0]?.items?.[0]?.image, list.digest)
    for (const digest of [
      list.digest,
      ...list.children.filter((c) => !c.attestation).map((c) => c.digest),
    ]) {
      const image = await store.get<Image>(objectKey('images', digest))
      assert.equal(image.metadata.name, digest)
    }
    const again = await post('team-a', {
      metadata: { name: 'app' },
      spec: {
        import: true,
        images: [
          {
            from: { kind: 'DockerImage', name: list.reference },
            to: { name: 'v1' },
            importPolicy: { importMode: 'PreserveOriginal' },
          },
        ],
      },
    })
    assert.equal(again.statusCode, 201, again.body)
    const after = await store.get<ImageStream>(objectKey('imagestreams', 'app', 'team-a'))
    assert.equal(after.metadata.resourceVersion, stream.metadata.resourceVersion)
  })

  it('gives an entry without importMode the server default, and the tag records it', async () => {
    const list = env.fx.ociIndex
    const amd64 = list.children.find(
      (c) => c.platform.os === 'linux' && c.platform.architecture === 'amd64',
    )!
    const entry = (importPolicy?: object) => ({
      from: { kind: 'DockerImage', name: list.reference },
      to: { name: 'v1' },
      ...(importPolicy && { importPolicy }),
    })
    const first = await post('team-a', {
      metadata: { name: 'modes' },
      spec: { import: true, images: [entry({ importMode: 'PreserveOriginal' })] },
    })
    assert.equal(first.statusCode, 201, first.body)
    const res = await post('team-a', {
      metadata: { name: 'modes' },
      spec: { import: true, images: [entry({ scheduled: true })] },
    })
    assert.equal(res.statusCode, 201, res.body)
    const body = res.json<ImageStreamImport>()
    assert.deepEqual(body.spec?.images?.[0]?.importPolicy, {
      scheduled: true,
      importMode: 'Legacy',
    })
    assert.equal(body.status?.images?.[0]?.image?.metadata.name, amd64.digest)
    const stream = await store.get<ImageStream>(objectKey('imagestreams', 'modes', 'team-a'))
    assert.deepEqual(stream.spec?.tags?.[0]?.importPolicy, {
      importMode: 'Legacy',
      scheduled: true,
    })
    assert.equal(stream.status?.tags?.[0]?.items?.[0]?.image, amd64.digest)
  })

  it('names an Opaque secret with a pull-secret key when a registry refuses the import', async () => {
    await namespace('team-o')
    const config = JSON.stringify({
      auths: { [env.reg.host]: { auth: Buffer.from('alice:alice-pass').toString('base64') } },
    })
    await store.create(objectKey('secrets', 'seed-pull', 'team-o'), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'seed-pull', namespace: 'team-o' },
      type: 'Opaque',
      data: { '.dockerconfigjson': Buffer.from(config).toString('base64') },
    })
    const res = await importTag('team-o', 'app', env.fx.ociSingle.reference, 'v1')
    assert.equal(res.statusCode, 201, res.body)
    const entry = res.json<ImageStreamImport>().status!.images![0]!
    const advice =
      'secret "seed-pull" has a .dockerconfigjson key but type Opaque, so imports ignore it; delete it and create it with type kubernetes.io/dockerconfigjson: isctl create secret generic seed-pull --from-file=.dockerconfigjson=FILE --type=kubernetes.io/dockerconfigjson'
    assert.equal(entry.status.reason, 'Unauthorized')
    assert.ok(entry.status.message!.includes('no credential matched'), entry.status.message)
    assert.ok(entry.status.message!.endsWith(`(${advice})`), entry.status.message)
    assert.ok(
      !res.body.includes('alice-pass') &&
        !res.body.includes(Buffer.from(config).toString('base64')),
    )
    const stream = await store.get<ImageStream>(objectKey('imagestreams', 'app', 'team-o'))
    assert.ok(stream.status?.tags?.[0]?.conditions?.[0]?.message?.endsWith(`(${advice})`))
  })

  it('returns the raw manifest and config with includeManifest, and never stores them', async () => {
    const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`
    const single = env.fx.ociSingle
    const list = env.fx.ociIndex
    const entry = (name: string, to: string, includeManifest: boolean, mode = 'Legacy') => ({
      from: { kind: 'DockerImage', name },
      to: { name: to },
      importPolicy: { importMode: mode },
      includeManifest,
    })
    for (const dryRun of [true, false]) {
      const res = await post('team-a', {
        metadata: { name: 'raw' },
        spec: {
          import: !dryRun,
          images: [
            entry(single.reference, 'one', true),
            entry(list.reference, 'all', true, 'PreserveOriginal'),
            entry(single.reference, 'plain', false),
          ],
        },
      })
      assert.equal(res.statusCode, 201, res.body)
      const [one, all, plain] = res.json<ImageStreamImport>().status!.images!
      const image = one!.image!
      assert.equal(sha(image.dockerImageManifest!), single.digest, `dry run ${dryRun}`)
      assert.equal(sha(image.dockerImageConfig!), image.dockerImageMetadata?.Id)
      // A list has no config; as in OpenShift its Image carries neither, its children both.
      assert.equal(all!.image!.dockerImageManifest, undefined)
      assert.ok(all!.manifests!.length > 0)
      for (const child of all!.manifests!) {
        assert.equal(sha(child.dockerImageManifest!), child.metadata.name)
        assert.equal(sha(child.dockerImageConfig!), child.dockerImageMetadata?.Id)
      }
      assert.equal(plain!.image!.dockerImageManifest, undefined)
      assert.equal(plain!.image!.dockerImageConfig, undefined)
    }
    for (const digest of [single.digest, ...list.children.map((c) => c.digest)]) {
      const stored = await store.get<Image>(objectKey('images', digest)).catch(() => undefined)
      assert.equal(stored?.dockerImageManifest, undefined, digest)
      assert.equal(stored?.dockerImageConfig, undefined, digest)
    }
  })

  it('never uses another namespace’s secret', async () => {
    const res = await importTag('team-b', 'app', env.fx.ociSingle.reference, 'v1')
    assert.equal(res.statusCode, 201, res.body)
    const entry = res.json<ImageStreamImport>().status!.images![0]!
    assert.equal(entry.status.reason, 'Unauthorized')
    assert.match(entry.status.message!, /no credential matched/)
    const stream = await store.get<ImageStream>(objectKey('imagestreams', 'app', 'team-b'))
    assert.equal(stream.status?.tags?.[0]?.conditions?.[0]?.reason, 'Unauthorized')
  })

  it('skips a secret annotated openshift.io/image.excludeSecret', async () => {
    await namespace('team-c')
    await secret('team-c', 'hidden')
    const hidden = await store.get<{ metadata: { annotations?: Record<string, string> } }>(
      objectKey('secrets', 'hidden', 'team-c'),
    )
    hidden.metadata.annotations = { 'openshift.io/image.excludeSecret': 'true' }
    await store.update(objectKey('secrets', 'hidden', 'team-c'), hidden)
    const res = await importTag('team-c', 'app', env.fx.ociSingle.reference, 'v1')
    assert.equal(res.json<ImageStreamImport>().status!.images![0]!.status.reason, 'Unauthorized')
  })

  it('falls back to the server-wide pull secret after the namespace secrets', async () => {
    await namespace('team-d')
    const { keyring } = keyringFromDockerConfig(
      JSON.stringify({
        auths: { [env.reg.host]: { auth: Buffer.from('alice:alice-pass').toString('base64') } },
      }),
      '/etc/imagestreams/global.json',
    )
    const { isi } = await importInto(
      { store, client: testClient(env.reg).client, policy: IMPORT_POLICY, globalKeyring: keyring },
      'team-d',
      {
        metadata: { name: 'app' },
        spec: {
          import: true,
          images: [
            { from: { kind: 'DockerImage', name: env.fx.ociSingle.reference }, to: { name: 'v1' } },
          ],
        },
      },
    )
    const status = isi.status!.images![0]!.status
    assert.equal(status.status, 'Success', status.message)
    assert.match(status.message!, /global\.json/)
  })

  it('keeps all tags of 50 concurrent imports into one stream', async () => {
    const tags = env.fx.manyTags.tags.slice(0, 50)
    const from = `${env.reg.host}/${env.fx.manyTags.repository}`
    const answers = await Promise.all(
      tags.map((t) => importTag('team-a', 'many', `${from}:${t}`, t)),
    )
    for (const a of answers) assert.equal(a.statusCode, 201, a.body)
    const stream = await store.get<ImageStream>(objectKey('imagestreams', 'many', 'team-a'))
    assert.deepEqual(stream.status?.tags?.map((t) => t.tag).sort(), [...tags].sort())
    assert.equal(stream.spec?.tags?.length, 50)
  })

  it('a dry run stores nothing', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/apis/image.openshift.io/v1/namespaces/team-a/imagestreamimports?dryRun=All',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: JSON.stringify({
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStreamImport',
        metadata: { name: 'dry' },
        spec: {
          import: true,
          images: [
            { from: { kind: 'DockerImage', name: env.fx.ociSingle.reference }, to: { name: 'v1' } },
          ],
        },
      }),
    })
    assert.equal(res.statusCode, 201, res.body)
    await assert.rejects(store.get(objectKey('imagestreams', 'dry', 'team-a')))
  })

  const bad: [string, string, unknown, number, RegExp][] = [
    ['a body that is not JSON', 'team-a', '{', 400, /.*/],
    [
      'a wrong kind',
      'team-a',
      { apiVersion: 'image.openshift.io/v1', kind: 'Secret', metadata: { name: 'x' } },
      400,
      /kind/,
    ],
    [
      'an invalid reference',
      'team-a',
      {
        metadata: { name: 'x' },
        spec: {
          import: true,
          images: [{ from: { kind: 'DockerImage', name: 'Bad//Ref' }, to: { name: 'v1' } }],
        },
      },
      422,
      /from/,
    ],
    [
      'an invalid import mode',
      'team-a',
      {
        metadata: { name: 'x' },
        spec: {
          import: true,
          images: [
            {
              from: { kind: 'DockerImage', name: 'a/b:c' },
              importPolicy: { importMode: 'Sometimes' },
            },
          ],
        },
      },
      422,
      /invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'/,
    ],
    [
      'an invalid stream name',
      'team-a',
      { metadata: { name: 'Bad_Name' }, spec: { import: true } },
      422,
      /metadata.name/,
    ],
    [
      'a missing namespace',
      'nowhere',
      {
        metadata: { name: 'x' },
        spec: { import: true, images: [{ from: { kind: 'DockerImage', name: 'a/b:c' } }] },
      },
      404,
      /namespaces "nowhere" not found/,
    ],
  ]
  for (const [name, ns, payload, code, message] of bad) {
    it(`answers ${code} to ${name}`, async () => {
      const res = await app.inject({
        method: 'POST',
        url: `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreamimports`,
        headers: { ...AUTH, 'content-type': 'application/json' },
        payload:
          typeof payload === 'string'
            ? payload
            : JSON.stringify({
                apiVersion: 'image.openshift.io/v1',
                kind: 'ImageStreamImport',
                ...(payload as object),
              }),
      })
      assert.equal(res.statusCode, code, res.body)
      const status = res.json<{ kind: string; message: string }>()
      assert.equal(status.kind, 'Status')
      assert.match(status.message, message)
    })
  }
})
