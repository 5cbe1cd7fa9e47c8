import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { RegistryKey } from './registry-key.js'
import { keyMatches, parseRegistryKey, registryTarget } from './registry-key.js'

const key = (host: string, port = '', path = ''): RegistryKey => ({
  host,
  port,
  path,
  glob: host.includes('*'),
})

// kubelet's Add() normalisation plus the rules of docs/credentials.md#beyond-openshift.
const keys: readonly (readonly [string, RegistryKey | undefined])[] = [
  ['quay.io', key('quay.io')],
  ['quay.io/coreos', key('quay.io', '', 'coreos')],
  ['https://quay.io/v1/', key('quay.io')],
  ['https://quay.io/v2/org/', key('quay.io', '', 'org')],
  // Only /v1/ and /v2/ with the slash are API prefixes (kubelet).
  ['https://quay.io/v2', key('quay.io', '', 'v2')],
  ['quay.io/v2/team', key('quay.io', '', 'team')],
  ['registry.example.com/', key('registry.example.com')],
  ['registry.example.com//', key('registry.example.com')],
  ['HTTPS://Quay.IO/Org', key('quay.io', '', 'Org')],
  ['quay.io?x=1', key('quay.io')],
  ['quay.io/org#frag', key('quay.io', '', 'org')],
  // Hub aliases fold to docker.io.
  ['docker.io', key('docker.io')],
  ['index.docker.io', key('docker.io')],
  ['https://index.docker.io/v1/', key('docker.io')],
  ['registry-1.docker.io', key('docker.io')],
  ['registry-1.docker.io:443', key('docker.io')],
  ['registry-1.docker.io:5000', key('registry-1.docker.io', '5000')],
  // Default ports are no port; others are kept.
  ['host:443', key('host')],
  ['https://host:443', key('host')],
  ['http://host:80', key('host')],
  ['host:80', key('host')],
  ['host:', key('host')],
  ['http://host:5000', key('host', '5000')],
  ['127.0.0.1:5000', key('127.0.0.1', '5000')],
  ['[2001:DB8::1]:5000', key('[2001:db8::1]', '5000')],
  ['[::1]', key('[::1]')],
  ['*.example.com', key('*.example.com')],
  ['', undefined],
  ['https://', undefined],
  ['ftp://quay.io', undefined],
  ['user@quay.io', undefined],
  ['quay.io:abc', undefined],
  ['quay io', undefined],
  ['fe80::1', undefined],
  ['[fe80::1%eth0]:5000', undefined],
  ['[a-z].example.com', undefined],
]

void describe('parseRegistryKey', () => {
  for (const [input, want] of keys) {
    void it(`${JSON.stringify(input)}`, () => {
      assert.deepEqual(parseRegistryKey(input), want)
    })
  }
})

// [key, registry, repository, matches]
const matches: readonly (readonly [string, string, string, boolean])[] = [
  ['quay.io/coreos', 'quay.io', 'coreos', true],
  ['quay.io/coreos', 'quay.io', 'coreos/etcd', true],
  ['quay.io/coreos', 'quay.io', 'coreosx/etcd', false],
  ['quay.io/coreos/etcd', 'quay.io', 'coreos', false],
  ['*.example.com', 'a.example.com', 'x', true],
  ['*.example.com', 'example.com', 'x', false],
  ['*.example.com', 'a.b.example.com', 'x', false],
  ['reg*.example.com', 'registry.example.com', 'x', true],
  ['reg*.example.com', 'mirror.example.com', 'x', false],
  ['r*g*y.example.com', 'registry.example.com', 'x', true],
  ['r*g*y.example.com', 'rgy.example.com', 'x', true],
  ['r*g*y.example.com', 'ryg.example.com', 'x', false],
  ['a*a.example.com', 'a.example.com', 'x', false],
  ['*.*.com', 'a.example.com', 'x', true],
  ['*.example.com:5000', 'a.example.com:5000', 'x', true],
  ['*.example.com', 'a.example.com:5000', 'x', false],
  ['host', 'host:443', 'x', true],
  ['http://host:80', 'host:80', 'x', true],
  ['host:5000', 'host', 'x', false],
  ['QUAY.IO', 'quay.io', 'x', true],
  ['index.docker.io', 'registry-1.docker.io', 'library/busybox', true],
]

void describe('keyMatches', () => {
  for (const [written, registry, repository, want] of matches) {
    void it(`${written} ${want ? 'matches' : 'does not match'} ${registry}/${repository}`, () => {
      const parsed = parseRegistryKey(written)
      const target = registryTarget({ registry, repository })
      assert.ok(parsed !== undefined && target !== undefined)
      assert.equal(keyMatches(parsed, target), want)
    })
  }
})
