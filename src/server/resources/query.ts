/**
 * The query parameters of resource requests, parsed once and checked as the apiserver checks
 * them (docs/kubernetes-api.md#query-parameters): a malformed value is a 400 naming the parameter,
 * never a 500.
 * Booleans are read as apimachinery's query conversion reads them (runtime/conversion.go,
 * Convert_Slice_string_To_bool): only an absent parameter, `false` in any case or `0` is false,
 * so Python's client's `watch=True` and a bare `?watch` both watch.
 */
import type { FastifyRequest } from 'fastify'
import { badRequest } from '../status.js'

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

/** readQuery parses the parameters of a read. */
export function readQuery(request: FastifyRequest): ReadQuery {
  const q = rawQuery(request)
  return {
    limit: parseCount(q, 'limit'),
    continue: first(q, 'continue') || undefined,
    labelSelector: first(q, 'labelSelector') || undefined,
    fieldSelector: first(q, 'fieldSelector') || undefined,
    resourceVersion: first(q, 'resourceVersion') || undefined,
    watch: parseBool(q, 'watch'),
    timeoutSeconds: parseCount(q, 'timeoutSeconds'),
    allowWatchBookmarks: parseBool(q, 'allowWatchBookmarks'),
    includeObject: parseEnum(q, 'includeObject', ['None', 'Metadata', 'Object'], 'Metadata'),
  }
}
