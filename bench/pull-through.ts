/**
 * Workload 4 (issue 6): pulling a ~200 MB single-arch image through the integrated registry of a
 * real `isctl serve` (the built binary), against pulling it from the upstream registry directly.
 * The image (four 50 MB layers of random bytes, so nothing compresses or dedupes) is pushed to a
 * plain-HTTP harness registry and imported with referencePolicy Local; each round then times
 * `skopeo copy docker://... dir:...` through the server and straight from the registry,
 * alternating which goes first. While the pull-through copies run, the server's VmRSS is sampled
 * every 50 ms from /proc, because the point is that RSS stays flat while 200 MB stream through.
 */
import { createHash, randomBytes } from 'node:crypto'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import {
  adminCredentials,
  kubectl,
  makeTempDir,
  OCI_CONFIG,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  removeTempDir,
  runCommand,
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
const ROUNDS = 3
const SAMPLE_MS = 50
const NAMESPACE = 'bench'
const STREAM = 'big'
const TAG = '1'

const digestOf = (data: Buffer | string) =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`

/** tarOf wraps `content` as the single regular file of a ustar archive, so the layer is a real one. */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512)
  const field = (offset: number, length: number, value: string) =>
    header.write(value, offset, length, 'ascii')
  field(0, 100, name)
  field(100, 8, '0000644\0')
  field(108, 8, '0000000\0')
  field(116, 8, '0000000\0')
  field(124, 12, `${content.length.toString(8).padStart(11, '0')}\0`)
  field(136, 12, '00000000000\0')
  field(156, 1, '0')
  field(257, 8, 'ustar\x0000')
  // The checksum is computed with its own field read as eight spaces.
  field(148, 8, '        ')
  let sum = 0
  for (const byte of header) sum += byte
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `)
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512)
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)])
}

/** buildBigLayout writes an OCI layout holding one image of random layers, tagged `TAG`. */
function buildBigLayout(dir: string): { bytes: number; digest: string } {
  const blobs = join(dir, 'blobs', 'sha256')
  mkdirSync(blobs, { recursive: true })
  const writeBlob = (data: Buffer | string) => {
    const digest = digestOf(data)
    writeFileSync(join(blobs, digest.slice(7)), data)
    return digest
  }
  const layers = []
  const diffIds = []
  for (let i = 0; i < LAYERS; i++) {
    const tar = tarOf(`layer-${i}.bin`, randomBytes(LAYER_BYTES))
    diffIds.push(digestOf(tar))
    // Level 0 stores the random bytes as they are: valid gzip, no time spent compressing noise.
    const gz = gzipSync(tar, { level: 0 })
    layers.push({ mediaType: OCI_LAYER_GZIP, digest: writeBlob(gz), size: gz.length })
  }
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: diffIds },
  })
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: writeBlob(config), size: Buffer.byteLength(config) },
    layers,
  })
  const digest = writeBlob(manifest)
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest,
          size: Buffer.byteLength(manifest),
          annotations: { 'org.opencontainers.image.ref.name': TAG },
        },
      ],
    }),
  )
  return { bytes: layers.reduce((n, l) => n + l.size, 0) + Buffer.byteLength(config), digest }
}

const mb = (bytes: number) => round(bytes / 2 ** 20, 1)

/** runPullThrough executes the workload and returns its report. */
export async function runPullThrough(): Promise<Record<string, unknown>> {
  const reg = await startRegistry({ auth: 'none' })
  const dir = makeTempDir('bench-pull-through-')
  let server: ServeProcess | undefined
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

    const layout = join(dir, 'layout')
    const image = buildBigLayout(layout)
    const upstream = `${reg.host}/big/image:${TAG}`
    await skopeo([
      'copy',
      '--quiet',
      '--dest-tls-verify=false',
      `oci:${layout}:${TAG}`,
      `docker://${upstream}`,
    ])
    // The layout is 200 MB of disk the rounds do not need.
    await rm(layout, { recursive: true, force: true })

    server = await startServe(join(dir, 'data'))
    const pid = server.child.pid!
    const certDir = join(dir, 'certs')
    mkdirSync(certDir)
    const { caFile, token } = adminCredentials(server.kubeconfig)
    copyFileSync(caFile, join(certDir, 'ca.crt'))
    const host = new URL(server.address).host
    const k = (args: readonly string[], input?: string) =>
      succeeded(
        kubectl(args, {
          kubeconfig: server!.kubeconfig,
          cacheDir: join(dir, 'kube'),
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

    const copyOnce = async (src: readonly string[]): Promise<number> => {
      const dest = join(dir, 'pulled')
      await rm(dest, { recursive: true, force: true })
      const start = performance.now()
      await skopeo(['copy', '--quiet', '--retry-times', '0', ...src, `dir:${dest}`])
      const ms = performance.now() - start
      // Checked outside the timing: the copy must have been of the image pushed.
      const manifest = readFileSync(join(dest, 'manifest.json'))
      if (digestOf(manifest) !== image.digest) throw new Error('pulled a different manifest')
      return ms
    }
    const direct = () =>
      copyOnce(['--src-tls-verify=false', '--src-no-creds', `docker://${upstream}`])
    const samples: number[] = []
    // The peak of each round apart: a plateau is bounded buffering, a rise per round a leak.
    const roundPeaks: number[] = []
    // Whether the server is CPU-bound (TLS, hashing) while it streams tells where a gap is.
    const roundCpu: number[] = []
    const through = async () => {
      const first = samples.length
      const cpuBefore = cpuSecondsOf(pid)
      const timer = setInterval(() => samples.push(rssOf(pid).rss), SAMPLE_MS)
      try {
        return await copyOnce([
          '--src-cert-dir',
          certDir,
          '--src-creds',
          `any:${token}`,
          `docker://${host}/${NAMESPACE}/${STREAM}:${TAG}`,
        ])
      } finally {
        clearInterval(timer)
        roundPeaks.push(Math.max(0, ...samples.slice(first)))
        roundCpu.push(cpuSecondsOf(pid) - cpuBefore)
      }
    }

    // Idle is after the import, before any blob has passed through the server.
    const idle = rssOf(pid)
    const directMs: number[] = []
    const throughMs: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) {
        directMs.push(await direct())
        throughMs.push(await through())
      } else {
        throughMs.push(await through())
        directMs.push(await direct())
      }
    }
    const end = rssOf(pid)
    const directMedian = median(directMs)
    const throughMedian = median(throughMs)
    return {
      workload: 'pull-through',
      imageMB: mb(image.bytes),
      layers: LAYERS,
      rounds: ROUNDS,
      directMsMedian: round(directMedian, 0),
      pullThroughMsMedian: round(throughMedian, 0),
      ratioToDirect: round(throughMedian / directMedian),
      directMs: directMs.map((ms) => round(ms, 0)),
      pullThroughMs: throughMs.map((ms) => round(ms, 0)),
      pullThroughMBps: round(image.bytes / 2 ** 20 / (throughMedian / 1000), 1),
      serverIdleRssMB: mb(idle.rss),
      serverPeakRssSampledMB: mb(Math.max(idle.rss, ...samples)),
      serverCpuSecondsPerPull: roundCpu.map((s) => round(s, 2)),
      serverPeakRssPerRoundMB: roundPeaks.map(mb),
      serverRssSamples: samples.length,
      serverEndRssMB: mb(end.rss),
      serverHwmBeforeMB: mb(idle.hwm),
      serverHwmEndMB: mb(end.hwm),
      target: 'ratioToDirect <= 1.25, server RSS flat while the image passes through',
    }
  } finally {
    if (server) await stopServe(server)
    await reg.stop()
    await removeTempDir(dir)
  }
}
