import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { AuthEntry, AuthsResult } from './docker-config.js'
import { decodeBase64, parseAuths } from './docker-config.js'

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')
const unpadded = (text: string): string => b64(text).replace(/=+$/, '')
const wrap = (entries: Record<string, unknown>): string => JSON.stringify({ auths: entries })
const ok = (...entries: AuthEntry[]): AuthsResult => ({ entries })

// [name, JSON, wrapped, expected entries or problem]
const cases: readonly (readonly [string, string, boolean, AuthsResult | RegExp])[] = [
  [
    'auth, padded',
    wrap({ 'quay.io': { auth: b64('user:pass') } }),
    true,
    ok({ key: 'quay.io', username: 'user', password: 'pass' }),
  ],
  [
    'auth, unpadded',
    wrap({ 'quay.io': { auth: unpadded('user:pass') } }),
    true,
    ok({ key: 'quay.io', username: 'user', password: 'pass' }),
  ],
  [
    'auth split at the first ":"',
    wrap({ 'quay.io': { auth: b64('user:pa:ss:') } }),
    true,
    ok({ key: 'quay.io', username: 'user', password: 'pa:ss:' }),
  ],
  [
    'NUL bytes trimmed from the password',
    wrap({ 'quay.io': { auth: b64('user:pass\0\0') } }),
    true,
    ok({ key: 'quay.io', username: 'user', password: 'pass' }),
  ],
  [
    'auth wins over username/password',
    wrap({ 'quay.io': { auth: b64('a:b'), username: 'c', password: 'd' } }),
    true,
    ok({ key: 'quay.io', username: 'a', password: 'b' }),
  ],
  [
    'username/password without auth; email ignored',
    wrap({ 'quay.io': { username: 'c', password: 'd', email: 'x@example.com' } }),
    true,
    ok({ key: 'quay.io', username: 'c', password: 'd' }),
  ],
  [
    'empty auth falls back to username/password',
    wrap({ 'quay.io': { auth: '', username: 'c', password: 'd' } }),
    true,
    ok({ key: 'quay.io', username: 'c', password: 'd' }),
  ],
  [
    'identitytoken (Docker writes auth "user:")',
    wrap({ 'quay.io': { auth: b64('user:'), identitytoken: 'tok' } }),
    true,
    ok({ key: 'quay.io', username: 'user', password: '', identityToken: 'tok' }),
  ],
  [
    'entries without credentials skipped, order kept',
    wrap({ a: {}, b: { auth: b64('u:p') }, c: null, d: { auth: b64(':') }, e: { username: 'x' } }),
    true,
    ok({ key: 'b', username: 'u', password: 'p' }, { key: 'e', username: 'x', password: '' }),
  ],
  [
    'dockercfg: no wrapper',
    JSON.stringify({ 'https://index.docker.io/v1/': { auth: b64('u:p'), email: 'e' } }),
    false,
    ok({ key: 'https://index.docker.io/v1/', username: 'u', password: 'p' }),
  ],
  ['empty auths', wrap({}), true, ok()],
  ['not JSON', '{"auths":', true, /^DOC is not valid JSON$/],
  ['not an object', '[]', true, /^DOC is not a JSON object$/],
  ['no auths', JSON.stringify({ 'quay.io': {} }), true, /^DOC has no "auths" object/],
  ['auths not an object', JSON.stringify({ auths: [] }), true, /has no "auths" object/],
  [
    'dockercfg with an auths wrapper',
    wrap({ 'quay.io': { auth: b64('u:p') } }),
    false,
    /has an "auths" wrapper, which is the kubernetes.io\/dockerconfigjson format/,
  ],
  ['entry not an object', wrap({ 'quay.io': 'x' }), true, /^key "quay.io" is not an object$/],
  [
    'field not a string',
    wrap({ 'quay.io': { auth: 5 } }),
    true,
    /^key "quay.io": "auth" is not a string$/,
  ],
  [
    'auth not base64',
    wrap({ 'quay.io': { auth: 'not base64!' } }),
    true,
    /"auth" is not valid base64/,
  ],
  [
    'auth without ":"',
    wrap({ 'quay.io': { auth: b64('token') } }),
    true,
    /base64 of username:password/,
  ],
]

void describe('parseAuths', () => {
  for (const [name, json, wrapped, want] of cases) {
    void it(name, () => {
      const result = parseAuths(json, wrapped, 'DOC')
      if (want instanceof RegExp) {
        assert.ok('problem' in result, 'expected a problem')
        assert.match(result.problem, want)
      } else {
        assert.deepEqual(result, want)
      }
    })
  }
})

void describe('decodeBase64', () => {
  const valid: readonly (readonly [string, string])[] = [
    [b64('user:pass'), 'user:pass'],
    [unpadded('user:pas'), 'user:pas'],
    [unpadded('user:pa'), 'user:pa'],
    [`${b64('user:')}\n`, 'user:'],
    ['', ''],
  ]
  for (const [input, want] of valid) {
    void it(`${JSON.stringify(input)} -> ${JSON.stringify(want)}`, () => {
      assert.equal(decodeBase64(input)?.toString('utf8'), want)
    })
  }
  for (const input of ['abc!', 'a', 'abcde', 'ab=', 'abcd==', 'a===', 'YWJj ZA==', '-_-_']) {
    void it(`${JSON.stringify(input)} is invalid`, () => {
      assert.equal(decodeBase64(input), undefined)
    })
  }
})
