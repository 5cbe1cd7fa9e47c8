import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Descriptor } from './manifest.js'
import {
  InvalidPlatformError,
  normalizePlatform,
  parsePlatform,
  selectLegacyChild,
  matchPlatform,
} from './platform.js'

const d = (digit: string, os: string, architecture: string, variant?: string): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${digit.repeat(64)}`,
  size: 1,
  platform: { os, architecture, ...(variant && { variant }) },
})
const attestation: Descriptor = {
  ...d('f', 'unknown', 'unknown'),
  annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
}

describe('normalizePlatform', () => {
  const cases: [string, string, string | undefined, string][] = [
    ['linux', 'x86_64', undefined, 'linux/amd64/'],
    ['linux', 'amd64', 'v1', 'linux/amd64/'],
    ['linux', 'aarch64', undefined, 'linux/arm64/'],
    ['linux', 'arm64', 'v8', 'linux/arm64/'],
    ['linux', 'arm64', '8', 'linux/arm64/'],
    ['linux', 'arm64', 'v9.0', 'linux/arm64/v9'],
    ['linux', 'armhf', undefined, 'linux/arm/v7'],
    ['linux', 'armel', undefined, 'linux/arm/v6'],
    ['linux', 'arm', undefined, 'linux/arm/v7'],
    ['linux', 'arm', '6', 'linux/arm/v6'],
    ['linux', 'i386', undefined, 'linux/386/'],
    ['MacOS', 'arm64', undefined, 'darwin/arm64/'],
  ]
  for (const [os, architecture, variant, want] of cases) {
    it(`${os}/${architecture}/${variant ?? ''} -> ${want}`, () => {
      const p = normalizePlatform({ os, architecture, variant })
      assert.equal(`${p.os}/${p.architecture}/${p.variant}`, want)
    })
  }
  it('rejects malformed platform strings', () => {
    for (const bad of ['linux', 'linux/', '/amd64', 'a/b/c/d']) {
      assert.throws(() => parsePlatform(bad), InvalidPlatformError)
    }
  })
})

describe('matchPlatform and selectLegacyChild', () => {
  const list = [
    d('1', 'linux', 'amd64'),
    d('2', 'linux', 'arm64', 'v8'),
    d('3', 'linux', 'arm', 'v7'),
    d('4', 'linux', 'ppc64le'),
    attestation,
  ]
  const cases: [string, readonly Descriptor[], string, string | undefined][] = [
    ['arm64 matches arm64/v8', list, 'linux/arm64', '2'],
    ['aarch64 matches arm64/v8', list, 'linux/aarch64', '2'],
    ['arm64/v8 matches arm64 without variant', [d('9', 'linux', 'arm64')], 'linux/arm64/v8', '9'],
    ['arm/v7 exact', list, 'linux/arm/v7', '3'],
    [
      'arm/v7 falls back to v6 only without v7',
      [d('5', 'linux', 'arm', 'v6'), d('6', 'linux', 'arm', 'v7')],
      'linux/arm/v7',
      '6',
    ],
    ['arm/v7 takes v6 when alone', [d('5', 'linux', 'arm', 'v6')], 'linux/arm/v7', '5'],
    ['arm/v6 never takes v7', [d('6', 'linux', 'arm', 'v7')], 'linux/arm/v6', undefined],
    [
      'duplicate platforms: first wins',
      [d('7', 'linux', 'amd64'), d('8', 'linux', 'amd64')],
      'linux/amd64',
      '7',
    ],
    ['s390x absent', list, 'linux/s390x', undefined],
    ['attestation never matches unknown/unknown', [attestation], 'unknown/unknown', undefined],
  ]
  for (const [name, entries, wanted, digit] of cases) {
    it(name, () => {
      const hit = matchPlatform(entries, parsePlatform(wanted))
      assert.equal(hit?.digest, digit && `sha256:${digit.repeat(64)}`)
    })
  }

  it('Legacy: preferred platform first, then linux/amd64, then the first image entry', () => {
    assert.equal(selectLegacyChild(list, [parsePlatform('linux/ppc64le')]), list[3])
    assert.equal(selectLegacyChild(list, [parsePlatform('linux/s390x')]), list[0])
    const noAmd = [attestation, d('4', 'linux', 'ppc64le'), d('2', 'linux', 'arm64')]
    assert.equal(selectLegacyChild(noAmd, [parsePlatform('windows/amd64')]), noAmd[1])
    assert.equal(selectLegacyChild([attestation], []), undefined)
  })
})
