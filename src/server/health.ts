/**
 * `/healthz`, `/livez` and `/readyz` as the apiserver's healthz package answers them: `ok`, or
 * with `?verbose` one `[+]name ok` line per check and `readyz check passed`; a failing check
 * answers 500 with `[-]name failed: reason withheld` (the reason is for `/readyz/<name>` and the
 * log) and `readyz check failed`. Each check is also served alone at `/readyz/<name>`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { authorizeNonResourceRequest } from './auth/index.js'

/** HealthCheck is one named readiness check: undefined when ready, else the reason it is not. */
export interface HealthCheck {
  readonly name: string
  check(): string | undefined
}

const PING: HealthCheck = { name: 'ping', check: () => undefined }

/** registerHealth serves the health endpoints, `/readyz` with `ping` and `readyChecks`. */
export function registerHealth(app: FastifyInstance, readyChecks: readonly HealthCheck[]): void {
  const nonResource = { preHandler: authorizeNonResourceRequest }
  for (const path of ['healthz', 'livez', 'readyz']) {
    const checks = path === 'readyz' ? [PING, ...readyChecks] : [PING]
    app.get(`/${path}`, nonResource, (request, reply) => answerAll(path, checks, request, reply))
    for (const check of checks) {
      app.get(`/${path}/${check.name}`, nonResource, (_request, reply) => {
        const problem = check.check()
        return problem === undefined
          ? reply.type('text/plain').send('ok')
          : failure(reply, `internal server error: ${problem}\n`)
      })
    }
  }
}

function answerAll(
  name: string,
  checks: readonly HealthCheck[],
  request: FastifyRequest,
  reply: FastifyReply,
) {
  let lines = ''
  let failed = false
  for (const check of checks) {
    if (check.check() === undefined) {
      lines += `[+]${check.name} ok\n`
    } else {
      failed = true
      lines += `[-]${check.name} failed: reason withheld\n`
    }
  }
  if (failed) return failure(reply, `${lines}${name} check failed\n`)
  const verbose = Object.hasOwn(request.query as object, 'verbose')
  return reply.type('text/plain').send(verbose ? `${lines}${name} check passed\n` : 'ok')
}

// Go's http.Error: plain text, not sniffed, status 500.
function failure(reply: FastifyReply, body: string) {
  return reply
    .code(500)
    .type('text/plain; charset=utf-8')
    .header('x-content-type-options', 'nosniff')
    .send(body)
}

/** StoreSpace is the `store-space` readiness check and the store's onSpaceChange that feeds it. */
export interface StoreSpace {
  readonly check: HealthCheck
  readonly onSpaceChange: (full: Error | undefined) => void
}

/** storeSpaceCheck fails while the store's writes fail for want of space (docs/kubernetes-api.md#a-full-disk). */
export function storeSpaceCheck(): StoreSpace {
  let problem: string | undefined
  return {
    check: { name: 'store-space', check: () => problem },
    onSpaceChange: (full) => {
      problem = full?.message
    },
  }
}

/** StorePing is the `store` readiness check and the periodic ping that feeds it. */
export interface StorePing {
  readonly check: HealthCheck
  /** refresh pings the store now and records the answer (the timer calls it; tests too). */
  refresh(): Promise<void>
  /** stop ends the periodic ping. */
  stop(): void
}

/** StorePingOptions configure storePingCheck. */
export interface StorePingOptions {
  /** Time between pings. */
  readonly intervalMs: number
  /** Called when the answer changes: the reason the store is unreachable, or undefined again. */
  readonly onChange?: (problem: string | undefined, err?: unknown) => void
}

/**
 * storePingCheck fails `/readyz` while the store does not answer its ping
 * (docs/architecture.md#health). A probe reads the last answer and never waits on the store;
 * the store answered when it opened, so the check starts ready.
 */
export function storePingCheck(
  store: { ping(): Promise<void> },
  options: StorePingOptions,
): StorePing {
  let problem: string | undefined
  let inFlight: Promise<void> | undefined
  const record = (next: string | undefined, err?: unknown) => {
    if (next === problem) return
    problem = next
    options.onChange?.(next, err)
  }
  const refresh = () =>
    (inFlight ??= store
      .ping()
      .then(
        () => record(undefined),
        (err: unknown) =>
          record(
            `the store does not answer: ${err instanceof Error ? err.message : String(err)}`,
            err,
          ),
      )
      .finally(() => (inFlight = undefined)))
  const timer = setInterval(() => void refresh(), options.intervalMs)
  timer.unref()
  return {
    check: { name: 'store', check: () => problem },
    refresh,
    stop: () => clearInterval(timer),
  }
}
