/**
 * `POST /api/v1/namespaces/NS/serviceaccounts/NAME/token`: the `serviceaccounts/token`
 * subresource that answers an authentication.k8s.io/v1 TokenRequest with a signed token, as
 * kube-apiserver does (kubernetes pkg/registry/core/serviceaccount/storage/token.go) and
 * `kubectl create token` asks (docs/access-control.md#service-accounts-and-tokens). kubectl 1.32
 * sends the request as protobuf, which the server-wide decoder reads; nothing is stored.
 */
import type { FastifyInstance } from 'fastify'
import { invalid as invalidField, type FieldError, type ServiceAccount } from '../../api/index.js'
import { isStoreError, objectKey, type Store } from '../../storage/index.js'
import type { DiscoveryResource } from '../discovery.js'
import { warningHeader } from '../resources/respond.js'
import { badRequest, conflict, invalid, methodNotAllowed, notFound } from '../status.js'
import { authorizeRequest } from './index.js'
import type { SigningKey } from './service-account-key.js'
import { signToken, tokenClaims, type ObjectRef } from './service-account-tokens.js'

const GROUP = 'authentication.k8s.io'
const VERSION = 'v1'
const API_VERSION = `${GROUP}/${VERSION}`
const KIND = 'TokenRequest'

/** TOKEN_REQUEST_DISCOVERY lists `serviceaccounts/token` in `/api/v1` as Kubernetes does: create only, kind authentication.k8s.io/v1 TokenRequest. */
export const TOKEN_REQUEST_DISCOVERY: DiscoveryResource = {
  plural: 'serviceaccounts/token',
  singular: '',
  kind: KIND,
  kindGroupVersion: { group: GROUP, version: VERSION },
  group: '',
  version: 'v1',
  namespaced: true,
  verbs: ['create'],
}

/** DEFAULT_EXPIRATION_SECONDS is authentication/v1's default for spec.expirationSeconds (one hour). */
export const DEFAULT_EXPIRATION_SECONDS = 3600
/** MIN_EXPIRATION_SECONDS is the shortest lifetime the apiserver's validation allows (ten minutes). */
export const MIN_EXPIRATION_SECONDS = 600
/** The longest lifetime validation allows, 2^32 seconds. */
const MAX_VALID_EXPIRATION_SECONDS = 2 ** 32

/** TokenSpec is a TokenRequest's spec after defaults, validation and the server's cap. */
export interface TokenSpec {
  readonly audiences: string[]
  readonly expirationSeconds: number
  /** Warnings for the client: a shortened lifetime. */
  readonly warnings: string[]
}

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

const GROUP_KIND = { group: GROUP, kind: KIND }

/**
 * tokenSpec reads a TokenRequest's spec: audiences default to the API's, expirationSeconds to
 * an hour; a lifetime under ten minutes or over 2^32 seconds is 422 (authentication validation
 * ValidateTokenRequest, reported for the name ""), and one over `maxExpirationSeconds` is
 * shortened to it.
 */
export function tokenSpec(
  spec: unknown,
  defaults: { readonly audiences: readonly string[]; readonly maxExpirationSeconds: number },
): TokenSpec {
  const s = isObject(spec) ? spec : {}
  const audiences = Array.isArray(s.audiences)
    ? s.audiences.filter((a): a is string => typeof a === 'string')
    : []
  const requested = s.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS
  if (typeof requested !== 'number' || !Number.isInteger(requested)) {
    throw badRequest('spec.expirationSeconds must be an integer')
  }
  const errors: FieldError[] = []
  if (requested < MIN_EXPIRATION_SECONDS) {
    errors.push(
      invalidField(
        'spec.expirationSeconds',
        requested,
        'may not specify a duration less than 10 minutes',
      ),
    )
  }
  if (requested > MAX_VALID_EXPIRATION_SECONDS) {
    errors.push(
      invalidField(
        'spec.expirationSeconds',
        requested,
        'may not specify a duration larger than 2^32 seconds',
      ),
    )
  }
  if (errors.length > 0) throw invalid(GROUP_KIND, '', errors)
  const warnings: string[] = []
  let expirationSeconds = requested
  if (defaults.maxExpirationSeconds > 0 && requested > defaults.maxExpirationSeconds) {
    warnings.push(
      `requested expiration of ${requested} seconds shortened to ${defaults.maxExpirationSeconds} seconds`,
    )
    expirationSeconds = defaults.maxExpirationSeconds
  }
  return {
    audiences: audiences.length > 0 ? audiences : [...defaults.audiences],
    expirationSeconds,
    warnings,
  }
}

/** checkBody refuses a body that is not a TokenRequest, or whose name or namespace disagree with the URL. */
function checkBody(body: unknown, namespace: string, name: string): Json {
  if (body === undefined || body === null) return {}
  if (!isObject(body)) throw badRequest(`the request body must be a ${KIND} object`)
  const { apiVersion, kind } = body
  if (
    (kind !== undefined && kind !== KIND) ||
    (apiVersion !== undefined && apiVersion !== API_VERSION)
  ) {
    throw badRequest(
      `the request body is ${JSON.stringify(kind ?? '')} of ${JSON.stringify(apiVersion ?? '')}, want ${KIND} of ${API_VERSION}`,
    )
  }
  const metadata = isObject(body.metadata) ? body.metadata : {}
  if (typeof metadata.name === 'string' && metadata.name !== '' && metadata.name !== name) {
    throw invalid(GROUP_KIND, name, [
      invalidField(
        'metadata.name',
        metadata.name,
        'must match the service account name if specified',
      ),
    ])
  }
  if (
    typeof metadata.namespace === 'string' &&
    metadata.namespace !== '' &&
    metadata.namespace !== namespace
  ) {
    throw invalid(GROUP_KIND, name, [
      invalidField(
        'metadata.namespace',
        metadata.namespace,
        'must match the service account namespace if specified',
      ),
    ])
  }
  return body
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '')

/**
 * boundSecret resolves a boundObjectRef, as kube-apiserver does for the one kind that lives
 * here: a Secret of the namespace (404 when missing, 409 when the uid given is not its uid).
 * Anything else, Pods and Nodes included, is 400 `cannot bind token to object of type
 * /v1, Kind=Pod` (apimachinery's GroupVersionKind String()).
 */
async function boundSecret(store: Store, namespace: string, ref: Json): Promise<ObjectRef> {
  const apiVersion = text(ref.apiVersion)
  const slash = apiVersion.indexOf('/')
  const [group, version] =
    slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)]
  const kind = text(ref.kind)
  if (group !== '' || kind !== 'Secret') {
    throw badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${kind}`)
  }
  const name = text(ref.name)
  let uid: string
  try {
    uid = (await store.get(objectKey('secrets', name, namespace))).metadata.uid ?? ''
  } catch (err) {
    if (isStoreError(err, 'NotFound')) throw notFound({ group: '', resource: 'secrets' }, name)
    throw err
  }
  const wanted = text(ref.uid)
  if (wanted !== '' && wanted !== uid) {
    throw conflict(
      { group: '', resource: 'Secret' },
      name,
      `the UID in the bound object reference (${wanted}) does not match the UID in record. The object might have been deleted and then recreated`,
    )
  }
  return { name, uid }
}

/** rfc3339 is a metav1.Time: UTC, whole seconds. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** TokenRequestOptions are what the route needs to issue tokens. */
export interface TokenRequestOptions {
  readonly store: Store
  readonly key: SigningKey
  readonly issuer: string
  /** The API's audiences, the default of spec.audiences. */
  readonly audiences: readonly string[]
  /**
   * The longest lifetime issued (kube-apiserver's `--service-account-max-token-expiration`): a
   * longer request is shortened to it, with a warning; 0 for no cap beyond validation's.
   */
  readonly maxExpirationSeconds: number
  /** Milliseconds since the epoch; default Date.now. */
  readonly now?: () => number
}

/** registerTokenRequest adds the `serviceaccounts/token` route; any method but POST is 405. */
export function registerTokenRequest(app: FastifyInstance, opts: TokenRequestOptions): void {
  const now = opts.now ?? Date.now
  app.route<{ Params: { namespace: string; name: string } }>({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/api/v1/namespaces/:namespace/serviceaccounts/:name/token',
    handler: async (request, reply) => {
      const { namespace, name } = request.params
      if (request.method !== 'POST') throw methodNotAllowed()
      await authorizeRequest(request, {
        kind: 'resource',
        verb: 'create',
        group: '',
        resource: 'serviceaccounts',
        subresource: 'token',
        namespace,
        name,
      })
      const body = checkBody(request.body, namespace, name)
      let account: ServiceAccount
      try {
        account = await opts.store.get<ServiceAccount>(
          objectKey('serviceaccounts', name, namespace),
        )
      } catch (err) {
        if (isStoreError(err, 'NotFound'))
          throw notFound({ group: '', resource: 'serviceaccounts' }, name)
        throw err
      }
      const issuedAt = now()
      const spec = isObject(body.spec) ? body.spec : {}
      const granted = tokenSpec(spec, opts)
      const bound = isObject(spec.boundObjectRef) ? spec.boundObjectRef : undefined
      const secret = bound && (await boundSecret(opts.store, namespace, bound))
      const seconds = Math.floor(issuedAt / 1000)
      const token = await signToken(
        opts.key,
        tokenClaims({
          namespace,
          name,
          uid: account.metadata.uid ?? '',
          audiences: granted.audiences,
          expirationSeconds: granted.expirationSeconds,
          now: seconds,
          issuer: opts.issuer,
          ...(secret && { secret }),
        }),
      )
      const metadata = isObject(body.metadata) ? body.metadata : {}
      if (granted.warnings.length > 0) reply.header('warning', granted.warnings.map(warningHeader))
      return reply.code(201).send({
        kind: KIND,
        apiVersion: API_VERSION,
        metadata: { ...metadata, name, namespace, creationTimestamp: rfc3339(issuedAt) },
        spec: {
          audiences: granted.audiences,
          expirationSeconds: granted.expirationSeconds,
          boundObjectRef: bound ?? null,
        },
        status: {
          token,
          expirationTimestamp: rfc3339((seconds + granted.expirationSeconds) * 1000),
        },
      })
    },
  })
}
