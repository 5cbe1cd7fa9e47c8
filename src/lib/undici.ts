/**
 * The parts of undici the registry client and the API client use, loaded directly. undici's index eagerly
 * loads fetch, WebSocket, EventSource, mocks and caches: about 130 ms of every `isctl` start
 * on this machine, against about 30 ms for these modules (measured with Node 20.20 and
 * undici 7.30). `undici.test.ts` fails if an undici upgrade moves them.
 */
import type { Dispatcher } from 'undici'
import AgentClass from 'undici/lib/dispatcher/agent.js'
import requestOn from 'undici/lib/api/api-request.js'
import buildConnectorFn from 'undici/lib/core/connect.js'

/** Agent is undici's Agent class (a pool per origin). */
export const Agent = AgentClass

/** buildConnector makes the function an Agent opens its TCP and TLS connections with. */
export const buildConnector = buildConnectorFn

/** RequestInit is what a registry request sets besides its URL and dispatcher. */
export interface RequestInit {
  readonly method: Dispatcher.HttpMethod
  /** A name with several values is sent as that many header lines. */
  readonly headers: Readonly<Record<string, string | string[]>>
  readonly body?: string
  readonly signal: AbortSignal
}

/** request sends one request through `dispatcher`, as undici's `request(url, opts)` does. */
export function request(
  dispatcher: Dispatcher,
  url: URL,
  init: RequestInit,
): Promise<Dispatcher.ResponseData> {
  return requestOn.call(dispatcher, {
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: init.method,
    headers: init.headers,
    signal: init.signal,
    ...(init.body !== undefined && { body: init.body }),
  })
}
