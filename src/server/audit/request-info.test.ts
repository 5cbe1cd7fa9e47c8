import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isLongRunning, requestInfo, type RequestInfo } from './request-info.js'

const IS = { apiGroup: 'image.openshift.io', apiVersion: 'v1' }
const CORE = { apiGroup: '', apiVersion: 'v1' }

/** Rows as k8s.io/apiserver's requestinfo_test.go reads the same URLs. */
const API_CASES: [string, string, RequestInfo][] = [
  ['GET', '/version', { verb: 'get' }],
  ['GET', '/api', { verb: 'get' }],
  ['GET', '/api/v1', { verb: 'get' }],
  ['GET', '/apis/image.openshift.io', { verb: 'get' }],
  ['GET', '/apis/image.openshift.io/v1', { verb: 'get' }],
  ['GET', '/openapi/v3/apis/image.openshift.io/v1', { verb: 'get' }],
  ['POST', '/healthz', { verb: 'post' }],
  [
    'GET',
    '/api/v1/namespaces/demo/secrets',
    { verb: 'list', objectRef: { resource: 'secrets', namespace: 'demo', ...CORE } },
  ],
  [
    'GET',
    '/api/v1/namespaces/demo/secrets/pull',
    { verb: 'get', objectRef: { resource: 'secrets', namespace: 'demo', name: 'pull', ...CORE } },
  ],
  [
    'HEAD',
    '/api/v1/namespaces/demo/secrets/pull',
    { verb: 'get', objectRef: { resource: 'secrets', namespace: 'demo', name: 'pull', ...CORE } },
  ],
  [
    'POST',
    '/api/v1/namespaces/demo/secrets',
    { verb: 'create', objectRef: { resource: 'secrets', namespace: 'demo', ...CORE } },
  ],
  [
    'PUT',
    '/apis/image.openshift.io/v1/namespaces/demo/imagestreams/app',
    {
      verb: 'update',
      objectRef: { resource: 'imagestreams', namespace: 'demo', name: 'app', ...IS },
    },
  ],
  [
    'PATCH',
    '/apis/image.openshift.io/v1/namespaces/demo/imagestreams/app/status',
    {
      verb: 'patch',
      objectRef: {
        resource: 'imagestreams',
        namespace: 'demo',
        name: 'app',
        ...IS,
        subresource: 'status',
      },
    },
  ],
  [
    'DELETE',
    '/api/v1/namespaces/demo/secrets/pull',
    {
      verb: 'delete',
      objectRef: { resource: 'secrets', namespace: 'demo', name: 'pull', ...CORE },
    },
  ],
  [
    'DELETE',
    '/api/v1/namespaces/demo/secrets?labelSelector=a%3Db',
    { verb: 'deletecollection', objectRef: { resource: 'secrets', namespace: 'demo', ...CORE } },
  ],
  [
    'GET',
    '/api/v1/namespaces/demo/secrets?watch=true&resourceVersion=10',
    { verb: 'watch', objectRef: { resource: 'secrets', namespace: 'demo', ...CORE } },
  ],
  [
    'GET',
    '/api/v1/namespaces/demo/secrets?watch=1',
    { verb: 'watch', objectRef: { resource: 'secrets', namespace: 'demo', ...CORE } },
  ],
  [
    'GET',
    '/api/v1/namespaces/demo/secrets?watch=false',
    { verb: 'list', objectRef: { resource: 'secrets', namespace: 'demo', ...CORE } },
  ],
  [
    'GET',
    '/api/v1/namespaces/demo/secrets?watch=0',
    { verb: 'list', objectRef: { resource: 'secrets', namespace: 'demo', ...CORE } },
  ],
  // kubectl get NAME --watch: a watch of the collection pinned to one name.
  [
    'GET',
    '/api/v1/namespaces/demo/secrets?fieldSelector=metadata.name%3Dpull&watch=true',
    {
      verb: 'watch',
      objectRef: { resource: 'secrets', namespace: 'demo', name: 'pull', ...CORE },
    },
  ],
  [
    'GET',
    '/api/v1/namespaces/demo/secrets?fieldSelector=type%3Dx%2Cmetadata.name%3D%3Dpull',
    { verb: 'list', objectRef: { resource: 'secrets', namespace: 'demo', name: 'pull', ...CORE } },
  ],
  [
    'GET',
    '/api/v1/namespaces/demo/secrets?fieldSelector=metadata.name%21%3Dpull',
    { verb: 'list', objectRef: { resource: 'secrets', namespace: 'demo', ...CORE } },
  ],
  [
    'GET',
    '/apis/image.openshift.io/v1/watch/namespaces/demo/imagestreams',
    { verb: 'watch', objectRef: { resource: 'imagestreams', namespace: 'demo', ...IS } },
  ],
  [
    'GET',
    '/apis/image.openshift.io/v1/watch/namespaces/demo/imagestreams/app',
    {
      verb: 'watch',
      objectRef: { resource: 'imagestreams', namespace: 'demo', name: 'app', ...IS },
    },
  ],
  [
    'GET',
    '/apis/image.openshift.io/v1/imagestreams',
    { verb: 'list', objectRef: { resource: 'imagestreams', ...IS } },
  ],
  [
    'GET',
    '/apis/image.openshift.io/v1/images/sha256:abc',
    { verb: 'get', objectRef: { resource: 'images', name: 'sha256:abc', ...IS } },
  ],
  // Names are decoded as Go's URL.Path has them.
  [
    'GET',
    '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/app%3Av1',
    {
      verb: 'get',
      objectRef: { resource: 'imagestreamtags', namespace: 'demo', name: 'app:v1', ...IS },
    },
  ],
  // Namespaces themselves, and their own subresources.
  ['GET', '/api/v1/namespaces', { verb: 'list', objectRef: { resource: 'namespaces', ...CORE } }],
  [
    'GET',
    '/api/v1/namespaces/demo',
    {
      verb: 'get',
      objectRef: { resource: 'namespaces', namespace: 'demo', name: 'demo', ...CORE },
    },
  ],
  [
    'PUT',
    '/api/v1/namespaces/demo/finalize',
    {
      verb: 'update',
      objectRef: {
        resource: 'namespaces',
        namespace: 'demo',
        name: 'demo',
        ...CORE,
        subresource: 'finalize',
      },
    },
  ],
  [
    'POST',
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      verb: 'create',
      objectRef: {
        resource: 'selfsubjectaccessreviews',
        apiGroup: 'authorization.k8s.io',
        apiVersion: 'v1',
      },
    },
  ],
  [
    'OPTIONS',
    '/api/v1/namespaces/demo/secrets',
    {
      verb: '',
      objectRef: { resource: 'secrets', namespace: 'demo', ...CORE },
    },
  ],
]

const LAYERS = { resource: 'imagestreams', ...IS, subresource: 'layers' }

const REGISTRY_CASES: [string, string, RequestInfo][] = [
  ['GET', '/v2/', { verb: 'get' }],
  ['GET', '/v2/_catalog', { verb: 'get' }],
  [
    'GET',
    '/v2/team-a/app/manifests/v1',
    { verb: 'get', objectRef: { ...LAYERS, namespace: 'team-a', name: 'app' } },
  ],
  [
    'HEAD',
    '/v2/team-a/app/manifests/sha256:abc',
    { verb: 'get', objectRef: { ...LAYERS, namespace: 'team-a', name: 'app' } },
  ],
  [
    'GET',
    '/v2/team-a/app/blobs/sha256:abc',
    { verb: 'get', objectRef: { ...LAYERS, namespace: 'team-a', name: 'app' } },
  ],
  [
    'GET',
    '/v2/team-a/app/tags/list?n=10',
    { verb: 'get', objectRef: { ...LAYERS, namespace: 'team-a', name: 'app' } },
  ],
  [
    'PUT',
    '/v2/team-a/app/manifests/v2',
    { verb: 'update', objectRef: { ...LAYERS, namespace: 'team-a', name: 'app' } },
  ],
  [
    'GET',
    '/v2/team-a/deep/app/manifests/v1',
    { verb: 'get', objectRef: { ...LAYERS, namespace: 'team-a', name: 'deep/app' } },
  ],
  ['GET', '/v2/app/manifests/v1', { verb: 'get' }],
  [
    'DELETE',
    '/admin/blobs/sha256:abc',
    { verb: 'delete', objectRef: { resource: 'images', name: 'sha256:abc', ...IS } },
  ],
]

describe('requestInfo: the verb and object of a request, as the apiserver reads its URL', () => {
  for (const [method, url, want] of API_CASES) {
    it(`${method} ${url}`, () => assert.deepEqual(requestInfo(method, url, false), want))
  }
})

describe('requestInfo: registry requests, as OpenShift’s registry authorizes them', () => {
  for (const [method, url, want] of REGISTRY_CASES) {
    it(`${method} ${url}`, () => assert.deepEqual(requestInfo(method, url, true), want))
  }
})

describe('isLongRunning', () => {
  it('is true of watches only', () => {
    assert.equal(isLongRunning(requestInfo('GET', '/api/v1/secrets?watch=true', false)), true)
    assert.equal(isLongRunning(requestInfo('GET', '/api/v1/secrets', false)), false)
    assert.equal(isLongRunning(requestInfo('GET', '/v2/a/b/blobs/sha256:x', true)), false)
  })
})
