/**
 * Workload 2: wall time of one `isctl image info` on loopback, against the floor (`node -e ''`),
 * the least any Node TLS client pays (`node -e` creating one TLS context), and the peer
 * (`skopeo inspect`), each run the same number of times, interleaved.
 *
 * Measured twice when NODE_EXTRA_CA_CERTS is set: Node then loads OpenSSL and parses those
 * certificates as it starts (~75 ms here, before any script runs), which `node -e ''` pays as
 * well, so the floor and every ratio to it depend on that one variable.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pushFixtures, runCommand, startRegistry } from '../test/harness/index.js'
import { median, round } from './stats.js'

const RUNS = 15
const BIN = join(fileURLToPath(new URL('..', import.meta.url)), 'dist', 'cmd', 'isctl.cjs')

type Name = 'node' | 'nodeTls' | 'isctl' | 'skopeo'

// Spawned asynchronously: the token server lives in this process and must keep answering.
async function timeOnce(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const start = performance.now()
  await runCommand(cmd, args, { env })
  return performance.now() - start
}

/** measure runs every command RUNS times, interleaved, under `env`, and reports the medians. */
async function measure(
  commands: Record<Name, readonly [string, readonly string[]]>,
  env: NodeJS.ProcessEnv,
): Promise<Record<string, number>> {
  const names = Object.keys(commands) as Name[]
  const times: Record<Name, number[]> = { node: [], nodeTls: [], isctl: [], skopeo: [] }
  for (const name of names) await timeOnce(...commands[name], env) // warm caches
  for (let i = 0; i < RUNS; i++) {
    for (const name of names) times[name].push(await timeOnce(...commands[name], env))
  }
  const m = Object.fromEntries(names.map((n) => [n, median(times[n])])) as Record<Name, number>
  return {
    nodeFloorMsMedian: round(m.node, 1),
    nodeTlsFloorMsMedian: round(m.nodeTls, 1),
    isctlImageInfoMsMedian: round(m.isctl, 1),
    skopeoInspectMsMedian: round(m.skopeo, 1),
    ratioToNodeFloor: round(m.isctl / m.node),
    ratioToNodeTlsFloor: round(m.isctl / m.nodeTls),
    ratioToSkopeo: round(m.isctl / m.skopeo),
  }
}

/** runCliStartup executes the workload and returns its report. */
export async function runCliStartup(): Promise<Record<string, unknown>> {
  const reg = await startRegistry({ auth: 'token', token: { anonymous: ['public/*'] } })
  try {
    const fx = await pushFixtures(reg, { perRepository: true })
    const image = fx.perRepository!.publicBase.reference
    const commands = {
      node: [process.execPath, ['-e', '']],
      nodeTls: [process.execPath, ['-e', 'require("node:tls").createSecureContext()']],
      isctl: [
        process.execPath,
        [BIN, 'image', 'info', '--additional-trusted-ca', reg.ca!.caCertPath, image],
      ],
      skopeo: [
        'skopeo',
        ['inspect', '--cert-dir', reg.ca!.certDir, '--no-creds', `docker://${image}`],
      ],
    } as const
    const { NODE_EXTRA_CA_CERTS: extra, ...withoutExtra } = process.env
    return {
      workload: 'cli-startup',
      runs: RUNS,
      NODE_EXTRA_CA_CERTS: extra ?? null,
      ...(await measure(commands, process.env)),
      ...(extra !== undefined && {
        withoutNodeExtraCaCerts: await measure(commands, withoutExtra),
      }),
      target: 'ratioToNodeFloor <= 2',
    }
  } finally {
    await reg.stop()
  }
}
