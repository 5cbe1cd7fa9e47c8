/**
 * What a request is about, read from its method and URL alone, as the apiserver's
 * RequestInfoFactory reads it (k8s.io/apiserver pkg/endpoints/request/requestinfo.go) before
 * authentication: the Kubernetes verb, and for resource requests the group, version, resource,
 * subresource, namespace and name. The audit log records these for every request, those refused
 * before any handler ran (401) included. Registry requests (`/v2/`, `/admin/`) are described
 * with the attributes the integrated registry authorizes them by, as OpenShift's registry asks
 * the apiserver about them (docs/kubernetes-api.md#audit-log).
 */

/** ObjectRef is an audit Event's objectRef: the object a resource request is about. */
export interface ObjectRef {
  readonly resource: string
  readonly namespace?: string
  readonly name?: string
  readonly apiGroup?: string
  readonly apiVersion?: string
  readonly subresource?: string
}

/** RequestInfo is a request's verb and, for resource requests, its object. */
export interface RequestInfo {
  /** A Kubernetes verb for resource requests; the lower-cased method for the others. */
  readonly verb: string
  /** Absent for non-resource requests (`/version`, discovery, `/v2/` itself). */
  readonly objectRef?: ObjectRef
}

/** Path segments after the namespace that are the namespace's own subresources, not a resource. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize'])

/** The image API group, of the registry's attributes. */
const IMAGE_GROUP = 'image.openshift.io'

/** splitPath splits a path into its decoded segments, as Go's URL.Path has them decoded. */
function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '')
  if (trimmed === '') return []
  return trimmed.split('/').map((segment) => {
    if (!segment.includes('%')) return segment
    try {
      return decodeURIComponent(segment)
    } catch {
      return segment
    }
  })
}

/** exactName is the name a field selector pins, `metadata.name=x` or `==x`, if it does. */
function exactName(selector: string): string | undefined {
  for (const requirement of selector.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(requirement)
    if (m && m[1] !== '' && !/[/%]/.test(m[1]!) && m[1] !== '.' && m[1] !== '..') return m[1]
  }
  return undefined
}

/** methodVerb is the verb of a method on a named object, as RequestInfoFactory maps it. */
function methodVerb(method: string): string {
  switch (method) {
    case 'POST':
      return 'create'
    case 'GET':
    case 'HEAD':
      return 'get'
    case 'PUT':
      return 'update'
    case 'PATCH':
      return 'patch'
    case 'DELETE':
      return 'delete'
    default:
      return ''
  }
}

/** apiRequestInfo reads an API request (`/api/...`, `/apis/...`, anything else non-resource). */
function apiRequestInfo(method: string, path: string, query: string): RequestInfo {
  const nonResource: RequestInfo = { verb: method.toLowerCase() }
  let parts = splitPath(path)
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return nonResource
  let apiGroup = ''
  if (parts[0] === 'apis') {
    if (parts.length < 4) return nonResource
    apiGroup = parts[1]!
    parts = parts.slice(2)
  } else {
    parts = parts.slice(1)
  }
  const apiVersion = parts[0]!
  parts = parts.slice(1)
  let verb: string
  if (parts[0] === 'watch') {
    verb = 'watch'
    parts = parts.slice(1)
  } else {
    verb = methodVerb(method)
  }
  let namespace: string | undefined
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1]
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2)
  }
  const [resource = '', pathName, subresource] = parts
  let name = pathName
  if (name === undefined && verb === 'get') {
    const params = new URLSearchParams(query)
    const watch = params.get('watch')
    verb = watch === null || ['false', '0'].includes(watch.toLowerCase()) ? 'list' : 'watch'
    const selector = params.get('fieldSelector')
    if (selector !== null) name = exactName(selector)
  }
  if (name === undefined && verb === 'delete') verb = 'deletecollection'
  return {
    verb,
    objectRef: {
      resource,
      ...(namespace !== undefined && { namespace }),
      ...(name !== undefined && { name }),
      apiGroup,
      apiVersion,
      ...(subresource !== undefined && { subresource }),
    },
  }
}

/** REPOSITORY_PATH is a distribution URL: a repository name, then its manifests, blobs or tags. */
const REPOSITORY_PATH = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\/[^/]*$/

/**
 * registryRequestInfo reads a registry request: a repository's manifests, blobs and tags are
 * `get` (a push would be `update`) on `imagestreams/layers` of the stream the path names, the
 * check OpenShift's registry makes; `DELETE /admin/blobs/<digest>` is `delete images`.
 */
function registryRequestInfo(method: string, path: string): RequestInfo {
  const admin = /^\/admin\/blobs\/([^/]+)$/.exec(path)
  if (admin) {
    return {
      verb: methodVerb(method),
      objectRef: { resource: 'images', name: admin[1]!, apiGroup: IMAGE_GROUP, apiVersion: 'v1' },
    }
  }
  const repo = REPOSITORY_PATH.exec(path)
  const [namespace, ...stream] = repo ? repo[1]!.split('/') : []
  if (namespace === undefined || stream.length === 0) return { verb: method.toLowerCase() }
  const read = method === 'GET' || method === 'HEAD'
  return {
    verb: read ? 'get' : method === 'DELETE' ? 'delete' : 'update',
    objectRef: {
      resource: 'imagestreams',
      namespace,
      name: stream.join('/'),
      apiGroup: IMAGE_GROUP,
      apiVersion: 'v1',
      subresource: 'layers',
    },
  }
}

/** requestInfo reads a request's verb and object from its method and URL (`/path?query`). */
export function requestInfo(method: string, url: string, registry: boolean): RequestInfo {
  const q = url.indexOf('?')
  const path = q < 0 ? url : url.slice(0, q)
  const query = q < 0 ? '' : url.slice(q + 1)
  return registry ? registryRequestInfo(method, path) : apiRequestInfo(method, path, query)
}

/**
 * isLongRunning says whether the apiserver treats a request as long-running (a watch), for which
 * the audit log also records the moment the response started.
 */
export function isLongRunning(info: RequestInfo): boolean {
  return info.verb === 'watch'
}
