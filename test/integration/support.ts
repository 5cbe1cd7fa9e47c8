/** Shared set-up for integration tests of the registry client against harness registries. */
import type { Keyring } from '../../src/credentials/index.js'
import { keyringFromDockerConfig, keyringFromSecrets } from '../../src/credentials/index.js'
import {
  createAgents,
  createRegistryClient,
  parsePlatform,
  type AgentOptions,
  type Agents,
  type RegistryClient,
  type RegistryClientOptions,
} from '../../src/registry/index.js'
import type { RunningRegistry } from '../harness/index.js'

/** IMPORT_POLICY is the importer's policy of the suites: Legacy imports pick linux/amd64. */
export const IMPORT_POLICY = {
  defaultImportMode: 'Legacy',
  platform: parsePlatform('linux/amd64'),
  maxImagesBulkImportedPerRepository: 50,
  concurrency: 4,
} as const

/** A client whose retries are quick, so fault tests do not wait seconds per retry. */
export function testClient(
  reg: Pick<RunningRegistry, 'ca'> | undefined,
  opts: Partial<Omit<RegistryClientOptions, 'agents'>> = {},
  agentOptions: Omit<AgentOptions, 'additionalCA'> = {},
): { client: RegistryClient; agents: Agents } {
  const agents = createAgents({ ...agentOptions, additionalCA: reg?.ca?.caCertPem })
  const client = createRegistryClient({
    retry: { baseMs: 20, maxMs: 200, attempts: 4 },
    ...opts,
    agents,
  })
  return { client, agents }
}

/** configKeyring builds a keyring from a docker config `auths` object (user:password pairs). */
export function configKeyring(auths: Record<string, string>, source = 'test-config.json'): Keyring {
  const entries = Object.fromEntries(
    Object.entries(auths).map(([key, up]) => [key, { auth: Buffer.from(up).toString('base64') }]),
  )
  const { keyring, warnings } = keyringFromDockerConfig(JSON.stringify({ auths: entries }), source)
  if (warnings.length > 0) throw new Error(`unexpected warnings: ${JSON.stringify(warnings)}`)
  return keyring
}

/** secretKeyring builds a keyring from pull secrets given as [name, key, user:password]. */
export function secretKeyring(secrets: readonly [string, string, string][]): Keyring {
  const { keyring } = keyringFromSecrets(
    secrets.map(([name, key, up]) => ({
      name,
      type: 'kubernetes.io/dockerconfigjson',
      data: {
        '.dockerconfigjson': Buffer.from(
          JSON.stringify({ auths: { [key]: { auth: Buffer.from(up).toString('base64') } } }),
        ).toString('base64'),
      },
    })),
  )
  return keyring
}
