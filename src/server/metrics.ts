/**
 * `GET /metrics` in Prometheus text format (docs/imports.md#visibility-schedule-and-metrics):
 * scheduled checks (with their durations) and imports by result and registry, registry requests by
 * method and status (registries labelled by canonical host, a bounded number per metric: see
 * RegistryLabels), registries' requests to wait, the due-queue's depth and lag, what the
 * integrated registry served from its cache or the upstream, scheduled prune runs and what they
 * removed (docs/pruning.md#scheduled-pruning), and prom-client's default process
 * metrics (RSS, CPU, event loop). Each server owns its
 * registry, not prom-client's global one, so that several servers can run in one process
 * (tests) without their metrics colliding.
 */
import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { ResponseObserver } from '../registry/index.js'
import type { PruneMetrics, ScheduleMetrics } from '../scheduler/metrics.js'
import type { ScheduleStore, WatchStats } from '../storage/index.js'
import { authorizeNonResourceRequest } from './auth/index.js'
import { RegistryLabels } from './metric-labels.js'

/** MetricsDeps are where the metrics read their gauges from. */
export interface MetricsDeps {
  /** The due-queue, counted on each scrape. */
  readonly schedule: Pick<ScheduleStore, 'stats'>
  /** Milliseconds since the epoch; default Date.now (tests pin it). */
  readonly now?: () => number
  /** Bytes the integrated registry's blob cache holds, read on each scrape (none without one). */
  readonly registryCacheBytes?: () => number
  /** The store's open watches and what they hold queued, read on each scrape (none without it). */
  readonly watchStats?: () => WatchStats
}

/** PullThroughServed says what the integrated registry served and whence. */
export type PullThroughServed = (kind: 'manifest' | 'blob', from: 'cache' | 'upstream') => void

/** ServerMetrics are one server's metrics and the hooks that feed them. */
export interface ServerMetrics {
  /** The scheduler's counts: checks, their durations, scheduled imports, registry pauses. */
  readonly schedule: ScheduleMetrics
  /** The scheduled pruner's runs and what they removed. */
  readonly prune: PruneMetrics
  /** Counts every registry response (pass as RegistryClientOptions.onResponse). */
  readonly onRegistryResponse: ResponseObserver
  /** Counts what the integrated registry serves (pass as DistributionDeps.onServed). */
  readonly onPullThrough: PullThroughServed
  /** The Content-Type of `render`'s text. */
  readonly contentType: string
  /** render reads the queue gauges and returns every metric in the text exposition format. */
  render(): Promise<string>
}

/** createServerMetrics makes a registry with the default process metrics and ours. */
export function createServerMetrics(deps: MetricsDeps): ServerMetrics {
  const now = deps.now ?? Date.now
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const checks = new Counter({
    name: 'imagestreams_scheduled_checks_total',
    help: 'Scheduled tag checks, by result (unchanged, changed, failed, rate-limited, deferred) and registry.',
    labelNames: ['result', 'registry'] as const,
    registers,
  })
  const imports = new Counter({
    name: 'imagestreams_imports_total',
    help: 'Tag imports, by result (success, failure), registry and whether the schedule ran them.',
    labelNames: ['result', 'registry', 'scheduled'] as const,
    registers,
  })
  const checkDuration = new Histogram({
    name: 'imagestreams_scheduled_check_duration_seconds',
    help: 'How long one scheduled check took, the import after a change included.',
    labelNames: ['registry'] as const,
    // From a HEAD on a near registry (milliseconds) to an import of a large manifest list.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  })
  const pauses = new Counter({
    name: 'imagestreams_registry_pauses_total',
    help: "Times a registry asked the scheduler to wait (HTTP 429, or Docker Hub's RateLimit-Remaining: 0).",
    labelNames: ['registry'] as const,
    registers,
  })
  const pausedSeconds = new Counter({
    name: 'imagestreams_registry_paused_seconds_total',
    help: 'Seconds registries asked the scheduler to wait, summed.',
    labelNames: ['registry'] as const,
    registers,
  })
  const requests = new Counter({
    name: 'imagestreams_registry_requests_total',
    help: 'HTTP responses from registries (token servers and blob redirects included), by method and status.',
    labelNames: ['registry', 'method', 'status'] as const,
    registers,
  })
  const depth = new Gauge({
    name: 'imagestreams_schedule_queue_depth',
    help: 'Scheduled tags in the due-queue.',
    registers,
  })
  const due = new Gauge({
    name: 'imagestreams_schedule_due',
    help: 'Scheduled tags whose next check time has passed.',
    registers,
  })
  const lag = new Gauge({
    name: 'imagestreams_schedule_lag_seconds',
    help: 'How long the most overdue scheduled tag has been waiting for its check (0 when none is due).',
    registers,
  })

  const served = new Counter({
    name: 'imagestreams_pullthrough_served_total',
    help: 'Manifests and blobs the integrated registry served, by kind and whether they came from its cache or the upstream.',
    labelNames: ['kind', 'from'] as const,
    registers,
  })
  const cacheBytes = deps.registryCacheBytes
  if (cacheBytes) {
    new Gauge({
      name: 'imagestreams_pullthrough_cache_bytes',
      help: 'Bytes of pulled-through blobs the integrated registry keeps on disk.',
      registers,
      collect() {
        this.set(cacheBytes())
      },
    })
  }

  const watchStats = deps.watchStats
  if (watchStats) {
    new Gauge({
      name: 'imagestreams_watches',
      help: "Open watches of stored resources, the server's own included.",
      registers,
      collect() {
        this.set(watchStats().watchers)
      },
    })
    new Gauge({
      name: 'imagestreams_watch_buffered_bytes',
      help: 'Bytes of events (as JSON) queued for watches whose clients have not taken them yet.',
      registers,
      collect() {
        this.set(watchStats().bufferedBytes)
      },
    })
  }
  // prom-client reports external memory, not the ArrayBuffers (Buffers) in it: watches' frames
  // and sockets' queued writes are Buffers.
  new Gauge({
    name: 'imagestreams_process_array_buffers_bytes',
    help: 'Bytes of ArrayBuffers and Buffers the process holds (process.memoryUsage().arrayBuffers).',
    registers,
    collect() {
      this.set(process.memoryUsage().arrayBuffers)
    },
  })

  const pruneRuns = new Counter({
    name: 'imagestreams_prune_runs_total',
    help: 'Scheduled prune runs, by result (success, failure: some deletion or the run itself failed).',
    labelNames: ['result'] as const,
    registers,
  })
  const pruned = new Counter({
    name: 'imagestreams_pruned_objects_total',
    help: 'What scheduled prune runs removed, by kind: image (Image objects), item (tag history items), stream (image streams written), blob (integrated registry blobs).',
    labelNames: ['kind'] as const,
    registers,
  })
  const lastPruneSuccess = new Gauge({
    name: 'imagestreams_prune_last_success_timestamp_seconds',
    help: 'When the last successful scheduled prune run ended, in seconds since the epoch (0: none yet).',
    registers,
  })

  // Each metric's registry labels: canonical hosts, at most MAX_REGISTRY_LABELS, then `other`.
  const checkHosts = new RegistryLabels()
  const importHosts = new RegistryLabels()
  const durationHosts = new RegistryLabels()
  const pauseHosts = new RegistryLabels()
  const requestHosts = new RegistryLabels()

  return {
    prune: {
      run(result, atSeconds) {
        pruneRuns.inc({ result })
        if (result === 'success') lastPruneSuccess.set(atSeconds)
      },
      pruned: (kind, count) => pruned.inc({ kind }, count),
    },
    schedule: {
      checks: (result, host) => checks.inc({ result, registry: checkHosts.label(host) }),
      imports: (result, host) =>
        imports.inc({ result, registry: importHosts.label(host), scheduled: 'true' }),
      checkSeconds: (seconds, host) =>
        checkDuration.observe({ registry: durationHosts.label(host) }, seconds),
      registryPaused: (host, seconds) => {
        const registry = pauseHosts.label(host)
        pauses.inc({ registry })
        pausedSeconds.inc({ registry }, seconds)
      },
    },
    onRegistryResponse: (r) =>
      requests.inc({
        registry: requestHosts.label(r.registry),
        method: r.method,
        status: String(r.status),
      }),
    onPullThrough: (kind, from) => served.inc({ kind, from }),
    contentType: registry.contentType,
    async render() {
      // One query per scrape sets all three gauges; per-gauge collect callbacks would run it thrice.
      const at = now()
      const stats = await deps.schedule.stats(at)
      depth.set(stats.depth)
      due.set(stats.due)
      lag.set(stats.oldestDueAt === undefined ? 0 : Math.max(0, at - stats.oldestDueAt) / 1000)
      return registry.metrics()
    },
  }
}

/** registerMetrics adds `GET /metrics`, for authenticated users the authorizer lets read it. */
export function registerMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  app.get('/metrics', { preHandler: authorizeNonResourceRequest }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.render()),
  )
}
