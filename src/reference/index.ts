/** Image references: parse, normalise and format pull specs and digests. Pure; imports nothing from the project. */
export type {
  AdmittedReference,
  AllowedRegistry,
  AllowListOptions,
  RegistryAllowList,
  RegistryTransport,
} from './allowed-registries.js'
export {
  admittedReference,
  createRegistryAllowList,
  InvalidAllowedRegistryError,
  RegistryNotAllowedError,
  repositoryKey,
  transportFor,
} from './allowed-registries.js'
export type { DigestAlgorithm, ParsedDigest } from './digest.js'
export { isDigest, parseDigest } from './digest.js'
export {
  DOCKER_HUB,
  DOCKER_HUB_ALIASES,
  DOCKER_HUB_API_HOST,
  registryApiHost,
} from './docker-hub.js'
export { InvalidDigestError, InvalidReferenceError } from './errors.js'
export { formatImageReference, repositoryName, tagOrLatest } from './format.js'
export type { ImageReference } from './parse.js'
export { isValidTag, namesRegistry, parseImageReference, repositoryPathProblem } from './parse.js'
