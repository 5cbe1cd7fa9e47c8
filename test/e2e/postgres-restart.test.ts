/**
 * PostgreSQL restarted under load (docs/storage-postgres.md#connection-loss): two `isctl serve`
 * replicas on a private cluster take creates, updates and imports through both while a kubectl
 * watch follows one and tags are checked on schedule; the database is restarted once with
 * `pg_ctl stop -m fast` and once with `-m immediate` while the load runs. No acknowledged write is
 * lost, a write the outage refused was refused with 503 and Retry-After, the replicas are ready
 * again without restarting, the watch ended and a new one sees new events, and scheduled checks
 * go on.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Agent } from 'undici'
import {
  adminCredentials,
  header,
  httpRequest,
  insecureImport,
  kubectl,
  kubectlInBackground,
  type BackgroundKubectl,
  makeAgent,
  makeTempDir,
  removeTempDir,
  startServe,
  stopServe,
  useRegistry,
  type HttpResponse,
  type ServeProcess,
} from '../harness/index.js'
import { startPostgresCluster, type PostgresCluster } from '../harness/postgres-cluster.js'
import { pollUntil } from '../harness/process.js'

const NAMESPACE = 'load'
const API = `/apis/image.openshift.io/v1/namespaces/${NAMESPACE}`
/** The annotation each write sets, so that its content can be checked afterwards. */
const MARK = 'e2e.imagestreams.io/mark'
/** Writers per replica, each sending one request at a time. */
const WRITERS = 3
/** Acknowledged writes to see before a restart and after each, so that restarts hit a load. */
const ACKS_BETWEEN = 30

/** One request the load sent, and how it was answered. */
interface Outcome {
  readonly what: string
  readonly status: number | 'error'
  readonly retryAfter: string | undefined
  readonly detail: string
}

/** A replica and what a client needs to call it. */
interface Replica {
  readonly serve: ServeProcess
  readonly pid: number
  readonly server: string
  readonly token: string
  readonly agent: Agent
}

/** A stream's name and its MARK annotation, as a list returns them. */
interface StreamItem {
  metadata: { name: string; annotations?: Record<string, string> }
  status?: { tags?: { tag: string }[] }
}

describe('PostgreSQL restarted under load', () => {
  const env = useRegistry({ auth: 'none' })
  let dir: string
  let cluster: PostgresCluster
  const replicas: Replica[] = []
  const watches: BackgroundKubectl[] = []

  const call = (
    r: Replica,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<HttpResponse> =>
    httpRequest(`${r.server}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${r.token}`,
        ...(body !== undefined && { 'content-type': contentType }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      dispatcher: r.agent,
    })
  const k = (r: Replica, args: readonly string[], input?: string) =>
    kubectl(args, {
      kubeconfig: r.serve.kubeconfig,
      cacheDir: join(dir, `cache-${replicas.indexOf(r)}`),
      ...(input !== undefined && { input }),
    })
  const ok = async (r: Replica, args: readonly string[], input?: string) => {
    const res = await k(r, args, input)
    assert.equal(res.code, 0, `kubectl ${args.join(' ')}: ${res.stderr}`)
    return res.stdout
  }
  /** A `kubectl get -w` of the namespace's streams in the background. */
  const watch = (r: Replica) => {
    const w = kubectlInBackground(['get', 'is', '-n', NAMESPACE, '-w', '-o', 'name'], {
      kubeconfig: r.serve.kubeconfig,
      cacheDir: join(dir, `cache-watch-${watches.length}`),
    })
    watches.push(w)
    return w
  }
  const scheduleChecks = async (): Promise<Map<string, number>> => {
    const { rows } = await cluster.query(
      'SELECT tag, last_check_at FROM schedule WHERE namespace = $1',
      [NAMESPACE],
      'imagestreams',
    )
    return new Map(
      (rows as { tag: string; last_check_at: string | null }[]).map((r) => [
        r.tag,
        Number(r.last_check_at ?? 0),
      ]),
    )
  }

  before(async () => {
    dir = makeTempDir('postgres-restart-e2e')
    cluster = await startPostgresCluster()
    await cluster.query('CREATE DATABASE imagestreams')
    // A claim that commits as the database goes down loses its answer with the connection; its
    // rows wait for their lease to end (docs/storage-postgres.md#recovery-after-a-database-restart), so the lease
    // is short enough for the check after the restarts to see them checked again.
    const flags = [
      '--store',
      cluster.url('imagestreams'),
      '--scheduled-import-interval',
      '1s',
      '--scheduled-import-lease',
      '20s',
    ]
    // One after another: the first creates the shared identity the second reads.
    for (const n of [1, 2]) {
      const serve = await startServe(join(dir, `data-${n}`), flags)
      const creds = adminCredentials(serve.kubeconfig)
      replicas.push({
        serve,
        pid: serve.child.pid!,
        server: creds.server,
        token: creds.token,
        agent: makeAgent(creds.caPem),
      })
    }
  })
  after(async () => {
    for (const w of watches) w.stop()
    for (const r of replicas) {
      await r.agent.close()
      await stopServe(r.serve)
    }
    await cluster?.destroy()
    await removeTempDir(dir)
  })

  it('keeps every acknowledged write across fast and immediate restarts; replicas, watches and checks recover', async (t) => {
    const [r1, r2] = replicas as [Replica, Replica]
    const image = env.fx.ociSingle
    await ok(r1, ['create', 'namespace', NAMESPACE])
    const scheduled = [env.fx.ociSingle, env.fx.dockerSingle]
    await ok(
      r1,
      ['create', '-n', NAMESPACE, '-f', '-'],
      JSON.stringify({
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStream',
        metadata: { name: 'polled' },
        spec: {
          tags: scheduled.map((s, i) => ({
            name: `s${i}`,
            from: { kind: 'DockerImage', name: s.reference },
            importPolicy: { scheduled: true, insecure: true },
          })),
        },
      }),
    )
    await pollUntil(
      'the scheduled tags queued and checked',
      async () => {
        const checks = await scheduleChecks()
        return checks.size === scheduled.length && [...checks.values()].every((t) => t > 0)
      },
      { timeoutMs: 60_000 },
    )
    const w = watch(r2)
    await pollUntil('the watch on replica 2 to list', () =>
      Promise.resolve(w.output().includes('imagestream.image.openshift.io/polled')),
    )

    // The load: every writer creates streams of its own and updates its counter stream, one
    // request at a time, through its replica; an importer per replica imports new tags.
    const outcomes: Outcome[] = []
    const created = new Map<string, string>()
    const counters = new Map<string, { acked: number; sent: number }>()
    const imported = new Map<string, string[]>()
    let acks = 0
    let stopping = false
    const send = async (r: Replica, what: string, request: () => Promise<HttpResponse>) => {
      let res: HttpResponse
      try {
        res = await request()
      } catch (err) {
        outcomes.push({ what, status: 'error', retryAfter: undefined, detail: String(err) })
        return undefined
      }
      outcomes.push({
        what: `${what} via replica ${replicas.indexOf(r) + 1}`,
        status: res.status,
        retryAfter: header(res, 'retry-after'),
        detail: res.status < 300 ? '' : res.body.toString('utf8').slice(0, 500),
      })
      if (res.status >= 300) return undefined
      acks++
      return res
    }
    const writer = async (r: Replica, id: string) => {
      const counter = `counter-${id}`
      const made = await call(r, 'POST', `${API}/imagestreams`, {
        metadata: { name: counter, annotations: { [MARK]: '0' } },
      })
      assert.equal(made.status, 201, made.body.toString('utf8'))
      const state = { acked: 0, sent: 0 }
      counters.set(counter, state)
      for (let n = 1; !stopping; n++) {
        const name = `w-${id}-${n}`
        const mark = `${id}/${n}`
        if (
          await send(r, `create ${name}`, () =>
            call(r, 'POST', `${API}/imagestreams`, {
              metadata: { name, annotations: { [MARK]: mark } },
            }),
          )
        ) {
          created.set(name, mark)
        }
        state.sent = n
        if (
          await send(r, `update ${counter} to ${n}`, () =>
            call(
              r,
              'PATCH',
              `${API}/imagestreams/${counter}`,
              { metadata: { annotations: { [MARK]: String(n) } } },
              'application/merge-patch+json',
            ),
          )
        ) {
          state.acked = n
        }
      }
    }
    const importer = async (r: Replica, stream: string) => {
      const tags: string[] = []
      imported.set(stream, tags)
      for (let n = 1; !stopping; n++) {
        const tag = `i${n}`
        const res = await send(r, `import ${stream}:${tag}`, () =>
          call(
            r,
            'POST',
            `${API}/imagestreamimports`,
            JSON.parse(insecureImport(NAMESPACE, stream, tag, image.reference)) as unknown,
          ),
        )
        if (!res) continue
        const body = JSON.parse(res.body.toString('utf8')) as {
          status: { images?: { status: { status: string } }[] }
        }
        if (body.status.images?.[0]?.status.status === 'Success') tags.push(tag)
      }
    }
    const load = [
      ...replicas.flatMap((r, i) =>
        Array.from({ length: WRITERS }, (_, j) =>
          writer(r, `${i + 1}${String.fromCharCode(97 + j)}`),
        ),
      ),
      ...replicas.map((r, i) => importer(r, `imported-${i + 1}`)),
    ]
    const someAcks = async (what: string) => {
      const from = acks
      await pollUntil(what, () => Promise.resolve(acks >= from + ACKS_BETWEEN), {
        timeoutMs: 180_000,
        intervalMs: 50,
      })
    }
    let restartedAt = 0
    try {
      await someAcks('the load to be acknowledged before the restarts')
      await cluster.restart('fast')
      await someAcks('the load to be acknowledged after the fast restart')
      await cluster.restart('immediate')
      restartedAt = Date.now()
      await someAcks('the load to be acknowledged after the immediate restart')
    } finally {
      stopping = true
      await Promise.all(load)
    }

    // Every answer was a success or a 503 telling the client when to retry.
    const wrong = outcomes.filter(
      (o) => typeof o.status !== 'number' || (o.status >= 300 && o.status !== 503),
    )
    assert.deepEqual(wrong, [], `${wrong.length} of ${outcomes.length} requests answered otherwise`)
    const refused = outcomes.filter((o) => o.status === 503)
    t.diagnostic(
      `${outcomes.length} requests: ${acks} acknowledged, ${refused.length} refused with 503`,
    )
    for (const o of refused) assert.equal(o.retryAfter, '5', JSON.stringify(o))

    // Both replicas are ready again, the same processes as before.
    for (const r of replicas) {
      assert.equal(r.serve.child.pid, r.pid)
      assert.equal(r.serve.child.exitCode, null)
      await pollUntil(
        `replica ${replicas.indexOf(r) + 1} to be ready`,
        async () => (await call(r, 'GET', '/readyz')).status === 200,
        { timeoutMs: 120_000, intervalMs: 200 },
      )
    }

    // No acknowledged write is lost, whichever replica reads it back.
    for (const r of replicas) {
      const res = await call(r, 'GET', `${API}/imagestreams`)
      assert.equal(res.status, 200, res.body.toString('utf8'))
      const items = (JSON.parse(res.body.toString('utf8')) as { items: StreamItem[] }).items
      const byName = new Map(items.map((i) => [i.metadata.name, i]))
      const missing = [...created].filter(
        ([name, mark]) => byName.get(name)?.metadata.annotations?.[MARK] !== mark,
      )
      assert.deepEqual(
        missing,
        [],
        `acknowledged creates missing or changed on replica ${replicas.indexOf(r) + 1}`,
      )
      for (const [name, { acked, sent }] of counters) {
        // A write answered 503 may have committed: the counter is at least the last
        // acknowledged value and at most the last one sent.
        const value = Number(byName.get(name)?.metadata.annotations?.[MARK])
        assert.ok(
          value >= acked && value <= sent,
          `${name}: ${value}, acked ${acked}, sent ${sent}`,
        )
      }
      for (const [stream, tags] of imported) {
        const have = new Set(byName.get(stream)?.status?.tags?.map((t) => t.tag))
        const lost = tags.filter((t) => !have.has(t))
        assert.deepEqual(lost, [], `acknowledged imports into ${stream} lost`)
      }
    }

    // The watch ended with the LISTEN connection; a new one sees new events.
    await pollUntil('the watch on replica 2 to end', () => Promise.resolve(w.ended()), {
      timeoutMs: 120_000,
    })
    // kubectl shows the watch's ERROR event: the store was unavailable, not a server error.
    assert.doesNotMatch(w.output() + w.errors(), /InternalError/)
    const again = watch(r2)
    await pollUntil('the new watch on replica 2 to list', () =>
      Promise.resolve(again.output().includes('imagestream.image.openshift.io/polled')),
    )
    // New writes and imports succeed through both replicas.
    for (const [i, r] of replicas.entries()) {
      await ok(
        r,
        ['create', '-n', NAMESPACE, '-f', '-'],
        JSON.stringify({
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStream',
          metadata: { name: `after-${i + 1}` },
        }),
      )
      const result = JSON.parse(
        await ok(
          r,
          ['create', '-n', NAMESPACE, '-o', 'json', '-f', '-'],
          insecureImport(NAMESPACE, `after-${i + 1}`, 'v1', image.reference),
        ),
      ) as { status: { images: { status: { status: string } }[] } }
      assert.equal(result.status.images[0]!.status.status, 'Success', JSON.stringify(result))
    }
    await pollUntil('the new watch to see the new streams', () =>
      Promise.resolve(
        ['after-1', 'after-2'].every((n) =>
          again.output().includes(`imagestream.image.openshift.io/${n}`),
        ),
      ),
    )
    assert.equal(again.ended(), false, again.output())

    // Both replicas follow role bindings again: one made through replica 1 lets a service
    // account read through replica 2.
    await ok(r1, ['create', 'serviceaccount', 'reader', '-n', NAMESPACE])
    const token = (await ok(r1, ['create', 'token', 'reader', '-n', NAMESPACE])).trim()
    const asReader = () =>
      httpRequest(`${r2.server}${API}/imagestreams`, {
        headers: { authorization: `Bearer ${token}` },
        dispatcher: r2.agent,
      })
    assert.equal((await asReader()).status, 403)
    await ok(r1, [
      'create',
      'rolebinding',
      'reader-view',
      '--clusterrole=view',
      `--serviceaccount=${NAMESPACE}:reader`,
      '-n',
      NAMESPACE,
    ])
    await pollUntil(
      'replica 2 to allow the reader',
      async () => (await asReader()).status === 200,
      { timeoutMs: 60_000, intervalMs: 200 },
    )

    // Scheduled checks go on after the restarts.
    await pollUntil(
      'every scheduled tag checked after the restarts',
      async () => [...(await scheduleChecks()).values()].every((t) => t > restartedAt),
      { timeoutMs: 120_000, intervalMs: 500 },
    ).catch(async (err: unknown) => {
      const { rows } = await cluster.query('SELECT * FROM schedule', [], 'imagestreams')
      const warnings = replicas.flatMap((r) =>
        r.serve
          .lines()
          .filter((l) => typeof l.level === 'number' && l.level >= 40)
          .map((l) => `${String(l.msg)}: ${JSON.stringify(l.err ?? '').slice(0, 200)}`),
      )
      throw new Error(
        `${String(err)}; restarted at ${restartedAt}; rows ${JSON.stringify(rows)}; warnings ${JSON.stringify(warnings).slice(0, 20_000)}`,
      )
    })
  })
})
