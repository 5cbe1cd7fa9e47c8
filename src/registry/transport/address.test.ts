/** Address classification: every spelling of a private address is private, and only those. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isPrivateAddress, isPrivateHost } from './address.js'

describe('isPrivateHost', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['8.8.8.8', false],
    ['[::1]', true],
    ['[::]', true],
    ['[fd00::1]', true],
    ['[fe80::1]', true],
    ['[2001:db8::1]', false],
    // IPv4-mapped, as written and as the URL parser normalises it.
    ['[::ffff:127.0.0.1]', true],
    ['[::ffff:7f00:1]', true],
    ['[::ffff:a9fe:a9fe]', true],
    ['[::ffff:8.8.8.8]', false],
    // IPv4-compatible (deprecated; some stacks still route it to the IPv4 address).
    ['[::127.0.0.1]', true],
    ['[::7f00:1]', true],
    ['localhost', true],
    ['LOCALHOST.', true],
    ['registry.localhost', true],
    ['localhost.example.com', false],
    ['registry.example.com', false],
  ]
  for (const [host, want] of cases) {
    it(`${host} is ${want ? 'private' : 'public'}`, () => {
      assert.equal(isPrivateHost(new URL(`https://${host}/`).hostname), want)
      assert.equal(isPrivateHost(host), want)
    })
  }

  it('judges literals with the classifier given, names without it', () => {
    const nothingPrivate = () => false
    assert.equal(isPrivateHost('127.0.0.1', nothingPrivate), false)
    assert.equal(isPrivateHost('localhost', nothingPrivate), true)
    assert.equal(isPrivateAddress('not an address'), false)
  })
})
