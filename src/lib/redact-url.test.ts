import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isSensitiveQueryName, redactUrl } from './redact-url.js'

void describe('redactUrl', () => {
  const cases: [string, string, string][] = [
    ['a request target', '/v2/?access_token=SECRET', '/v2/?access_token=REDACTED'],
    [
      'names in any case',
      '/api?Access_Token=a&TOKEN=b',
      '/api?Access_Token=REDACTED&TOKEN=REDACTED',
    ],
    ['a percent-encoded name', '/x?access%5Ftoken=SECRET', '/x?access%5Ftoken=REDACTED'],
    [
      'every listed name',
      '/x?password=1&passwd=2&secret=3&client_secret=4&code=5&refresh_token=6&id_token=7&signature=8&api_key=9&apikey=10',
      '/x?password=REDACTED&passwd=REDACTED&secret=REDACTED&client_secret=REDACTED&code=REDACTED&refresh_token=REDACTED&id_token=REDACTED&signature=REDACTED&api_key=REDACTED&apikey=REDACTED',
    ],
    [
      'a pre-signed S3 URL with userinfo',
      'https://u:p@s3.example/b?X-Amz-Signature=abc&partNumber=1&sig=zz',
      'https://s3.example/b?X-Amz-Signature=REDACTED&partNumber=1&sig=REDACTED',
    ],
    [
      'GCS signed parameters',
      'https://g.example/o?X-Goog-Credential=c',
      'https://g.example/o?X-Goog-Credential=REDACTED',
    ],
    ['a repeated name', '/x?token=a&token=b', '/x?token=REDACTED&token=REDACTED'],
    ['a name without a value', '/x?token&watch=true', '/x?token=REDACTED&watch=true'],
    [
      'other parameters kept as written',
      '/apis/x?watch=1&labelSelector=a%3Db&timeoutSeconds=5',
      '/apis/x?watch=1&labelSelector=a%3Db&timeoutSeconds=5',
    ],
    ['names that only contain a listed one', '/x?tokens=a&mytoken=b', '/x?tokens=a&mytoken=b'],
    ['a fragment kept', '/x?code=1#frag', '/x?code=REDACTED#frag'],
    ['no query', '/v2/ns/app/manifests/latest', '/v2/ns/app/manifests/latest'],
    ['a malformed escape in a name', '/x?%zz=1&token=2', '/x?%zz=1&token=REDACTED'],
    [
      'a URL object',
      'https://r.example/t?access_token=x',
      'https://r.example/t?access_token=REDACTED',
    ],
  ]
  for (const [name, input, want] of cases) {
    void it(`redacts ${name}`, () => {
      assert.equal(redactUrl(name === 'a URL object' ? new URL(input) : input), want)
    })
  }
})

void describe('isSensitiveQueryName', () => {
  void it('matches listed names and prefixes, case-insensitively', () => {
    assert.deepEqual(
      ['ACCESS_TOKEN', 'x-amz-credential', 'Code', 'tag', 'n', 'st'].map(isSensitiveQueryName),
      [true, true, true, false, false, true],
    )
  })
})
