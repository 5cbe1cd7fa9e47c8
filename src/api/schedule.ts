/**
 * ImageStreamSchedule: the read-only `imagestreams/<name>/schedule` subresource, a view of the
 * server's due-queue (docs/imports.md#visibility-schedule-and-metrics). It is not stored and has no
 * resourceVersion: the server builds it from the queue's rows on each read, so `isctl describe is`
 * can say when a scheduled tag was last checked and when it will be next.
 */
import type { IMAGE_API_VERSION } from './constants.js'

/** SCHEDULE_SUBRESOURCE is the subresource's name under imagestreams. */
export const SCHEDULE_SUBRESOURCE = 'schedule'

/** ScheduledTagStatus is where one scheduled tag stands in the queue. */
export interface ScheduledTagStatus {
  readonly tag: string
  /** When the last check ran (success or failure), RFC 3339; absent before the first. */
  readonly lastCheckTime?: string
  /** When the tag is next due, RFC 3339. */
  readonly nextCheckTime: string
  /** Consecutive failed checks; 0 after a success. */
  readonly failures: number
  /** The last failure's message, while failures > 0. */
  readonly lastError?: string
}

/** ImageStreamSchedule lists the scheduled tags of one stream, ordered by tag. */
export interface ImageStreamSchedule {
  readonly kind: 'ImageStreamSchedule'
  readonly apiVersion: typeof IMAGE_API_VERSION
  readonly metadata: { readonly name: string; readonly namespace: string }
  readonly tags: readonly ScheduledTagStatus[]
}
