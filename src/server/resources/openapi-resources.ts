/**
 * The resources the OpenAPI documents describe: the kinds registry, the events.k8s.io/v1 view
 * of core events, and the image stream views that answer kinds of their own.
 */
import { RESOURCE_LIST } from '../../api/index.js'
import type { OpenAPIResource } from '../openapi/index.js'
import { EVENTS_V1_OPENAPI } from './endpoints/events-v1.js'
import { IMAGESTREAM_VIEWS_OPENAPI } from './endpoints/imagestream-views.js'

/** OPENAPI_RESOURCES are what `/openapi/v3` and `/openapi/v2` are built from. */
export const OPENAPI_RESOURCES: readonly OpenAPIResource[] = [
  ...RESOURCE_LIST,
  EVENTS_V1_OPENAPI,
  ...IMAGESTREAM_VIEWS_OPENAPI,
]
