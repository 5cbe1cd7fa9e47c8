/**
 * The integrated registry mounted for tests of its dialect: one user (whose token is given),
 * allowed every pull and no pruning, no pull secrets, and a registry client that is never
 * expected to reach an upstream.
 */
import type { FastifyInstance } from 'fastify'
import { EMPTY_KEYRING } from '../../credentials/index.js'
import { createAgents, createRegistryClient } from '../../registry/index.js'
import type { Store } from '../../storage/index.js'
import type { RegistryUser } from '../dialect.js'
import { registerDistribution } from '../routes.js'

/** mountRegistry returns a fixture extension mounting `/v2/` and `/admin/` for `user` with `token`. */
export function mountRegistry(
  token: string,
  user: RegistryUser,
): (app: FastifyInstance, store: Store) => void {
  return (app, store) => {
    registerDistribution(app, {
      store,
      client: createRegistryClient({ agents: createAgents({}) }),
      auth: { authenticate: (t) => Promise.resolve(t === token ? user : undefined) },
      mayPull: () => Promise.resolve(true),
      mayPrune: () => Promise.resolve(false),
      keyringFor: () => Promise.resolve(EMPTY_KEYRING),
    })
  }
}
