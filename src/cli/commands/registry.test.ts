import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { authFilePath, hostsOf, registryErrorText, withCredentials } from './registry.js'

describe('authFilePath', () => {
  const cases: [string, Record<string, string>, string][] = [
    [
      'REGISTRY_AUTH_FILE first',
      { REGISTRY_AUTH_FILE: '/a.json', XDG_RUNTIME_DIR: '/x' },
      '/a.json',
    ],
    [
      "Docker's file when preferred",
      { REGISTRY_AUTH_PREFERENCE: 'docker', HOME: '/home/u', XDG_RUNTIME_DIR: '/x' },
      '/home/u/.docker/config.json',
    ],
    [
      'the runtime directory',
      { XDG_RUNTIME_DIR: '/run/user/7' },
      '/run/user/7/containers/auth.json',
    ],
    ['/run/containers/UID without one', {}, '/run/containers/7/auth.json'],
  ]
  for (const [name, env, path] of cases) {
    it(name, () => assert.equal(authFilePath(env, 7), path))
  }
})

describe('withCredentials', () => {
  const creds = { username: 'user', password: 'sha256~t' }
  const auth = Buffer.from('user:sha256~t').toString('base64')

  it('starts a file', () => {
    assert.deepEqual(JSON.parse(withCredentials('', 'h:1', creds)), { auths: { 'h:1': { auth } } })
  })

  it('replaces the entry of the host and keeps the rest of the file', () => {
    const existing = JSON.stringify({
      auths: { 'h:1': { auth: 'old' }, 'quay.io': { auth: 'q' } },
      credHelpers: { 'gcr.io': 'gcloud' },
    })
    assert.deepEqual(JSON.parse(withCredentials(existing, 'h:1', creds)), {
      auths: { 'h:1': { auth }, 'quay.io': { auth: 'q' } },
      credHelpers: { 'gcr.io': 'gcloud' },
    })
  })

  it('refuses a file that is not a JSON object', () => {
    assert.throws(() => withCredentials('[]', 'h:1', creds), /does not hold a JSON object/)
    assert.throws(() => withCredentials('{', 'h:1', creds), SyntaxError)
  })
})

describe('hostsOf', () => {
  const stream = (status: Record<string, string>) => ({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 'app' },
    status,
  })

  it('reads both hostnames off the repositories', () => {
    const hosts = hostsOf(
      stream({
        dockerImageRepository: '127.0.0.1:8443/a/app',
        publicDockerImageRepository: 'r.example/a/app',
      }),
    )
    assert.deepEqual(hosts, { internal: '127.0.0.1:8443', public: 'r.example' })
  })

  it('is undefined when the status names no repository', () => {
    assert.equal(hostsOf(stream({})), undefined)
  })
})

describe('registryErrorText', () => {
  it('prints the first registry error as distribution does', () => {
    const body = JSON.stringify({
      errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
    })
    assert.equal(registryErrorText(401, body), 'unauthorized: authentication required')
  })

  it('names the status of any other answer', () => {
    assert.equal(registryErrorText(502, '<html>'), 'unexpected status code 502')
  })
})
