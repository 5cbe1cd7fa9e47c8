/**
 * Three `isctl serve` replicas on one PostgreSQL database (docs/architecture.md#several-replicas):
 * a write and an import through one replica reach a kubectl watch on another in order, a third
 * answers with the first's admin token, and after one replica is killed with SIGKILL the others
 * keep serving, their watches go on, and the scheduled tag checks it had leased are taken over
 * once those leases end.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { testDatabase, type TestDatabase } from '../../src/storage/postgres/testing/database.js'
import {
  adminCredentials,
  httpRequest,
  insecureImport,
  kubectl,
  kubectlInBackground,
  type BackgroundKubectl,
  makeAgent,
  makeTempDir,
  removeTempDir,
  startFaultProxy,
  startServe,
  stopServe,
  useRegistry,
  type FaultProxy,
  type ServeProcess,
} from '../harness/index.js'
import { pollUntil } from '../harness/process.js'

const database = testDatabase()

// The replicas' lease on a claimed due-queue row (--scheduled-import-lease): short, so that the
// dead replica's leases end on their own while the test waits.
const LEASE = '15s'
const LEASE_MS = 15_000

interface ScheduleRow {
  tag: string
  lease_until: string
  last_check_at: string | null
}

/** stream is an empty ImageStream named `name`, for `kubectl create -f -`. */
function stream(name: string): string {
  return JSON.stringify({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name },
  })
}

describe('replicas sharing one PostgreSQL database', () => {
  const env = useRegistry({ auth: 'none' })
  let dir: string
  let db: TestDatabase
  let proxy: FaultProxy
  const replicas: ServeProcess[] = []
  const watches: BackgroundKubectl[] = []

  const k = (replica: ServeProcess, args: readonly string[], input?: string) =>
    kubectl(args, {
      kubeconfig: replica.kubeconfig,
      cacheDir: join(dir, `cache-${replicas.indexOf(replica)}`),
      ...(input !== undefined && { input }),
    })
  const ok = async (replica: ServeProcess, args: readonly string[], input?: string) => {
    const res = await k(replica, args, input)
    assert.equal(res.code, 0, `kubectl ${args.join(' ')}: ${res.stderr}`)
    return res.stdout
  }
  const watch = (replica: ServeProcess, args: readonly string[]): BackgroundKubectl => {
    const w = kubectlInBackground(args, {
      kubeconfig: replica.kubeconfig,
      cacheDir: join(dir, `cache-watch-${watches.length}`),
    })
    watches.push(w)
    return w
  }
  const scheduleRows = async (namespace: string): Promise<ScheduleRow[]> =>
    (
      await db.admin(
        'SELECT tag, lease_until::text, last_check_at::text FROM schedule WHERE namespace = $1 ORDER BY tag',
        [namespace],
      )
    ).rows as ScheduleRow[]

  before(async () => {
    dir = makeTempDir('replicas-e2e')
    db = await database()
    proxy = await startFaultProxy({ upstream: env.reg, tls: false })
    const flags = [
      '--store',
      db.url,
      '--scheduled-import-interval',
      '1s',
      '--scheduled-import-lease',
      LEASE,
    ]
    // One after another, as the first creates the identity the others read (starting together
    // is covered by the store's tests); each has its own data dir and port.
    for (const n of [1, 2, 3]) replicas.push(await startServe(join(dir, `data-${n}`), flags))
  })
  after(async () => {
    for (const w of watches) w.stop()
    for (const r of replicas) {
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGCONT')
      await stopServe(r)
    }
    await proxy?.stop()
    await removeTempDir(dir)
  })

  it('an import through one replica reaches a watch on another in order; a third answers with the first token', async () => {
    const [r1, r2, r3] = replicas as [ServeProcess, ServeProcess, ServeProcess]
    const image = env.fx.ociSingle
    await ok(r1, ['create', 'namespace', 'team-a'])
    // Created through replica 1 and seen on replica 2: replicas share one API.
    await pollUntil('replica 2 to see the namespace', async () => {
      const res = await k(r2, ['get', 'namespace', 'team-a', '-o', 'name'])
      return res.code === 0
    })
    await ok(r1, ['create', '-n', 'team-a', '-f', '-'], stream('placeholder'))
    const w = watch(r2, [
      'get',
      'is',
      '-n',
      'team-a',
      '-w',
      '-o',
      'jsonpath={.metadata.name} [{.status.tags[*].tag}]{"\\n"}',
    ])
    // kubectl lists first (the placeholder), then watches from the list's revision: a change
    // made later is an event whatever replica made it.
    await pollUntil('the watch on replica 2 to list', () =>
      Promise.resolve(w.output().includes('placeholder []')),
    )
    await ok(r1, ['create', '-n', 'team-a', '-f', '-'], stream('app'))
    const imported = JSON.parse(
      await ok(
        r1,
        ['create', '-n', 'team-a', '-o', 'json', '-f', '-'],
        insecureImport('team-a', 'app', 'v1', image.reference),
      ),
    ) as { status: { images: { status: { status: string; message?: string } }[] } }
    assert.equal(imported.status.images[0]!.status.status, 'Success', JSON.stringify(imported))

    const lines = () =>
      w
        .output()
        .split('\n')
        .filter((l) => l.startsWith('app '))
    await pollUntil('replica 2 to watch app get v1', () =>
      Promise.resolve(lines().includes('app [v1]')),
    )
    // Created without tags, then updated with v1, never back.
    const seen = lines()
    assert.equal(seen[0], 'app []', w.output())
    assert.ok(
      seen.slice(seen.indexOf('app [v1]')).every((l) => l === 'app [v1]'),
      w.output(),
    )

    const { token, caPem } = adminCredentials(r1.kubeconfig)
    const agent = makeAgent(caPem)
    try {
      const res = await httpRequest(
        `${adminCredentials(r3.kubeconfig).server}/apis/image.openshift.io/v1/namespaces/team-a/imagestreams/app`,
        { headers: { authorization: `Bearer ${token}` }, dispatcher: agent },
      )
      assert.equal(res.status, 200, res.body.toString('utf8'))
      const stream = JSON.parse(res.body.toString('utf8')) as {
        status: { tags: { tag: string; items: { image: string }[] }[] }
      }
      assert.equal(stream.status.tags[0]?.tag, 'v1')
      assert.equal(stream.status.tags[0]?.items[0]?.image, image.digest)
    } finally {
      await agent.close()
    }
  })

  it('after SIGKILL of one replica the others serve, watch on, and take over its leased checks', async () => {
    const [r1, r2, r3] = replicas as [ServeProcess, ServeProcess, ServeProcess]
    const sources = [env.fx.ociSingle, env.fx.dockerSingle, env.fx.ociIndex, env.fx.dockerList]
    const through = (ref: string) => ref.replace(env.reg.host, proxy.host)
    await ok(r1, ['create', 'namespace', 'team-b'])
    await ok(
      r1,
      ['create', '-n', 'team-b', '-f', '-'],
      JSON.stringify({
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStream',
        metadata: { name: 'polled' },
        spec: {
          tags: sources.map((s, i) => ({
            name: `t${i}`,
            from: { kind: 'DockerImage', name: through(s.reference) },
            importPolicy: { scheduled: true, insecure: true },
          })),
        },
      }),
    )
    const tags = sources.map((_, i) => `t${i}`)
    await pollUntil(
      'every scheduled tag imported and queued',
      async () => {
        const res = await k(r1, [
          'get',
          'is',
          'polled',
          '-n',
          'team-b',
          '-o',
          'jsonpath={.status.tags[*].tag}',
        ])
        const rows = await scheduleRows('team-b')
        return res.stdout === tags.join(' ') && rows.length === tags.length
      },
      { timeoutMs: 60_000 },
    )

    const w = watch(r2, ['get', 'is', '-n', 'team-b', '-w', '-o', 'name'])
    await pollUntil('the watch on replica 2 to list', () =>
      Promise.resolve(w.output().includes('imagestream.image.openshift.io/polled')),
    )

    // Only replica 3 may claim while the others are stopped; once it checks alone, the registry
    // holds its checks' HEADs, so it dies holding the leases of the rows it claimed then.
    r1.child.kill('SIGSTOP')
    r2.child.kill('SIGSTOP')
    const stoppedAt = Date.now()
    // Claimed after the stop, so by replica 3, and still leased at `now`.
    const leasedByReplica3 = (rows: readonly ScheduleRow[], now: number) =>
      rows
        .filter((r) => Number(r.lease_until) >= stoppedAt + LEASE_MS && Number(r.lease_until) > now)
        .map((r) => r.tag)
    const acknowledged: string[] = []
    let last = ''
    const withRows = (err: unknown) => {
      throw new Error(`${String(err)}; the rows: ${last}`, { cause: err })
    }
    try {
      await pollUntil(
        'replica 3 to check a tag alone',
        async () => {
          const rows = await scheduleRows('team-b')
          last = JSON.stringify({ stoppedAt, rows })
          return rows.some((r) => Number(r.last_check_at ?? 0) > stoppedAt)
        },
        { timeoutMs: 60_000 },
      ).catch(withRows)
      proxy.setFault({ kind: 'slow-headers', ms: 10 * 60_000, method: 'HEAD', times: 'always' })
      await pollUntil(
        'replica 3 to hold a lease',
        async () => {
          const now = Date.now()
          const rows = await scheduleRows('team-b')
          last = JSON.stringify({ now, stoppedAt, rows })
          return leasedByReplica3(rows, now).length > 0
        },
        { timeoutMs: 60_000 },
      ).catch(withRows)
      // Writes keep going through replica 3 until it dies: whatever it acknowledged must stay.
      const r3Api = adminCredentials(r3.kubeconfig)
      const r3Agent = makeAgent(r3Api.caPem)
      let killed = false
      const writer = async (lane: number) => {
        for (let i = 0; !killed; i++) {
          const name = `kill-${lane}-${i}`
          const res = await httpRequest(
            `${r3Api.server}/apis/image.openshift.io/v1/namespaces/team-b/imagestreams`,
            {
              method: 'POST',
              headers: {
                authorization: `Bearer ${r3Api.token}`,
                'content-type': 'application/json',
              },
              body: stream(name),
              dispatcher: r3Agent,
            },
          ).catch(() => undefined)
          if (res?.status === 201) acknowledged.push(name)
        }
      }
      const writers = [0, 1, 2, 3].map(writer)
      await pollUntil('replica 3 to acknowledge writes', () =>
        Promise.resolve(acknowledged.length >= 8),
      )
      await stopServe(r3, 'SIGKILL')
      killed = true
      await Promise.all(writers)
      await r3Agent.close()
    } finally {
      proxy.setFault(undefined)
      r1.child.kill('SIGCONT')
      r2.child.kill('SIGCONT')
    }
    const stored = new Set(
      (await ok(r1, ['get', 'is', '-n', 'team-b', '-o', 'name'])).trim().split('\n'),
    )
    const lost = acknowledged.filter(
      (name) => !stored.has(`imagestream.image.openshift.io/${name}`),
    )
    assert.deepEqual(lost, [], `acknowledged by replica 3 before SIGKILL but not stored`)
    proxy.clearRequests()
    // Replica 3 is gone: what it leased stays leased until each lease ends.
    const leaseEnds = new Map(
      (await scheduleRows('team-b'))
        .filter((r) => Number(r.lease_until) >= stoppedAt + LEASE_MS)
        .map((r) => [r.tag, Number(r.lease_until)]),
    )
    const ofReplica3 = [...leaseEnds.keys()]
    assert.notEqual(ofReplica3.length, 0)

    // A write through a survivor works, and the watch on the other survivor goes on.
    await ok(r1, ['create', '-n', 'team-b', '-f', '-'], stream('after-kill'))
    await pollUntil('the watch on replica 2 to see after-kill', () =>
      Promise.resolve(w.output().includes('imagestream.image.openshift.io/after-kill')),
    )
    assert.equal(
      (await ok(r2, ['get', 'is', 'after-kill', '-n', 'team-b', '-o', 'name'])).trim(),
      'imagestream.image.openshift.io/after-kill',
    )

    // No one ends the dead replica's leases: the survivors check its rows once they run out.
    await pollUntil(
      'the survivors to check the rows replica 3 had leased, after its leases ended',
      async () => {
        const rows = await scheduleRows('team-b')
        return ofReplica3.every((tag) => {
          const row = rows.find((r) => r.tag === tag)
          return row !== undefined && Number(row.last_check_at ?? 0) >= leaseEnds.get(tag)!
        })
      },
      { timeoutMs: 120_000 },
    )
    const headed = new Set(
      proxy
        .requests()
        .filter((r) => r.method === 'HEAD' && r.status === 200)
        .map((r) => r.path),
    )
    for (const tag of ofReplica3) {
      const source = sources[tags.indexOf(tag)]!
      const ref = through(source.reference)
      const repoTag = ref.slice(proxy.host.length + 1)
      const [repo, version] = repoTag.split(':') as [string, string]
      assert.ok(headed.has(`/v2/${repo}/manifests/${version}`), `${tag}: ${[...headed].join(' ')}`)
    }
  })
})
