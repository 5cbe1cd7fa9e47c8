/** Options shared by the write operations. */
import type { FieldValidation } from '../query.js'

/** WriteOptions are a write's query parameters as the operations need them. */
export interface WriteOptions {
  readonly dryRun: boolean
  readonly fieldValidation: FieldValidation
  /** Keys the raw JSON body repeats (duplicate-fields.ts), reported like unknown fields. */
  readonly duplicateFields?: readonly string[]
  /**
   * The field manager the write is recorded for in managedFields (the fieldManager parameter,
   * else the User-Agent's product). Absent for writes the server makes itself, which keep the
   * object's managedFields as they are.
   */
  readonly manager?: string
}

/** WriteResult is a written (or, in a dry run, would-be) object with the warnings to send. */
export interface WriteResult<T> {
  readonly object: T
  readonly warnings: readonly string[]
  /** True when the write created the object (201), as a server-side apply may. */
  readonly created: boolean
}
