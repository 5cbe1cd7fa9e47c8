/**
 * Decoding a request body into an object of the endpoint's kind, as the apiserver decodes:
 * `kind`/`apiVersion` default to the endpoint's and must match it when given (400); fields the
 * schema does not know are pruned, and `fieldValidation` decides whether they (and keys the JSON
 * repeats) are an error (Strict: 400 `strict decoding error: unknown field "spec.x"`), a
 * `Warning` header (Warn, the default) or silently dropped (Ignore). Type errors are a 400 naming the fields; missing
 * required fields are handed on, to be reported with validation's errors in one 422 (as the
 * apiserver, whose Go decoding leaves them empty for validation to find).
 */
import {
  decode,
  type FieldError,
  type KindMap,
  type KindName,
  type ResourceInfo,
} from '../../api/index.js'
import { badRequest } from '../status.js'
import { cannotBeHandled } from './errors.js'
import { isJsonObject } from './patch/json-value.js'
import type { FieldValidation } from './query.js'

/** Decoded is a decoded body: the typed object and the warnings to send. */
export interface Decoded<K extends KindName> {
  readonly object: KindMap[K]
  readonly warnings: readonly string[]
  /** Required fields the body lacks, for the 422 together with validation's errors. */
  readonly missing: readonly FieldError[]
}

/** describe renders a body's kind or apiVersion for a message: strings as they are, anything else as JSON. */
function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** decodeBody decodes a parsed body for `resource`; the input is not changed. */
export function decodeBody<K extends KindName>(
  resource: ResourceInfo<K>,
  input: unknown,
  fieldValidation: FieldValidation,
  duplicates: readonly string[] = [],
): Decoded<K> {
  if (!isJsonObject(input)) {
    throw cannotBeHandled(resource, 'the request body must be a JSON or YAML object')
  }
  const { apiVersion, kind } = input
  if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== resource.apiVersion) {
    throw badRequest(
      `the API version in the data (${describe(apiVersion)}) does not match the expected API version (${resource.apiVersion})`,
    )
  }
  if (kind !== undefined && kind !== '' && kind !== resource.kind) {
    throw cannotBeHandled(
      resource,
      `the kind in the data (${describe(kind)}) does not match the expected kind (${resource.kind})`,
    )
  }
  if (!isJsonObject(input.metadata)) {
    throw cannotBeHandled(resource, 'metadata: must be an object')
  }
  // One walk of the body finds its unknown fields, prunes them and checks the types.
  const decoded = decode(resource.schema, input)
  const problems = [
    ...decoded.unknownFields.map((f) => `unknown field ${JSON.stringify(f)}`),
    ...duplicates.map((f) => `duplicate field ${JSON.stringify(f)}`),
  ]
  if (fieldValidation === 'Strict' && problems.length > 0) {
    throw cannotBeHandled(resource, `strict decoding error: ${problems.join(', ')}`)
  }
  let value: unknown
  let missing: readonly FieldError[] = []
  if (decoded.ok) {
    value = decoded.value
  } else if (decoded.errors.every((e) => e.type === 'FieldValueRequired')) {
    value = decoded.pruned
    missing = decoded.errors
  } else {
    const causes = decoded.errors.map((e) => ({
      reason: e.type,
      message: e.message,
      field: e.field,
    }))
    throw cannotBeHandled(
      resource,
      decoded.errors.map((e) => `${e.field}: ${e.message}`).join(', '),
      causes,
    )
  }
  // managedFields stay: the field manager decides what a write's managedFields become.
  const object = value as KindMap[K]
  return {
    object: { ...object, kind: resource.kind, apiVersion: resource.apiVersion },
    warnings: fieldValidation === 'Warn' ? problems : [],
    missing,
  }
}
