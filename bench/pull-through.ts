/**
 * Workload 4: pulling a ~200 MB single-arch image through the integrated registry of a
 * real `isctl serve` (the built binary), against pulling it from the upstream registry directly.
 * The image (four 50 MB layers of random bytes, so nothing compresses or dedupes) is pushed to a
 * plain-HTTP harness registry and imported with referencePolicy Local into two servers: one
 * without a blob cache (every pull streams from the upstream) and one with it (later pulls are
 * served from its disk). Each round times `skopeo copy docker://... dir:...` directly and through
 * both, in rotating order. While a server serves, its VmRSS is sampled every 50 ms from /proc,
 * because the point is that RSS stays flat while 200 MB stream through.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  adminCredentials,
  kubectl,
  makeTempDir,
  pushLargeImage,
  removeTempDir,
  runCommand,
  sha256,
  startRegistry,
  startServe,
  stopServe,
  succeeded,
  type ServeProcess,
} from '../test/harness/index.js'
import { cpuSecondsOf, rssOf } from './proc.js'
import { median, round } from './stats.js'

const LAYERS = 4
const LAYER_BYTES = 50 * 2 ** 20
const ROUNDS = 7
const SAMPLE_MS = 50
const NAMESPACE = 'bench'
const STREAM = 'big'
const TAG = '1'

const mb = (bytes: number) => round(bytes / 2 ** 20, 1)

/** PullingServer is one `isctl serve` with the image imported Local, measured while it serves pulls. */
interface PullingServer {
  readonly server: ServeProcess
  /** skopeo's source arguments for a pull through this server. */
  readonly skopeoSource: readonly string[]
  /** measure runs one pull, sampling the server's RSS and CPU meanwhile. */
  measure(pull: () => Promise<number>): Promise<number>
  report(): Record<string, unknown>
}

/** startPulling starts a server with `extra` flags and imports `upstream` into it with referencePolicy Local. */
async function startPulling(
  dir: string,
  name: string,
  upstream: string,
  extra: readonly string[],
): Promise<PullingServer> {
  const server = await startServe(join(dir, name), extra)
  const pid = server.child.pid!
  const certDir = join(dir, `${name}-certs`)
  mkdirSync(certDir)
  const { caFile, token } = adminCredentials(server.kubeconfig)
  copyFileSync(caFile, join(certDir, 'ca.crt'))
  const k = (args: readonly string[], input?: string) =>
    succeeded(
      kubectl(args, {
        kubeconfig: server.kubeconfig,
        cacheDir: join(dir, `${name}-kube`),
        ...(input !== undefined && { input }),
      }),
    )
  await k(['create', 'namespace', NAMESPACE])
  const isi = {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStreamImport',
    metadata: { name: STREAM, namespace: NAMESPACE },
    spec: {
      import: true,
      images: [
        {
          from: { kind: 'DockerImage', name: upstream },
          to: { name: TAG },
          importPolicy: { insecure: true },
          referencePolicy: { type: 'Local' },
        },
      ],
    },
  }
  const out = JSON.parse(await k(['create', '-o', 'json', '-f', '-'], JSON.stringify(isi))) as {
    status: { images: { status: { status: string; message?: string } }[] }
  }
  const status = out.status.images[0]!.status
  if (status.status !== 'Success') throw new Error(`import failed: ${status.message ?? ''}`)

  // Idle is after the import, before any blob has passed through the server.
  const idle = rssOf(pid)
  const samples: number[] = []
  // The peak of each pull apart: a plateau is bounded buffering, a rise per pull a leak.
  const peaks: number[] = []
  // Whether the server is CPU-bound (TLS, hashing) while it streams tells where a gap is.
  const cpu: number[] = []
  const host = new URL(server.address).host
  return {
    server,
    skopeoSource: [
      '--src-cert-dir',
      certDir,
      '--src-creds',
      `any:${token}`,
      `docker://${host}/${NAMESPACE}/${STREAM}:${TAG}`,
    ],
    async measure(pull) {
      const first = samples.length
      const cpuBefore = cpuSecondsOf(pid)
      const timer = setInterval(() => samples.push(rssOf(pid).rss), SAMPLE_MS)
      try {
        return await pull()
      } finally {
        clearInterval(timer)
        peaks.push(Math.max(0, ...samples.slice(first)))
        cpu.push(cpuSecondsOf(pid) - cpuBefore)
      }
    },
    report() {
      const end = rssOf(pid)
      return {
        serverCpuSecondsPerPull: cpu.map((s) => round(s, 2)),
        serverIdleRssMB: mb(idle.rss),
        serverPeakRssSampledMB: mb(Math.max(idle.rss, ...samples)),
        serverPeakRssPerPullMB: peaks.map(mb),
        serverEndRssMB: mb(end.rss),
        serverHwmEndMB: mb(end.hwm),
      }
    },
  }
}

/** runPullThrough executes the workload and returns its report. */
export async function runPullThrough(): Promise<Record<string, unknown>> {
  const reg = await startRegistry({ auth: 'none' })
  const dir = makeTempDir('bench-pull-through-')
  const servers: PullingServer[] = []
  try {
    // A private skopeo sandbox, as the fixtures use: no machine config, logins or blob-info cache.
    const sk = join(dir, 'skopeo')
    for (const d of ['run', 'tmp', 'data']) mkdirSync(join(sk, d), { recursive: true })
    const policy = join(sk, 'policy.json')
    writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }))
    writeFileSync(join(sk, 'registries.conf'), '')
    writeFileSync(join(sk, 'auth.json'), '{"auths":{}}')
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REGISTRY_AUTH_FILE: join(sk, 'auth.json'),
      CONTAINERS_REGISTRIES_CONF: join(sk, 'registries.conf'),
      _CONTAINERS_ROOTLESS_UID: '4242',
      XDG_DATA_HOME: join(sk, 'data'),
      XDG_RUNTIME_DIR: join(sk, 'run'),
      TMPDIR: join(sk, 'tmp'),
    }
    const skopeo = (args: readonly string[]) =>
      succeeded(runCommand('skopeo', ['--policy', policy, ...args], { env }))

    const upstream = `${reg.host}/big/image:${TAG}`
    const image = await pushLargeImage(reg, `big/image:${TAG}`, {
      layers: LAYERS,
      layerBytes: LAYER_BYTES,
    })

    const copyOnce = async (src: readonly string[]): Promise<number> => {
      const dest = join(dir, 'pulled')
      await rm(dest, { recursive: true, force: true })
      // The last copy's 200 MB still being written back would throttle this one's writes, and
      // whichever way of pulling comes next would pay for it.
      await succeeded(runCommand('sync', []))
      const start = performance.now()
      await skopeo(['copy', '--quiet', '--retry-times', '0', ...src, `dir:${dest}`])
      const ms = performance.now() - start
      // Checked outside the timing: the copy must have been of the image pushed.
      const manifest = readFileSync(join(dest, 'manifest.json'))
      if (sha256(manifest) !== image.digest) throw new Error('pulled a different manifest')
      return ms
    }
    const direct = () =>
      copyOnce(['--src-tls-verify=false', '--src-no-creds', `docker://${upstream}`])
    // One server streams every byte from the upstream (no cache), the other keeps what it
    // pulled, as OpenShift's registry mirrors by default: the first is the pull-through path,
    // the second what repeated pulls of an image cost.
    const streaming = await startPulling(dir, 'streaming', upstream, ['--registry-cache-size=0'])
    servers.push(streaming)
    const mirroring = await startPulling(dir, 'mirroring', upstream, [])
    servers.push(mirroring)
    const via = (s: PullingServer) => () => s.measure(() => copyOnce(s.skopeoSource))

    // Each server's first pull is reported apart: it also loads code and warms the JIT.
    const firstStreaming = await via(streaming)()
    const firstMirrored = await via(mirroring)()
    const runs: Record<'direct' | 'streaming' | 'mirrored', () => Promise<number>> = {
      direct,
      streaming: via(streaming),
      mirrored: via(mirroring),
    }
    const ms: Record<keyof typeof runs, number[]> = { direct: [], streaming: [], mirrored: [] }
    const order = Object.keys(runs) as (keyof typeof runs)[]
    for (let i = 0; i < ROUNDS; i++) {
      // Rotated, so that no way of pulling always follows the same one.
      for (let j = 0; j < order.length; j++) {
        const name = order[(i + j) % order.length]!
        ms[name].push(await runs[name]())
      }
    }
    const directMedian = median(ms.direct)
    const summary = (name: 'streaming' | 'mirrored', s: PullingServer) => ({
      msMedian: round(median(ms[name]), 0),
      ratioToDirect: round(median(ms[name]) / directMedian),
      ms: ms[name].map((v) => round(v, 0)),
      MBps: round(image.bytes / 2 ** 20 / (median(ms[name]) / 1000), 1),
      ...s.report(),
    })
    return {
      workload: 'pull-through',
      imageMB: mb(image.bytes),
      layers: LAYERS,
      rounds: ROUNDS,
      directMsMedian: round(directMedian, 0),
      directMs: ms.direct.map((v) => round(v, 0)),
      streaming: { firstPullMs: round(firstStreaming, 0), ...summary('streaming', streaming) },
      mirrored: { firstPullMs: round(firstMirrored, 0), ...summary('mirrored', mirroring) },
      target: 'streaming.ratioToDirect <= 1.25, server RSS flat while the image passes through',
    }
  } finally {
    for (const s of servers) await stopServe(s.server)
    await reg.stop()
    await removeTempDir(dir)
  }
}
