/**
 * Sending objects and lists: as JSON, or as a Table when the client asked for one
 * (negotiation.ts), with `Warning` headers for unknown fields (kubectl prints them).
 */
import { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ListMeta } from '../../api/index.js'
import { JsonBytes } from './json-bytes.js'
import { negotiate } from './negotiation.js'
import { printerFor } from './printers/index.js'
import type { IncludeObject } from './query.js'
import { buildTable, tableRow, type PrintableObject, type TableOptions } from './table.js'

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

/** sendJsonObject answers with one object already written as JSON text, as sendObject would. */
export function sendJsonObject(reply: FastifyReply, json: string): FastifyReply {
  return reply.code(200).type('application/json').send(json)
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

/** wantsTable says whether the request asks for a Table rather than the objects. */
export function wantsTable(request: FastifyRequest): boolean {
  return negotiate(request.headers.accept).table
}

/** JsonListBody is one page of a list whose items are already JSON texts, each in pieces. */
export interface JsonListBody {
  kind: string
  apiVersion: string
  metadata: ListMeta
  /** Each item's text is its pieces one after the other. */
  items: readonly (readonly string[])[]
}

// The text of `head` as JSON.stringify writes it, opened for one more member, an array `field`.
function openArray(head: object, field: string): string {
  return `${JSON.stringify(head).slice(0, -1)},${JSON.stringify(field)}:[`
}

/**
 * sendJsonList answers with a `<Kind>List` whose items are JSON texts, the same bytes as
 * JSON.stringify of the list of their objects, written into one Buffer.
 */
export function sendJsonList(reply: FastifyReply, list: JsonListBody): FastifyReply {
  const { kind, apiVersion, metadata, items } = list
  const open = openArray({ kind, apiVersion, metadata }, 'items')
  let units = open.length + items.length + 2
  for (const pieces of items) for (const piece of pieces) units += piece.length
  // Mostly ASCII: a little room for the rest before the Buffer has to grow.
  const body = new JsonBytes(units + (units >> 4))
  body.write(open)
  for (let i = 0; i < items.length; i++) {
    if (i > 0) body.write(',')
    for (const piece of items[i]!) body.write(piece)
  }
  body.write(']}')
  // Fastify adds the charset to JSON texts, not to Buffers: the header is the same either way.
  return reply.code(200).type('application/json; charset=utf-8').send(body.bytes())
}

/**
 * arrayJson writes `head` with one more member, the array `field` of the texts the batches
 * bring, as JSON.stringify would, byte for byte, one batch at a time.
 */
async function* arrayJson(
  head: object,
  field: string,
  batches: AsyncIterable<readonly string[]>,
): AsyncGenerator<string> {
  let separator = openArray(head, field)
  for await (const batch of batches) {
    if (batch.length === 0) continue
    yield separator + batch.join(',')
    separator = ','
  }
  yield separator === ',' ? ']}' : `${separator}]}`
}

async function* serialised<T>(batches: Batches<T>): AsyncGenerator<string[]> {
  for await (const batch of batches) yield batch.map((item) => JSON.stringify(item))
}

/** StreamedJsonListBody is a whole list whose items arrive in batches of JSON texts. */
export interface StreamedJsonListBody {
  kind: string
  apiVersion: string
  metadata: ListMeta
  batches: AsyncIterable<readonly string[]>
}

/**
 * sendStreamedJsonList answers with a whole `<Kind>List` written as it is read, so that a large
 * list neither holds the event loop nor a second copy of itself; the socket's backpressure
 * paces the reads.
 */
export function sendStreamedJsonList(
  reply: FastifyReply,
  list: StreamedJsonListBody,
): FastifyReply {
  const { kind, apiVersion, metadata } = list
  return reply
    .code(200)
    .type('application/json')
    .send(Readable.from(arrayJson({ kind, apiVersion, metadata }, 'items', list.batches)))
}

/** Batches are a list's items in batches, as they are read (or all read already). */
export type Batches<T> = AsyncIterable<readonly T[]> | Iterable<readonly T[]>

/** StreamedListBody is a whole list whose items arrive in batches (operations/read.ts). */
export interface StreamedListBody {
  kind: string
  apiVersion: string
  metadata: ListMeta
  batches: Batches<PrintableObject>
}

/** mapBatches maps every item of every batch. */
export async function* mapBatches<T, U>(
  batches: Batches<T>,
  map: (item: T) => U,
): AsyncGenerator<U[]> {
  for await (const batch of batches) yield batch.map(map)
}

/** printables passes batches of API objects on as the objects Table printers read. */
export async function* printables(batches: Batches<unknown>): AsyncGenerator<PrintableObject[]> {
  for await (const batch of batches) yield batch as PrintableObject[]
}

async function* tableRows(
  served: Served,
  opts: TableOptions,
  batches: Batches<PrintableObject>,
): AsyncGenerator<string[]> {
  const printer = printerFor(served.resource)
  for await (const batch of batches) {
    yield batch.map((object) => JSON.stringify(tableRow(printer, object, opts)))
  }
}

/**
 * sendStreamedList answers with a whole `<Kind>List`, or a Table of its items, written batch by
 * batch as it is read: the same bytes as sendList, without holding the event loop or a second
 * copy of the list.
 */
export function sendStreamedList(
  request: FastifyRequest,
  reply: FastifyReply,
  served: Served,
  list: StreamedListBody,
): FastifyReply {
  const representation = negotiate(request.headers.accept)
  if (!representation.table) {
    return sendStreamedJsonList(reply, { ...list, batches: serialised(list.batches) })
  }
  const opts: TableOptions = {
    version: representation.version,
    includeObject: served.includeObject ?? 'Metadata',
    now: served.now,
  }
  const { rows: _rows, ...head } = buildTable(printerFor(served.resource), [], list.metadata, opts)
  const rows = arrayJson(head, 'rows', tableRows(served, opts, list.batches))
  return reply.code(200).type('application/json').send(Readable.from(rows))
}
