/**
 * The due-queue of scheduled tag checks (docs/imports.md#the-due-queue): one row per scheduled spec
 * tag with its next check time and what the last check saw. Rows are not API objects: they have no
 * resourceVersion and no watch events, and recording a check writes nothing else. Claims are
 * leases, so several server replicas can share the queue (`FOR UPDATE SKIP LOCKED` on
 * PostgreSQL) without a leader.
 */

/** ScheduleKey identifies one scheduled tag. */
export interface ScheduleKey {
  readonly namespace: string
  readonly stream: string
  readonly tag: string
}

/** ScheduleSpec is what the stream's spec says about one scheduled tag. */
export interface ScheduleSpec {
  readonly tag: string
  /** The tag's source pull spec (`spec.tags[].from.name`, kind DockerImage). */
  readonly source: string
  /** The registry host of `source` (`docker.io` folded), for per-registry fairness and metrics. */
  readonly registry: string
  /** How often the tag is checked, in milliseconds (the server default or the tag's annotation). */
  readonly intervalMs: number
}

/** ScheduleEntry is one row of the queue. */
export interface ScheduleEntry extends ScheduleKey, ScheduleSpec {
  /** When the tag is next due, in ms since the epoch. */
  readonly nextCheckAt: number
  /** When the last check ran (success or failure), in ms since the epoch. */
  readonly lastCheckAt?: number | undefined
  /**
   * The digest the last successful check saw at the tag: what a HEAD of the tag returns (the
   * list digest for a Legacy tag on a manifest list), so an unchanged tag costs one HEAD.
   */
  readonly lastDigest?: string | undefined
  /** Consecutive failed checks (0 after a success), for exponential backoff. */
  readonly failures: number
  /** The last failure's message, while failures > 0. */
  readonly lastError?: string | undefined
}

/** CheckOutcome is what the scheduler records after checking one claimed row. */
export interface CheckOutcome {
  readonly nextCheckAt: number
  readonly lastCheckAt: number
  readonly lastDigest?: string | undefined
  readonly failures: number
  readonly lastError?: string | undefined
}

/** TokenBucket is the shape of one registry's shared request budget. */
export interface TokenBucket {
  /** Tokens added per second: the registry's requests per second. */
  readonly rate: number
  /** The bucket's capacity: how many requests may go out at once after a quiet spell. */
  readonly burst: number
}

/** TokenGrant is what one take from a registry's token bucket handed out. */
export interface TokenGrant {
  /** Whole requests granted, from 0 to the number wanted. */
  readonly granted: number
  /** Tokens left in the bucket after the grant (a fraction of one when it ran short). */
  readonly tokens: number
  /** Until when the registry is paused, in ms since the epoch; 0 when it never was. */
  readonly pausedUntil: number
}

/** ScheduleStats describe the queue for metrics. */
export interface ScheduleStats {
  /** Rows in the queue. */
  readonly depth: number
  /** Rows due now (nextCheckAt <= now). */
  readonly due: number
  /** The earliest nextCheckAt among due rows: now minus it is the queue's lag. */
  readonly oldestDueAt?: number | undefined
}

/**
 * ScheduleStore is the due-queue's storage. Every method is one transaction of its own, so, as
 * with any Store write, calling a writing one inside Store.transaction is TransactionMisuse.
 * "Due order" is nextCheckAt, ties broken by namespace, stream and tag.
 */
export interface ScheduleStore {
  /**
   * syncStream makes the stream's rows match `specs`: new tags get a row due at
   * `firstCheckAt(spec)`, removed tags lose theirs, and a tag whose source or interval changed is
   * reset (check state and lease cleared, due at firstCheckAt); unchanged rows keep everything
   * (a changed registry alone is recorded without a reset). Duplicate tags in `specs` are a
   * RangeError and change nothing.
   */
  syncStream(
    namespace: string,
    stream: string,
    specs: readonly ScheduleSpec[],
    firstCheckAt: (spec: ScheduleSpec) => number,
  ): Promise<void>
  /** removeStream drops every row of a stream (deleted, or no scheduled tags left). */
  removeStream(namespace: string, stream: string): Promise<void>
  /**
   * claimDue leases up to `limit` rows with nextCheckAt <= now that are not leased (or whose
   * lease ended, at now >= its end), until now + leaseMs, and returns them in due order. Which
   * of several rows tied at the limit's boundary are taken is unspecified.
   */
  claimDue(now: number, limit: number, leaseMs: number): Promise<ScheduleEntry[]>
  /**
   * complete records a check of a claimed row and releases its lease. It is ignored for a row
   * that is not leased: one removed meanwhile, or reset by syncStream (a new source or interval
   * must not take the old check's outcome).
   */
  complete(key: ScheduleKey, outcome: CheckOutcome): Promise<void>
  /**
   * release ends the lease of a claimed row without recording a check, so it is claimable again
   * at its (possibly postponed) next check time: for a row the claimer could not check now, such
   * as one whose registry asked to be left alone. A row not leased is left as it is.
   */
  release(key: ScheduleKey): Promise<void>
  /**
   * postpone moves rows of `registry` due before `until` to `until`, `until + 1`, ... ms in due
   * order (so their order is kept), for a registry that asked to be left alone (429
   * Retry-After); returns how many moved. Leases are untouched.
   */
  postpone(registry: string, until: number): Promise<number>
  /**
   * spreadOverdue gives the n rows due before `now` new times spread evenly over
   * [now, now + spreadMs) in due order (the i-th, from 0, at now + floor(i * spreadMs / n)), so a
   * restart after downtime does not fire them all at once; returns how many moved.
   */
  spreadOverdue(now: number, spreadMs: number): Promise<number>
  /**
   * list returns the rows of one stream, ordered by tag, or, with `stream` or `namespace` empty
   * or absent, of every matching stream, ordered by namespace, stream and tag.
   */
  list(namespace?: string, stream?: string): Promise<ScheduleEntry[]>
  /** stats counts the rows for metrics. */
  stats(now: number): Promise<ScheduleStats>
  /**
   * takeTokens spends up to `want` (a whole number >= 1) requests of `registry`'s token bucket
   * in one atomic step, so the replicas sharing the store share the registry's rate
   * (docs/imports.md#per-registry-budgets). The bucket first gains `rate` tokens per second
   * since its last refill, up to `burst` (a registry never seen starts full), then grants the
   * whole tokens it has, at most `want`; while the registry is paused at `now` it grants none.
   * A `now` behind the bucket's last refill (another replica's clock) adds nothing, so the
   * grants up to any moment never exceed `burst` plus `rate` times the time since the first.
   */
  takeTokens(registry: string, want: number, now: number, bucket: TokenBucket): Promise<TokenGrant>
  /**
   * pauseRegistry records that `registry` asked to be left alone until `until` (429
   * Retry-After); a shorter pause never shortens a longer one.
   */
  pauseRegistry(registry: string, until: number): Promise<void>
}
