/** Suite-level set-up shared by integration and end-to-end tests. */
import { after, before } from 'node:test'
import { pushFixtures, type Fixtures, type PushFixturesOptions } from './fixtures.js'
import { startRegistry, type RegistryOptions, type RunningRegistry } from './registry.js'

/** A registry with the standard fixtures, available once the suite's `before` hook has run. */
export interface RegistryWithFixtures {
  readonly reg: RunningRegistry
  readonly fx: Fixtures
}

/**
 * useRegistry, called inside a `describe`, starts a registry and pushes the fixtures before the
 * suite's tests and stops it after them; read `reg` and `fx` inside tests only.
 */
export function useRegistry(
  opts: RegistryOptions,
  push: PushFixturesOptions = {},
): RegistryWithFixtures {
  let reg: RunningRegistry | undefined
  let fx: Fixtures | undefined
  before(async () => {
    reg = await startRegistry(opts)
    fx = await pushFixtures(reg, push)
  })
  after(() => reg?.stop())
  return {
    get reg() {
      if (!reg) throw new Error('useRegistry: the registry is only there inside tests')
      return reg
    },
    get fx() {
      if (!fx) throw new Error('useRegistry: the fixtures are only there inside tests')
      return fx
    },
  }
}
