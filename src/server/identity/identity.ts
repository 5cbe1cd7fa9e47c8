/**
 * The server's identity: its CA, serving certificate and key, the key that signs
 * service-account tokens, and the admin token. Where it lives is an IdentitySource: the data
 * dir's files for a server with its own store, or objects in a store several replicas share
 * (docs/architecture.md#shared-identity). Only cmd/ picks one.
 */
import { ensureAdminToken, type AdminToken } from '../auth/admin-credentials.js'
import { ensureSigningKey, type SigningKey } from '../auth/service-account-key.js'
import { ensurePki, type ServingPki } from '../pki.js'

/** ServerIdentity is everything a server needs to be trusted and to trust its own tokens. */
export interface ServerIdentity {
  readonly pki: ServingPki
  readonly admin: AdminToken
  readonly signingKey: SigningKey
}

/** IdentitySource makes the identity on first start and reads it back afterwards. */
export interface IdentitySource {
  /** load returns the identity; the serving certificate names at least `hosts` and loopback. */
  load(hosts: readonly string[]): Promise<ServerIdentity>
}

/**
 * dataDirIdentity keeps the identity in files of the data dir: the CA and serving pair, the
 * signing key, and the admin token's hash (its text only in admin.kubeconfig).
 */
export function dataDirIdentity(dataDir: string, now?: () => Date): IdentitySource {
  return {
    async load(hosts) {
      const pki = await ensurePki({ dataDir, hosts, ...(now && { now }) })
      const admin = await ensureAdminToken(dataDir)
      const signingKey = await ensureSigningKey(dataDir)
      return { pki, admin, signingKey }
    },
  }
}
