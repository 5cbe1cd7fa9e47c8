/**
 * `GET .../namespaces/<ns>/imagestreams/<name>/schedule`: the stream's rows of the due-queue as
 * an ImageStreamSchedule, read-only. It is routed on its own rather than as a registry
 * subresource because it is not a stored object: it has no schema, OpenAPI component, Table or
 * write verbs, and the generic handlers would answer it with the stream itself.
 */
import type { FastifyInstance } from 'fastify'
import {
  IMAGE_API_VERSION,
  IMAGE_GROUP,
  RESOURCES,
  SCHEDULE_SUBRESOURCE,
  type ImageStreamSchedule,
  type ScheduledTagStatus,
} from '../../../api/index.js'
import { objectKey, type ScheduleEntry } from '../../../storage/index.js'
import type { DiscoveryResource } from '../../discovery.js'
import type { ResourceContext } from '../context.js'
import { routeStreamView } from './stream-view-route.js'

const { imagestreams } = RESOURCES

/** SCHEDULE_DISCOVERY lists the subresource in discovery as `imagestreams/schedule` (get only). */
export const SCHEDULE_DISCOVERY: DiscoveryResource = {
  plural: `${imagestreams.plural}/${SCHEDULE_SUBRESOURCE}`,
  singular: '',
  kind: 'ImageStreamSchedule',
  group: IMAGE_GROUP,
  version: imagestreams.version,
  namespaced: true,
  verbs: ['get'],
}

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** scheduleView renders a stream's queue rows as the API object. */
export function scheduleView(
  namespace: string,
  name: string,
  rows: readonly ScheduleEntry[],
): ImageStreamSchedule {
  return {
    kind: 'ImageStreamSchedule',
    apiVersion: IMAGE_API_VERSION,
    metadata: { name, namespace },
    tags: rows.map((row): ScheduledTagStatus => ({
      tag: row.tag,
      ...(row.lastCheckAt === undefined ? {} : { lastCheckTime: rfc3339(row.lastCheckAt) }),
      nextCheckTime: rfc3339(row.nextCheckAt),
      failures: row.failures,
      ...(row.failures > 0 && row.lastError !== undefined ? { lastError: row.lastError } : {}),
    })),
  }
}

/** registerSchedule adds the schedule route; every other method on it is 405, as for a subresource. */
export function registerSchedule(app: FastifyInstance, ctx: ResourceContext): void {
  routeStreamView(app, SCHEDULE_SUBRESOURCE, async (_request, _reply, namespace, name) => {
    // Read first so a missing stream is the stream's own NotFound, not an empty schedule.
    await ctx.store.get(objectKey(imagestreams.plural, name, namespace))
    return scheduleView(namespace, name, await ctx.store.schedule.list(namespace, name))
  })
}
