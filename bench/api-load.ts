/**
 * The load generator of the `api` workload, run in a worker thread so that neither the server
 * under test nor the bench's own coordination shares its event loop: closed-loop requests (GETs
 * of one URL, or writes) over `connections` keep-alive HTTPS connections (undici Pool) for a
 * fixed time, dealt evenly over one or more servers' origins, after a short warm-up that opens them. Posts the request count, the measured
 * seconds and the latency percentiles back to the parent.
 */
import { performance } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import { Pool, type Dispatcher } from 'undici'

/** LoadOptions are what the parent passes as workerData. */
export interface LoadOptions {
  /** The servers the connections are dealt over, in turn (replicas of one store). */
  readonly origins: readonly string[]
  readonly path: string
  readonly token: string
  readonly caPem: string
  readonly connections: number
  readonly warmupMs: number
  readonly durationMs: number
  /** A write instead of a GET of `path`: request n goes to paths[n % paths.length]. */
  readonly write?: WriteLoad
}

/**
 * WriteLoad describes the write each request makes; `{{n}}` in the body stands for the
 * request's sequence number (from 0, warm-up included), so that every create names a new object.
 */
export interface WriteLoad {
  readonly method: 'POST' | 'PUT' | 'PATCH'
  readonly paths: readonly string[]
  readonly contentType: string
  readonly body: string
  /** The status a successful write answers: 201 for a create, 200 otherwise. */
  readonly status: number
}

/** LoadResult is what the worker posts back. */
export interface LoadResult {
  readonly requests: number
  readonly errors: number
  readonly seconds: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

const options = workerData as LoadOptions
const pools = options.origins.map(
  (origin) =>
    new Pool(origin, {
      connections: Math.ceil(options.connections / options.origins.length),
      connect: { ca: options.caPem },
    }),
)
const headers = { authorization: `Bearer ${options.token}`, accept: 'application/json' }
const { write } = options
const writeHeaders = write && { ...headers, 'content-type': write.contentType }
const bodyParts = write?.body.split('{{n}}')
let sequence = 0

/** next is the next request to send and the status that answers it when it succeeds. */
function next(): { request: Dispatcher.RequestOptions; status: number } {
  if (!write || !writeHeaders || !bodyParts) {
    return { request: { method: 'GET', path: options.path, headers }, status: 200 }
  }
  const n = sequence++
  return {
    request: {
      method: write.method,
      path: write.paths[n % write.paths.length]!,
      headers: writeHeaders,
      body: bodyParts.join(String(n)),
    },
    status: write.status,
  }
}

/** loop sends one request after another until `until`, recording latencies when `record`. */
async function loop(pool: Pool, until: number, latencies: number[] | undefined): Promise<number> {
  let errors = 0
  while (performance.now() < until) {
    const { request, status } = next()
    const start = performance.now()
    const res = await pool.request(request)
    await res.body.dump({ limit: Infinity })
    if (res.statusCode !== status) errors++
    latencies?.push(performance.now() - start)
  }
  return errors
}

const lanes = Array.from({ length: options.connections })
const poolOf = (lane: number) => pools[lane % pools.length]!
await Promise.all(
  lanes.map((_, i) => loop(poolOf(i), performance.now() + options.warmupMs, undefined)),
)
const latencies: number[] = []
const start = performance.now()
const until = start + options.durationMs
const errors = (await Promise.all(lanes.map((_, i) => loop(poolOf(i), until, latencies)))).reduce(
  (a, b) => a + b,
  0,
)
const seconds = (performance.now() - start) / 1000
await Promise.all(pools.map((p) => p.close()))
latencies.sort((a, b) => a - b)
const at = (q: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!
const result: LoadResult = {
  requests: latencies.length,
  errors,
  seconds,
  p50Ms: at(0.5),
  p99Ms: at(0.99),
  maxMs: latencies[latencies.length - 1]!,
}
parentPort!.postMessage(result)
