/**
 * Watch events as the bytes sent: one `{"type","object"}` JSON line each. A store event is the
 * same object for every watcher it reaches, so its line is built once per way of showing it
 * (resource view, JSON or Table version, includeObject) and the same Buffer goes to every
 * watch that shows it that way. Frames live as long as their event: once no watcher queues it,
 * the store holds its change no more and no response is still writing the Buffer, both go.
 */
import type { WatchEvent } from '../../storage/index.js'
import type { ResourceContext } from './context.js'

/** WatchLine is one event as sent. */
export interface WatchLine {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'
  readonly object: unknown
}

/**
 * WatchFrame is one serialised event, and the same bytes framed as one chunk of a chunked
 * HTTP/1.1 body (RFC 9112 section 7.1: size in hex, CRLF, data, CRLF), so that a watch on a
 * connection sends a shared Buffer in one write rather than having its response frame each
 * line anew.
 */
export interface WatchFrame {
  /** The JSON line, newline included: what a response's write() takes. */
  readonly line: Buffer
  /** The line as a chunk of a chunked body: what goes on the connection. */
  readonly chunk: Buffer
}

/** watchFrame serialises one line, newline included, and frames it as a chunk. */
export function watchFrame(line: WatchLine): WatchFrame {
  const text = `${JSON.stringify(line)}\n`
  const size = Buffer.byteLength(text)
  const head = `${size.toString(16)}\r\n`
  const chunk = Buffer.from(`${head}${text}\r\n`)
  return { chunk, line: chunk.subarray(head.length, head.length + size) }
}

// By server (what an object looks like depends on its settings), then by event, then by way
// of showing it.
const frames = new WeakMap<ResourceContext, WeakMap<WatchEvent, Map<string, WatchFrame>>>()

/**
 * sharedFrame returns the frame of a store event shown the way `shownAs` names, calling
 * `encode` only if no watch of this server has shown the event that way yet. `shownAs` must
 * name everything `encode` depends on besides the event.
 */
export function sharedFrame(
  ctx: ResourceContext,
  event: WatchEvent,
  shownAs: string,
  encode: () => WatchLine,
): WatchFrame {
  let byEvent = frames.get(ctx)
  if (!byEvent) frames.set(ctx, (byEvent = new WeakMap<WatchEvent, Map<string, WatchFrame>>()))
  let byShape = byEvent.get(event)
  if (!byShape) byEvent.set(event, (byShape = new Map<string, WatchFrame>()))
  let frame = byShape.get(shownAs)
  if (!frame) byShape.set(shownAs, (frame = watchFrame(encode())))
  return frame
}
