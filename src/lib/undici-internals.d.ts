/**
 * Types of the undici modules src/lib/undici.ts imports directly; undici publishes types for
 * its index only.
 */
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici'
  const AgentClass: typeof Agent
  export default AgentClass
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici'
  /** undici's `Dispatcher.prototype.request`, to be called with the dispatcher as `this`. */
  function request(
    this: Dispatcher,
    opts: Dispatcher.RequestOptions,
  ): Promise<Dispatcher.ResponseData>
  export default request
}

declare module 'undici/lib/core/connect.js' {
  import type { buildConnector } from 'undici'
  const build: typeof buildConnector
  export default build
}
