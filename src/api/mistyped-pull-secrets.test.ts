import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Secret } from './core.js'
import { misTypedPullSecret } from './mistyped-pull-secrets.js'

void describe('misTypedPullSecret', () => {
  const rows: [string, Secret, ReturnType<typeof misTypedPullSecret>][] = [
    [
      'Opaque with .dockerconfigjson',
      { metadata: { name: 'a' }, type: 'Opaque', data: { '.dockerconfigjson': 'e30=' } },
      { name: 'a', key: '.dockerconfigjson', type: 'kubernetes.io/dockerconfigjson' },
    ],
    [
      'no type (Opaque) with .dockercfg in stringData',
      { metadata: { name: 'b' }, stringData: { '.dockercfg': '{}' } },
      { name: 'b', key: '.dockercfg', type: 'kubernetes.io/dockercfg' },
    ],
    [
      'a typed pull secret',
      {
        metadata: { name: 'c' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': 'e30=' },
      },
      undefined,
    ],
    [
      'another type with the key',
      { metadata: { name: 'd' }, type: 'kubernetes.io/tls', data: { '.dockercfg': 'e30=' } },
      undefined,
    ],
    ['Opaque without the keys', { metadata: { name: 'e' }, data: { config: 'e30=' } }, undefined],
  ]
  for (const [name, secret, want] of rows) {
    void it(name, () => assert.deepEqual(misTypedPullSecret(secret), want))
  }
})
