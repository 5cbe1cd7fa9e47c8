import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { tokenObjectName } from './oauth-token-name.js'

describe('tokenObjectName', () => {
  it('hashes the token without its sha256~ prefix, as oc logout names the object', () => {
    // base64url(sha256("abc")), without padding.
    assert.equal(
      tokenObjectName('sha256~abc'),
      'sha256~ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0',
    )
  })
  it('leaves a token without the prefix as it is', () => {
    assert.equal(tokenObjectName('abc'), 'abc')
  })
})
