/**
 * Composition root of `isctl image info`: wires the registry client, the credentials keyring
 * and the undici agents into the verb's registry port. Loaded lazily by the entry point, so
 * other verbs never pay for undici or the registry client.
 */
import type { ImageInfoFlags } from '../cli/commands/image-info.js'
import {
  executeImageInfo as executeWith,
  runImageInfo as runWith,
  type ImageRegistry,
} from '../cli/commands/image-info-run.js'
import type { CommandIO } from '../cli/io.js'
import { EMPTY_KEYRING, keyringFromDockerConfig, type Keyring } from '../credentials/index.js'
import {
  createAgents,
  createRegistryClient,
  inspect,
  isAttestation,
  manifestKind,
  parsePlatform,
  TransportError,
  type PlatformSpec,
  type Repository,
} from '../registry/index.js'

/** REGISTRY is the real registry client behind `image info`. */
const REGISTRY: ImageRegistry<PlatformSpec, Keyring, Repository> = {
  parsePlatform,
  emptyKeyring: EMPTY_KEYRING,
  keyringFromDockerConfig,
  connect: ({ additionalCA, warn }) => {
    // One command makes a handful of sequential requests: HTTP/2 would only add set-up time.
    const agents = createAgents({ additionalCA, allowH2: false })
    const client = createRegistryClient({
      agents,
      logger: {
        warn: (context, message) =>
          warn(typeof context.registry === 'string' ? context.registry : undefined, message),
      },
    })
    return { repository: (target) => client.repository(target), close: () => agents.close() }
  },
  inspect,
  isImageChild: (d) => !isAttestation(d) && manifestKind(d.mediaType) === 'image',
  tlsProblem: (err) => (err instanceof TransportError ? err.tlsProblem : undefined),
}

/** executeImageInfo runs `image info` on the real registry client; failures are thrown. */
export function executeImageInfo(
  operands: readonly string[],
  flags: ImageInfoFlags,
  io: CommandIO,
): Promise<number> {
  return executeWith(operands, flags, io, REGISTRY)
}

/** runImageInfo parses and runs `image info` on the real registry client, for tests and embedding. */
export function runImageInfo(args: readonly string[], io: CommandIO): Promise<number> {
  return runWith(args, io, REGISTRY)
}
