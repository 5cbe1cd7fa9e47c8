import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isDigest, parseDigest } from './digest.js'
import type { ParsedDigest } from './digest.js'
import { InvalidDigestError } from './errors.js'

const HEX64 = '0123456789abcdef'.repeat(4)
const HEX128 = HEX64.repeat(2)

// A ParsedDigest, or the message fragment of the InvalidDigestError.
const cases: readonly (readonly [string, ParsedDigest | RegExp])[] = [
  [`sha256:${HEX64}`, { algorithm: 'sha256', hex: HEX64 }],
  [`sha512:${HEX128}`, { algorithm: 'sha512', hex: HEX128 }],
  [`sha256:${HEX64.toUpperCase()}`, /hex part must be lowercase/],
  [`sha256:${HEX64.slice(1)}`, /a sha256 digest has 64 hex characters, this one has 63/],
  [`sha256:${HEX64}0`, /this one has 65/],
  [`sha512:${HEX64}`, /a sha512 digest has 128 hex characters, this one has 64/],
  [`sha256:${HEX64.slice(1)}g`, /must be hexadecimal/],
  [`md5:${HEX64.slice(0, 32)}`, /unsupported digest algorithm "md5"; use sha256 or sha512/],
  [`blake3:${HEX64}`, /unsupported digest algorithm "blake3"/],
  // go-digest algorithms are lowercase; SHA256 is not an alias.
  [`SHA256:${HEX64}`, /unsupported digest algorithm "SHA256"/],
  [HEX64, /<algorithm>:<hex>/],
  [`:${HEX64}`, /<algorithm>:<hex>/],
  [`1sha:${HEX64}`, /<algorithm>:<hex>/],
  ['', /<algorithm>:<hex>/],
  ['sha256:', /this one has 0/],
]

void describe('parseDigest and isDigest', () => {
  for (const [input, want] of cases) {
    void it(`${JSON.stringify(input.length > 24 ? `${input.slice(0, 24)}...` : input)}`, () => {
      if (want instanceof RegExp) {
        assert.throws(
          () => parseDigest(input),
          (error: unknown) =>
            error instanceof InvalidDigestError &&
            error.code === 'InvalidDigest' &&
            error.input === input &&
            want.test(error.message),
        )
        assert.equal(isDigest(input), false)
      } else {
        assert.deepEqual(parseDigest(input), want)
        assert.equal(isDigest(input), true)
      }
    })
  }
})
