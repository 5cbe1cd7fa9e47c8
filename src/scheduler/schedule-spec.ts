/**
 * What the due-queue should hold for a stream, and when rows fall due: the scheduled tags of a
 * spec with their intervals, and the jittered times of next checks (docs/imports.md#the-due-queue).
 * Pure.
 */
import type { ImageStream, TagReference } from '../api/index.js'
import { ANNOTATIONS } from '../api/index.js'
import type { BackoffPolicy } from '../lib/backoff.js'
import { parseDuration } from '../lib/duration.js'
import { parseImageReference } from '../reference/index.js'
import type { ScheduleSpec } from '../storage/index.js'
import { isImportable } from './tag-imports.js'

/** Shortest per-tag interval the annotation may ask for; shorter values are refused as invalid. */
export const MIN_TAG_INTERVAL_MS = 1000

/** InvalidInterval describes an annotation that could not be used. */
export interface InvalidInterval {
  readonly tag: string
  readonly value: string
}

/**
 * tagInterval reads the tag's interval annotation; undefined when absent or invalid (a bad
 * value must not stop the tag from being followed at the server's cadence).
 */
export function tagInterval(tag: TagReference): number | undefined {
  const value = tag.annotations?.[ANNOTATIONS.scheduledImportInterval]
  if (value === undefined) return undefined
  const ms = parseDuration(value.trim())
  return ms !== undefined && ms >= MIN_TAG_INTERVAL_MS ? ms : undefined
}

/**
 * scheduleSpecs lists the stream's scheduled tags as queue specs: importable (DockerImage, not
 * `reference`) with `importPolicy.scheduled`, and pointing at a tag. A digest never moves, so
 * checking it again is pointless (OpenShift stops scheduling such tags once imported); an
 * unparsable source fails every import and is left to the import's own condition.
 */
export function scheduleSpecs(
  stream: ImageStream,
  defaultIntervalMs: number,
): { specs: ScheduleSpec[]; invalid: InvalidInterval[] } {
  const specs: ScheduleSpec[] = []
  const invalid: InvalidInterval[] = []
  for (const tag of stream.spec?.tags ?? []) {
    if (!isImportable(tag) || tag.importPolicy?.scheduled !== true) continue
    const source = tag.from?.name ?? ''
    let registry: string
    try {
      const ref = parseImageReference(source)
      if (ref.digest) continue
      registry = ref.registry
    } catch {
      continue
    }
    const annotated = tag.annotations?.[ANNOTATIONS.scheduledImportInterval]
    const own = tagInterval(tag)
    if (annotated !== undefined && own === undefined)
      invalid.push({ tag: tag.name, value: annotated })
    specs.push({ tag: tag.name, source, registry, intervalMs: own ?? defaultIntervalMs })
  }
  return { specs, invalid }
}

/** jittered spreads `ms` uniformly over ±`jitter` of itself, so tags added together drift apart. */
export function jittered(ms: number, jitter: number, random: () => number): number {
  return Math.round(ms * (1 - jitter + 2 * jitter * random()))
}

/**
 * failureDelay is the wait after the `failures`-th consecutive failure (1-based): exponential
 * from `policy.baseMs`, capped at `policy.maxMs` (the tag's interval: a failing tag is never
 * checked less often than a healthy one), ± jitter. Not full jitter as in backoffDelay: the
 * gaps must grow, or a broken tag could be retried at once.
 */
export function failureDelay(
  policy: BackoffPolicy,
  failures: number,
  jitter: number,
  random: () => number,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * policy.factor ** Math.max(0, failures - 1))
  return jittered(ceiling, jitter, random)
}

/**
 * spreadWindow is how long overdue rows are spread over at start. Rows that fell due during
 * `lag` (the oldest due row's age, roughly the downtime) were spread over `lag` when they were
 * scheduled, so spreading them over `lag` again replays them at the rate a running server
 * would have checked them, never faster. The interval caps it: spread longer, and some tags
 * would wait more than two intervals.
 */
export function spreadWindow(lagMs: number, intervalMs: number): number {
  return Math.max(0, Math.min(lagMs, intervalMs))
}
