/**
 * Workload 1: resolve and fetch metadata (manifest, config; every child of a list) of 154 tags
 * from a real token-auth registry with our client, then replay exactly the HTTP requests the
 * client made with bare undici at the same concurrency. Rounds alternate which goes first.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { Agent, request, type Dispatcher } from 'undici'
import { mapLimit } from '../src/lib/concurrency.js'
import { createAgents, createRegistryClient, inspect } from '../src/registry/index.js'
import { keyringFromDockerConfig } from '../src/credentials/index.js'
import { pushFixtures, startRegistry } from '../test/harness/index.js'
import { median, round } from './stats.js'

interface Recorded {
  readonly origin: string
  readonly path: string
  readonly method: Dispatcher.HttpMethod
  readonly headers: Record<string, string>
  readonly body?: string
}

const CONCURRENCY = 8
const ROUNDS = 5

/** run executes the workload and returns its report. */
export async function runRegistryFetch(): Promise<Record<string, unknown>> {
  const reg = await startRegistry({
    auth: 'token',
    token: { users: { reader: { password: 'reader-pass', grants: { '*': ['pull'] } } } },
  })
  try {
    const fx = await pushFixtures(reg)
    const targets = [
      ...fx.manyTags.tags.map((tag) => ({ repository: fx.manyTags.repository, tag })),
      ...[fx.ociIndex, fx.dockerList, fx.ociSingle, fx.dockerSingle].map((f) => ({
        repository: f.repository,
        tag: f.tag,
      })),
    ]
    const config = {
      auths: { [reg.host]: { auth: Buffer.from('reader:reader-pass').toString('base64') } },
    }
    const { keyring } = keyringFromDockerConfig(JSON.stringify(config), 'bench')
    const ca = reg.ca!.caCertPem

    const clientRun = async (): Promise<{ ms: number; requests: Recorded[][] }> => {
      const tasks = new AsyncLocalStorage<number>()
      const requests: Recorded[][] = targets.map(() => [])
      const record: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
        const task = tasks.getStore()
        if (task !== undefined) {
          requests[task]!.push({
            origin: String(opts.origin),
            path: opts.path,
            method: opts.method,
            headers: { ...(opts.headers as Record<string, string>) },
            ...(typeof opts.body === 'string' && { body: opts.body }),
          })
        }
        return dispatch(opts, handler)
      }
      const base = createAgents({ additionalCA: ca })
      const agents = {
        secure: base.secure.compose(record),
        insecure: base.insecure.compose(record),
        publicOnly: base.publicOnly,
        isPrivate: (hostname: string) => base.isPrivate(hostname),
        close: () => base.close(),
      }
      const client = createRegistryClient({ agents })
      const start = performance.now()
      await mapLimit(targets, CONCURRENCY, (t, i) =>
        tasks.run(i, () =>
          inspect(
            client.repository({ registry: reg.host, repository: t.repository, keyring }),
            { tag: t.tag },
            { allChildren: true },
          ),
        ),
      )
      const ms = performance.now() - start
      await agents.close()
      return { ms, requests }
    }

    const replay = async (requests: Recorded[][]): Promise<number> => {
      const agent = new Agent({ allowH2: true, connect: { ca: [ca] } })
      const start = performance.now()
      await mapLimit(requests, CONCURRENCY, async (sequence) => {
        for (const r of sequence) {
          const res = await request(`${r.origin}${r.path}`, {
            method: r.method,
            headers: r.headers,
            ...(r.body !== undefined && { body: r.body }),
            dispatcher: agent,
          })
          await res.body.arrayBuffer()
        }
      })
      const ms = performance.now() - start
      await agent.close()
      return ms
    }

    const clientMs: number[] = []
    const replayMs: number[] = []
    let requestCount = 0
    for (let round = 0; round < ROUNDS; round++) {
      const first = await clientRun()
      requestCount = first.requests.flat().length
      if (round % 2 === 0) {
        clientMs.push(first.ms)
        replayMs.push(await replay(first.requests))
      } else {
        replayMs.push(await replay(first.requests))
        clientMs.push((await clientRun()).ms)
      }
    }
    return {
      workload: 'registry-fetch',
      tags: targets.length,
      requests: requestCount,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      clientMsMedian: round(median(clientMs), 1),
      bareUndiciMsMedian: round(median(replayMs), 1),
      ratio: round(median(clientMs) / median(replayMs)),
      target: '<= 1.3',
      clientMs: clientMs.map((v) => round(v, 1)),
      bareUndiciMs: replayMs.map((v) => round(v, 1)),
    }
  } finally {
    await reg.stop()
  }
}
