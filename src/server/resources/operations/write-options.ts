/** Options shared by the write operations, and the checks the apiserver makes of them. */
import { invalid as invalidValue, tooLong, type FieldError } from '../../../api/index.js'
import { goQuote, isGoPrintable } from '../../../lib/go-quote.js'
import { invalid, type FieldCause } from '../../status.js'
import { isFieldValidation, type FieldValidation } from '../query.js'
import type { AccessCheck } from '../strategies/index.js'

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
  /** The writer's access, for the checks a strategy makes on its behalf; absent for the server's own writes. */
  readonly access?: AccessCheck
  /** guard, when set, may refuse the defaulted object (and the stored one it replaces) before validation. */
  readonly guard?: WriteGuard
}

/**
 * WriteGuard checks a write on behalf of the requester, as upstream's policy-based RBAC storage
 * does (escalation checks, docs/access-control.md#escalation-prevention); it throws to refuse.
 */
export type WriteGuard = (object: unknown, prev: unknown) => Promise<void>

/** WriteResult is a written (or, in a dry run, would-be) object with the warnings to send. */
export interface WriteResult<T> {
  readonly object: T
  readonly warnings: readonly string[]
  /** True when the write created the object (201), as a server-side apply may. */
  readonly created: boolean
}

// apimachinery's FieldManagerMaxLength, counted in UTF-8 bytes.
const FIELD_MANAGER_MAX_BYTES = 128

/**
 * fieldManagerErrors checks the fieldManager parameter as apimachinery's ValidateFieldManager
 * (pkg/apis/meta/v1/validation) does: at most 128 bytes, and one error per unprintable
 * character, placed by its byte offset.
 */
export function fieldManagerErrors(fieldManager: string | undefined): FieldError[] {
  if (fieldManager === undefined) return []
  const errors: FieldError[] = []
  if (Buffer.byteLength(fieldManager, 'utf8') > FIELD_MANAGER_MAX_BYTES) {
    errors.push(tooLong('fieldManager', FIELD_MANAGER_MAX_BYTES))
  }
  let offset = 0
  for (const char of fieldManager) {
    if (!isGoPrintable(char)) {
      const code = (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')
      errors.push(
        invalidValue(
          'fieldManager',
          fieldManager,
          `invalid character U+${code} (at position ${offset})`,
        ),
      )
    }
    offset += Buffer.byteLength(char, 'utf8')
  }
  return errors
}

/**
 * dryRunErrors checks the dryRun values as apimachinery's ValidateDryRun does: only `All`
 * exists, and one unsupported value makes one error that echoes the whole list as Go's %#v
 * prints a []string.
 */
export function dryRunErrors(dryRun: readonly string[]): FieldCause[] {
  if (dryRun.every((v) => v === 'All')) return []
  const given = `[]string{${dryRun.map(goQuote).join(', ')}}`
  return [
    {
      type: 'FieldValueNotSupported',
      field: 'dryRun',
      message: `Unsupported value: ${given}: supported values: "All"`,
    },
  ]
}

/**
 * fieldValidationErrors checks the fieldValidation value as apimachinery's
 * ValidateFieldValidation does: '' (absent) and the three behaviours are supported, listed
 * sorted as Go's sets.String lists them.
 */
export function fieldValidationErrors(fieldValidation: string): FieldCause[] {
  if (fieldValidation === '' || isFieldValidation(fieldValidation)) return []
  return [
    {
      type: 'FieldValueNotSupported',
      field: 'fieldValidation',
      message: `Unsupported value: ${goQuote(fieldValidation)}: supported values: "", "Ignore", "Strict", "Warn"`,
    },
  ]
}

/**
 * checkWriteOptions refuses a create's or update's fieldManager, dryRun and fieldValidation
 * values as ValidateCreateOptions and ValidateUpdateOptions do, in their order: 422
 * `CreateOptions.meta.k8s.io "" is invalid` (or UpdateOptions).
 */
export function checkWriteOptions(
  kind: 'CreateOptions' | 'UpdateOptions',
  fieldManager: string | undefined,
  dryRun: readonly string[],
  fieldValidation: string,
): void {
  const errors = [
    ...fieldManagerErrors(fieldManager),
    ...dryRunErrors(dryRun),
    ...fieldValidationErrors(fieldValidation),
  ]
  if (errors.length > 0) throw invalid({ group: 'meta.k8s.io', kind }, '', errors)
}

/**
 * innerWrite are the options of the stored write a virtual kind's request turns into (a stream
 * for a tag, an Image for a signature or mapping): its dry run and writer only, since the
 * request body's unknown or repeated keys were dealt with when it was decoded and are not the
 * stored object's.
 */
export function innerWrite(options: Pick<WriteOptions, 'dryRun' | 'access'>): WriteOptions {
  return {
    dryRun: options.dryRun,
    fieldValidation: 'Ignore',
    ...(options.access && { access: options.access }),
  }
}
