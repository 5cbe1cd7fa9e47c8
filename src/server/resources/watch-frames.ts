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

/** watchFrame serialises one line, newline included. */
export function watchFrame(line: WatchLine): Buffer {
  return Buffer.from(`${JSON.stringify(line)}\n`)
}

// By server (what an object looks like depends on its settings), then by event, then by way
// of showing it.
const frames = new WeakMap<ResourceContext, WeakMap<WatchEvent, Map<string, Buffer>>>()

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
): Buffer {
  let byEvent = frames.get(ctx)
  if (!byEvent) frames.set(ctx, (byEvent = new WeakMap<WatchEvent, Map<string, Buffer>>()))
  let byShape = byEvent.get(event)
  if (!byShape) byEvent.set(event, (byShape = new Map<string, Buffer>()))
  let frame = byShape.get(shownAs)
  if (!frame) byShape.set(shownAs, (frame = watchFrame(encode())))
  return frame
}
