/** Helpers for AbortSignal plumbing: every I/O call takes a signal and honours deadlines. */
import { setTimeout as delay } from 'node:timers/promises'

/** withDeadline combines an optional caller signal with an absolute timeout. */
export function withDeadline(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms)
  return signal ? AbortSignal.any([signal, timeout]) : timeout
}

/** sleep waits `ms` milliseconds or rejects with the signal's reason when it aborts first. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) {
    signal?.throwIfAborted()
    return
  }
  await delay(ms, undefined, signal ? { signal } : undefined)
}
