import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { RESOURCE_LIST } from '../api/index.js'
import type { ScheduleStats } from '../storage/index.js'
import { createServer } from './app.js'
import {
  ADMIN_USER,
  createAdminAuthorizer,
  createTokenAuthenticator,
  hashToken,
} from './auth/index.js'
import { createLogger } from './logger.js'
import { MAX_REGISTRY_LABELS } from './metric-labels.js'
import { createServerMetrics, registerMetrics, type ServerMetrics } from './metrics.js'
import { ensurePki } from './pki.js'

const NOW = Date.parse('2026-01-01T00:00:00Z')

/** A metrics set over a fixed queue, with the calls to stats recorded. */
function metricsOver(stats: ScheduleStats): { metrics: ServerMetrics; asked: number[] } {
  const asked: number[] = []
  const metrics = createServerMetrics({
    schedule: {
      stats: (now) => {
        asked.push(now)
        return Promise.resolve(stats)
      },
    },
    now: () => NOW,
    registryCacheBytes: () => 4096,
  })
  return { metrics, asked }
}

/** The value of the sample `line` (name and labels exactly as exposed), or undefined. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `))
  return found === undefined ? undefined : Number(found.slice(line.length + 1))
}

describe('GET /metrics', () => {
  let app: FastifyInstance
  let dir: string
  let metrics: ServerMetrics
  let asked: number[]
  const scrape = (token?: string) =>
    app.inject({
      method: 'GET',
      url: '/metrics',
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    })

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-metrics-'))
    const pki = await ensurePki({ dataDir: dir, hosts: [] })
    app = createServer({
      logger: createLogger({
        level: 'silent',
        destination: new Writable({ write: (_c, _e, cb) => cb() }),
      }),
      auth: createTokenAuthenticator([
        { sha256: hashToken('admin-token'), user: ADMIN_USER },
        { sha256: hashToken('bob-token'), user: { name: 'bob', groups: ['system:authenticated'] } },
      ]),
      authorizer: createAdminAuthorizer(),
      resources: RESOURCE_LIST,
      tls: { cert: pki.certPem, key: pki.keyPem },
    })
    ;({ metrics, asked } = metricsOver({ depth: 7, due: 2, oldestDueAt: NOW - 90_000 }))
    registerMetrics(app, metrics)
    await app.ready()
  })
  after(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const refusals: [string, string | undefined, number][] = [
    ['without a token', undefined, 401],
    ['with an unknown token', 'nope', 401],
    ['for a user the authorizer does not let read it', 'bob-token', 403],
  ]
  for (const [name, token, status] of refusals) {
    it(`is refused ${name}`, async () => {
      const res = await scrape(token)
      assert.equal(res.statusCode, status, res.body)
      assert.equal(res.json<{ kind: string }>().kind, 'Status')
    })
  }

  it('answers the admin in the Prometheus text format with every metric', async () => {
    metrics.schedule.checks('unchanged', 'docker.io')
    metrics.schedule.checks('unchanged', 'docker.io')
    metrics.schedule.checks('rate-limited', 'quay.io')
    metrics.schedule.imports('success', 'quay.io')
    metrics.schedule.checkSeconds(0.02, 'docker.io')
    metrics.schedule.registryPaused('quay.io', 30)
    metrics.onRegistryResponse({ registry: 'docker.io', method: 'HEAD', status: 200 })
    metrics.onRegistryResponse({ registry: 'quay.io', method: 'GET', status: 429 })
    metrics.onPullThrough('blob', 'upstream')
    metrics.onPullThrough('blob', 'cache')
    metrics.onPullThrough('blob', 'cache')
    metrics.onPullThrough('manifest', 'cache')
    const res = await scrape('admin-token')
    assert.equal(res.statusCode, 200, res.body)
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/)
    const text = res.body
    const want: [string, number][] = [
      ['imagestreams_scheduled_checks_total{result="unchanged",registry="docker.io"}', 2],
      ['imagestreams_scheduled_checks_total{result="rate-limited",registry="quay.io"}', 1],
      ['imagestreams_imports_total{result="success",registry="quay.io",scheduled="true"}', 1],
      ['imagestreams_scheduled_check_duration_seconds_count{registry="docker.io"}', 1],
      ['imagestreams_registry_pauses_total{registry="quay.io"}', 1],
      ['imagestreams_registry_paused_seconds_total{registry="quay.io"}', 30],
      ['imagestreams_registry_requests_total{registry="docker.io",method="HEAD",status="200"}', 1],
      ['imagestreams_registry_requests_total{registry="quay.io",method="GET",status="429"}', 1],
      ['imagestreams_schedule_queue_depth', 7],
      ['imagestreams_schedule_due', 2],
      ['imagestreams_schedule_lag_seconds', 90],
      ['imagestreams_pullthrough_served_total{kind="blob",from="upstream"}', 1],
      ['imagestreams_pullthrough_served_total{kind="blob",from="cache"}', 2],
      ['imagestreams_pullthrough_served_total{kind="manifest",from="cache"}', 1],
      ['imagestreams_pullthrough_cache_bytes', 4096],
    ]
    for (const [line, value] of want) assert.equal(sample(text, line), value, line)
    assert.ok((sample(text, 'process_resident_memory_bytes') ?? 0) > 0, 'no RSS metric')
    assert.match(text, /^process_cpu_seconds_total /m)
    assert.deepEqual(asked.slice(-1), [NOW], 'the queue is counted at the scrape time')
  })
})

describe('createServerMetrics', () => {
  const lags: [string, ScheduleStats, number][] = [
    ['nothing due', { depth: 3, due: 0 }, 0],
    ['due for 1.5 s', { depth: 3, due: 1, oldestDueAt: NOW - 1500 }, 1.5],
    [
      'a due time in the future (clock skew) is no lag',
      { depth: 1, due: 1, oldestDueAt: NOW + 5 },
      0,
    ],
  ]
  for (const [name, stats, lag] of lags) {
    it(`reads the lag: ${name}`, async () => {
      const text = await metricsOver(stats).metrics.render()
      assert.equal(sample(text, 'imagestreams_schedule_lag_seconds'), lag)
    })
  }

  it('has no cache gauge for a server without a blob cache', async () => {
    const text = await createServerMetrics({
      schedule: { stats: () => Promise.resolve({ depth: 0, due: 0 }) },
    }).render()
    assert.doesNotMatch(text, /imagestreams_pullthrough_cache_bytes/)
  })

  it('reads the open watches and their queued bytes on each scrape, and the process ArrayBuffers', async () => {
    let stats = { watchers: 2, bufferedBytes: 300 }
    const m = createServerMetrics({
      schedule: { stats: () => Promise.resolve({ depth: 0, due: 0 }) },
      watchStats: () => stats,
    })
    let text = await m.render()
    assert.equal(sample(text, 'imagestreams_watches'), 2)
    assert.equal(sample(text, 'imagestreams_watch_buffered_bytes'), 300)
    assert.ok((sample(text, 'imagestreams_process_array_buffers_bytes') ?? 0) > 0)
    stats = { watchers: 0, bufferedBytes: 0 }
    text = await m.render()
    assert.equal(sample(text, 'imagestreams_watches'), 0)
  })

  it('counts one registry under its canonical host, however the references spell it', async () => {
    const m = metricsOver({ depth: 0, due: 0 }).metrics
    const spellings = ['127.0.0.1:15000', '0x7f.1:15000', '2130706433:15000', '0177.0.0.1:15000']
    for (const host of spellings) {
      m.onRegistryResponse({ registry: host, method: 'GET', status: 200 })
      m.schedule.checks('unchanged', host)
      m.schedule.registryPaused(host, 1)
    }
    for (const host of ['[0:0:0:0:0:0:0:1]:5000', '[::1]:5000', 'Quay.IO:443', 'quay.io']) {
      m.schedule.imports('success', host)
    }
    const text = await m.render()
    const want: [string, number][] = [
      [
        'imagestreams_registry_requests_total{registry="127.0.0.1:15000",method="GET",status="200"}',
        4,
      ],
      ['imagestreams_scheduled_checks_total{result="unchanged",registry="127.0.0.1:15000"}', 4],
      ['imagestreams_registry_paused_seconds_total{registry="127.0.0.1:15000"}', 4],
      ['imagestreams_imports_total{result="success",registry="[::1]:5000",scheduled="true"}', 2],
      ['imagestreams_imports_total{result="success",registry="quay.io",scheduled="true"}', 2],
    ]
    for (const [line, value] of want) assert.equal(sample(text, line), value, line)
    const series = text
      .split('\n')
      .filter((l) => l.startsWith('imagestreams_registry_requests_total{'))
    assert.equal(series.length, 1, series.join('\n'))
  })

  it(`labels at most ${MAX_REGISTRY_LABELS} registries per metric, the rest as other`, async () => {
    const m = metricsOver({ depth: 0, due: 0 }).metrics
    for (let i = 0; i < MAX_REGISTRY_LABELS + 50; i++) {
      m.onRegistryResponse({ registry: `r${i}.example`, method: 'GET', status: 200 })
    }
    m.onRegistryResponse({ registry: 'R0.example', method: 'GET', status: 200 })
    const text = await m.render()
    const registries = text
      .split('\n')
      .filter((l) => l.startsWith('imagestreams_registry_requests_total{'))
      .map((l) => /registry="([^"]*)"/.exec(l)?.[1])
    assert.equal(registries.length, MAX_REGISTRY_LABELS + 1)
    const other = 'imagestreams_registry_requests_total{registry="other",method="GET",status="200"}'
    assert.equal(sample(text, other), 50)
    const first =
      'imagestreams_registry_requests_total{registry="r0.example",method="GET",status="200"}'
    assert.equal(sample(text, first), 2)
  })

  it('keeps the counts of two servers in one process apart', async () => {
    const a = metricsOver({ depth: 0, due: 0 }).metrics
    const b = metricsOver({ depth: 0, due: 0 }).metrics
    a.schedule.checks('changed', 'r.example')
    const line = 'imagestreams_scheduled_checks_total{result="changed",registry="r.example"}'
    assert.equal(sample(await a.render(), line), 1)
    assert.equal(sample(await b.render(), line), undefined)
  })
})
