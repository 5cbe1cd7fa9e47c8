/**
 * The api workload's targets (README "Benchmarks"), each judged PASS or FAIL from the figures
 * of the sections that ran, so that a reader sees at a glance which hold.
 */

/** Verdict is one target and whether this run met it. */
export interface Verdict {
  readonly pass: boolean
  readonly target: string
  /** The figures the verdict was made from. */
  readonly measured: string
}

type Figures = Record<string, unknown>

/** at reads a number at `path` in the report, or undefined if that section did not run. */
function at(report: Figures, path: string): number | undefined {
  let value: unknown = report
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Figures)[key]
  }
  return typeof value === 'number' ? value : undefined
}

/** A target: the figures it reads (all present, or it is left out) and its test. */
interface Target {
  readonly target: string
  readonly paths: readonly string[]
  readonly holds: (...values: number[]) => boolean
}

const TARGETS: readonly Target[] = [
  {
    target: 'GET by name: ratio to bare fastify >= 0.6 and p99 <= 15 ms',
    paths: ['get.ratioToBare', 'get.p99Ms'],
    holds: (ratio, p99) => ratio >= 0.6 && p99 <= 15,
  },
  {
    target: 'GET by name on PostgreSQL (1 replica): p99 <= 2x SQLite',
    paths: ['postgresGet.pg1P99ToSqlite'],
    holds: (ratio) => ratio <= 2,
  },
  {
    target: 'GET by name on PostgreSQL (3 replicas): p99 <= 2x SQLite',
    paths: ['postgresGet.pg3P99ToSqlite'],
    holds: (ratio) => ratio <= 2,
  },
  {
    target: 'paged walk: <= 2x raw SQLite',
    paths: ['pagedWalk.ratioToRaw'],
    holds: (ratio) => ratio <= 2,
  },
  {
    target: 'GET p99 during unpaged JSON lists <= 100 ms',
    paths: ['getDuringUnpagedLists.p99Ms'],
    holds: (p99) => p99 <= 100,
  },
  {
    target: 'GET p99 during unpaged Table lists <= 100 ms',
    paths: ['getDuringUnpagedTables.p99Ms'],
    holds: (p99) => p99 <= 100,
  },
  {
    target: 'start-up: /readyz < 1 s and idle RSS < 200 MB',
    paths: ['startup.readyzMs', 'startup.idleRssMB'],
    holds: (ms, mb) => ms < 1000 && mb < 200,
  },
  {
    target: 'watch: every watcher gets every event',
    paths: ['watch.completeness'],
    holds: (completeness) => completeness === 1,
  },
  {
    target: 'watch: server RSS peak - connected < 30 MB',
    paths: ['watch.serverRssPeakFromConnectedMB'],
    holds: (mb) => mb < 30,
  },
  {
    target: 'creates: >= 0.6 of raw SQLite inserts',
    paths: ['writes.creates.ratioToRaw'],
    holds: (ratio) => ratio >= 0.6,
  },
]

/** apiVerdicts judges every target whose figures are in `report`. */
export function apiVerdicts(report: Figures): Verdict[] {
  const verdicts: Verdict[] = []
  for (const { target, paths, holds } of TARGETS) {
    const values = paths.map((p) => at(report, p))
    if (values.some((v) => v === undefined)) continue
    verdicts.push({
      pass: holds(...(values as number[])),
      target,
      measured: paths.map((p, i) => `${p} ${values[i]}`).join(', '),
    })
  }
  return verdicts
}

/** verdictLines prints verdicts one to a line, PASS or FAIL first. */
export function verdictLines(verdicts: readonly Verdict[]): string {
  return verdicts.map((v) => `${v.pass ? 'PASS' : 'FAIL'}  ${v.target}  (${v.measured})`).join('\n')
}
