/**
 * Core resources we do not keep but kubectl reads: `describe ns` lists resourcequotas and
 * limitranges. They answer an empty list (docs/kubernetes-api.md#resources-and-urls); a watch
 * on them stays quiet until it times out or the client leaves.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { authorizeRequest } from '../../auth/index.js'
import type { ResourceContext } from '../context.js'
import { readQuery } from '../query.js'
import { sendList } from '../respond.js'
import type { WatchFrame } from '../watch-frames.js'
import { streamWatch, watchTimeoutMs } from '../watch-stream.js'

const EMPTY_LISTS = [
  { plural: 'resourcequotas', listKind: 'ResourceQuotaList' },
  { plural: 'limitranges', listKind: 'LimitRangeList' },
] as const

async function* quiet(signal: AbortSignal): AsyncGenerator<WatchFrame> {
  if (!signal.aborted)
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
  yield* []
}

/** registerEmptyLists adds the routes of the always-empty core lists. */
export function registerEmptyLists(app: FastifyInstance, ctx: ResourceContext): void {
  for (const { plural, listKind } of EMPTY_LISTS) {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const { namespace } = request.params as { namespace?: string }
      const query = readQuery(request)
      await authorizeRequest(request, {
        kind: 'resource',
        verb: query.watch ? 'watch' : 'list',
        group: '',
        resource: plural,
        ...(namespace === undefined ? {} : { namespace }),
      })
      if (query.watch) {
        const stop = new AbortController()
        await streamWatch(
          request,
          reply,
          quiet(stop.signal),
          stop,
          watchTimeoutMs(query.timeoutSeconds),
        )
        return reply
      }
      const resourceVersion = String(await ctx.store.currentRevision())
      return sendList(
        request,
        reply,
        { resource: plural, now: ctx.now(), includeObject: query.includeObject },
        {
          kind: listKind,
          apiVersion: 'v1',
          metadata: { resourceVersion },
          items: [],
        },
      )
    }
    app.get(`/api/v1/namespaces/:namespace/${plural}`, handler)
    app.get(`/api/v1/${plural}`, handler)
  }
}
