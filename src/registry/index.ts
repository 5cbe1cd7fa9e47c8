/** Public entry of the registry client: everything other layers may use. */
export { type MinRate } from './blob-stream.js'
export {
  BLOB_MIN_RATE,
  createRegistryClient,
  RegistryClient,
  Repository,
  type BlobInfo,
  type BlobStream,
  type CallOptions,
  type ClientLimits,
  type FetchedConfig,
  type FetchedManifest,
  type RegistryClientOptions,
  type RepositoryTarget,
  type ResolvedTag,
} from './client.js'
export {
  AuthError,
  DigestMismatchError,
  RateLimitedError,
  RegistryClientError,
  TransportError,
  errorCodes,
  type CredentialAttempt,
  type Diagnostic,
  type RegistryErrorCode,
} from './errors.js'
export {
  inspect,
  inspectImageManifest,
  type InspectOptions,
  type InspectedImage,
  type InspectedList,
  type Inspection,
} from './inspect.js'
export type {
  Descriptor,
  ImageConfig,
  ImageManifest,
  IndexManifest,
  Manifest,
  Platform,
} from './manifest.js'
export * from './media-types.js'
export {
  InvalidPlatformError,
  formatPlatform,
  hostPlatform,
  isAttestation,
  matchPlatform,
  normalizePlatform,
  parsePlatform,
  selectLegacyChild,
  type PlatformSpec,
} from './platform.js'
export {
  createAgents,
  PrivateAddressError,
  type AgentOptions,
  type Agents,
  type TransportTimeouts,
} from './transport/agents.js'
export { isPrivateAddress, type AddressClassifier } from './transport/address.js'
export type { Logger, ResponseObservation, ResponseObserver } from './transport/http.js'
export type { RetryPolicy } from './transport/retry.js'
