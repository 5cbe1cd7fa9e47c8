/**
 * The resource API of `isctl serve`: generic handlers for every stored resource (images,
 * imagestreams with `/status`, namespaces, secrets, serviceaccounts, the RBAC roles and
 * bindings), the virtual
 * imagestreamtags, imagetags and imagestreamimages, imagestreammappings and imagesignatures
 * (writes into streams and Images), the read-only `imagestreams/schedule` view of the
 * due-queue, `imagestreams/secrets` and `/layers`, events.k8s.io/v1 over the stored core
 * events, the empty lists kubectl describe reads, and project.openshift.io's projects and
 * projectrequests.
 * imagestreamimports is registered by its own module. See docs/kubernetes-api.md for the contract.
 */
import type { FastifyInstance } from 'fastify'
import { RBAC_GROUP } from '../../api/index.js'
import type { Store } from '../../storage/index.js'
import { escalationGuard } from '../auth/escalation.js'
import type { ResourceContext, ResourceSettings } from './context.js'
import { registerEmptyLists } from './endpoints/empty-lists.js'
import { eventsV1Endpoint } from './endpoints/events-v1.js'
import { storedEndpoint } from './endpoints/stored.js'
import { registerProjects } from './endpoints/projects.js'
import { registerSchedule } from './endpoints/schedule.js'
import { registerImageStreamViews } from './endpoints/imagestream-views.js'
import {
  imageSignaturesEndpoint,
  imageStreamImagesEndpoint,
  imageStreamMappingsEndpoint,
  imageStreamTagsEndpoint,
  imageTagsEndpoint,
} from './endpoints/virtual.js'
import { NamespaceTerminator } from './namespace-termination.js'
import { registerEndpoint } from './routes.js'
import { ServiceAccountsController } from './service-accounts-controller.js'
import { STORED_RESOURCES } from './served.js'

/** ResourceDeps are what registerResources needs. */
export interface ResourceDeps {
  readonly store: Store
  readonly settings: ResourceSettings
  /** Clock for Table ages and server-set timestamps; default Date.now (tests pin it). */
  readonly now?: () => number
}

/** registerResources adds every resource route to the app (before it listens). */
export function registerResources(app: FastifyInstance, deps: ResourceDeps): void {
  const now = deps.now ?? Date.now
  const terminator = new NamespaceTerminator(deps.store, app.log, now)
  app.addHook('onReady', () => terminator.resume())
  app.addHook('onClose', () => terminator.close())
  const serviceAccounts = new ServiceAccountsController(deps.store, app.log)
  app.addHook('onReady', () => serviceAccounts.start())
  app.addHook('onClose', () => serviceAccounts.stop())
  const ctx: ResourceContext = {
    store: deps.store,
    settings: deps.settings,
    now,
    terminateNamespace: (name) => terminator.terminate(name),
  }
  for (const resource of STORED_RESOURCES) {
    // Writes of roles and bindings are checked for escalation (docs/access-control.md).
    const guard =
      resource.group === RBAC_GROUP ? escalationGuard(resource.plural, ctx.store) : undefined
    registerEndpoint(app, storedEndpoint(ctx, resource, guard))
  }
  registerEndpoint(app, imageStreamTagsEndpoint(ctx))
  registerEndpoint(app, imageStreamImagesEndpoint(ctx))
  registerEndpoint(app, imageTagsEndpoint(ctx))
  registerEndpoint(app, imageStreamMappingsEndpoint(ctx))
  registerEndpoint(app, imageSignaturesEndpoint(ctx))
  registerImageStreamViews(app, ctx)
  registerEndpoint(app, eventsV1Endpoint(ctx))
  registerEmptyLists(app, ctx)
  registerSchedule(app, ctx)
  registerProjects(app, ctx)
}

export type { ResourceContext, ResourceSettings } from './context.js'
export { ensureDefaults, ensureNamespaceExists } from './namespaces.js'
export { SCHEDULE_DISCOVERY } from './endpoints/schedule.js'
export { PROJECTS_DISCOVERY } from './endpoints/projects.js'
export { LAYERS_DISCOVERY, SECRETS_DISCOVERY } from './endpoints/imagestream-views.js'
export { OPENAPI_RESOURCES } from './openapi-resources.js'
export { EVENTS_V1_DISCOVERY } from './endpoints/events-v1.js'
export { dockerImageRepository, strategyFor } from './strategies/index.js'
export { present } from './present.js'
export { admitNew } from './operations/create.js'
export { checkWriteOptions } from './operations/write-options.js'
export { resolveReferenceForTagEvent, imageStreamTagView } from './virtual/istag-view.js'
