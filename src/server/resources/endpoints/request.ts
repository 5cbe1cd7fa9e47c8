/** Reading what a handler needs from a request: write options, patch type, the Served description. */
import type { FastifyRequest } from 'fastify'
import { requestUser } from '../../auth/index.js'
import { requestMediaType } from '../../body-parsers.js'
import { unsupportedMediaType } from '../../status.js'
import type { ResourceContext } from '../context.js'
import { duplicateFields } from '../duplicate-fields.js'
import { managerFromUserAgent } from '../fieldmanager/index.js'
import { checkWriteOptions, type WriteOptions } from '../operations/write-options.js'
import { checkPatchOptions, type PatchOptions } from '../operations/patch.js'
import { patchTypeOf, type PatchType } from '../patch/index.js'
import { queryDryRun, queryFieldValidation, queryIncludeObject, writeQuery } from '../query.js'
import type { Served } from '../respond.js'
import type { AccessCheck } from '../strategies/index.js'
import type { Target } from '../endpoint.js'

/** patchOptions reads dryRun, fieldValidation, fieldManager and force, refused as the apiserver refuses them. */
export function patchOptions(request: FastifyRequest): PatchOptions {
  const options = writeQuery(request)
  checkPatchOptions(
    patchType(request),
    options,
    queryDryRun(request),
    queryFieldValidation(request),
  )
  return { ...options, access: writerAccess(request) }
}

/**
 * tracked adds the field manager a write through the API is recorded for: the fieldManager
 * parameter, else the User-Agent's product (as the apiserver names it).
 */
export function tracked<T extends WriteOptions>(request: FastifyRequest, options: T): T {
  const manager =
    writeQuery(request).fieldManager ?? managerFromUserAgent(request.headers['user-agent'])
  return { ...options, manager }
}

/** writeOptions reads a create's or update's options, with the keys a JSON body repeats (strict decoding reports them). */
export function writeOptions(request: FastifyRequest): WriteOptions {
  const query = writeQuery(request)
  checkWriteOptions(
    request.method === 'PUT' ? 'UpdateOptions' : 'CreateOptions',
    query.fieldManager,
    queryDryRun(request),
    queryFieldValidation(request),
  )
  const options = { ...query, access: writerAccess(request) }
  const raw = request.rawBody
  if (query.fieldValidation === 'Ignore' || raw === undefined) return options
  if (requestMediaType(request) !== 'application/json') return options
  return { ...options, duplicateFields: duplicateFields(raw.toString('utf8')) }
}

/**
 * writerAccess asks the server's authorizer about the request's user, for the checks a strategy
 * makes on the writer's behalf (a SubjectAccessReview in OpenShift).
 */
function writerAccess(request: FastifyRequest): AccessCheck {
  return (attrs) => request.server.authorizer.authorize(requestUser(request), attrs)
}

/** patchType is the request's patch type; routes.ts has already refused other media types. */
export function patchType(request: FastifyRequest): PatchType {
  const type = patchTypeOf(requestMediaType(request))
  if (type === undefined) throw unsupportedMediaType('not a patch media type')
  return type
}

/** served describes a response of `resource` for the Table printer. */
export function served(ctx: ResourceContext, request: FastifyRequest, resource: string): Served {
  const includeObject = request.method === 'GET' ? queryIncludeObject(request) : 'Metadata'
  return { resource, now: ctx.now(), includeObject }
}

/** nameSelector adds `metadata.name=<name>` to a field selector, for watches of one object. */
export function nameSelector(
  target: Target,
  fieldSelector: string | undefined,
): string | undefined {
  if (target.name === undefined) return fieldSelector
  const escaped = target.name.replace(/[\\,=]/g, (c) => `\\${c}`)
  const byName = `metadata.name=${escaped}`
  return fieldSelector ? `${fieldSelector},${byName}` : byName
}
