/** Helpers for AbortSignal plumbing: every I/O call takes a signal and honours deadlines. */
import { setTimeout as delay } from 'node:timers/promises'

/** Deadline is a signal that aborts when its parent does or when time runs out. */
export interface Deadline {
  readonly signal: AbortSignal
  /** Whether it aborted because time ran out (not because the parent aborted). */
  readonly expired: () => boolean
  /**
   * disarm stops the timer but keeps following the parent: a streamed body, whose headers came
   * in time, may take longer than one attempt's deadline and must still end with the caller.
   */
  disarm(): void
  /** dispose stops the timer and detaches from the parent; call it when the work is done. */
  dispose(): void
}

/**
 * deadline is `AbortSignal.any([parent, AbortSignal.timeout(ms)])` without their garbage: one
 * controller, one timer and one listener, all released by dispose. The composite signal costs a
 * WeakRef and a finalizer per request and keeps its timer alive for the whole deadline (60 s),
 * which at hundreds of scheduled checks a second kept tens of thousands of each around.
 */
export function deadline(parent: AbortSignal | undefined, ms: number): Deadline {
  const controller = new AbortController()
  let expired = false
  if (parent?.aborted) {
    controller.abort(parent.reason)
    const noop = () => undefined
    return { signal: controller.signal, expired: () => false, disarm: noop, dispose: noop }
  }
  const timer = setTimeout(() => {
    expired = true
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))
  }, ms)
  const onAbort = () => controller.abort(parent?.reason)
  parent?.addEventListener('abort', onAbort, { once: true })
  return {
    signal: controller.signal,
    expired: () => expired,
    disarm: () => clearTimeout(timer),
    dispose: () => {
      clearTimeout(timer)
      parent?.removeEventListener('abort', onAbort)
    },
  }
}

/** sleep waits `ms` milliseconds or rejects with the signal's reason when it aborts first. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) {
    signal?.throwIfAborted()
    return
  }
  await delay(ms, undefined, signal ? { signal } : undefined)
}
