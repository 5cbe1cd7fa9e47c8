import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Credential } from './credential.js'
import { credentialFingerprint, describeSource } from './credential.js'

const source = { secret: 'ns/pull', key: 'quay.io' }
const cred = (username: string, password: string, identityToken?: string): Credential => ({
  username,
  password,
  ...(identityToken === undefined ? {} : { identityToken }),
  source,
})

void describe('credentialFingerprint', () => {
  void it('is 64 hex characters and does not contain the material', () => {
    const fingerprint = credentialFingerprint(cred('user', 'secret-password'))
    assert.match(fingerprint, /^[0-9a-f]{64}$/)
    assert.ok(!fingerprint.includes(Buffer.from('secret-password').toString('hex')))
  })

  void it('depends on the material only, not on the source', () => {
    const a = credentialFingerprint(cred('u', 'p'))
    const b = credentialFingerprint({ ...cred('u', 'p'), source: { secret: 'other/s', key: 'x' } })
    assert.equal(a, b)
  })

  // Pairs that must not share a fingerprint.
  const distinct: readonly (readonly [string, Credential, Credential])[] = [
    ['password', cred('u', 'p1'), cred('u', 'p2')],
    ['field boundary', cred('a:b', 'c'), cred('a', 'b:c')],
    ['identity token', cred('u', ''), cred('u', '', 'token')],
    ['token vs password', cred('u', 'token'), cred('u', '', 'token')],
  ]
  for (const [name, a, b] of distinct) {
    void it(`differs by ${name}`, () => {
      assert.notEqual(credentialFingerprint(a), credentialFingerprint(b))
    })
  }
})

void describe('describeSource', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['ns/pull', 'https://127.0.0.1:5000/v2/', 'secret "ns/pull", key "https://127.0.0.1:5000/v2/"'],
    [
      '/home/u/.docker/config.json',
      'quay.io',
      'secret "/home/u/.docker/config.json", key "quay.io"',
    ],
    ['ns/odd', 'a"b', 'secret "ns/odd", key "a\\"b"'],
  ]
  for (const [secret, key, want] of cases) {
    void it(want, () => {
      assert.equal(describeSource({ secret, key }), want)
    })
  }
})
