/**
 * The watch response (docs/kubernetes-api.md#watch): 200, `Content-Type: application/json`,
 * chunked, one `{"type","object"}` JSON line per event, flushed as it happens. Headers go out at
 * once (client-go waits for them before reading events). The stream ends when the client goes away,
 * the server shuts down, `timeoutSeconds` (default a random 30-60 minutes, as kube) runs out, or the
 * client stops keeping up (SlowWatch); an error after the 200 becomes an in-stream ERROR event
 * carrying a Status.
 */
import { once, type EventEmitter } from 'node:events'
import type { ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { isStoreError } from '../../storage/index.js'
import { expired, internalError, StatusError, type Status } from '../status.js'
import { STORE_UNAVAILABLE_RETRY_SECONDS } from '../store-errors.js'
import { watchFrame, type WatchFrame } from './watch-frames.js'

const MIN_TIMEOUT_MS = 30 * 60 * 1000

/** MAX_TIMER_MS is the longest delay Node's setTimeout takes; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * afterDelay calls `fn` once `ms` have passed, however long that is: the apiserver uses a
 * watch's timeoutSeconds as given, so a delay past Node's timer limit is waited out in steps
 * rather than cut (or, as setTimeout does, fired at once). `cancel` stops it.
 */
function afterDelay(fn: () => void, ms: number): { cancel(): void } {
  let timer: NodeJS.Timeout
  const arm = (remaining: number): void => {
    timer = setTimeout(
      () => (remaining > MAX_TIMER_MS ? arm(remaining - MAX_TIMER_MS) : fn()),
      Math.min(remaining, MAX_TIMER_MS),
    )
  }
  arm(ms)
  return { cancel: () => clearTimeout(timer) }
}

/**
 * watchTimeoutMs is `timeoutSeconds` as given, however large; absent or 0 is kube's default
 * (handlers/get.go: a random 1-2x --min-request-timeout, here 30 to 60 minutes), spread so
 * watches do not all end at once.
 */
export function watchTimeoutMs(timeoutSeconds: number | undefined): number {
  if (timeoutSeconds !== undefined && timeoutSeconds > 0) return timeoutSeconds * 1000
  return MIN_TIMEOUT_MS + Math.floor(Math.random() * MIN_TIMEOUT_MS)
}

/**
 * SlowWatch closes a watch whose client does not keep up, as the apiserver terminates a
 * cacheWatcher whose buffer is full (k8s.io/apiserver pkg/storage/cacher, "Forcing watcher close
 * due to unresponsiveness"): the store watcher's buffer filled (StoreOptions.watchBufferSize and
 * watchBufferBytes) while the response was waiting for the client to read what was already
 * written. The stream then ends cleanly and the client re-watches from the last resourceVersion
 * it saw (or re-lists on 410 Expired); the store watcher and its buffer are released.
 */
export class SlowWatch {
  readonly #stop: AbortController
  #waiting = false
  #closed = false

  constructor(stop: AbortController) {
    this.#stop = stop
  }

  /** closed says whether the watch was ended for not keeping up. */
  get closed(): boolean {
    return this.#closed
  }

  /** fellBehind is the store watcher's WatchOptions.onFallBehind. */
  readonly fellBehind = (): void => {
    // A reader that is only busy catches up from history; one that stopped reading is closed.
    if (!this.#waiting || this.#stop.signal.aborted) return
    this.#closed = true
    this.#stop.abort()
  }

  /** drain waits until the client has read what `out` (response or socket) holds, or the watch stops. */
  async drain(out: EventEmitter): Promise<void> {
    this.#waiting = true
    try {
      await once(out, 'drain', { signal: this.#stop.signal })
    } finally {
      this.#waiting = false
    }
  }
}

/** errorStatus is the Status of an ERROR event. */
function errorStatus(err: unknown, request: FastifyRequest): Status {
  if (isStoreError(err, 'Expired')) return expired(err.message).toStatus()
  if (isStoreError(err, 'Unavailable')) {
    // The store lost its database connection: the client lists and watches again, as after
    // a 503 to any other request.
    request.log.warn({ err }, 'watch ended: the store is unavailable')
    return new StatusError(
      'ServiceUnavailable',
      'the storage backend is unavailable; watch again',
      { retryAfterSeconds: STORE_UNAVAILABLE_RETRY_SECONDS },
    ).toStatus()
  }
  request.log.error({ err }, 'watch failed')
  return internalError(`the watch failed (request ${request.id}; see the server log)`).toStatus()
}

/**
 * streamWatch sends `frames` (serialised events, see watch-frames.ts) as a watch response. On
 * a connection, each frame's chunk is written straight to the socket once the response has
 * sent its headers: one write of bytes shared by every watch, where the response's own write()
 * would wrap each line in a size line and a CRLF (four writes and a string per event and
 * watch, a thousand watches' worth of them live at once as an event goes out). The response
 * still ends the body (the last chunk) through the same socket, after them. An injected
 * request has no socket and goes through the response.
 * `stop` ends the frame source: it is aborted on client disconnect, server shutdown, timeout and
 * by `slow`, and the source must then complete.
 */
export async function streamWatch(
  request: FastifyRequest,
  reply: FastifyReply,
  frames: AsyncIterable<WatchFrame>,
  stop: AbortController,
  timeoutMs: number,
  slow: SlowWatch = new SlowWatch(stop),
): Promise<void> {
  void reply.hijack()
  const res = reply.raw
  res.writeHead(200, {
    'content-type': 'application/json',
    'cache-control': 'no-cache, private',
    'transfer-encoding': 'chunked',
  })
  res.flushHeaders()
  const abort = () => stop.abort()
  res.on('close', abort)
  const shutdown = request.server.shutdownSignal
  shutdown.addEventListener('abort', abort, { once: true })
  // Not unref'd: the stream is work in progress (shutdown ends it, and clears the timer).
  const timer = afterDelay(abort, timeoutMs)
  // Assigned at once unless an earlier response on the connection is still being written
  // (pipelining); the response then queues what it is given, in order.
  const connection = res.socket instanceof Socket ? res.socket : null
  const out: EventEmitter = connection ?? res
  // Frames may be shared with other watches: written as they are, never changed. False when
  // the client has yet to read what is queued.
  const write = (frame: WatchFrame): boolean => {
    if (res.destroyed || res.writableEnded) return true
    if (!connection) return res.write(frame.line)
    return connection.destroyed || connection.write(frame.chunk)
  }
  try {
    for await (const frame of frames) {
      if (stop.signal.aborted) break
      if (!write(frame)) await slow.drain(out)
    }
  } catch (err) {
    if (!stop.signal.aborted) {
      const status = errorStatus(err, request)
      write(watchFrame({ type: 'ERROR', object: status }))
    }
  } finally {
    if (slow.closed) request.log.info('closed a watch whose client does not keep up')
    timer.cancel()
    shutdown.removeEventListener('abort', abort)
    res.off('close', abort)
    stop.abort()
    // A closing server must not wait for this keep-alive connection to idle out.
    const socket = shutdown.aborted ? res.socket : null
    if (!res.writableEnded) res.end(() => socket?.end())
    else socket?.end()
    cutWhenShutdownStalls(res, shutdown)
  }
}

/** How long a closing server lets an ended watch deliver what it already wrote. */
const WATCH_SHUTDOWN_GRACE_MS = 1_000

/**
 * cutWhenShutdownStalls destroys the connection of an ended watch whose client is not reading
 * what is still queued for it, once the server is shutting down and a short grace has passed:
 * such a response never finishes, and the server's close would otherwise wait for it.
 */
function cutWhenShutdownStalls(res: ServerResponse, shutdown: AbortSignal): void {
  if (res.writableFinished || res.destroyed) return
  let timer: NodeJS.Timeout | undefined
  const arm = () => {
    timer = setTimeout(() => res.destroy(), WATCH_SHUTDOWN_GRACE_MS)
  }
  const done = () => {
    clearTimeout(timer)
    shutdown.removeEventListener('abort', arm)
  }
  res.once('finish', done)
  res.once('close', done)
  if (shutdown.aborted) arm()
  else shutdown.addEventListener('abort', arm, { once: true })
}
