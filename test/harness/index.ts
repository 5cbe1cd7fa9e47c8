/** Integration-test harness: real registries, a token server, fixtures and a fault proxy. */
export { createTestCA, createSigningCert, type TestCA, type SigningCert } from './tls.js'
export {
  startRegistry,
  parseAccessLine,
  PUSH_USER,
  BASIC_REALM,
  type RegistryAuth,
  type RegistryOptions,
  type RegistryRequest,
  type RunningRegistry,
} from './registry.js'
export {
  startTokenServer,
  decodeJwt,
  libtrustKeyId,
  parseScope,
  TOKEN_ISSUER,
  TOKEN_SERVICE,
  type TokenAccess,
  type TokenRequest,
  type TokenServerOptions,
  type TokenUser,
  type RunningTokenServer,
} from './token-server.js'
export type { LargeImage } from './large-image.js'
export {
  moveTag,
  pushFixtures,
  pushLargeImage,
  MANY_TAGS_COUNT,
  type Fixtures,
  type FixtureChild,
  type FixtureImage,
  type FixtureImageParts,
  type FixtureList,
  type FixtureManifest,
  type FixtureTagSet,
  type PushFixturesOptions,
} from './fixtures.js'
export {
  buildOciLayout,
  fixtureConfig,
  platformString,
  sha256,
  FIXTURE_AUTHOR,
  FIXTURE_CREATED,
  FIXTURE_PLATFORMS,
  DOCKER_LIST,
  DOCKER_MANIFEST,
  IN_TOTO,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  type Descriptor,
  type FixtureImageConfig,
  type OciLayout,
  type Platform,
} from './oci-layout.js'
export {
  startFaultProxy,
  corruptBytes,
  paginateTags,
  type FaultKind,
  type FaultProxy,
  type FaultProxyOptions,
  type FaultRule,
  type ProxiedRequest,
  type RedirectTarget,
} from './fault-proxy.js'
export {
  RegistryClient,
  httpRequest,
  header,
  makeAgent,
  parseChallenge,
  MANIFEST_ACCEPT,
  type Challenge,
  type HttpResponse,
  type RegistryClientOptions,
} from './http.js'
export {
  CommandError,
  freePort,
  pollUntil,
  makeTempDir,
  removeTempDir,
  runCommand,
  type CommandResult,
} from './process.js'
export { useRegistry, type RegistryWithFixtures } from './suite.js'
export {
  addHtpasswdUser,
  adminCredentials,
  ISCTL_BIN,
  KUBECTL,
  insecureImport,
  isctl,
  kubectl,
  pullSecretArgs,
  type PullSecret,
  startServe,
  stopServe,
  succeeded,
  useServe,
  type AdminCredentials,
  type ServeProcess,
  type ServeSuite,
  type ServeSuiteOptions,
} from './isctl-serve.js'
export { legacyKubectl, LEGACY_KUBECTL } from './legacy-kubectl.js'
export { python } from './python-client.js'
