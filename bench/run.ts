/**
 * `npm run bench [-- WORKLOAD...]`: runs the named workloads (default all) and prints one JSON
 * report. Figures are medians of interleaved rounds against a baseline measured in the same
 * process, because this machine is shared and noisy.
 */
import { runApi } from './api.js'
import { apiVerdicts, verdictLines, type Verdict } from './api-targets.js'
import { runAuthorize } from './authorize.js'
import { runCliStartup } from './cli-startup.js'
import { runConsole } from './console.js'
import { runLoginTiming } from './login-timing.js'
import { runPrunePlan } from './prune.js'
import { runPullThrough } from './pull-through.js'
import { runRegistryFetch } from './registry-fetch.js'
import { runScheduledChecks } from './scheduled-checks.js'

const WORKLOADS: Record<string, () => Promise<Record<string, unknown>>> = {
  'registry-fetch': runRegistryFetch,
  'cli-startup': runCliStartup,
  'scheduled-checks': runScheduledChecks,
  'pull-through': runPullThrough,
  prune: runPrunePlan,
  authorize: runAuthorize,
  'login-timing': runLoginTiming,
  console: runConsole,
  api: async () => {
    const report = await runApi()
    return { ...report, verdicts: apiVerdicts(report) }
  },
}

const wanted = process.argv.slice(2)
const names = wanted.length > 0 ? wanted : Object.keys(WORKLOADS)
const unknown = names.filter((n) => !(n in WORKLOADS))
if (unknown.length > 0) {
  console.error(
    `unknown workload(s): ${unknown.join(', ')}; known: ${Object.keys(WORKLOADS).join(', ')}`,
  )
  process.exit(2)
}
const results = []
for (const name of names) results.push(await WORKLOADS[name]!())
console.log(
  JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2),
)
// At a glance, after the report: on standard error, so that standard output stays JSON.
for (const result of results) {
  const verdicts = result.verdicts as Verdict[] | undefined
  if (verdicts) console.error(`\n${String(result.workload)} targets:\n${verdictLines(verdicts)}`)
}
