/**
 * Python's official Kubernetes client (Debian's python3-kubernetes) against one real `isctl
 * serve`, as a Python user drives it: CoreV1Api on namespaces, secrets and service accounts,
 * CustomObjectsApi on image streams, the DynamicClient's discovery of image.openshift.io, and
 * Watch over image streams and secrets. Each script prints what its user would look at as JSON
 * on its last line; the assertions are on that. No timing: watches end on the event they wait
 * for (their timeout_seconds only bounds a broken server).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { python, useServe } from '../harness/index.js'

/** PRELUDE is the start of every script: the client configured from KUBECONFIG. */
const PRELUDE = `
import json, sys
from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException
config.load_kube_config()
core = client.CoreV1Api()
custom = client.CustomObjectsApi()
IS = ('image.openshift.io', 'v1')
# A reference tag: the server imports nothing for it (no request leaves the machine), so no
# background import rewrites the stream between the writes the tests make.
def stream_body(name):
    return {'apiVersion': 'image.openshift.io/v1', 'kind': 'ImageStream',
            'metadata': {'name': name},
            'spec': {'tags': [{'name': 'latest', 'reference': True,
                               'from': {'kind': 'DockerImage', 'name': 'quay.io/team/app:latest'}}]}}
`

type Json = Record<string, unknown>

void describe('the Python kubernetes client against isctl serve', () => {
  const suite = useServe()

  /** run runs PRELUDE + script and returns the JSON of its last line of output. */
  const run = async <T = Json>(script: string): Promise<T> => {
    const res = await python(PRELUDE + script, { kubeconfig: suite.kubeconfig })
    assert.equal(res.code, 0, `python failed:\n${res.stderr}`)
    const lines = res.stdout.trim().split('\n')
    return JSON.parse(lines[lines.length - 1]!) as T
  }

  it('CoreV1Api: namespaces, secrets and service accounts', async () => {
    const out = await run<{
      phase: string
      namespaces: string[]
      defaultSa: string
      secretType: string
      secretData: Record<string, string>
      replacedLabels: Record<string, string>
      deletedType: string
      deletedStatus: string
      deletedDetails: { name: string; kind: string; uid: string }
      secretUid: string
      afterDelete: number
      serviceAccounts: string[]
      saDeleted: [string, string]
    }>(`
ns = core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name='py-core')))
names = [n.metadata.name for n in core.list_namespace().items]
default_sa = core.read_namespaced_service_account('default', 'py-core').metadata.name
created = core.create_namespaced_secret('py-core', client.V1Secret(
    metadata=client.V1ObjectMeta(name='token'), string_data={'password': 'hunter2'}))
read = core.read_namespaced_secret('token', 'py-core')
# A Secret may be replaced without a resourceVersion (its strategy allows unconditional updates).
body = client.V1Secret(metadata=client.V1ObjectMeta(name='token', labels={'team': 'a'}),
                       data=read.data, type=read.type)
replaced = core.replace_namespaced_secret('token', 'py-core', body)
deleted = core.delete_namespaced_secret('token', 'py-core')
try:
    core.read_namespaced_secret('token', 'py-core')
    after = 200
except ApiException as e:
    after = e.status
core.create_namespaced_service_account('py-core', client.V1ServiceAccount(
    metadata=client.V1ObjectMeta(name='robot')))
sas = sorted(s.metadata.name for s in core.list_namespaced_service_account('py-core').items)
sa_deleted = core.delete_namespaced_service_account('robot', 'py-core')
print(json.dumps({
    'phase': ns.status.phase, 'namespaces': names, 'defaultSa': default_sa,
    'secretType': read.type, 'secretData': read.data,
    'replacedLabels': replaced.metadata.labels,
    'deletedType': type(deleted).__name__, 'deletedStatus': deleted.status,
    'deletedDetails': {'name': deleted.details.name, 'kind': deleted.details.kind,
                       'uid': deleted.details.uid},
    'secretUid': created.metadata.uid, 'afterDelete': after,
    'serviceAccounts': sas,
    'saDeleted': [type(sa_deleted).__name__, sa_deleted.metadata.name],
}))
`)
    assert.equal(out.phase, 'Active')
    assert.ok(out.namespaces.includes('py-core') && out.namespaces.includes('default'))
    assert.equal(out.defaultSa, 'default')
    assert.equal(out.secretType, 'Opaque')
    assert.deepEqual(out.secretData, { password: Buffer.from('hunter2').toString('base64') })
    assert.deepEqual(out.replacedLabels, { team: 'a' })
    // delete_namespaced_secret is typed V1Status: the server answers one, as kube-apiserver does.
    assert.equal(out.deletedType, 'V1Status')
    assert.equal(out.deletedStatus, 'Success')
    assert.deepEqual(out.deletedDetails, { name: 'token', kind: 'secrets', uid: out.secretUid })
    assert.equal(out.afterDelete, 404)
    assert.deepEqual(out.serviceAccounts, ['builder', 'default', 'deployer', 'robot'])
    // A ServiceAccount's delete answers the object, as its kube store does.
    assert.deepEqual(out.saDeleted, ['V1ServiceAccount', 'robot'])
  })

  it('CustomObjectsApi: image streams get, list, create, patch, replace and delete', async () => {
    const out = await run<{
      created: { name: string; tags: string[]; repository: string }
      listed: string[]
      patchedLabels: Record<string, string>
      replaceWithoutVersion: { status: number; body: Json }
      replacedWithVersion: string
      deleted: Json
      getAfterDelete: number
    }>(`
core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name='py-custom')))
created = custom.create_namespaced_custom_object(*IS, 'py-custom', 'imagestreams', stream_body('app'))
got = custom.get_namespaced_custom_object(*IS, 'py-custom', 'imagestreams', 'app')
listed = custom.list_namespaced_custom_object(*IS, 'py-custom', 'imagestreams')
patched = custom.patch_namespaced_custom_object(*IS, 'py-custom', 'imagestreams', 'app',
                                                {'metadata': {'labels': {'tier': 'web'}}})
stale = dict(patched)
stale['metadata'] = {k: v for k, v in patched['metadata'].items() if k != 'resourceVersion'}
try:
    custom.replace_namespaced_custom_object(*IS, 'py-custom', 'imagestreams', 'app', stale)
    without = {'status': 200, 'body': {}}
except ApiException as e:
    without = {'status': e.status, 'body': json.loads(e.body)}
replaced = custom.replace_namespaced_custom_object(*IS, 'py-custom', 'imagestreams', 'app', patched)
deleted = custom.delete_namespaced_custom_object(*IS, 'py-custom', 'imagestreams', 'app')
try:
    custom.get_namespaced_custom_object(*IS, 'py-custom', 'imagestreams', 'app')
    after = 200
except ApiException as e:
    after = e.status
print(json.dumps({
    'created': {'name': got['metadata']['name'],
                'tags': [t['name'] for t in got['spec']['tags']],
                'repository': got['status']['dockerImageRepository']},
    'listed': [i['metadata']['name'] for i in listed['items']],
    'patchedLabels': patched['metadata']['labels'],
    'replaceWithoutVersion': without,
    'replacedWithVersion': replaced['metadata']['resourceVersion'],
    'deleted': deleted, 'getAfterDelete': after,
}))
`)
    assert.equal(out.created.name, 'app')
    assert.deepEqual(out.created.tags, ['latest'])
    assert.match(out.created.repository, /\/py-custom\/app$/)
    assert.deepEqual(out.listed, ['app'])
    assert.deepEqual(out.patchedLabels, { tier: 'web' })
    // OpenShift's image stream strategy refuses unconditional updates.
    assert.equal(out.replaceWithoutVersion.status, 422)
    assert.equal(
      out.replaceWithoutVersion.body.message,
      'imagestreams.image.openshift.io "app" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    )
    assert.match(out.replacedWithVersion, /^\d+$/)
    assert.equal(out.deleted.kind, 'Status')
    assert.equal(out.deleted.status, 'Success')
    assert.equal(out.getAfterDelete, 404)
  })

  it('DynamicClient: discovers image.openshift.io and reads an image stream', async () => {
    const out = await run<{
      kind: string
      namespaced: boolean
      verbs: string[]
      name: string
      tag: string
      shortNames: string[]
    }>(`
from kubernetes.dynamic import DynamicClient
core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name='py-dynamic')))
custom.create_namespaced_custom_object(*IS, 'py-dynamic', 'imagestreams', stream_body('web'))
dyn = DynamicClient(client.ApiClient())
streams = dyn.resources.get(api_version='image.openshift.io/v1', kind='ImageStream')
web = streams.get(name='web', namespace='py-dynamic')
print(json.dumps({'kind': web.kind, 'namespaced': streams.namespaced, 'verbs': streams.verbs,
                  'name': web.metadata.name, 'tag': web.spec.tags[0].name,
                  'shortNames': streams.short_names}))
`)
    assert.equal(out.kind, 'ImageStream')
    assert.equal(out.namespaced, true)
    assert.ok(out.verbs.includes('watch') && out.verbs.includes('patch'), String(out.verbs))
    assert.deepEqual(out.shortNames, ['is'])
    assert.equal(out.name, 'web')
    assert.equal(out.tag, 'latest')
  })

  it('Watch: sees image streams and secrets ADDED then MODIFIED', async () => {
    // Python's client sends watch=True; the events are those a user's loop reacts to.
    const out = await run<{ streams: [string, string][]; secrets: [string, string][] }>(`
core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name='py-watch')))

def observe(list_fn, args, version_of, create, modify, name_of):
    rv = version_of(list_fn(*args))
    create()
    seen = []
    w = watch.Watch()
    for event in w.stream(list_fn, *args, resource_version=rv, timeout_seconds=120):
        seen.append([event['type'], name_of(event['object'])])
        if event['type'] == 'ADDED':
            modify()
        elif event['type'] == 'MODIFIED':
            w.stop()
    return seen

streams = observe(
    custom.list_namespaced_custom_object, IS + ('py-watch', 'imagestreams'),
    lambda listed: listed['metadata']['resourceVersion'],
    lambda: custom.create_namespaced_custom_object(*IS, 'py-watch', 'imagestreams', stream_body('app')),
    lambda: custom.patch_namespaced_custom_object(*IS, 'py-watch', 'imagestreams', 'app',
                                                  {'metadata': {'labels': {'seen': 'yes'}}}),
    lambda o: o['metadata']['name'])
secrets = observe(
    core.list_namespaced_secret, ('py-watch',),
    lambda listed: listed.metadata.resource_version,
    lambda: core.create_namespaced_secret('py-watch', client.V1Secret(
        metadata=client.V1ObjectMeta(name='token'), string_data={'a': 'b'})),
    lambda: core.patch_namespaced_secret('token', 'py-watch', {'metadata': {'labels': {'seen': 'yes'}}}),
    lambda o: o.metadata.name)
print(json.dumps({'streams': streams, 'secrets': secrets}))
`)
    assert.deepEqual(out.streams, [
      ['ADDED', 'app'],
      ['MODIFIED', 'app'],
    ])
    const secretEvents = out.secrets.filter(([, name]) => name === 'token')
    assert.deepEqual(secretEvents, [
      ['ADDED', 'token'],
      ['MODIFIED', 'token'],
    ])
  })
})
