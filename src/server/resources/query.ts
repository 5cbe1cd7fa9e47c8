/**
 * The query parameters of resource requests, parsed once and checked as the apiserver checks
 * them (docs/kubernetes-api.md#query-parameters): a malformed value is a 400 naming the parameter,
 * never a 500.
 * Booleans are read as apimachinery's query conversion reads them (runtime/conversion.go,
 * Convert_Slice_string_To_bool): only an absent parameter, `false` in any case or `0` is false,
 * so Python's client's `watch=True` and a bare `?watch` both watch.
 */
import type { FastifyRequest } from 'fastify'
import { goQuote } from '../../lib/go-quote.js'
import { badRequest, invalid, type FieldCause } from '../status.js'

/**
 * FieldValidation is what to do with unknown fields in a body
 * (docs/kubernetes-api.md#decoding-and-field-validation).
 */
export type FieldValidation = 'Ignore' | 'Warn' | 'Strict'

/** IncludeObject is what a Table row's `object` holds (docs/kubernetes-api.md#tables). */
export type IncludeObject = 'None' | 'Metadata' | 'Object'

/** WriteQuery holds the parameters of create, update, patch and delete. */
export interface WriteQuery {
  readonly dryRun: boolean
  readonly fieldValidation: FieldValidation
  readonly fieldManager: string | undefined
  /** `force` as given (a server-side apply's), undefined when absent. */
  readonly force: boolean | undefined
}

/** ReadQuery holds the parameters of get, list and watch. */
export interface ReadQuery {
  readonly limit: number | undefined
  readonly continue: string | undefined
  readonly labelSelector: string | undefined
  readonly fieldSelector: string | undefined
  readonly resourceVersion: string | undefined
  readonly watch: boolean
  readonly timeoutSeconds: number | undefined
  readonly allowWatchBookmarks: boolean
  readonly includeObject: IncludeObject
}

type RawQuery = Readonly<Record<string, string | string[] | undefined>>

function rawQuery(request: FastifyRequest): RawQuery {
  const q = request.query
  return typeof q === 'object' && q !== null ? (q as RawQuery) : {}
}

/** values returns every value of a repeated parameter. */
function values(q: RawQuery, name: string): string[] {
  const v = q[name]
  return v === undefined ? [] : Array.isArray(v) ? v : [v]
}

/** first returns a parameter's first value, as Go's url.Values.Get does. */
function first(q: RawQuery, name: string): string | undefined {
  return values(q, name)[0]
}

function parseBool(q: RawQuery, name: string): boolean {
  const v = first(q, name)
  if (v === undefined) return false
  const lower = v.toLowerCase()
  return lower !== 'false' && lower !== '0'
}

/** queryFlag reads a boolean query parameter (`watch`, `force`, ...) as the apiserver does; it never fails. */
export function queryFlag(request: FastifyRequest, name: string): boolean {
  return parseBool(rawQuery(request), name)
}

function parseCount(q: RawQuery, name: string): number | undefined {
  const v = first(q, name)
  if (v === undefined || v === '') return undefined
  if (!/^[0-9]{1,15}$/.test(v)) {
    throw badRequest(
      `invalid value for ${name}: ${JSON.stringify(v)}: must be a non-negative integer`,
    )
  }
  return Number(v)
}

function parseEnum<T extends string>(
  q: RawQuery,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = first(q, name)
  if (v === undefined || v === '') return fallback
  if ((allowed as readonly string[]).includes(v)) return v as T
  throw badRequest(
    `invalid value for ${name}: ${JSON.stringify(v)}: supported values: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
  )
}

/**
 * queryDryRun returns every `dryRun` value of the query as given; the write's options check
 * them (write-options.ts dryRunErrors), since the apiserver refuses a bad one as invalid options.
 */
export function queryDryRun(request: FastifyRequest): string[] {
  return values(rawQuery(request), 'dryRun')
}

/**
 * queryFieldValidation returns the `fieldValidation` value as given ('' when absent); the
 * write's options check it (write-options.ts fieldValidationErrors) with dryRun and
 * fieldManager, since the apiserver refuses a bad one as invalid options.
 */
export function queryFieldValidation(request: FastifyRequest): string {
  return first(rawQuery(request), 'fieldValidation') ?? ''
}

/** isFieldValidation tells whether a `fieldValidation` value names a behaviour ('' does not). */
export function isFieldValidation(value: string): value is FieldValidation {
  return value === 'Ignore' || value === 'Warn' || value === 'Strict'
}

/**
 * writeQuery parses the parameters of a write. The apiserver's default fieldValidation is Warn,
 * which also stands for a value the write's options check refuses before anything is decoded.
 * `dryRun` is true when any value is given: the write's options check refuses all but `All`.
 */
export function writeQuery(request: FastifyRequest): WriteQuery {
  const q = rawQuery(request)
  const fieldValidation = first(q, 'fieldValidation') ?? ''
  return {
    dryRun: values(q, 'dryRun').length > 0,
    fieldValidation: isFieldValidation(fieldValidation) ? fieldValidation : 'Warn',
    fieldManager: first(q, 'fieldManager') || undefined,
    force: first(q, 'force') === undefined ? undefined : parseBool(q, 'force'),
  }
}

const MAX_UINT64 = 2n ** 64n - 1n

/**
 * parseResourceVersion checks `resourceVersion` as the apiserver's storage parses it
 * (storage.APIObjectVersioner.ParseResourceVersion, strconv.ParseUint): anything but a decimal
 * uint64 is a 400 `invalid resource version: ...`.
 */
function parseResourceVersion(q: RawQuery): string | undefined {
  const v = first(q, 'resourceVersion') || undefined
  if (v === undefined) return undefined
  const problem = !/^[0-9]+$/.test(v)
    ? 'invalid syntax'
    : BigInt(v) > MAX_UINT64
      ? 'value out of range'
      : undefined
  if (problem === undefined) return v
  throw badRequest(
    `invalid resource version: resourceVersion: Invalid value: ${goQuote(v)}: strconv.ParseUint: parsing ${goQuote(v)}: ${problem}`,
  )
}

const MATCHES = ['Exact', 'NotOlderThan'] as const

/**
 * listOptionsErrors are apimachinery's ValidateListOptions checks of `resourceVersionMatch`
 * (meta/internalversion/validation), answered as a 422 on `ListOptions.meta.k8s.io ""`.
 */
function listOptionsErrors(q: RawQuery, watch: boolean): FieldCause[] {
  const match = first(q, 'resourceVersionMatch') ?? ''
  if (match === '') return []
  const forbidden = (message: string): FieldCause => ({
    type: 'FieldValueForbidden',
    field: 'resourceVersionMatch',
    message: `Forbidden: ${message}`,
  })
  if (watch) return [forbidden('resourceVersionMatch is forbidden for watch')]
  const errors: FieldCause[] = []
  const resourceVersion = first(q, 'resourceVersion') ?? ''
  if (resourceVersion === '')
    errors.push(forbidden('resourceVersionMatch is forbidden unless resourceVersion is provided'))
  if ((first(q, 'continue') ?? '') !== '')
    errors.push(forbidden('resourceVersionMatch is forbidden when continue is provided'))
  if (!(MATCHES as readonly string[]).includes(match)) {
    const supported = [...MATCHES, ''].map(goQuote).join(', ')
    errors.push({
      type: 'FieldValueNotSupported',
      field: 'resourceVersionMatch',
      message: `Unsupported value: ${goQuote(match)}: supported values: ${supported}`,
    })
  }
  if (match === 'Exact' && resourceVersion === '0')
    errors.push(forbidden('resourceVersionMatch "exact" is forbidden for resourceVersion "0"'))
  return errors
}

/** queryIncludeObject is the `includeObject` of a GET's Table (docs/kubernetes-api.md#tables). */
export function queryIncludeObject(request: FastifyRequest): IncludeObject {
  return parseEnum(rawQuery(request), 'includeObject', ['None', 'Metadata', 'Object'], 'Metadata')
}

/**
 * readQuery parses the parameters of a list, watch or deletecollection, refusing list options
 * the apiserver refuses (docs/kubernetes-api.md#query-parameters).
 */
export function readQuery(request: FastifyRequest): ReadQuery {
  const q = rawQuery(request)
  const watch = parseBool(q, 'watch')
  const errors = listOptionsErrors(q, watch)
  if (errors.length > 0) throw invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', errors)
  return {
    limit: parseCount(q, 'limit'),
    continue: first(q, 'continue') || undefined,
    labelSelector: first(q, 'labelSelector') || undefined,
    fieldSelector: first(q, 'fieldSelector') || undefined,
    resourceVersion: parseResourceVersion(q),
    watch,
    timeoutSeconds: parseCount(q, 'timeoutSeconds'),
    allowWatchBookmarks: parseBool(q, 'allowWatchBookmarks'),
    includeObject: queryIncludeObject(request),
  }
}
