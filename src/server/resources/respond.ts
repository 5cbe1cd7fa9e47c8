/**
 * Sending objects and lists: as JSON, or as a Table when the client asked for one
 * (negotiation.ts), with `Warning` headers for unknown fields (kubectl prints them).
 */
import { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ListMeta } from '../../api/index.js'
import { negotiate } from './negotiation.js'
import { printerFor } from './printers/index.js'
import type { IncludeObject } from './query.js'
import { buildTable, type PrintableObject } from './table.js'

/** Served describes what is being sent: the resource (for the printer) and the clock. */
export interface Served {
  /** The resource plural, which picks the Table printer. */
  readonly resource: string
  readonly now: number
  /** includeObject of the request; default Metadata. */
  readonly includeObject?: IncludeObject
}

/** warningHeader renders one `Warning: 299 - "<text>"` value (RFC 7234 warn-code 299, as kube). */
export function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`
}

function withWarnings(reply: FastifyReply, warnings: readonly string[]): FastifyReply {
  return warnings.length === 0 ? reply : reply.header('warning', warnings.map(warningHeader))
}

/** sendObject answers with one object, or a one-row Table. */
export function sendObject(
  request: FastifyRequest,
  reply: FastifyReply,
  served: Served,
  object: PrintableObject,
  options: { code?: number; warnings?: readonly string[] } = {},
): FastifyReply {
  const representation = negotiate(request.headers.accept)
  const body = representation.table
    ? buildTable(
        printerFor(served.resource),
        [object],
        {
          resourceVersion: String(
            (object.metadata as { resourceVersion?: string }).resourceVersion ?? '',
          ),
        },
        {
          version: representation.version,
          includeObject: served.includeObject ?? 'Metadata',
          now: served.now,
        },
      )
    : object
  return withWarnings(reply, options.warnings ?? [])
    .code(options.code ?? 200)
    .type('application/json')
    .send(body)
}

/** sendList answers with a `<Kind>List`, or a Table of its items. */
export function sendList(
  request: FastifyRequest,
  reply: FastifyReply,
  served: Served,
  list: { kind: string; apiVersion: string; metadata: ListMeta; items: readonly PrintableObject[] },
): FastifyReply {
  const representation = negotiate(request.headers.accept)
  const body = representation.table
    ? buildTable(printerFor(served.resource), list.items, list.metadata, {
        version: representation.version,
        includeObject: served.includeObject ?? 'Metadata',
        now: served.now,
      })
    : list
  return reply.code(200).type('application/json').send(body)
}

/** StreamedListBody is a whole list whose items arrive in batches (operations/read.ts). */
export interface StreamedListBody {
  kind: string
  apiVersion: string
  metadata: ListMeta
  batches: AsyncIterable<readonly PrintableObject[]>
}

/**
 * listJson writes a list as JSON.stringify would, byte for byte, one batch of items at a time:
 * the head (kind, apiVersion, metadata), then the items, then the closing brackets.
 */
async function* listJson(list: StreamedListBody): AsyncGenerator<string> {
  const { kind, apiVersion, metadata } = list
  const head = JSON.stringify({ kind, apiVersion, metadata })
  let separator = `${head.slice(0, -1)},"items":[`
  for await (const batch of list.batches) {
    if (batch.length === 0) continue
    yield separator + batch.map((item) => JSON.stringify(item)).join(',')
    separator = ','
  }
  yield separator === ',' ? ']}' : `${separator}]}`
}

/**
 * sendStreamedList answers with a whole `<Kind>List` written as it is read, so that a large list
 * neither holds the event loop nor a second copy of itself; the socket's backpressure paces the
 * reads. A Table is built from all the items at once, as sendList does.
 */
export async function sendStreamedList(
  request: FastifyRequest,
  reply: FastifyReply,
  served: Served,
  list: StreamedListBody,
): Promise<FastifyReply> {
  if (negotiate(request.headers.accept).table) {
    const items: PrintableObject[] = []
    for await (const batch of list.batches) items.push(...batch)
    return sendList(request, reply, served, { ...list, items })
  }
  return reply
    .code(200)
    .type('application/json')
    .send(Readable.from(listJson(list)))
}
