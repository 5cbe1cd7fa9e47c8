/**
 * kubectl's printing of a typed object it created or changed: `-o json` in Go field order (typed
 * decoding drops unknown fields, omits empty ones, keeps `creationTimestamp: null`), `-o yaml`,
 * `-o name`, or `secret/NAME created` with its dry-run mark.
 */
import { UsageError } from '../errors.js'
import { byteOrder, goJson, goYaml, type Node } from './go-encoding.js'
import { omitManagedFields } from './objects.js'

/** DryRun is kubectl's `--dry-run` strategy. */
export type DryRun = 'none' | 'client' | 'server'

/** OUTPUT_FORMATS are the `-o` values a created object can be printed as. */
export const OUTPUT_FORMATS = ['json', 'name', 'yaml'] as const
/** OutputFormat is '' (the `secret/NAME created` line) or one of OUTPUT_FORMATS. */
export type OutputFormat = '' | (typeof OUTPUT_FORMATS)[number]

/** parseDryRun reads `--dry-run`; bare `--dry-run` means client, as kubectl (deprecated) reads it. */
export function parseDryRun(value: string | true | undefined): DryRun {
  if (value === true) return 'client'
  const v = value ?? 'none'
  if (v === 'none' || v === 'client' || v === 'server') return v
  throw new UsageError(`Invalid dry-run value (${v}). Must be "none", "server", or "client".`)
}

/** parseOutput reads `-o`; anything but json, yaml and name is rejected as kubectl rejects it. */
export function parseOutput(value: string | undefined): OutputFormat {
  const v = value ?? ''
  if (v === '' || (OUTPUT_FORMATS as readonly string[]).includes(v)) return v as OutputFormat
  throw new UsageError(
    `unable to match a printer suitable for the output format "${v}", allowed formats are: ${OUTPUT_FORMATS.join(',')}`,
  )
}

type Order = readonly (string | readonly [string, Shape])[]
/**
 * Shape says how kubectl's typed decoding lays out a value: a struct's fields, a list, a map
 * (keys sorted), a value as is, or a value Go always prints (`null` when unset: metav1.Time).
 */
type Shape = { readonly struct: Order } | { readonly list: Shape } | 'map' | 'value' | 'always'

const OBJECT_META: Shape = {
  struct: [
    'name',
    'generateName',
    'namespace',
    'selfLink',
    'uid',
    'resourceVersion',
    'generation',
    ['creationTimestamp', 'always'],
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    ['labels', 'map'],
    ['annotations', 'map'],
    'ownerReferences',
    'finalizers',
    'managedFields',
  ],
}

// rbac/v1 Role and ClusterRole: `rules` has no omitempty, so a role without rules prints null.
const ROLE: Shape = {
  struct: ['kind', 'apiVersion', ['metadata', OBJECT_META], ['rules', 'always'], 'aggregationRule'],
}

// rbac/v1 RoleBinding and ClusterRoleBinding, with Subject's and RoleRef's field orders.
const BINDING: Shape = {
  struct: [
    'kind',
    'apiVersion',
    ['metadata', OBJECT_META],
    ['subjects', { list: { struct: ['kind', 'apiGroup', 'name', 'namespace'] } }],
    ['roleRef', { struct: ['apiGroup', 'kind', 'name'] }],
  ],
}

/** KIND_SHAPES are the Go field orders of the kinds these verbs print. */
const KIND_SHAPES: Readonly<Record<string, Shape>> = {
  Secret: {
    struct: [
      'kind',
      'apiVersion',
      ['metadata', OBJECT_META],
      'immutable',
      ['data', 'map'],
      ['stringData', 'map'],
      'type',
    ],
  },
  ServiceAccount: {
    struct: [
      'kind',
      'apiVersion',
      ['metadata', OBJECT_META],
      [
        'secrets',
        {
          list: {
            struct: [
              'kind',
              'namespace',
              'name',
              'uid',
              'apiVersion',
              'resourceVersion',
              'fieldPath',
            ],
          },
        },
      ],
      ['imagePullSecrets', { list: { struct: ['name'] } }],
      'automountServiceAccountToken',
    ],
  },
  Role: ROLE,
  ClusterRole: ROLE,
  RoleBinding: BINDING,
  ClusterRoleBinding: BINDING,
}

/** isEmpty is what Go's `omitempty` leaves out of a struct field: unset, empty lists and maps. */
function isEmpty(value: unknown): boolean {
  if (value === undefined) return true
  if (Array.isArray(value)) return value.length === 0
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0
}

function toNode(value: unknown, shape: Shape): Node {
  if (value === null || typeof value !== 'object') return value as Node
  if (Array.isArray(value)) {
    return value.map((v) =>
      toNode(v, typeof shape === 'object' && 'list' in shape ? shape.list : 'value'),
    )
  }
  const obj = value as Record<string, unknown>
  if (typeof shape === 'object' && 'struct' in shape) {
    const out = new Map<string, Node>()
    for (const field of shape.struct) {
      const [key, sub] = typeof field === 'string' ? [field, 'value' as const] : field
      if (!isEmpty(obj[key])) out.set(key, toNode(obj[key], sub))
      else if (sub === 'always') out.set(key, null)
    }
    return out
  }
  const keys = Object.keys(obj)
  return new Map(
    (shape === 'map' ? keys.sort(byteOrder) : keys).map((k) => [k, toNode(obj[k], 'value')]),
  )
}

/**
 * typedNode lays `obj` out as kubectl's typed decode and re-encode does: Go field order, unknown
 * fields dropped, map keys sorted, and `creationTimestamp` always present (null when unset).
 */
export function typedNode(obj: object): Node {
  const kind = (obj as { kind?: unknown }).kind
  return toNode(obj, KIND_SHAPES[typeof kind === 'string' ? kind : ''] ?? 'value')
}

/** PrintedObject is what the name printer reads: kind, API version and name. */
type PrintedObject = {
  kind?: string | undefined
  apiVersion?: string | undefined
  metadata: { name?: string | undefined }
}

/** resourceName is kubectl's `-o name`: `secret/NAME`, `clusterrole.rbac.authorization.k8s.io/NAME`. */
function resourceName(obj: PrintedObject) {
  const slash = obj.apiVersion?.indexOf('/') ?? -1
  const group = slash > 0 ? `.${obj.apiVersion!.slice(0, slash)}` : ''
  return `${(obj.kind ?? '').toLowerCase()}${group}/${obj.metadata.name ?? ''}`
}

/**
 * renderObject prints `obj` as kubectl's printer for `output`; with no `-o`, the name and the
 * operation (`secret/x created`), marked `(dry run)` or `(server dry run)`.
 */
export function renderObject(
  obj: PrintedObject,
  output: OutputFormat,
  operation: string,
  dryRun: DryRun = 'none',
): string {
  switch (output) {
    case 'json':
      return `${goJson(typedNode(omitManagedFields(obj)))}\n`
    case 'yaml':
      return goYaml(typedNode(omitManagedFields(obj)))
    case 'name':
      return `${resourceName(obj)}\n`
    case '': {
      const suffix = { none: '', client: ' (dry run)', server: ' (server dry run)' }[dryRun]
      return `${resourceName(obj)} ${operation}${suffix}\n`
    }
  }
}
