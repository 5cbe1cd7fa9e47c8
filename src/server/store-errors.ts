/**
 * Store errors as Kubernetes Status: the store reports by stable `code` and object key, and the
 * apiserver's messages need the resource's API group, which only the resources registry knows.
 * Used as an ErrorMapper of createServer, so a handler may simply let a store error propagate.
 */
import { isStoreError, ReferencedError } from '../storage/index.js'
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  internalError,
  notFound,
  serviceUnavailable,
  StatusError,
  stillReferenced,
  type ErrorMapper,
} from './status.js'

/** What a user does about a reference: by the referenced resource, then the referrer's. */
const REMEDIES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  images: {
    imagestreams:
      "remove it from the stream's history (isctl tag -d, or isctl adm prune images) first",
    images: 'delete that manifest list first',
  },
}

/** How long a client is told to wait before retrying while the store cannot be reached. */
export const STORE_UNAVAILABLE_RETRY_SECONDS = 5

/** storageFull answers a write refused for want of space (docs/kubernetes-api.md#a-full-disk). */
function storageFull(message: string): StatusError {
  const status = internalError(
    `${message}; nothing was written, and writes succeed again once the data directory's disk has space`,
  )
  return new StatusError(status.code, status.message, {
    causes: [{ reason: 'InsufficientStorage', message }],
  })
}

/** createStoreErrorMapper maps store errors to Status; `groupOf` gives a resource's API group ('' for core). */
export function createStoreErrorMapper(groupOf: (resource: string) => string): ErrorMapper {
  return (err) => {
    if (!isStoreError(err)) return undefined
    const gr = err.key
      ? { group: groupOf(err.key.resource), resource: err.key.resource }
      : undefined
    switch (err.code) {
      case 'NotFound':
        return gr && err.key ? notFound(gr, err.key.name) : undefined
      case 'AlreadyExists':
        return gr && err.key ? alreadyExists(gr, err.key.name) : undefined
      case 'Conflict':
        return gr && err.key ? conflict(gr, err.key.name) : undefined
      case 'Referenced':
        return gr && err.key && err instanceof ReferencedError
          ? stillReferenced(
              gr,
              err.key.name,
              err.referrer,
              REMEDIES[err.key.resource]?.[err.referrer.resource] ?? 'remove the reference first',
            )
          : undefined
      case 'InvalidSelector':
      case 'InvalidContinue':
      case 'InvalidResourceVersion':
        return badRequest(err.message)
      case 'Expired':
        return expired(err.message)
      case 'TooLargeResourceVersion':
        // The apiserver's answer: 504 Timeout with a cause, so clients retry after a moment.
        return new StatusError('Timeout', err.message.replace(/^t/, 'T'), {
          causes: [{ message: err.message, reason: 'ResourceVersionTooLarge' }],
          retryAfterSeconds: 1,
        })
      case 'StoreClosed':
        return serviceUnavailable('the server is shutting down')
      case 'Unavailable':
        // The store's server is down or unreachable: nothing happened, and the same request
        // may succeed in a moment (a database restart, a failover). Details stay in the log.
        return new StatusError(
          'ServiceUnavailable',
          'the storage backend is unavailable; try again later',
          { retryAfterSeconds: STORE_UNAVAILABLE_RETRY_SECONDS },
          { cause: err },
        )
      case 'StorageFull':
        // The apiserver's 500 InternalError, with a cause naming what HTTP calls 507.
        return storageFull(err.message)
      case 'InvalidObject':
      case 'TransactionMisuse':
      case 'UnsupportedSchema':
        // Server bugs or operator problems: a 500 whose details stay in the log.
        return undefined
    }
  }
}
