/**
 * The key that signs service-account tokens: an RSA key pair (RS256, as kube-apiserver's
 * `--service-account-signing-key-file`), made on first start in the data dir and read back on
 * later starts, so tokens stay valid across restarts. Only the private key is stored (0600);
 * the public key is derived from it. A store shared by several replicas keeps the same PEM
 * instead (src/server/identity, docs/architecture.md#shared-identity).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { chmod, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PkiError, writePrivate } from '../pki.js'

/** SIGNING_KEY_FILE is the private key's file name in the data dir. */
export const SIGNING_KEY_FILE = 'service-account.key'

/** RSA_BITS is the modulus length, kubeadm's for its `sa.key`. */
const RSA_BITS = 2048

/** SigningKey is the service-account token key pair and its key ID. */
export interface SigningKey {
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  /**
   * The JWS `kid`: base64url of the SHA-256 of the public key's PKIX DER, as kube-apiserver
   * derives it (kubernetes pkg/serviceaccount/jwt.go keyIDFromPublicKey), so verifiers that
   * fetch the JWKS find the key by it.
   */
  readonly keyId: string
  /** Whether the key was made now or read from the data dir. */
  readonly state: 'created' | 'reused'
}

/** keyIdOf is the kid of a public key. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url')
}

function signingKeyOf(privateKey: KeyObject, state: SigningKey['state']): SigningKey {
  const publicKey = createPublicKey(privateKey)
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), state }
}

/** generateSigningKeyPem makes a new signing key, as PKCS#8 PEM. */
export async function generateSigningKeyPem(): Promise<string> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: RSA_BITS })
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
}

/** signingKeyFromPem reads a stored key; PkiError naming `where` and `fix` when it cannot be used. */
export function signingKeyFromPem(
  pem: string,
  state: SigningKey['state'],
  where: string,
  fix: string,
): SigningKey {
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(pem)
  } catch (err) {
    throw new PkiError(
      `cannot read ${where}: ${err instanceof Error ? err.message : String(err)}: ${fix}`,
      { cause: err },
    )
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new PkiError(`${where} is not an RSA key: ${fix}`)
  }
  return signingKeyOf(privateKey, state)
}

/** ensureSigningKey reads the signing key from `dataDir`, making and writing one (0600) on first start. */
export async function ensureSigningKey(dataDir: string): Promise<SigningKey> {
  const path = join(dataDir, SIGNING_KEY_FILE)
  let pem: string | undefined
  try {
    pem = await readFile(path, 'utf8')
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err
  }
  if (pem === undefined) {
    const created = await generateSigningKeyPem()
    await writePrivate(path, created)
    return signingKeyFromPem(created, 'created', path, '')
  }
  const fix = `remove ${path} to create a new key (every service-account token issued so far stops working)`
  const key = signingKeyFromPem(pem, 'reused', path, fix)
  await chmod(path, 0o600)
  return key
}
