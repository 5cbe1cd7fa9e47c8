/**
 * Field errors in the Kubernetes `causes` vocabulary (apimachinery util/validation/field): the
 * `type` is a Status cause `reason`, `field` its `field`, `message` its `message`, rendered the way
 * apimachinery's ErrorBody renders it, so kubectl prints `* <field>: <message>` as for kube.
 */
import { goQuote } from '../lib/go-quote.js'

/** FIELD_ERROR_TYPES are the cause reasons validation produces. */
export const FIELD_ERROR_TYPES = [
  'FieldValueRequired',
  'FieldValueInvalid',
  'FieldValueNotFound',
  'FieldValueNotSupported',
  'FieldValueDuplicate',
  'FieldValueTooLong',
  'FieldValueForbidden',
] as const
/** FieldErrorType is a Status cause reason. */
export type FieldErrorType = (typeof FIELD_ERROR_TYPES)[number]

/** A scalar bad value as kube prints it; objects are never echoed (they may be large or secret). */
export type FieldValue = string | number | boolean | null

/** FieldError is one problem with one field, e.g. `spec.tags[0].from.name`. */
export interface FieldError {
  readonly type: FieldErrorType
  /** Path in kube notation: `metadata.name`, `spec.tags[0].from.name`, `data[.dockerconfigjson]`. */
  readonly field: string
  /** The cause message as kube renders it, e.g. `Invalid value: "x": must be ...`, `Required value`. */
  readonly message: string
  /** The explanation alone, without the type and value prefix (may be empty). */
  readonly detail: string
  /** The offending value, when it is a scalar that may be shown. */
  readonly value?: FieldValue
}

// apimachinery field.ErrorType.String().
const LABELS: Readonly<Record<FieldErrorType, string>> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotFound: 'Not found',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooLong: 'Too long',
  FieldValueForbidden: 'Forbidden',
}

// Long enough for any name or reference we validate; a pasted blob must not flood a Status.
const MAX_SHOWN = 512

/** renderValue prints a bad value as Go's %q / %v would (strings quoted and escaped). */
export function renderValue(value: FieldValue): string {
  if (typeof value === 'string') {
    return value.length > MAX_SHOWN ? `${goQuote(value.slice(0, MAX_SHOWN))}...` : goQuote(value)
  }
  return value === null ? 'null' : String(value)
}

function make(
  type: FieldErrorType,
  field: string,
  detail: string,
  value: FieldValue | undefined,
): FieldError {
  // ErrorBody: Required, Forbidden and TooLong never print the value; the others do when given.
  const showValue =
    value !== undefined &&
    type !== 'FieldValueRequired' &&
    type !== 'FieldValueForbidden' &&
    type !== 'FieldValueTooLong'
  const head = showValue ? `${LABELS[type]}: ${renderValue(value)}` : LABELS[type]
  const message = detail === '' ? head : `${head}: ${detail}`
  return value === undefined
    ? { type, field, message, detail }
    : { type, field, message, detail, value }
}

/** required reports a missing value: `Required value[: detail]`. */
export function required(field: string, detail = ''): FieldError {
  return make('FieldValueRequired', field, detail, undefined)
}

/** invalid reports a bad value: `Invalid value: "v": detail` (value omitted when undefined). */
export function invalid(field: string, value: FieldValue | undefined, detail: string): FieldError {
  return make('FieldValueInvalid', field, detail, value)
}

/** notFoundValue reports a reference to something that does not exist: `Not found: "v"`. */
export function notFoundValue(field: string, value: FieldValue): FieldError {
  return make('FieldValueNotFound', field, '', value)
}

/** notSupported reports a value outside an enumeration: `Unsupported value: "v": supported values: "a", "b"`. */
export function notSupported(
  field: string,
  value: FieldValue | undefined,
  supported: readonly string[],
): FieldError {
  const detail = `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`
  return make('FieldValueNotSupported', field, detail, value)
}

/** duplicate reports a repeated key: `Duplicate value: "v"`. */
export function duplicate(field: string, value: FieldValue): FieldError {
  return make('FieldValueDuplicate', field, '', value)
}

/** tooLong reports a size over the limit: `Too long: may not be more than N bytes`. */
export function tooLong(field: string, maxBytes: number, unit = 'bytes'): FieldError {
  return make('FieldValueTooLong', field, `may not be more than ${maxBytes} ${unit}`, undefined)
}

/** forbidden reports a value that may not be set or changed: `Forbidden: detail`. */
export function forbidden(field: string, detail: string): FieldError {
  return make('FieldValueForbidden', field, detail, undefined)
}

/** formatFieldError renders `field: message`, the line kubectl prints per cause. */
export function formatFieldError(error: FieldError): string {
  return error.field === '' ? error.message : `${error.field}: ${error.message}`
}
