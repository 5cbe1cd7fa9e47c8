/**
 * Printers of the RBAC kinds, as kube-apiserver's (pkg/printers/internalversion): roles and
 * clusterroles `NAME CREATED AT`, bindings `NAME ROLE AGE` with USERS, GROUPS and
 * SERVICEACCOUNTS (`namespace/name`) under `-o wide`.
 */
import { age } from '../../../lib/human-duration.js'
import { column, type Printer, type PrintableObject } from '../table.js'
import { AGE_COLUMN, NAME_COLUMN } from './columns.js'

const CREATED_AT_COLUMN = column('Created At', AGE_COLUMN.description, { type: 'date' })

/** rolePrinter: NAME CREATED AT, the creation time in RFC 3339 (roles and clusterroles). */
export const rolePrinter: Printer = {
  columns: [NAME_COLUMN, CREATED_AT_COLUMN],
  cells: (o) => [o.metadata.name ?? '', o.metadata.creationTimestamp ?? ''],
}

interface BindingFields {
  readonly roleRef?: { readonly kind?: string; readonly name?: string }
  readonly subjects?: readonly {
    readonly kind?: string
    readonly name?: string
    readonly namespace?: string
  }[]
}

/** subjectsOf lists a binding's subjects of one kind as rbac.SubjectsStrings does; service accounts as `ns/name`. */
function subjectsOf(binding: BindingFields, kind: string): string {
  return (binding.subjects ?? [])
    .filter((s) => s.kind === kind)
    .map((s) =>
      kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name ?? ''}` : (s.name ?? ''),
    )
    .join(', ')
}

// The roleRef swagger docs of rbac/v1beta1 RoleBinding and ClusterRoleBinding.
const ROLE_REF_DESCRIPTIONS = {
  roleBinding:
    'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
  clusterRoleBinding:
    'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
}

/** bindingPrinter: NAME ROLE AGE, then USERS GROUPS SERVICEACCOUNTS for `-o wide`; `kind` words the descriptions. */
function bindingPrinter(kind: 'roleBinding' | 'clusterRoleBinding'): Printer {
  return {
    columns: [
      NAME_COLUMN,
      column('Role', ROLE_REF_DESCRIPTIONS[kind]),
      AGE_COLUMN,
      column('Users', `Users in the ${kind}`, { priority: 1 }),
      column('Groups', `Groups in the ${kind}`, { priority: 1 }),
      column('ServiceAccounts', `ServiceAccounts in the ${kind}`, { priority: 1 }),
    ],
    cells: (o: PrintableObject, now) => {
      const binding = o as PrintableObject & BindingFields
      return [
        o.metadata.name ?? '',
        `${binding.roleRef?.kind ?? ''}/${binding.roleRef?.name ?? ''}`,
        age(o.metadata.creationTimestamp, now),
        subjectsOf(binding, 'User'),
        subjectsOf(binding, 'Group'),
        subjectsOf(binding, 'ServiceAccount'),
      ]
    },
  }
}

/** roleBindingPrinter is the Table of rolebindings. */
export const roleBindingPrinter = bindingPrinter('roleBinding')

/** clusterRoleBindingPrinter is the Table of clusterrolebindings. */
export const clusterRoleBindingPrinter = bindingPrinter('clusterRoleBinding')
