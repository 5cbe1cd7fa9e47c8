/**
 * `project.openshift.io/v1`: projects, the namespaces a user may see, and projectrequests, the
 * self-service way to make one, as openshift-apiserver serves them
 * (pkg/project/apiserver/registry/project/proxy and projectrequest/delegated;
 * docs/access-control.md#projects). A project is a view of its namespace: listing shows the
 * namespaces the caller may `get` (all of them for one who may list namespaces), reading one asks
 * for `get projects` in that namespace, deleting one deletes the namespace. A project request
 * creates the namespace with its requester, display name and description annotations, and makes
 * the requester its admin with a RoleBinding `admin`, as OpenShift's default project template.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  RBAC_GROUP,
  RESOURCES,
  nameIsPathSegment,
  checkDNS1123Label,
  invalid as invalidField,
  required,
  statusInvalid,
  type FieldError,
  type Namespace,
  type RoleBinding,
} from '../../../api/index.js'
import {
  PROJECT_ANNOTATIONS,
  PROJECT_API_PATH,
  PROJECT_API_VERSION,
  PROJECT_GROUP,
} from '../../../api/paths.js'
import { isStoreError, objectKey } from '../../../storage/index.js'
import { authorizeRequest, requestUser, type UserInfo } from '../../auth/index.js'
import type { DiscoveryResource } from '../../discovery.js'
import {
  alreadyExists,
  badRequest,
  forbidden,
  notFound,
  StatusError,
  type StatusCause,
} from '../../status.js'
import type { ResourceContext } from '../context.js'
import { createObject } from '../operations/create.js'
import { deleteObject, parseDeleteOptions } from '../operations/delete.js'
import { streamObjects } from '../operations/read.js'
import { isJsonObject } from '../patch/json-value.js'
import { queryDryRun, readQuery } from '../query.js'
import { sendObject, sendStreamedList } from '../respond.js'
import type { PrintableObject } from '../table.js'
import { served } from './request.js'

const printable = (o: Project) => o as unknown as PrintableObject

const API_VERSION = PROJECT_API_VERSION
const BASE = PROJECT_API_PATH

/** PROJECTS_DISCOVERY lists projects and projectrequests with the verbs served here. */
export const PROJECTS_DISCOVERY: readonly DiscoveryResource[] = [
  {
    plural: 'projects',
    singular: 'project',
    kind: 'Project',
    group: PROJECT_GROUP,
    version: 'v1',
    namespaced: false,
    verbs: ['delete', 'get', 'list'],
  },
  {
    plural: 'projectrequests',
    singular: 'projectrequest',
    kind: 'ProjectRequest',
    group: PROJECT_GROUP,
    version: 'v1',
    namespaced: false,
    verbs: ['create', 'list'],
  },
]

/** Names and prefixes nobody may request (openshift-apiserver projectrequest/delegated). */
const FORBIDDEN_NAMES = ['openshift', 'kubernetes', 'kube']
const FORBIDDEN_PREFIXES = ['openshift-', 'kubernetes-', 'kube-']

/** Project is project.openshift.io/v1 Project: a namespace's metadata, finalizers and phase. */
export interface Project {
  readonly kind: 'Project'
  readonly apiVersion: typeof API_VERSION
  readonly metadata: Namespace['metadata']
  readonly spec?: Namespace['spec']
  readonly status?: Namespace['status']
}

/** projectOf is the Project view of a namespace, as ConvertNamespaceFromExternal makes it. */
export function projectOf(namespace: Namespace): Project {
  return {
    kind: 'Project',
    apiVersion: API_VERSION,
    metadata: namespace.metadata,
    ...(namespace.spec === undefined ? {} : { spec: namespace.spec }),
    ...(namespace.status === undefined ? {} : { status: namespace.status }),
  }
}

/**
 * validateProjectName is ValidateProjectName: a path segment, at least two characters, and a
 * namespace name (an RFC 1123 label).
 */
export function validateProjectName(name: string): string[] {
  const segment = nameIsPathSegment(name, false)
  if (segment.length > 0) return segment
  if (name.length < 2) return ['must be at least 2 characters long']
  return checkDNS1123Label(name)
}

/** ProjectRequestBody is what a project request carries. */
interface ProjectRequestBody {
  readonly name: string
  readonly displayName: string
  readonly description: string
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '')

/** readProjectRequest checks a ProjectRequest body as the strategy's validation does; 422 on error. */
export function readProjectRequest(body: unknown): ProjectRequestBody {
  if (!isJsonObject(body)) throw badRequest('the request body must be a ProjectRequest object')
  const metadata = isJsonObject(body.metadata) ? body.metadata : {}
  const name = text(metadata.name)
  const displayName = text(body.displayName)
  const errors: FieldError[] = []
  if (name === '') errors.push(required('metadata.name', 'name or generateName is required'))
  for (const problem of name === '' ? [] : validateProjectName(name)) {
    errors.push(invalidField('metadata.name', name, problem))
  }
  if (displayName.includes('\n') || displayName.includes('\t')) {
    errors.push(invalidField('displayName', displayName, 'may not contain a new line or tab'))
  }
  if (errors.length > 0) {
    const status = statusInvalid('ProjectRequest', PROJECT_GROUP, name, errors)
    throw new StatusError('Invalid', status.message ?? 'Invalid', {
      name,
      group: PROJECT_GROUP,
      kind: 'ProjectRequest',
      causes: (status.details?.causes ?? []) as StatusCause[],
    })
  }
  return { name, displayName, description: text(body.description) }
}

/** adminBinding makes the requester the admin of the new project, as the default template does. */
function adminBinding(namespace: string, user: string): RoleBinding {
  return {
    kind: 'RoleBinding',
    apiVersion: `${RBAC_GROUP}/v1`,
    metadata: { name: 'admin', namespace },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'admin' },
    subjects: [{ apiGroup: RBAC_GROUP, kind: 'User', name: user }],
  }
}

const SERVER_WRITE = { dryRun: false, fieldValidation: 'Ignore' } as const

/** registerProjects adds the project and project request routes. */
export function registerProjects(app: FastifyInstance, ctx: ResourceContext): void {
  const projects = { group: PROJECT_GROUP, resource: 'projects' }
  const authorized = (user: UserInfo, verb: string, resource: string, namespace?: string) =>
    app.authorizer
      .authorize(user, {
        kind: 'resource',
        verb,
        group: resource === 'namespaces' ? '' : PROJECT_GROUP,
        resource,
        ...(namespace === undefined ? {} : { namespace, name: namespace }),
      })
      .then((d) => d.allowed)
  const readNamespace = async (name: string): Promise<Namespace> => {
    try {
      return await ctx.store.get<Namespace>(objectKey('namespaces', name))
    } catch (err) {
      if (isStoreError(err, 'NotFound')) throw notFound(projects, name)
      throw err
    }
  }
  const authorizeProject = (request: FastifyRequest, verb: string, name: string) =>
    authorizeRequest(request, {
      kind: 'resource',
      verb,
      group: PROJECT_GROUP,
      resource: 'projects',
      namespace: name,
      name,
    })

  app.get(`${BASE}/projects`, async (request, reply) => {
    const user = await authorizeRequest(request, {
      kind: 'resource',
      verb: 'list',
      group: PROJECT_GROUP,
      resource: 'projects',
    })
    const query = readQuery(request)
    const list = await streamObjects(ctx, RESOURCES.namespaces, undefined, {
      labelSelector: query.labelSelector,
      fieldSelector: undefined,
      continue: undefined,
    })
    // One who may list every namespace sees every project; others those they may get.
    const everything = await authorized(user, 'list', 'namespaces')
    async function* projects(): AsyncGenerator<PrintableObject[]> {
      for await (const batch of list.batches) {
        const items: PrintableObject[] = []
        for (const namespace of batch) {
          const name = namespace.metadata.name ?? ''
          if (everything || (await authorized(user, 'get', 'namespaces', name))) {
            items.push(printable(projectOf(namespace)))
          }
        }
        yield items
      }
    }
    return sendStreamedList(request, reply, served(ctx, request, 'projects'), {
      kind: 'ProjectList',
      apiVersion: API_VERSION,
      metadata: list.metadata,
      batches: projects(),
    })
  })

  app.get<{ Params: { name: string } }>(`${BASE}/projects/:name`, async (request, reply) => {
    const { name } = request.params
    await authorizeProject(request, 'get', name)
    const project = projectOf(await readNamespace(name))
    return sendObject(request, reply, served(ctx, request, 'projects'), printable(project))
  })

  app.delete<{ Params: { name: string } }>(`${BASE}/projects/:name`, async (request, reply) => {
    const { name } = request.params
    await authorizeProject(request, 'delete', name)
    const options = parseDeleteOptions(request.body, queryDryRun(request))
    try {
      await deleteObject(ctx, RESOURCES.namespaces, undefined, name, options)
    } catch (err) {
      if (isStoreError(err, 'NotFound')) throw notFound(projects, name)
      throw err
    }
    return reply
      .code(200)
      .type('application/json')
      .send({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' })
  })

  // What `oc new-project` asks first: whether the caller may request projects at all.
  app.get(`${BASE}/projectrequests`, async (request, reply) => {
    const user = await authorizeRequest(request, {
      kind: 'resource',
      verb: 'list',
      group: PROJECT_GROUP,
      resource: 'projectrequests',
    })
    if (!(await authorized(user, 'create', 'projectrequests'))) {
      throw new StatusError('Forbidden', 'You may not request a new project via this API.', {
        name: '',
        group: PROJECT_GROUP,
        kind: 'projectrequest',
      })
    }
    return reply
      .code(200)
      .type('application/json')
      .send({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' })
  })

  app.post(`${BASE}/projectrequests`, async (request, reply) => {
    const user = await authorizeRequest(request, {
      kind: 'resource',
      verb: 'create',
      group: PROJECT_GROUP,
      resource: 'projectrequests',
    })
    const wanted = readProjectRequest(request.body)
    const project = { group: PROJECT_GROUP, resource: 'project' }
    if (FORBIDDEN_NAMES.includes(wanted.name)) {
      throw forbidden(
        project,
        wanted.name,
        `cannot request a project with the name "${wanted.name}"`,
      )
    }
    const prefix = FORBIDDEN_PREFIXES.find((p) => wanted.name.startsWith(p))
    if (prefix !== undefined) {
      throw forbidden(project, wanted.name, `cannot request a project starting with "${prefix}"`)
    }
    const namespace = {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: {
        name: wanted.name,
        annotations: {
          [PROJECT_ANNOTATIONS.description]: wanted.description,
          [PROJECT_ANNOTATIONS.displayName]: wanted.displayName,
          [PROJECT_ANNOTATIONS.requester]: requestUser(request).name,
        },
      },
    }
    let created: Namespace
    try {
      created = (await createObject(ctx, RESOURCES.namespaces, undefined, namespace, SERVER_WRITE))
        .object
    } catch (err) {
      if (isStoreError(err, 'AlreadyExists')) throw alreadyExists(project, wanted.name)
      throw err
    }
    try {
      await createObject(
        ctx,
        RESOURCES.rolebindings,
        wanted.name,
        adminBinding(wanted.name, user.name),
        SERVER_WRITE,
      )
    } catch (err) {
      // As OpenShift: a project whose template objects could not all be made is removed.
      await deleteObject(ctx, RESOURCES.namespaces, undefined, wanted.name, {
        dryRun: false,
        uid: undefined,
        resourceVersion: undefined,
      }).catch(() => undefined)
      throw err
    }
    return sendObject(
      request,
      reply,
      served(ctx, request, 'projects'),
      printable(projectOf(created)),
      {
        code: 201,
      },
    )
  })
}
