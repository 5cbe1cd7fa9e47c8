/**
 * Workload 2: wall time of one `isctl image info` on loopback, against the floor (`node -e ''`)
 * and the peer (`skopeo inspect`), each run the same number of times, interleaved.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pushFixtures, runCommand, startRegistry } from '../test/harness/index.js'
import { median, round } from './stats.js'

const RUNS = 15
const BIN = join(fileURLToPath(new URL('..', import.meta.url)), 'dist', 'cmd', 'isctl.cjs')

// Spawned asynchronously: the token server lives in this process and must keep answering.
async function timeOnce(cmd: string, args: readonly string[]): Promise<number> {
  const start = performance.now()
  await runCommand(cmd, args)
  return performance.now() - start
}

/** runCliStartup executes the workload and returns its report. */
export async function runCliStartup(): Promise<Record<string, unknown>> {
  const reg = await startRegistry({ auth: 'token', token: { anonymous: ['public/*'] } })
  try {
    const fx = await pushFixtures(reg, { perRepository: true })
    const image = fx.perRepository!.publicBase.reference
    const commands = {
      node: [process.execPath, ['-e', '']],
      isctl: [
        process.execPath,
        [BIN, 'image', 'info', '--additional-trusted-ca', reg.ca!.caCertPath, image],
      ],
      skopeo: [
        'skopeo',
        ['inspect', '--cert-dir', reg.ca!.certDir, '--no-creds', `docker://${image}`],
      ],
    } as const
    const times: Record<keyof typeof commands, number[]> = { node: [], isctl: [], skopeo: [] }
    for (const [cmd, args] of Object.values(commands)) await timeOnce(cmd, args) // warm caches
    for (let i = 0; i < RUNS; i++) {
      for (const name of Object.keys(commands) as (keyof typeof commands)[]) {
        const [cmd, args] = commands[name]
        times[name].push(await timeOnce(cmd, args))
      }
    }
    const m = { node: median(times.node), isctl: median(times.isctl), skopeo: median(times.skopeo) }
    return {
      workload: 'cli-startup',
      runs: RUNS,
      nodeFloorMsMedian: round(m.node, 1),
      isctlImageInfoMsMedian: round(m.isctl, 1),
      skopeoInspectMsMedian: round(m.skopeo, 1),
      ratioToNodeFloor: round(m.isctl / m.node),
      ratioToSkopeo: round(m.isctl / m.skopeo),
      target: 'ratioToNodeFloor <= 2',
    }
  } finally {
    await reg.stop()
  }
}
