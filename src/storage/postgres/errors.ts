/**
 * How driver errors become store errors. PostgreSQL reports what went wrong in SQLSTATE codes
 * (PostgreSQL documentation, Appendix A "PostgreSQL Error Codes"); node-postgres reports a
 * failed or lost connection as a plain Error (a system error such as ECONNREFUSED, or its
 * own "connection terminated") rather than a DatabaseError.
 */
import { DatabaseError } from 'pg'
import { StorageFullError, StoreError, StoreUnavailableError } from '../store.js'

// Class 08 is "connection exception"; 57P01-57P03 are the server shutting down or starting up,
// 53300 too many connections: all mean "not now", none is about the request.
const UNAVAILABLE = /^(08...|57P0[123]|53300)$/

/** asStoreError maps an error thrown by the driver to the store error it stands for. */
export function asStoreError(error: unknown): unknown {
  if (error instanceof StoreError) return error
  if (error instanceof DatabaseError) {
    if (error.code === '53100') return new StorageFullError({ cause: error })
    if (error.code !== undefined && UNAVAILABLE.test(error.code)) {
      return new StoreUnavailableError({ cause: error })
    }
    return error
  }
  // A socket error (ECONNREFUSED, ECONNRESET, ...) or the driver's own plain Error about its
  // connection; a TypeError or the like is a bug and stays what it is.
  if (error instanceof Error && (error.constructor === Error || 'errno' in error)) {
    return new StoreUnavailableError({ cause: error })
  }
  return error
}
