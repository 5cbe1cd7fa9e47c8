/**
 * The arithmetic of a registry's shared token bucket (ScheduleStore.takeTokens) for a backend
 * that reads and writes the `registry_budgets` row in one transaction; PostgreSQL does the same
 * in its statement (docs/imports.md#per-registry-budgets).
 */
import type { TokenBucket, TokenGrant } from './schedule.js'

/** BucketRow is a `registry_budgets` row: tokens as of refilledAt, and the registry's pause. */
export interface BucketRow {
  readonly tokens: number
  readonly refilledAt: number
  readonly pausedUntil: number
}

/** A registry never seen: empty since the epoch, so its first take finds it full. */
export const UNSEEN_BUCKET: BucketRow = { tokens: 0, refilledAt: 0, pausedUntil: 0 }

/** takeFrom refills `row` up to `now` and grants up to `want` whole tokens; returns both. */
export function takeFrom(
  row: BucketRow,
  want: number,
  now: number,
  bucket: TokenBucket,
): { row: BucketRow; grant: TokenGrant } {
  const elapsed = Math.max(0, now - row.refilledAt)
  const refilled = Math.min(bucket.burst, row.tokens + (elapsed * bucket.rate) / 1000)
  const granted = row.pausedUntil > now ? 0 : Math.min(want, Math.floor(refilled))
  const tokens = refilled - granted
  return {
    row: { tokens, refilledAt: Math.max(row.refilledAt, now), pausedUntil: row.pausedUntil },
    grant: { granted, tokens, pausedUntil: row.pausedUntil },
  }
}
