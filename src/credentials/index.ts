/** Registry credentials: pull secrets and docker config files to keyrings, kubelet-style matching, provenance. */
export type { Credential, CredentialSource } from './credential.js'
export { credentialFingerprint, describeSource } from './credential.js'
export type { CredentialWarning, Keyring, KeyringResult, PullSecret } from './keyring.js'
export {
  EMPTY_KEYRING,
  combineKeyrings,
  keyringFromDockerConfig,
  keyringFromSecrets,
} from './keyring.js'
