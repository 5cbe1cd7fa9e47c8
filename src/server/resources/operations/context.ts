/** The per-request view operations work with: the shared context plus the strategy context. */
import type { ResourceContext } from '../context.js'
import type { StrategyContext } from '../strategies/index.js'

/** strategyContext derives what strategies see from the resource context. */
export function strategyContext(ctx: ResourceContext): StrategyContext {
  return { settings: ctx.settings, now: ctx.now }
}
