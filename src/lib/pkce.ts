/** PKCE (RFC 7636), shared by the OAuth server and `isctl login`. */
import { createHash, randomBytes } from 'node:crypto'

/** pkceVerifier makes a code verifier: 32 random bytes, base64url (43 characters). */
export function pkceVerifier(): string {
  return randomBytes(32).toString('base64url')
}

/** pkceS256 is the S256 code challenge of a verifier: base64url(sha256(verifier)). */
export function pkceS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}
