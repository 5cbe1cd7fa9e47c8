/** Retry timing shared by every layer that retries: full-jitter exponential backoff. */

/** BackoffPolicy describes how long to wait between attempts. */
export interface BackoffPolicy {
  /** First delay's upper bound in milliseconds. */
  readonly baseMs: number
  /** Growth factor per attempt. */
  readonly factor: number
  /** Upper bound for any single delay. */
  readonly maxMs: number
}

/**
 * backoffDelay returns the delay before retry number `attempt` (0-based) with full jitter, so
 * that many clients failing together do not retry in lock step (AWS "Exponential Backoff And
 * Jitter").
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * policy.factor ** attempt)
  return Math.round(random() * ceiling)
}
