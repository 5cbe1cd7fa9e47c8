/**
 * `POST /apis/image.openshift.io/v1/namespaces/:ns/imagestreamimports`: the import primitive
 * (docs/imports.md#the-import-request). The body is decoded, defaulted and validated like any
 * object; the import itself runs through the scheduler's import service, which stores Images and
 * the stream in one transaction. `spec.import: false` and `?dryRun=All` only report.
 */
import type { FastifyInstance } from 'fastify'
import {
  IMAGE_GROUP,
  ImageStreamImport,
  RESOURCES,
  applyDefaults,
  decode,
  importAllowListErrors,
  validateObject,
  type ImageStream,
} from '../api/index.js'
import { ImportPreconditionError, importInto, type ImportServiceDeps } from '../scheduler/index.js'
import { authorizeRequest } from './auth/index.js'
import { checkWriteOptions, ensureNamespaceExists, present } from './resources/index.js'
import { badRequest, conflict, invalid } from './status.js'

/** ImageStreamImportDeps are what the endpoint needs besides the request. */
export interface ImageStreamImportDeps extends ImportServiceDeps {
  /** `host[:port]` of the integrated registry, for status.dockerImageRepository. */
  readonly registryHostname: () => string
  /** `host[:port]` for status.publicDockerImageRepository, if the server has one. */
  readonly registryPublicHostname?: string | undefined
}

const GROUP_KIND = { group: IMAGE_GROUP, kind: 'ImageStreamImport' }

/** The create options an import reads: repeated parameters arrive as arrays. */
interface ImportQuery {
  dryRun?: string | string[]
  fieldManager?: string | string[]
  fieldValidation?: string | string[]
}

/** registerImageStreamImports adds the create-only imagestreamimports route. */
export function registerImageStreamImports(
  app: FastifyInstance,
  deps: ImageStreamImportDeps,
): void {
  app.post<{ Params: { ns: string }; Querystring: ImportQuery }>(
    '/apis/image.openshift.io/v1/namespaces/:ns/imagestreamimports',
    async (request, reply) => {
      const namespace = request.params.ns
      await authorizeRequest(request, {
        kind: 'resource',
        verb: 'create',
        group: IMAGE_GROUP,
        resource: 'imagestreamimports',
        namespace,
      })
      const fieldManager = [request.query.fieldManager ?? []].flat()[0]
      const dryRunValues = [request.query.dryRun ?? []].flat()
      const fieldValidation = [request.query.fieldValidation ?? []].flat()[0] ?? ''
      checkWriteOptions('CreateOptions', fieldManager || undefined, dryRunValues, fieldValidation)
      const body = request.body as Record<string, unknown> | undefined
      if (!body || typeof body !== 'object')
        throw badRequest('the request body must be an ImageStreamImport')
      if (body.kind !== undefined && body.kind !== 'ImageStreamImport') {
        throw badRequest(
          `the body kind ${JSON.stringify(body.kind)} does not match ImageStreamImport`,
        )
      }
      const decoded = decode(ImageStreamImport, body)
      const name = decoded.ok ? (decoded.value.metadata.name ?? '') : ''
      if (!decoded.ok) throw invalid(GROUP_KIND, name, decoded.errors)
      const bodyNamespace = decoded.value.metadata.namespace
      if (bodyNamespace && bodyNamespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        )
      }
      const isi = applyDefaults(
        'ImageStreamImport',
        {
          ...decoded.value,
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStreamImport',
          metadata: { ...decoded.value.metadata, namespace },
        },
        { importMode: deps.policy.defaultImportMode },
      )
      // The namespace is checked first, as Kubernetes' NamespaceLifecycle admission runs before
      // the REST strategy validates.
      await requireNamespace(deps, namespace, name)
      const errors = validateObject('ImageStreamImport', isi)
      if (errors.length > 0) throw invalid(GROUP_KIND, name, errors)
      // After validation and before any fetch, as OpenShift's REST Create checks the allow-list
      // (docs/imports.md#allowed-registries).
      const list = deps.policy.allowedRegistries
      const refused = list ? importAllowListErrors(isi, list) : []
      if (refused.length > 0) throw invalid(GROUP_KIND, name, refused)
      const dryRun = dryRunValues.length > 0
      const requestIsi = dryRun ? { ...isi, spec: { ...isi.spec, import: false } } : isi
      try {
        const { isi: answered } = await importInto(deps, namespace, requestIsi, app.shutdownSignal)
        const stream = answered.status?.import
        const body = stream
          ? { ...answered, status: { ...answered.status, import: withRepository(stream, deps) } }
          : answered
        return reply.code(201).send(dryRun ? { ...body, spec: isi.spec } : body)
      } catch (err) {
        if (err instanceof ImportPreconditionError) {
          throw conflict({ group: IMAGE_GROUP, resource: 'imagestreams' }, name, err.message)
        }
        throw err
      }
    },
  )
}

/** requireNamespace refuses an import into a missing or terminating namespace, as any create. */
function requireNamespace(
  deps: ImageStreamImportDeps,
  namespace: string,
  name: string,
): Promise<void> {
  const resource = { group: IMAGE_GROUP, resource: 'imagestreamimports' }
  return ensureNamespaceExists(deps.store, namespace, { resource, name })
}

/** withRepository fills the fields the stream strategy computes on read, as every read does. */
function withRepository(stream: ImageStream, deps: ImageStreamImportDeps): ImageStream {
  return present(RESOURCES.imagestreams, stream, {
    settings: {
      registryHostname: deps.registryHostname,
      registryPublicHostname: deps.registryPublicHostname,
    },
    now: Date.now,
  })
}
