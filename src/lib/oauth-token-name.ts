/**
 * OpenShift's OAuth token names, shared by the server (which stores tokens under them) and
 * `isctl logout` (which deletes by them): a `sha256~` token's object is named `sha256~` and the
 * base64url SHA-256 of the token without its prefix (oc logout's tokenToObjectName).
 */
import { createHash } from 'node:crypto'

/** SHA256_TOKEN_PREFIX marks OpenShift's tokens whose objects are named by their hash. */
export const SHA256_TOKEN_PREFIX = 'sha256~'

/** tokenObjectName is the OAuthAccessToken name of a token; other tokens are their own name, as oc has it. */
export function tokenObjectName(token: string): string {
  if (!token.startsWith(SHA256_TOKEN_PREFIX)) return token
  const secret = token.slice(SHA256_TOKEN_PREFIX.length)
  return SHA256_TOKEN_PREFIX + createHash('sha256').update(secret, 'utf8').digest('base64url')
}
