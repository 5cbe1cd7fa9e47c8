/**
 * The decisions of one scheduled check, kept pure: whether a HEAD's digest means "nothing to
 * do", and what the due-queue records afterwards (next time, digest, failures).
 */
import type { ImageStream, ImportMode } from '../api/index.js'
import { IMPORT_SUCCESS } from '../api/index.js'
import { manifestKind } from '../registry/index.js'
import type { CheckOutcome, ScheduleEntry } from '../storage/index.js'
import { failureDelay, jittered } from './schedule-spec.js'

/** Backoff of failing tags: 30 s, doubling, capped at the tag's interval. */
export const FAILURE_BASE_MS = 30_000

/** What a HEAD of the tag answered. */
export interface HeadResult {
  readonly digest: string
  readonly mediaType: string
}

/**
 * isUnchanged: the stream already shows what the registry has, so the check ends with the HEAD.
 * For a single image or a PreserveOriginal list the tag's current image is the HEAD digest
 * itself. For a Legacy tag on a list the status holds the chosen child, which the HEAD cannot
 * show: only the list digest this row recorded after its own import vouches for it. A tag
 * whose last import failed is never unchanged, so that a recovered registry clears the
 * condition through the import engine.
 */
export function isUnchanged(
  row: Pick<ScheduleEntry, 'tag' | 'lastDigest'>,
  stream: ImageStream,
  head: HeadResult,
  mode: ImportMode,
): boolean {
  const status = stream.status?.tags?.find((t) => t.tag === row.tag)
  const failed = status?.conditions?.some((c) => c.type === IMPORT_SUCCESS && c.status === 'False')
  const image = status?.items?.[0]?.image
  if (!image || failed) return false
  if (image === head.digest) return true
  return (
    mode === 'Legacy' && manifestKind(head.mediaType) === 'index' && row.lastDigest === head.digest
  )
}

/** OutcomeContext is what every outcome needs: the time and the jitter source. */
export interface OutcomeContext {
  readonly now: number
  readonly jitter: number
  readonly random: () => number
  readonly failureBaseMs: number
}

/** successOutcome: the tag is at `digest`; next check one interval later, failures reset. */
export function successOutcome(
  row: ScheduleEntry,
  digest: string,
  ctx: OutcomeContext,
): CheckOutcome {
  return {
    nextCheckAt: ctx.now + jittered(row.intervalMs, ctx.jitter, ctx.random),
    lastCheckAt: ctx.now,
    lastDigest: digest,
    failures: 0,
  }
}

/** failureOutcome: one more consecutive failure, retried after an exponential backoff. */
export function failureOutcome(
  row: ScheduleEntry,
  message: string,
  ctx: OutcomeContext,
): CheckOutcome {
  const failures = row.failures + 1
  const policy = { baseMs: ctx.failureBaseMs, factor: 2, maxMs: row.intervalMs }
  return {
    nextCheckAt: ctx.now + failureDelay(policy, failures, ctx.jitter, ctx.random),
    lastCheckAt: ctx.now,
    lastDigest: row.lastDigest,
    failures,
    lastError: message,
  }
}

/**
 * rateLimitedOutcome: the registry asked us to wait until `until`. That is the registry's state,
 * not the tag's, so failures and the last error stay as they were.
 */
export function rateLimitedOutcome(row: ScheduleEntry, until: number, now: number): CheckOutcome {
  return {
    nextCheckAt: until,
    lastCheckAt: now,
    lastDigest: row.lastDigest,
    failures: row.failures,
    lastError: row.lastError,
  }
}
