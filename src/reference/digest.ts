/**
 * Content digests: distribution/reference's digest grammar, restricted to the algorithms we can
 * verify with node:crypto (docs/registry-protocol.md#digests, image-spec descriptor.md for hex
 * lengths).
 */
import { InvalidDigestError, quote } from './errors.js'

/** DigestAlgorithm is a digest algorithm the registry client can verify. */
export type DigestAlgorithm = 'sha256' | 'sha512'

/** ParsedDigest is a valid digest split into its algorithm and lowercase hex. */
export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm
  readonly hex: string
}

// distribution/reference regexp.go digestPat, the algorithm part.
const ALGORITHM = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$/

// image-spec descriptor.md: sha256 is [a-f0-9]{64}, sha512 is [a-f0-9]{128}.
const HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = { sha256: 64, sha512: 128 }

function isSupported(algorithm: string): algorithm is DigestAlgorithm {
  return Object.hasOwn(HEX_LENGTH, algorithm)
}

/** checkDigest validates a digest, returning it parsed or the problem as text (for callers that wrap it). */
export function checkDigest(value: string): ParsedDigest | string {
  const colon = value.indexOf(':')
  const algorithm = value.slice(0, Math.max(colon, 0))
  const hex = value.slice(colon + 1)
  if (colon === -1 || !ALGORITHM.test(algorithm)) {
    return 'a digest is <algorithm>:<hex>, e.g. sha256: followed by 64 hex characters'
  }
  // go-digest refuses algorithms it has no hash for (row 33 of parse.test.ts); we verify sha256 and
  // sha512.
  if (!isSupported(algorithm)) {
    return `unsupported digest algorithm ${quote(algorithm)}; use sha256 or sha512`
  }
  // go-digest's encoded-part regexps are lowercase only, so an uppercase digest never matches the
  // digest a registry computes.
  if (/^[0-9a-fA-F]*$/.test(hex) && /[A-F]/.test(hex)) {
    return 'the hex part must be lowercase'
  }
  if (!/^[0-9a-f]*$/.test(hex)) {
    return 'the part after ":" must be hexadecimal'
  }
  const length = HEX_LENGTH[algorithm]
  if (hex.length !== length) {
    return `a ${algorithm} digest has ${length} hex characters, this one has ${hex.length}`
  }
  return { algorithm, hex }
}

/** parseDigest parses `sha256:<64 hex>` or `sha512:<128 hex>`; throws InvalidDigestError. */
export function parseDigest(value: string): ParsedDigest {
  const checked = checkDigest(value)
  if (typeof checked === 'string') {
    throw new InvalidDigestError(value, checked)
  }
  return checked
}

/** isDigest reports whether parseDigest would accept the value. */
export function isDigest(value: string): boolean {
  return typeof checkDigest(value) !== 'string'
}
