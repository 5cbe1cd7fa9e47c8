import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { PkiError } from '../pki.js'
import { ensureSigningKey, SIGNING_KEY_FILE } from './service-account-key.js'

void describe('ensureSigningKey', () => {
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sa-key-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  void it('makes an RSA key on first start, readable only by its owner, and reuses it later', async () => {
    const first = await ensureSigningKey(dir)
    assert.equal(first.state, 'created')
    assert.equal(first.privateKey.asymmetricKeyType, 'rsa')
    assert.equal(statSync(join(dir, SIGNING_KEY_FILE)).mode & 0o777, 0o600)
    const again = await ensureSigningKey(dir)
    assert.equal(again.state, 'reused')
    assert.equal(again.keyId, first.keyId)
    assert.match(first.keyId, /^[A-Za-z0-9_-]{43}$/)
  })

  void it('refuses a key file it cannot use, naming the file and the fix', async () => {
    const path = join(dir, SIGNING_KEY_FILE)
    writeFileSync(path, 'not a key')
    await assert.rejects(ensureSigningKey(dir), (err: unknown) => {
      assert.ok(err instanceof PkiError)
      assert.match(
        err.message,
        new RegExp(`^cannot read ${path}: .*: remove ${path} to create a new key`),
      )
      return true
    })
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    writeFileSync(path, ec.privateKey.export({ type: 'pkcs8', format: 'pem' }))
    await assert.rejects(ensureSigningKey(dir), {
      name: 'PkiError',
      message: `${path} is not an RSA key: remove ${path} to create a new key (every service-account token issued so far stops working)`,
    })
  })
})
