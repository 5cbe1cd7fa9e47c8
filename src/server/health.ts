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
