/**
 * Decoding request bodies against the schemas the way the apiserver decodes JSON into Go structs:
 * unknown fields are reported (for `fieldValidation=Strict|Warn`,
 * docs/kubernetes-api.md#decoding-and-field-validation) and dropped, `null` on a property means
 * "absent" (encoding/json leaves the zero value), and type errors become field errors naming the
 * path.
 */
import { Compile } from 'typebox/compile'
import type { Validator } from 'typebox/compile'
import type { TLocalizedValidationError } from 'typebox/error'
import type { Static, TSchema } from 'typebox'
import type { FieldError, FieldValue } from './field-errors.js'
import { invalid, notSupported, required } from './field-errors.js'
import { cloneJson } from '../lib/clone-json.js'

// The JSON Schema subset our schemas use (TypeBox emits plain JSON Schema objects).
interface JsonSchema {
  readonly type?: string
  readonly const?: unknown
  readonly format?: string
  readonly properties?: Readonly<Record<string, JsonSchema>>
  readonly additionalProperties?: boolean | JsonSchema
  readonly patternProperties?: Readonly<Record<string, JsonSchema>>
  readonly items?: JsonSchema
  readonly anyOf?: readonly JsonSchema[]
}

type Plain = Record<string, unknown>

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** childPath appends a property name: `spec` + `tags` = `spec.tags`. */
export function childPath(base: string, name: string): string {
  return base === '' ? name : `${base}.${name}`
}

/** keyPath appends a map key or list index in brackets: `data[.dockercfg]`, `spec.tags[0]`. */
export function keyPath(base: string, key: string | number): string {
  return `${base}[${key}]`
}

function acceptsNull(schema: JsonSchema): boolean {
  if (schema.anyOf !== undefined) return schema.anyOf.some(acceptsNull)
  return schema.type === undefined || schema.type === 'null'
}

function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

// For a union, walk the variant whose JSON type matches the value (our unions are literal
// unions or nullable types, so the type alone decides).
function variantFor(anyOf: readonly JsonSchema[], value: unknown): JsonSchema | undefined {
  const type = jsonType(value)
  return anyOf.find(
    (s) =>
      s.type === undefined ||
      s.type === type ||
      (s.type === 'number' && type === 'integer') ||
      s.anyOf !== undefined,
  )
}

// The schemas' few patterns (TypeBox records' key patterns), each compiled once.
const patternRegExps = new Map<string, RegExp>()

function patternRegExp(pattern: string): RegExp {
  let re = patternRegExps.get(pattern)
  if (re === undefined) patternRegExps.set(pattern, (re = new RegExp(pattern, 'u')))
  return re
}

function patternFor(
  patterns: Readonly<Record<string, JsonSchema>> | undefined,
  key: string,
): JsonSchema | undefined {
  if (patterns === undefined) return undefined
  for (const [pattern, schema] of Object.entries(patterns)) {
    if (patternRegExp(pattern).test(key)) return schema
  }
  return undefined
}

// Returns a deep copy of `value` without the fields `schema` does not know; records their paths.
function walk(schema: JsonSchema, value: unknown, path: string, unknown: string[]): unknown {
  // Strings, numbers, booleans and null are their own copy.
  if (typeof value !== 'object' || value === null) return value
  if (schema.anyOf !== undefined) {
    const variant = variantFor(schema.anyOf, value)
    return variant === undefined ? cloneJson(value) : walk(variant, value, path, unknown)
  }
  if (Array.isArray(value)) {
    const items = schema.items
    return items === undefined
      ? cloneJson(value)
      : value.map((item, i) => walk(items, item, keyPath(path, i), unknown))
  }
  const describesObject =
    schema.properties !== undefined ||
    schema.patternProperties !== undefined ||
    schema.additionalProperties !== undefined
  if (!isPlainObject(value) || !describesObject) {
    return cloneJson(value)
  }
  const out: Plain = {}
  for (const [key, item] of Object.entries(value)) {
    const property = schema.properties?.[key]
    if (property !== undefined && Object.hasOwn(schema.properties ?? {}, key)) {
      // encoding/json: null leaves the Go zero value, i.e. the field is absent.
      if (item === null && !acceptsNull(property)) continue
      out[key] = walk(property, item, childPath(path, key), unknown)
      continue
    }
    const additional = patternFor(schema.patternProperties, key) ?? schema.additionalProperties
    if (additional === true) {
      out[key] = cloneJson(item)
    } else if (additional !== undefined && additional !== false) {
      out[key] = walk(additional, item, keyPath(path, key), unknown)
    } else {
      unknown.push(childPath(path, key))
    }
  }
  return out
}

/** prune returns a deep copy of `value` without fields unknown to `schema` and without `null` properties; the input is not changed. */
export function prune(schema: TSchema, value: unknown): unknown {
  return walk(schema, value, '', [])
}

/** unknownFields lists the paths `prune` would drop, e.g. `spec.tags[0].bogus`, for `unknown field "..."` messages. */
export function unknownFields(schema: TSchema, value: unknown): string[] {
  const found: string[] = []
  walk(schema, value, '', found)
  return found
}

const validators = new WeakMap<TSchema, Validator>()

function validatorFor(schema: TSchema): Validator {
  let validator = validators.get(schema)
  if (validator === undefined) {
    validator = Compile(schema)
    validators.set(schema, validator)
  }
  return validator
}

// JSON pointer (`/spec/tags/0/name`) to tokens and to a kube field path (`spec.tags[0].name`).
function pointerTokens(pointer: string): string[] {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'))
}

// The field path of an error: the schema path says whether each instance token is a property
// (`.name`) or a list index or map key (`[0]`, `[key]`).
function fieldPath(schemaPath: string, tokens: readonly string[]): string {
  const steps = pointerTokens(schemaPath.replace(/^#/, ''))
  let path = ''
  let k = 0
  for (let i = 0; i < steps.length && k < tokens.length; i++) {
    const step = steps[i]
    const token = tokens[k] ?? ''
    if (step === 'properties') {
      path = childPath(path, token)
      i++
      k++
    } else if (step === 'patternProperties') {
      path = keyPath(path, token)
      i++
      k++
    } else if (step === 'items' || step === 'additionalProperties') {
      path = keyPath(path, token)
      k++
    } else if (step === 'anyOf' || step === 'allOf' || step === 'oneOf') {
      i++
    }
  }
  for (const token of tokens.slice(k)) {
    path = /^(?:0|[1-9][0-9]*)$/.test(token) ? keyPath(path, token) : childPath(path, token)
  }
  return path
}

function valueAt(root: unknown, tokens: readonly string[]): unknown {
  let current = root
  for (const token of tokens) {
    if (Array.isArray(current)) current = current[Number(token)]
    else if (isPlainObject(current)) current = current[token]
    else return undefined
  }
  return current
}

function scalar(value: unknown): FieldValue | undefined {
  return typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === null
    ? value
    : undefined
}

function schemaAt(root: TSchema, schemaPath: string): JsonSchema | undefined {
  const tokens = pointerTokens(schemaPath.replace(/^#/, ''))
  let current: unknown = root
  for (const token of tokens) {
    if (Array.isArray(current)) current = current[Number(token)]
    else if (isPlainObject(current)) current = current[token]
    else return undefined
  }
  return isPlainObject(current) ? current : undefined
}

const FORMAT_HINTS: Readonly<Record<string, string>> = {
  'date-time': 'must be an RFC 3339 time, e.g. "2026-11-26T10:00:00Z"',
}

function toFieldErrors(
  schema: TSchema,
  value: unknown,
  error: TLocalizedValidationError,
): FieldError[] {
  const tokens = pointerTokens(error.instancePath)
  const path = fieldPath(error.schemaPath, tokens)
  const bad = scalar(valueAt(value, tokens))
  if (error.keyword === 'required') {
    return error.params.requiredProperties.map((name) => required(childPath(path, name)))
  }
  if (error.keyword === 'type') {
    return [invalid(path, bad, `must be of type ${String(error.params.type)}`)]
  }
  if (error.keyword === 'format') {
    return [invalid(path, bad, FORMAT_HINTS[error.params.format] ?? error.message)]
  }
  if (error.keyword === 'anyOf') {
    const allowed = (schemaAt(schema, error.schemaPath)?.anyOf ?? []).map((v) => v.const)
    return allowed.length > 0 && allowed.every((a) => typeof a === 'string')
      ? [notSupported(path, bad, allowed)]
      : [invalid(path, bad, error.message)]
  }
  // Only maps use additionalProperties; the bad map value has its own error.
  if (error.keyword === 'additionalProperties') return []
  return [invalid(path, bad, error.message)]
}

/** checkSchema validates `value` against `schema` (types, required fields) and returns field errors; never throws. */
export function checkSchema(schema: TSchema, value: unknown): FieldError[] {
  const validator = validatorFor(schema)
  if (validator.Check(value)) return []
  const seen = new Set<string>()
  const result: FieldError[] = []
  for (const error of validator.Errors(value)) {
    // A failed union reports each variant too; the anyOf error itself summarises them.
    if (error.keyword !== 'anyOf' && error.schemaPath.includes('/anyOf/')) continue
    for (const fieldError of toFieldErrors(schema, value, error)) {
      const key = `${fieldError.field}\0${fieldError.message}`
      if (!seen.has(key)) {
        seen.add(key)
        result.push(fieldError)
      }
    }
  }
  return result
}

/**
 * Decoded is the outcome of `decode`: the pruned, typed object, or the schema errors with the
 * pruned value as it is (what `prune` returns); `unknownFields` either way.
 */
export type Decoded<T> =
  | { readonly ok: true; readonly value: T; readonly unknownFields: readonly string[] }
  | {
      readonly ok: false
      readonly errors: readonly FieldError[]
      readonly pruned: unknown
      readonly unknownFields: readonly string[]
    }

/** decode prunes `input` (unknown fields, nulls) and checks it against `schema`, as the apiserver decodes a body. */
export function decode<S extends TSchema>(schema: S, input: unknown): Decoded<Static<S>> {
  const found: string[] = []
  const value = walk(schema, input, '', found)
  const errors = checkSchema(schema, value)
  return errors.length === 0
    ? { ok: true, value: value as Static<S>, unknownFields: found }
    : { ok: false, errors, pruned: value, unknownFields: found }
}
