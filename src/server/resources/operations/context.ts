/** The per-request view operations work with: the shared context plus the strategy context. */
import type { ResourceContext } from '../context.js'
import type { AccessCheck, StrategyContext } from '../strategies/index.js'

/** strategyContext derives what strategies see from the resource context and the writer's access. */
export function strategyContext(ctx: ResourceContext, access?: AccessCheck): StrategyContext {
  return { settings: ctx.settings, now: ctx.now, ...(access && { access }) }
}
