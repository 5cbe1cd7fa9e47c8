/**
 * OpenAPI `paths` for the resources of one group version, shaped as the apiserver's: one path
 * item per collection, object and subresource, each operation carrying `x-kubernetes-action`
 * and `x-kubernetes-group-version-kind` and the query parameters kubectl checks for.
 *
 * kubectl decides whether to trust server-side field validation by finding, in the group
 * version's document, a PATCH operation whose GVK is the kind being written and looking for a
 * `fieldValidation` query parameter among that operation's own parameters
 * (docs/kubernetes-api.md#openapi). It stops at the first PATCH with the GVK, so every PATCH
 * carries the full set, and every kind has one at its object path, even kinds that cannot be
 * patched (ImageStreamImport): without it kubectl falls back to `/openapi/v2`.
 */
import {
  DELETE_OPTIONS_COMPONENT,
  PATCH_COMPONENT,
  STATUS_COMPONENT,
  componentName,
  listKindOf,
  type ComponentSet,
  type GroupVersionKind,
  type JsonObject,
  type OpenAPIResource,
} from './components.js'

function query(name: string, type: string, description: string): JsonObject {
  return { name, in: 'query', description, schema: { type } }
}

function pathParameter(name: string, description: string): JsonObject {
  return { name, in: 'path', description, required: true, schema: { type: 'string' } }
}

const P = {
  pretty: query('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: query(
    'dryRun',
    'string',
    'When present, indicates that modifications should not be persisted. The only valid value is All.',
  ),
  fieldManager: query(
    'fieldManager',
    'string',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  fieldValidation: query(
    'fieldValidation',
    'string',
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn or Strict (the default).',
  ),
  force: query(
    'force',
    'boolean',
    'Force is going to "force" Apply requests: the request re-acquires conflicting fields owned by other people. Must be unset for non-apply patch requests.',
  ),
  allowWatchBookmarks: query(
    'allowWatchBookmarks',
    'boolean',
    'allowWatchBookmarks requests watch events with type "BOOKMARK".',
  ),
  continue: query(
    'continue',
    'string',
    'The continue option should be set when retrieving more results from the server, with the value of the previous list response.',
  ),
  fieldSelector: query(
    'fieldSelector',
    'string',
    'A selector to restrict the list of returned objects by their fields (metadata.name and metadata.namespace).',
  ),
  labelSelector: query(
    'labelSelector',
    'string',
    'A selector to restrict the list of returned objects by their labels.',
  ),
  limit: query(
    'limit',
    'integer',
    'limit is a maximum number of responses to return for a list call; the response then carries a continue token.',
  ),
  resourceVersion: query(
    'resourceVersion',
    'string',
    'resourceVersion sets a constraint on what resource versions a request may be served from; for a watch, the version to start after.',
  ),
  resourceVersionMatch: query(
    'resourceVersionMatch',
    'string',
    'resourceVersionMatch determines how resourceVersion is applied to list calls.',
  ),
  timeoutSeconds: query(
    'timeoutSeconds',
    'integer',
    'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.',
  ),
  watch: query(
    'watch',
    'boolean',
    'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.',
  ),
  gracePeriodSeconds: query(
    'gracePeriodSeconds',
    'integer',
    'The duration in seconds before the object should be deleted.',
  ),
  propagationPolicy: query(
    'propagationPolicy',
    'string',
    'Whether and how garbage collection will be performed: Orphan, Background or Foreground.',
  ),
  name: pathParameter('name', 'name of the object'),
  namespace: pathParameter(
    'namespace',
    'object name and auth scope, such as for teams and projects',
  ),
} as const

const LIST_PARAMETERS = [
  P.allowWatchBookmarks,
  P.continue,
  P.fieldSelector,
  P.labelSelector,
  P.limit,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.timeoutSeconds,
  P.watch,
]
const WRITE_PARAMETERS = [P.dryRun, P.fieldManager, P.fieldValidation]
const DELETE_PARAMETERS = [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy]

/**
 * PATCH_TYPES are the patch media types the server accepts on every kind
 * (docs/kubernetes-api.md#patch-types). Listing the strategic merge patch is what makes
 * client-side `kubectl apply` build one from the schema's `x-kubernetes-patch-merge-key`s
 * (k8s.io/kubectl pkg/cmd/apply/patcher.go), so spec tags merge by name as they do against
 * OpenShift, instead of a JSON merge patch that replaces whole lists.
 */
const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
]

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/**
 * operationGroup is the apiserver's operation-id spelling of a group: `ImageOpenshiftIo`,
 * `Core`, and `Events` for events.k8s.io (Kubernetes' groups drop their `.k8s.io`).
 */
export function operationGroup(group: string): string {
  if (group === '') return 'Core'
  return group
    .replace(/\.k8s\.io$/, '')
    .split(/[.-]/)
    .map(capitalize)
    .join('')
}

/** groupVersionPath is `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`
}

interface OperationContext {
  readonly components: ComponentSet
  readonly resource: OpenAPIResource
  /** The operation-id stem, `ImageOpenshiftIoV1NamespacedImageStream`. */
  readonly stem: string
  readonly tag: string
}

function jsonResponse(description: string, schema: JsonObject): JsonObject {
  return { description, content: { 'application/json': { schema } } }
}

function operation(
  ctx: OperationContext,
  gvk: GroupVersionKind,
  fields: {
    readonly id: string
    readonly action: string
    readonly description: string
    readonly parameters?: readonly JsonObject[]
    readonly requestBody?: JsonObject
    readonly responses: JsonObject
  },
): JsonObject {
  return {
    tags: [ctx.tag],
    description: fields.description,
    operationId: fields.id,
    ...(fields.parameters?.length ? { parameters: fields.parameters } : {}),
    ...(fields.requestBody ? { requestBody: fields.requestBody } : {}),
    responses: { ...fields.responses, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': fields.action,
    'x-kubernetes-group-version-kind': { group: gvk.group, version: gvk.version, kind: gvk.kind },
  }
}

/** patchOperation is the PATCH every kind has: the operation kubectl's validation probe looks for. */
function patchOperation(
  ctx: OperationContext,
  gvk: GroupVersionKind,
  id: string,
  what: string,
  served: boolean,
): JsonObject {
  const patch = ctx.components.ref(PATCH_COMPONENT)
  const object = ctx.components.ref(componentName(gvk))
  return operation(ctx, gvk, {
    id,
    action: 'patch',
    description: served
      ? `partially update the specified ${what}`
      : `${ctx.resource.kind} cannot be patched (the server answers 405 MethodNotAllowed); the operation is listed so that clients find the fieldValidation parameter for the kind`,
    parameters: [...WRITE_PARAMETERS, P.force],
    requestBody: {
      content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: patch }])),
      required: true,
    },
    responses: { '200': jsonResponse('OK', object), '201': jsonResponse('Created', object) },
  })
}

/** resourcePaths are the path items of one resource (not a subresource entry). */
function resourcePaths(components: ComponentSet, r: OpenAPIResource): [string, JsonObject][] {
  const verbs = new Set(r.verbs)
  const gv = `${operationGroup(r.group)}${capitalize(r.version)}`
  const scope = r.namespaced ? 'Namespaced' : ''
  const ctx: OperationContext = {
    components,
    resource: r,
    stem: `${gv}${scope}${r.kind}`,
    tag: `${r.group === '' ? 'core' : operationGroup(r.group).replace(/^./, (c) => c.toLowerCase())}_${r.version}`,
  }
  const own: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind }
  const object = components.ref(componentName(own))
  const status = components.ref(STATUS_COMPONENT)
  const base = groupVersionPath(r.group, r.version)
  const collection = r.namespaced
    ? `${base}/namespaces/{namespace}/${r.plural}`
    : `${base}/${r.plural}`
  const scoped = r.namespaced ? [P.namespace] : []
  const what = r.kind
  const body = (schema: JsonObject): JsonObject => ({
    content: { '*/*': { schema } },
    required: true,
  })
  const deleteBody = { content: { '*/*': { schema: components.ref(DELETE_OPTIONS_COMPONENT) } } }
  // Referenced only by list operations: a kind that cannot be listed has no list component.
  const listResponse = () => {
    const list = components.ref(componentName({ ...r, kind: listKindOf(r) }))
    return {
      description: 'OK',
      content: {
        'application/json': { schema: list },
        'application/json;stream=watch': { schema: list },
      },
    }
  }
  const paths: [string, JsonObject][] = []

  const collectionItem: JsonObject = {}
  if (verbs.has('list')) {
    collectionItem.get = operation(ctx, own, {
      id: `list${ctx.stem}`,
      action: 'list',
      description: `list or watch objects of kind ${what}`,
      parameters: LIST_PARAMETERS,
      responses: { '200': listResponse() },
    })
  }
  if (verbs.has('create')) {
    collectionItem.post = operation(ctx, own, {
      id: `create${ctx.stem}`,
      action: 'post',
      description: `create ${article(what)} ${what}`,
      parameters: WRITE_PARAMETERS,
      requestBody: body(object),
      responses: {
        '200': jsonResponse('OK', object),
        '201': jsonResponse('Created', object),
        '202': jsonResponse('Accepted', object),
      },
    })
  }
  if (verbs.has('deletecollection')) {
    collectionItem.delete = operation(ctx, own, {
      id: `delete${gv}Collection${scope}${r.kind}`,
      action: 'deletecollection',
      description: `delete collection of ${what}`,
      parameters: [...DELETE_PARAMETERS, ...LIST_PARAMETERS.filter((p) => p !== P.watch)],
      requestBody: deleteBody,
      responses: { '200': jsonResponse('OK', status) },
    })
  }
  if (Object.keys(collectionItem).length > 0) {
    paths.push([collection, { ...collectionItem, parameters: [...scoped, P.pretty] }])
  }

  const item: JsonObject = {}
  if (verbs.has('get')) {
    item.get = operation(ctx, own, {
      id: `read${ctx.stem}`,
      action: 'get',
      description: `read the specified ${what}`,
      responses: { '200': jsonResponse('OK', object) },
    })
  }
  if (verbs.has('update')) {
    item.put = operation(ctx, own, {
      id: `replace${ctx.stem}`,
      action: 'put',
      description: `replace the specified ${what}`,
      parameters: WRITE_PARAMETERS,
      requestBody: body(object),
      responses: { '200': jsonResponse('OK', object), '201': jsonResponse('Created', object) },
    })
  }
  item.patch = patchOperation(ctx, own, `patch${ctx.stem}`, what, verbs.has('patch'))
  if (verbs.has('delete')) {
    item.delete = operation(ctx, own, {
      id: `delete${ctx.stem}`,
      action: 'delete',
      description: `delete ${article(what)} ${what}`,
      parameters: DELETE_PARAMETERS,
      requestBody: deleteBody,
      responses: {
        '200': jsonResponse('OK', status),
        '202': jsonResponse('Accepted', status),
      },
    })
  }
  paths.push([`${collection}/{name}`, { ...item, parameters: [P.name, ...scoped, P.pretty] }])

  for (const sub of r.subresources ?? []) {
    const subVerbs = new Set(sub.verbs)
    // A subresource may answer a kind of another group version (imagestreams/secrets: a core/v1
    // SecretList); its schema is then a component of this document too, as in kube's.
    const kind: GroupVersionKind = {
      group: sub.group ?? r.group,
      version: sub.version ?? r.version,
      kind: sub.kind ?? r.kind,
    }
    const subObject = components.ref(componentName(kind))
    const subStem = `${ctx.stem}${capitalize(sub.name)}`
    const subWhat = `${sub.name} of the specified ${what}`
    const subItem: JsonObject = {}
    if (subVerbs.has('get')) {
      subItem.get = operation(ctx, kind, {
        id: `read${subStem}`,
        action: 'get',
        description: `read ${subWhat}`,
        responses: { '200': jsonResponse('OK', subObject) },
      })
    }
    if (subVerbs.has('update')) {
      subItem.put = operation(ctx, kind, {
        id: `replace${subStem}`,
        action: 'put',
        description: `replace ${subWhat}`,
        parameters: WRITE_PARAMETERS,
        requestBody: body(subObject),
        responses: {
          '200': jsonResponse('OK', subObject),
          '201': jsonResponse('Created', subObject),
        },
      })
    }
    if (subVerbs.has('patch'))
      subItem.patch = patchOperation(ctx, kind, `patch${subStem}`, subWhat, true)
    if (Object.keys(subItem).length > 0) {
      paths.push([
        `${collection}/{name}/${sub.name}`,
        { ...subItem, parameters: [P.name, ...scoped, P.pretty] },
      ])
    }
  }

  if (r.namespaced && verbs.has('list')) {
    paths.push([
      `${base}/${r.plural}`,
      {
        get: operation(ctx, own, {
          id: `list${gv}${r.kind}ForAllNamespaces`,
          action: 'list',
          description: `list or watch objects of kind ${what} in every namespace`,
          parameters: LIST_PARAMETERS,
          responses: { '200': listResponse() },
        }),
        parameters: [P.pretty],
      },
    ])
  }
  return paths
}

function article(word: string): string {
  return /^[AEIOU]/.test(word) ? 'an' : 'a'
}

/** buildPaths is the `paths` object of one group version's document, sorted by path. */
export function buildPaths(
  components: ComponentSet,
  resources: readonly OpenAPIResource[],
): Record<string, JsonObject> {
  const entries = resources
    .filter((r) => !r.plural.includes('/'))
    .flatMap((r) => resourcePaths(components, r))
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
