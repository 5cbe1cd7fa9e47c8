import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DOCKER_HUB, DOCKER_HUB_API_HOST, registryApiHost } from './docker-hub.js'

const cases: readonly (readonly [string, string])[] = [
  [DOCKER_HUB, DOCKER_HUB_API_HOST],
  ['quay.io', 'quay.io'],
  ['localhost:5000', 'localhost:5000'],
  ['[2001:db8::1]:5000', '[2001:db8::1]:5000'],
]

void describe('registryApiHost', () => {
  for (const [registry, host] of cases) {
    void it(`${registry} -> ${host}`, () => {
      assert.equal(registryApiHost(registry), host)
    })
  }
})
