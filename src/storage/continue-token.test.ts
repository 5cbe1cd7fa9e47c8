import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeContinue, encodeContinue } from './continue-token.js'
import { isStoreError } from './store.js'

describe('continue tokens', () => {
  const positions = [
    { resource: 'imagestreams', revision: 42, namespace: 'ns', name: 'nodejs' },
    { resource: 'images', revision: 0, namespace: '', name: 'sha256:abc' },
    { resource: 'imagestreamtags', revision: 7, namespace: 'n s', name: 'nodejs:20@ü' },
    { resource: 'imagestreams', revision: 9, namespace: 'ns', name: 'a', remaining: 12 },
  ]
  for (const p of positions) {
    it(`round-trips ${p.resource}/${p.name}`, () => {
      const token = encodeContinue(p)
      assert.match(token, /^[A-Za-z0-9_-]+$/)
      assert.deepEqual(decodeContinue(token, p.resource), p)
    })
  }

  const wire = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const bad: [string, string][] = [
    ['empty', ''],
    ['not base64url', 'a+b/'],
    ['not JSON', Buffer.from('{').toString('base64url')],
    ['null', wire(null)],
    ['another version', wire({ v: 2, r: 'images', rv: 1, ns: '', n: 'a' })],
    ['a negative revision', wire({ v: 1, r: 'images', rv: -1, ns: '', n: 'a' })],
    ['a fractional revision', wire({ v: 1, r: 'images', rv: 1.5, ns: '', n: 'a' })],
    ['an empty name', wire({ v: 1, r: 'images', rv: 1, ns: '', n: '' })],
    ['a negative count', wire({ v: 1, r: 'images', rv: 1, ns: '', n: 'a', rc: -1 })],
    ['a count that is no integer', wire({ v: 1, r: 'images', rv: 1, ns: '', n: 'a', rc: '3' })],
    ['another resource', wire({ v: 1, r: 'secrets', rv: 1, ns: '', n: 'a' })],
  ]
  for (const [what, token] of bad) {
    it(`refuses ${what} with InvalidContinue`, () => {
      assert.throws(
        () => decodeContinue(token, 'images'),
        (e: unknown) => isStoreError(e, 'InvalidContinue'),
      )
    })
  }
})
