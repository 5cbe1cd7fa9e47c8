/**
 * Credentials and their provenance. An import status names the secret and config key that
 * supplied a credential, never the credential itself
 * (docs/credentials.md#what-an-import-status-says).
 */
import { createHmac, randomBytes } from 'node:crypto'

/** CredentialSource names where a credential came from: a secret ('namespace/name') or config file, and the auths key as written. */
export interface CredentialSource {
  readonly secret: string
  readonly key: string
}

/** Credential is one entry of a docker config: username and password ('' when absent), optionally an identity token. */
export interface Credential {
  readonly username: string
  readonly password: string
  /** Docker CLI `identitytoken`: an OAuth2 refresh token for the registry's token endpoint. */
  readonly identityToken?: string
  readonly source: CredentialSource
}

// A per-process key: a fingerprint that reaches a log or a cache dump cannot be brute-forced back
// into a weak password, and the token caches that use fingerprints never outlive the process.
const FINGERPRINT_KEY = randomBytes(32)

/** credentialFingerprint is a hex HMAC-SHA256 of the credential material, stable within a process, for token-cache keys. */
export function credentialFingerprint(c: Credential): string {
  // JSON keeps the fields apart: ('a:b', 'c') and ('a', 'b:c') must not collide.
  const material = JSON.stringify([c.username, c.password, c.identityToken ?? null])
  return createHmac('sha256', FINGERPRINT_KEY).update(material).digest('hex')
}

/** describeSource says where a credential came from, e.g. `secret "ns/pull", key "quay.io"`. */
export function describeSource(s: CredentialSource): string {
  return `secret ${JSON.stringify(s.secret)}, key ${JSON.stringify(s.key)}`
}
