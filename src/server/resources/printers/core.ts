/**
 * Printers of the core kinds, as kube-apiserver's (pkg/printers/internalversion):
 * secrets `NAME TYPE DATA AGE`, serviceaccounts `NAME SECRETS AGE`, namespaces
 * `NAME STATUS AGE`, and `NAME AGE` for anything else (events and the like).
 */
import { age } from '../../../lib/human-duration.js'
import { column, type Printer, type PrintableObject } from '../table.js'
import { AGE_COLUMN, NAME_COLUMN } from './columns.js'

function count(value: unknown): number {
  if (Array.isArray(value)) return value.length
  return typeof value === 'object' && value !== null ? Object.keys(value).length : 0
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function nameOf(o: PrintableObject): string {
  return o.metadata.name ?? ''
}

/** secretPrinter: NAME TYPE DATA AGE. */
export const secretPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column(
      'Type',
      'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
    ),
    column(
      'Data',
      "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
    ),
    AGE_COLUMN,
  ],
  cells: (o, now) => [
    nameOf(o),
    str(o.type),
    count(o.data),
    age(o.metadata.creationTimestamp, now),
  ],
}

/** serviceAccountPrinter: NAME SECRETS AGE. */
export const serviceAccountPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column(
      'Secrets',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. More info: https://kubernetes.io/docs/concepts/configuration/secret',
    ),
    AGE_COLUMN,
  ],
  cells: (o, now) => [nameOf(o), count(o.secrets), age(o.metadata.creationTimestamp, now)],
}

/** namespacePrinter: NAME STATUS AGE. */
export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, column('Status', 'The status of the namespace'), AGE_COLUMN],
  cells: (o, now) => {
    const status = o.status as { phase?: unknown } | undefined
    return [nameOf(o), str(status?.phase), age(o.metadata.creationTimestamp, now)]
  },
}

/** defaultPrinter: NAME AGE, kube's default table. */
export const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  cells: (o, now) => [nameOf(o), age(o.metadata.creationTimestamp, now)],
}
