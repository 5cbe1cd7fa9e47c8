/**
 * The rest of OpenShift's image API through a real `isctl serve`, driven by real kubectl 1.32
 * and Python's client: `imagestreammappings` (a registry recording a pushed image), `imagetags`
 * (`kubectl get itag`), `imagesignatures`, and the `imagestreams/<name>/secrets` and `/layers`
 * subresources, with their discovery entries and OpenShift's validation messages. Images are
 * created through the API, so no registry is needed.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { join } from 'node:path'
import { kubectl, legacyKubectl, python, succeeded, useServe } from '../harness/index.js'

const NS = 'default'
const hex = (c: string) => `sha256:${c.repeat(64)}`
const APP_V1 = hex('a')
const APP_V2 = hex('b')
const LIST = hex('c')
const CHILD_AMD64 = hex('d')
const CHILD_ARM64 = hex('e')
const LAYER = hex('1')
const CONFIG = hex('2')

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const LAYER_TYPE = 'application/vnd.docker.image.rootfs.diff.tar.gzip'

/** image is an Image as a registry describes a pushed single-arch image. */
function image(name: string, mediaType = DOCKER_MANIFEST): Record<string, unknown> {
  return {
    metadata: { name },
    dockerImageReference: `registry.example.com/team/app@${name}`,
    dockerImageManifestMediaType: mediaType,
    dockerImageMetadata: { kind: 'DockerImage', apiVersion: '1.0', Id: CONFIG },
    dockerImageLayers: [{ name: LAYER, size: 1234, mediaType: LAYER_TYPE }],
  }
}

function mapping(stream: string, tag: string, img: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStreamMapping',
    metadata: { name: stream, namespace: NS },
    image: img,
    tag,
  })
}

function signature(name: string, content: string): string {
  return JSON.stringify({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageSignature',
    metadata: { name },
    type: 'atomic',
    content: Buffer.from(content).toString('base64'),
  })
}

describe('imagestreammappings, imagetags, imagesignatures and imagestreams/secrets, /layers', () => {
  const suite = useServe()
  const ok = succeeded
  const k = (args: readonly string[], input?: string) => suite.kubectl(args, input)
  const createStream = (name: string) =>
    ok(
      k(
        ['create', '-f', '-'],
        JSON.stringify({
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStream',
          metadata: { name, namespace: NS },
        }),
      ),
    )
  const json = async <T>(args: readonly string[]): Promise<T> =>
    JSON.parse(await ok(k([...args, '-o', 'json']))) as T

  it('discovery lists the kinds, their short name and the two subresources', async () => {
    const wide = await ok(k(['api-resources', '--api-group=image.openshift.io', '-o', 'wide']))
    const row = (name: string) => wide.split('\n').find((l) => l.startsWith(`${name} `)) ?? ''
    assert.match(
      row('imagetags'),
      /^imagetags\s+itag\s+image\.openshift\.io\/v1\s+true\s+ImageTag\s+create,delete,get,list,patch,update/,
    )
    assert.match(row('imagestreammappings'), /\s+true\s+ImageStreamMapping\s+create\s/)
    assert.match(row('imagesignatures'), /\s+false\s+ImageSignature\s+create,delete\s/)
    const legacy = JSON.parse(await ok(k(['get', '--raw', '/apis/image.openshift.io/v1']))) as {
      resources: { name: string; kind: string; verbs: string[] }[]
    }
    const sub = (name: string) => legacy.resources.find((r) => r.name === name)
    assert.deepEqual(sub('imagestreams/secrets'), {
      name: 'imagestreams/secrets',
      singularName: '',
      namespaced: true,
      kind: 'SecretList',
      verbs: ['get'],
    })
    assert.equal(sub('imagestreams/layers')?.kind, 'ImageStreamLayers')
    // The OpenAPI documents describe the kinds too.
    const explained = await ok(k(['explain', 'itag.spec']))
    assert.match(explained, /KIND:\s+ImageTag/)
    assert.match(explained, /FIELD: spec <TagReference>/)
  })

  it('an ImageStreamMapping records a pushed image: kubectl create -f, then get istag and itag', async () => {
    await createStream('app')
    const created = await ok(k(['create', '-f', '-'], mapping('app', 'v1', image(APP_V1))))
    // OpenShift answers a Success Status, which kubectl names this way.
    assert.equal(created.trim(), 'status/<unknown> created')
    const istags = await ok(k(['get', 'istag']))
    assert.match(
      istags,
      new RegExp(`^app:v1\\s+registry\\.example\\.com/team/app@${APP_V1}\\s`, 'm'),
    )
    // A second push of another image moves the tag; the first stays in its history.
    await ok(k(['create', '-f', '-'], mapping('app', 'v1', image(APP_V2))))
    const stream = await json<{
      status: { tags: { tag: string; items: { image: string }[] }[] }
    }>(['get', 'is', 'app'])
    assert.deepEqual(
      stream.status.tags.find((t) => t.tag === 'v1')?.items.map((i) => i.image),
      [APP_V2, APP_V1],
    )
    assert.equal(
      (await json<{ metadata: { name: string } }>(['get', 'image', APP_V1])).metadata.name,
      APP_V1,
    )

    const itags = await ok(k(['get', 'itag']))
    const [header, row] = itags.trimEnd().split('\n')
    assert.match(header ?? '', /^NAME\s+SPEC\s+STATUS\s+HISTORY\s+UPDATED$/)
    assert.match(row ?? '', new RegExp(`^app:v1\\s+Push\\s+image/${APP_V2}\\s+2\\s+\\S.* ago$`))
  })

  it('kubectl 1.20 (client-side validation against /openapi/v2, no Content-Type) records a mapping and a signature', async () => {
    const bin = await legacyKubectl()
    const old = (args: readonly string[], input: string) =>
      kubectl(args, {
        kubeconfig: suite.kubeconfig,
        cacheDir: join(suite.home, 'k120'),
        bin,
        input,
      })
    const mapped = await old(['create', '-f', '-'], mapping('app', 'old-client', image(APP_V1)))
    assert.equal(mapped.code, 0, mapped.stderr)
    const istag = await json<{ image: { metadata: { name: string } } }>([
      'get',
      'istag',
      'app:old-client',
    ])
    assert.equal(istag.image.metadata.name, APP_V1)
    const signed = await old(['create', '-f', '-'], signature(`${APP_V1}@old-client`, 'old bytes'))
    assert.equal(signed.code, 0, signed.stderr)
    assert.match(
      signed.stdout,
      /imagesignature\.image\.openshift\.io\/sha256:a+@old-client created/,
    )
    await ok(k(['delete', 'imagesignature', `${APP_V1}@old-client`]))
    await ok(k(['delete', 'itag', 'app:old-client']))
  })

  it('an ImageStreamMapping is validated and needs its stream, with OpenShift messages', async () => {
    const noTag = JSON.parse(mapping('app', '', image(APP_V1))) as Record<string, unknown>
    delete noTag.tag
    const invalid = await k(['create', '-f', '-'], JSON.stringify(noTag))
    assert.notEqual(invalid.code, 0)
    assert.match(invalid.stderr, /The ImageStreamMapping "app" is invalid: tag: Required value/)
    const noRef = { ...image(APP_V1), dockerImageReference: 'Not/A//Reference' }
    const bad = await k(['create', '-f', '-'], mapping('app', 'v1', noRef))
    assert.match(bad.stderr, /image\.dockerImageReference: Invalid value: "Not\/A\/\/Reference"/)
    const missing = await k(['create', '-f', '-'], mapping('nope', 'v1', image(APP_V1)))
    assert.match(missing.stderr, /imagestreams\.image\.openshift\.io "nope" not found/)
  })

  it('imagetags: create a spec tag, read spec, status and image, replace the spec, delete', async () => {
    const itag = (spec: Record<string, unknown> | undefined, name = 'app:ext') =>
      JSON.stringify({
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageTag',
        metadata: { name, namespace: NS },
        ...(spec && { spec }),
      })
    // A tag of its own stream that has no image yet: the spec tag stays without history.
    const from = { kind: 'ImageStreamTag', name: 'app:none' }
    assert.equal(
      (await ok(k(['create', '-f', '-'], itag({ from })))).trim(),
      'imagetag.image.openshift.io/app:ext created',
    )
    // A tag of a stream that does not exist yet creates the stream.
    await ok(
      k(['create', '-f', '-'], itag({ from: { kind: 'ImageStreamTag', name: 'x' } }, 'fresh:1')),
    )
    assert.match(
      await ok(k(['get', 'is', 'fresh', '-o', 'name'])),
      /imagestream\.image\.openshift\.io\/fresh/,
    )
    await ok(k(['delete', 'is', 'fresh']))
    const again = await k(['create', '-f', '-'], itag({ from }))
    assert.match(again.stderr, /imagetags\.image\.openshift\.io "app:ext" already exists/)
    const noSpec = await k(['create', '-f', '-'], itag(undefined, 'app:nospec'))
    assert.match(
      noSpec.stderr,
      /The ImageTag "app:nospec" is invalid: spec: Required value: spec is a required field during creation/,
    )
    const wrongName = await k(['create', '-f', '-'], itag({ name: 'other', from }, 'app:x'))
    assert.match(wrongName.stderr, /spec\.name: Invalid value: "other": must match image tag name/)

    // A spec-only tag is an ImageTag (not an ImageStreamTag); a pushed tag has all three parts.
    const ext = await json<{ spec: { name: string; from: { name: string } }; status?: unknown }>([
      'get',
      'itag',
      'app:ext',
    ])
    assert.equal(ext.spec.name, 'ext')
    assert.equal(ext.spec.from.name, 'app:none')
    assert.equal(ext.status, undefined)
    const v1 = await json<{
      spec?: unknown
      status: { tag: string; items: unknown[] }
      image: { metadata: { name: string }; dockerImageReference: string }
    }>(['get', 'itag', 'app:v1'])
    assert.equal(v1.spec, undefined)
    assert.equal(v1.status.items.length, 2)
    assert.equal(v1.image.metadata.name, APP_V2)
    const table = await ok(k(['get', 'itag', 'app:ext']))
    assert.match(table, /^app:ext\s+Tag\s+istag\/app:none\s*$/m)

    // Replace: only the spec may change.
    const current = await json<Record<string, unknown> & { metadata: Record<string, unknown> }>([
      'get',
      'itag',
      'app:ext',
    ])
    const moved = {
      ...current,
      spec: { name: 'ext', from: { kind: 'ImageStreamTag', name: 'app:v1' } },
    }
    await ok(k(['replace', '-f', '-'], JSON.stringify(moved)))
    // The tag now copies app:v1's image, so it has a history too.
    const replaced = await json<{
      spec: { from: { name: string } }
      status: { items: { image: string }[] }
    }>(['get', 'itag', 'app:ext'])
    assert.equal(replaced.spec.from.name, 'app:v1')
    assert.deepEqual(
      replaced.status.items.map((i) => i.image),
      [APP_V2],
    )
    // A merge patch of the spec, as kubectl patch sends it.
    await ok(k(['patch', 'itag', 'app:ext', '--type=merge', '-p', '{"spec":{"reference":true}}']))
    assert.match(
      await ok(k(['get', 'itag', 'app:ext'])),
      /^app:ext\s+Ref\s+image\/sha256:b+\s+1\s/m,
    )
    const relabel = {
      ...current,
      metadata: { ...current.metadata, resourceVersion: undefined, labels: { team: 'a' } },
    }
    const refused = await k(['replace', '-f', '-'], JSON.stringify(relabel))
    assert.match(
      refused.stderr,
      /metadata: Invalid value: "": may not update fields other than spec/,
    )

    assert.match(
      await ok(k(['delete', 'itag', 'app:ext'])),
      /imagetag\.image\.openshift\.io "app:ext" deleted/,
    )
    const gone = await k(['get', 'itag', 'app:ext'])
    assert.match(gone.stderr, /imagetags\.image\.openshift\.io "app:ext" not found/)
    const bad = await k(['get', 'itag', 'app'])
    assert.match(bad.stderr, /ImageTags must be retrieved with <name>:<tag>/)
  })

  it("Python's DynamicClient finds ImageTag through discovery and lists it", async () => {
    const res = await python(
      `
from kubernetes import config, dynamic
from kubernetes.client import api_client
client = dynamic.DynamicClient(api_client.ApiClient(configuration=config.load_kube_config()))
itags = client.resources.get(api_version='image.openshift.io/v1', kind='ImageTag')
for item in itags.get(namespace='${NS}').items:
    print(item.metadata.name, len(item.status['items']) if item.status else 0)
`,
      { kubeconfig: suite.kubeconfig },
    )
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout.trim(), 'app:v1 2')
  })

  it('imagesignatures: added, visible in the Image, refused twice, removed', async () => {
    const name = `${APP_V1}@sig1`
    assert.equal(
      (await ok(k(['create', '-f', '-'], signature(name, 'signed bytes')))).trim(),
      `imagesignature.image.openshift.io/${name} created`,
    )
    const img = await json<{
      signatures: { metadata: { name: string }; type: string; content: string }[]
    }>(['get', 'image', APP_V1])
    assert.deepEqual(
      img.signatures.map((s) => [
        s.metadata.name,
        s.type,
        Buffer.from(s.content, 'base64').toString(),
      ]),
      [[name, 'atomic', 'signed bytes']],
    )
    const yaml = await ok(k(['get', 'image', APP_V1, '-o', 'yaml']))
    assert.match(
      yaml,
      new RegExp(`signatures:\\n- content: ${Buffer.from('signed bytes').toString('base64')}`),
    )

    const sameName = await k(['create', '-f', '-'], signature(name, 'other bytes'))
    assert.match(
      sameName.stderr,
      new RegExp(`imageSignatures\\.image\\.openshift\\.io "${APP_V1}@sig1" already exists`),
    )
    const sameContent = await k(['create', '-f', '-'], signature(`${APP_V1}@sig2`, 'signed bytes'))
    assert.match(sameContent.stderr, /already exists/)
    const badName = await k(['create', '-f', '-'], signature('nosig', 'x'))
    assert.match(
      badName.stderr,
      /metadata\.name: Invalid value: "nosig": name must be of format <imageName>@<signatureName>/,
    )
    const noImage = await k(['create', '-f', '-'], signature(`${hex('9')}@s`, 'x'))
    assert.match(
      noImage.stderr,
      new RegExp(`images\\.image\\.openshift\\.io "${hex('9')}" not found`),
    )

    assert.match(await ok(k(['delete', 'imagesignature', name])), /deleted/)
    const after = await json<{ signatures?: unknown }>(['get', 'image', APP_V1])
    assert.equal(after.signatures, undefined)
    const twice = await k(['delete', 'imagesignature', name])
    assert.match(
      twice.stderr,
      new RegExp(`imageSignatures\\.image\\.openshift\\.io "${APP_V1}@sig1" not found`),
    )
  })

  it('imagestreams/NAME/secrets lists the pull secrets an import may use (Python, raw call)', async () => {
    const pull = (name: string) => [
      'create',
      'secret',
      'docker-registry',
      name,
      '--docker-server=registry.example.com',
      '--docker-username=u',
      '--docker-password=p',
    ]
    await ok(k(pull('pull-a')))
    await ok(k(pull('pull-excluded')))
    await ok(k(['annotate', 'secret', 'pull-excluded', 'openshift.io/image.excludeSecret=true']))
    await ok(
      k([
        'create',
        'secret',
        'generic',
        'opaque-config',
        '--from-literal=.dockerconfigjson={"auths":{}}',
      ]),
    )
    await ok(
      k([
        'create',
        'secret',
        'generic',
        'legacy-cfg',
        '--type=kubernetes.io/dockercfg',
        '--from-literal=.dockercfg={}',
      ]),
    )
    const res = await python(
      `
import json
from kubernetes import client, config
config.load_kube_config()
api = client.ApiClient()
for stream in ('app', 'not-yet'):
    data = api.call_api('/apis/image.openshift.io/v1/namespaces/${NS}/imagestreams/' + stream + '/secrets',
                        'GET', auth_settings=['BearerToken'], _preload_content=False)[0].data
    doc = json.loads(data)
    print(doc['kind'], doc['apiVersion'], ' '.join(sorted(s['metadata']['name'] for s in doc['items'])))
`,
      { kubeconfig: suite.kubeconfig },
    )
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(res.stdout.trim().split('\n'), [
      'SecretList v1 legacy-cfg pull-a',
      'SecretList v1 legacy-cfg pull-a',
    ])
  })

  it('imagestreams/NAME/layers has the blobs of every image, a manifest list with its children', async () => {
    const list = {
      metadata: { name: LIST },
      dockerImageReference: `registry.example.com/team/multi@${LIST}`,
      dockerImageManifestMediaType: OCI_INDEX,
      dockerImageManifests: [
        {
          digest: CHILD_AMD64,
          mediaType: OCI_MANIFEST,
          manifestSize: 500,
          architecture: 'amd64',
          os: 'linux',
        },
        {
          digest: CHILD_ARM64,
          mediaType: OCI_MANIFEST,
          manifestSize: 500,
          architecture: 'arm64',
          os: 'linux',
        },
      ],
    }
    // The arm64 child was never stored: it is reported missing.
    await ok(
      k(
        ['create', '-f', '-'],
        JSON.stringify({
          apiVersion: 'image.openshift.io/v1',
          kind: 'Image',
          ...image(CHILD_AMD64, OCI_MANIFEST),
        }),
      ),
    )
    await createStream('multi')
    await ok(k(['create', '-f', '-'], mapping('multi', 'latest', list)))
    await ok(k(['create', '-f', '-'], mapping('multi', 'single', image(APP_V1))))
    const layers = JSON.parse(
      await ok(
        k([
          'get',
          '--raw',
          `/apis/image.openshift.io/v1/namespaces/${NS}/imagestreams/multi/layers`,
        ]),
      ),
    ) as {
      kind: string
      metadata: { name: string }
      blobs: Record<string, { size?: number; mediaType: string }>
      images: Record<string, unknown>
    }
    assert.equal(layers.kind, 'ImageStreamLayers')
    assert.equal(layers.metadata.name, 'multi')
    assert.deepEqual(layers.images, {
      [LIST]: { imageMissing: false, layers: [], manifests: [CHILD_AMD64, CHILD_ARM64] },
      [CHILD_AMD64]: { imageMissing: false, layers: [LAYER], config: CONFIG },
      [CHILD_ARM64]: { imageMissing: true, layers: [] },
      [APP_V1]: { imageMissing: false, layers: [LAYER], config: CONFIG },
    })
    assert.deepEqual(layers.blobs, {
      [LIST]: { mediaType: OCI_INDEX },
      [LAYER]: { size: 1234, mediaType: LAYER_TYPE },
      [CONFIG]: { mediaType: 'application/vnd.oci.image.config.v1+json' },
      [CHILD_AMD64]: { mediaType: OCI_MANIFEST },
      [APP_V1]: { mediaType: DOCKER_MANIFEST },
    })
    const missing = await k([
      'get',
      '--raw',
      `/apis/image.openshift.io/v1/namespaces/${NS}/imagestreams/nope/layers`,
    ])
    assert.match(missing.stderr, /NotFound|not found/)
  })
})
