/**
 * `isctl policy add-role-to-user|add-role-to-group|remove-role-from-user|remove-role-from-group`
 * and `isctl adm policy add-cluster-role-to-user|...`, as oc's RoleModificationOptions does them
 * (openshift/oc pkg/cli/admin/policy/modify_roles.go, policy.go): an add writes a new binding
 * named after the role unless one already holds every subject; a remove drops the subjects from
 * every binding of the role, deleting a binding left empty. How it behaves is in
 * docs/access-control.md#granting-roles.
 */
import { randomUUID } from 'node:crypto'
import { checkDNS1123Label, checkDNS1123Subdomain } from '../../api/names.js'
import { RBAC_GROUP } from '../../api/constants.js'
import type { RoleBinding, Subject } from '../../api/rbac.js'
import { USER_API_PATH, USER_API_VERSION } from '../../api/paths.js'
import { RESOURCE_META } from '../../api/resource-meta.js'
import { goQuote, goStrings } from '../../lib/go-quote.js'
import { ApiError, isNotFound } from '../client/api-errors.js'
import type { Session } from '../client/session.js'
import { CliError, UsageError } from '../errors.js'
import { splitSlice } from '../go-flags.js'
import { formatDocument } from '../printers/objects.js'
import {
  OUTPUT_FORMATS,
  parseDryRun,
  parseOutput,
  renderObject,
  type DryRun,
  type OutputFormat,
} from '../printers/typed-objects.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** RoleKind is what a binding refers to. */
export type RoleKind = 'Role' | 'ClusterRole'

/** PolicyFlags are the flags of every role verb (`--role-namespace` and `-z` where declared). */
export interface PolicyFlags {
  readonly rolebindingName?: string | undefined
  readonly roleNamespace?: string | undefined
  /** `-z`, repeatable and comma-separated. */
  readonly serviceaccount?: readonly string[] | undefined
  readonly dryRun?: string | true | undefined
  readonly output?: string | undefined
}

/** RoleArgs are the validated operands: the role, and the users or groups as typed. */
export interface RoleArgs {
  readonly role: string
  readonly users: readonly string[]
  readonly groups: readonly string[]
  /** `-z` names, short form. */
  readonly serviceAccounts: readonly string[]
}

const SA_PREFIX = 'system:serviceaccount:'
const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate'
/** How many times an add that lost a create race starts over (oc starts over without limit). */
const ALREADY_EXISTS_ATTEMPTS = 10

/** parseUserArgs checks `ROLE (USER | -z SA) [USER...]` as oc's CompleteUserWithSA does. */
export function parseUserArgs(operands: readonly string[], saFlag?: readonly string[]): RoleArgs {
  if (operands.length < 1) throw new UsageError('you must specify a role')
  const [role, ...users] = operands as [string, ...string[]]
  const serviceAccounts = splitSlice(saFlag)
  if (users.length === 0 && serviceAccounts.length === 0) {
    throw new UsageError('you must specify at least one user or service account')
  }
  for (const sa of serviceAccounts) {
    if (sa.startsWith('system:serviceaccount')) {
      throw new UsageError(
        '--serviceaccount (-z) should only be used with short-form serviceaccount names (e.g. `default`)',
      )
    }
    const problems = checkDNS1123Subdomain(sa)
    if (problems.length > 0) {
      throw new UsageError(
        `${goQuote(sa)} is not a valid serviceaccount name:\n  ${problems.join('\n  ')}`,
      )
    }
  }
  return { role, users, groups: [], serviceAccounts }
}

/** parseGroupArgs checks `ROLE GROUP [GROUP...]` as oc's Complete does. */
export function parseGroupArgs(operands: readonly string[]): RoleArgs {
  if (operands.length < 2) {
    throw new UsageError('you must specify at least two arguments: <role> <group> [group]...')
  }
  const [role, ...groups] = operands as [string, ...string[]]
  return { role, users: [], groups, serviceAccounts: [] }
}

/** targetsOf are the names oc echoes: users then `-z` names, or the groups. */
export function targetsOf(args: RoleArgs): string[] {
  return [...args.users, ...args.serviceAccounts, ...args.groups]
}

/**
 * splitServiceAccountUser is apiserver's serviceaccount.SplitUsername: the namespace and name of
 * `system:serviceaccount:NS:NAME` when both are valid names, else undefined.
 */
export function splitServiceAccountUser(user: string): [string, string] | undefined {
  if (!user.startsWith(SA_PREFIX)) return undefined
  const parts = user.slice(SA_PREFIX.length).split(':')
  if (parts.length !== 2) return undefined
  const [namespace, name] = parts as [string, string]
  if (checkDNS1123Label(namespace).length > 0 || checkDNS1123Subdomain(name).length > 0) {
    return undefined
  }
  return [namespace, name]
}

/**
 * buildSubjects is library-go's BuildRBACSubjects plus oc's `-z` subjects: a user named
 * `system:serviceaccount:NS:NAME` is that ServiceAccount, other users and groups are RBAC
 * subjects, and each `-z` name is a ServiceAccount of `namespace`.
 */
export function buildSubjects(args: RoleArgs, namespace: string): Subject[] {
  const users = args.users.map((user): Subject => {
    const sa = splitServiceAccountUser(user)
    if (sa) return { kind: 'ServiceAccount', namespace: sa[0], name: sa[1] }
    return { kind: 'User', apiGroup: RBAC_GROUP, name: user }
  })
  const groups = args.groups.map((name): Subject => ({ kind: 'Group', apiGroup: RBAC_GROUP, name }))
  const sas = args.serviceAccounts.map((name): Subject => ({
    kind: 'ServiceAccount',
    namespace,
    name,
  }))
  return [...users, ...groups, ...sas]
}

/** sameSubject compares kind, name and namespace, as oc does (not the API group). */
function sameSubject(a: Subject, b: Subject): boolean {
  return (
    (a.kind ?? '') === (b.kind ?? '') &&
    (a.name ?? '') === (b.name ?? '') &&
    (a.namespace ?? '') === (b.namespace ?? '')
  )
}

/** addSubjects is `existing` followed by the subjects of `toAdd` it lacks, duplicates dropped. */
export function addSubjects(existing: readonly Subject[], toAdd: readonly Subject[]): Subject[] {
  const out = [...existing]
  for (const s of toAdd) if (!out.some((o) => sameSubject(o, s))) out.push(s)
  return out
}

/** removeSubjects drops every subject matching one of `needles`; says how many went. */
export function removeSubjects(
  haystack: readonly Subject[],
  needles: readonly Subject[],
): { subjects: Subject[]; removed: number } {
  const subjects = haystack.filter((s) => !needles.some((n) => sameSubject(s, n)))
  return { subjects, removed: haystack.length - subjects.length }
}

/** uniqueName is oc's getUniqueName: `base`, else `base-0` ... `base-99`, else a UUID. */
export function uniqueName(
  base: string,
  existing: ReadonlySet<string>,
  uuid: () => string = randomUUID,
): string {
  if (!existing.has(base)) return base
  for (let i = 0; i < 100; i++) if (!existing.has(`${base}-${i}`)) return `${base}-${i}`
  return uuid()
}

/** Scope is where the verb works: the binding's namespace ('' for cluster bindings) and the role kind. */
export interface Scope {
  readonly namespace: string
  readonly roleKind: RoleKind
}

/**
 * bindingsForRole are the bindings that grant `role`: by name and kind in a namespace; by name
 * only among cluster bindings (which can only refer to ClusterRoles).
 */
export function bindingsForRole(
  bindings: readonly RoleBinding[],
  role: string,
  scope: Scope,
): RoleBinding[] {
  return bindings.filter(
    (b) =>
      b.roleRef?.name === role && (scope.namespace === '' || b.roleRef?.kind === scope.roleKind),
  )
}

/** holdingAll is the first binding that already has every subject, if any. */
export function holdingAll(
  bindings: readonly RoleBinding[],
  subjects: readonly Subject[],
): RoleBinding | undefined {
  return bindings.find((b) => {
    const existing = b.subjects ?? []
    return addSubjects(existing, subjects).length === existing.length
  })
}

/** RemovalStep is what a remove does to one binding. */
export interface RemovalStep {
  readonly binding: RoleBinding
  /** Delete a binding left without subjects, unless its autoupdate annotation is "false". */
  readonly action: 'update' | 'delete'
}

/** planRemoval drops `subjects` from each binding; bindings that held none of them are left out. */
export function planRemoval(
  bindings: readonly RoleBinding[],
  subjects: readonly Subject[],
): RemovalStep[] {
  return bindings.flatMap((b) => {
    const { subjects: kept, removed } = removeSubjects(b.subjects ?? [], subjects)
    if (removed === 0) return []
    const { subjects: _old, ...rest } = b
    const binding: RoleBinding = { ...rest, ...(kept.length > 0 && { subjects: kept }) }
    const keep = kept.length > 0 || b.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false'
    return [{ binding, action: keep ? 'update' : 'delete' }]
  })
}

/** newBinding is the binding oc creates: named `name`, granting `role` of the scope's kind. */
export function newBinding(name: string, role: string, scope: Scope): RoleBinding {
  return {
    ...bindingType(scope),
    metadata: { name, ...(scope.namespace !== '' && { namespace: scope.namespace }) },
    roleRef: { apiGroup: RBAC_GROUP, kind: scope.roleKind, name: role },
  }
}

/** successMessage is oc's getRolesSuccessMessage without its dry-run mark: `added: "alice"`. */
export function successMessage(operation: string, targets: readonly string[]): string {
  return `${operation}: ${targets.length === 1 ? goQuote(targets[0]!) : goStrings(targets)}`
}

function bindingType(scope: Scope): { kind: string; apiVersion: string } {
  const kind = scope.namespace === '' ? 'ClusterRoleBinding' : 'RoleBinding'
  return { kind, apiVersion: `${RBAC_GROUP}/v1` }
}

/** roleToPrint is the object oc names in its success line: the role, kind and name only. */
function roleToPrint(role: string, scope: Scope) {
  return { kind: scope.roleKind, apiVersion: `${RBAC_GROUP}/v1`, metadata: { name: role } }
}

function bindingResource(scope: Scope) {
  return scope.namespace === '' ? RESOURCE_META.clusterrolebindings : RESOURCE_META.rolebindings
}

/** typed gives an object read from the server the kind and version oc's printer sets. */
function typed(binding: RoleBinding, scope: Scope): RoleBinding {
  return { ...binding, ...bindingType(scope) }
}

// ---------------------------------------------------------------------------------------------
// Talking to the server

/** Options are a run's settled inputs. */
interface Options {
  readonly args: RoleArgs
  readonly scope: Scope
  readonly subjects: readonly Subject[]
  readonly targets: readonly string[]
  readonly bindingName: string
  readonly dryRun: DryRun
  readonly output: OutputFormat
}

async function listBindings(session: Session, scope: Scope): Promise<RoleBinding[]> {
  try {
    const list = await session.client.list(bindingResource(scope), {
      namespace: scope.namespace || undefined,
    })
    return list.items.map((b) => typed(b, scope))
  } catch (err) {
    if (isNotFound(err)) return []
    throw err
  }
}

async function getBinding(session: Session, name: string, scope: Scope): Promise<RoleBinding> {
  const found = await session.client.get(bindingResource(scope), {
    namespace: scope.namespace || undefined,
    name,
  })
  return typed(found, scope)
}

/** exists says whether `get` finds its object; only NotFound counts as missing, as in oc. */
async function exists(get: () => Promise<unknown>): Promise<boolean> {
  try {
    await get()
    return true
  } catch (err) {
    return !isNotFound(err)
  }
}

/** userAPIServed is oc's check that user.openshift.io/v1 is a preferred version in discovery. */
async function userAPIServed(session: Session): Promise<boolean> {
  const groups = await session.client.request<{
    groups?: { preferredVersion?: { groupVersion?: string } }[]
  }>('GET', '/apis')
  return (groups.groups ?? []).some((g) => g.preferredVersion?.groupVersion === USER_API_VERSION)
}

/** warnMissing writes oc's warnings for a role, and new subjects, that do not exist. */
async function warnMissing(
  session: Session,
  binding: RoleBinding,
  newSubjects: readonly Subject[],
): Promise<void> {
  const role = binding.roleRef?.name ?? ''
  const roleFound = await exists(() =>
    binding.roleRef?.kind === 'Role'
      ? session.client.get(RESOURCE_META.roles, {
          namespace: binding.metadata.namespace,
          name: role,
        })
      : session.client.get(RESOURCE_META.clusterroles, { name: role }),
  )
  if (!roleFound) session.io.stderr.write(`Warning: role '${role}' not found\n`)
  const userAPI = newSubjects.some((s) => s.kind !== 'ServiceAccount')
    ? await userAPIServed(session)
    : false
  for (const s of newSubjects) {
    const name = s.name ?? ''
    let found = true
    if (s.kind === 'ServiceAccount') {
      found = await exists(() =>
        session.client.get(RESOURCE_META.serviceaccounts, { namespace: s.namespace, name }),
      )
    } else if (userAPI) {
      const plural = s.kind === 'User' ? 'users' : 'groups'
      found = await exists(() =>
        session.client.request('GET', `${USER_API_PATH}/${plural}/${encodeURIComponent(name)}`),
      )
    }
    if (!found) session.io.stderr.write(`Warning: ${s.kind ?? ''} '${name}' not found\n`)
  }
}

function print(session: Session, obj: Parameters<typeof renderObject>[0], o: Options, op: string) {
  session.io.stdout.write(renderObject(obj, o.output, successMessage(op, o.targets), o.dryRun))
}

/** existingNamed is the binding `--rolebinding-name` names, checked against the role; undefined when absent. */
async function existingNamed(session: Session, o: Options): Promise<RoleBinding | undefined> {
  let binding: RoleBinding
  try {
    binding = await getBinding(session, o.bindingName, o.scope)
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw err
  }
  const ref = binding.roleRef ?? {}
  if (ref.name !== o.args.role) {
    throw new CliError(
      `rolebinding ${o.bindingName} found for role ${ref.name ?? ''}, not ${o.args.role}`,
    )
  }
  if (ref.kind !== o.scope.roleKind) {
    throw new CliError(
      `rolebinding ${o.bindingName} found for ${goQuote(ref.kind ?? '')}, not ${goQuote(o.scope.roleKind)}`,
    )
  }
  return binding
}

/**
 * addRole is oc's AddRole: one pass; resolves to false when a create lost a race to another
 * writer and should start over (on the last attempt the AlreadyExists error is reported).
 */
async function addRole(session: Session, o: Options, lastAttempt: boolean): Promise<boolean> {
  const role = roleToPrint(o.args.role, o.scope)
  let binding: RoleBinding | undefined
  if (o.bindingName !== '') {
    binding = await existingNamed(session, o)
  } else {
    const held = holdingAll(
      bindingsForRole(await listBindings(session, o.scope), o.args.role, o.scope),
      o.subjects,
    )
    if (held) {
      print(session, o.output === '' ? role : held, o, 'added')
      return true
    }
  }
  const isUpdate = binding !== undefined
  if (!binding) {
    const name =
      o.bindingName ||
      uniqueName(
        o.args.role,
        new Set((await listBindings(session, o.scope)).map((b) => b.metadata.name ?? '')),
      )
    binding = newBinding(name, o.args.role, o.scope)
  }
  const existing = binding.subjects ?? []
  const subjects = addSubjects(existing, o.subjects)
  await warnMissing(session, binding, subjects.slice(existing.length))
  binding = { ...binding, subjects }
  if (o.dryRun === 'client') {
    print(session, binding, o, 'added')
    return true
  }
  const target = { namespace: o.scope.namespace || undefined, name: binding.metadata.name }
  const dryRun = o.dryRun === 'server'
  if (isUpdate) {
    await session.client.update(bindingResource(o.scope), target, binding, { dryRun })
  } else {
    try {
      await session.client.create(bindingResource(o.scope), target.namespace, binding, { dryRun })
    } catch (err) {
      if (err instanceof ApiError && err.reason === 'AlreadyExists' && !lastAttempt) return false
      throw err
    }
  }
  print(session, role, o, 'added')
  return true
}

/** removeRole is oc's RemoveRole; with `-o` it writes too (oc only prints there, changing nothing). */
async function removeRole(session: Session, o: Options): Promise<void> {
  let bindings: RoleBinding[]
  if (o.bindingName !== '') {
    const binding = await getBinding(session, o.bindingName, o.scope)
    const ref = binding.roleRef ?? {}
    if (ref.name !== o.args.role) {
      throw new CliError(
        `rolebinding ${o.bindingName} contains role ${ref.name ?? ''}, instead of role ${o.args.role}`,
      )
    }
    if (ref.kind !== o.scope.roleKind) {
      throw new CliError(
        `rolebinding ${o.bindingName} contains role ${o.args.role} of kind ${goQuote(ref.kind ?? '')}, not ${goQuote(o.scope.roleKind)}`,
      )
    }
    bindings = [binding]
  } else {
    bindings = bindingsForRole(await listBindings(session, o.scope), o.args.role, o.scope)
    if (bindings.length === 0) {
      const type = o.scope.namespace === '' ? 'ClusterRoleBinding' : 'RoleBinding'
      throw new CliError(
        `unable to locate any ${type} for ${o.scope.roleKind} ${goQuote(o.args.role)}`,
      )
    }
  }
  const steps = planRemoval(bindings, o.subjects)
  if (steps.length === 0) throw new CliError(`unable to find target [${o.targets.join(' ')}]`)
  if (o.dryRun !== 'client') {
    const dryRun = o.dryRun === 'server'
    for (const { binding, action } of steps) {
      const target = { namespace: o.scope.namespace || undefined, name: binding.metadata.name }
      if (action === 'update') {
        await session.client.update(bindingResource(o.scope), target, binding, { dryRun })
      } else {
        await session.client.delete(bindingResource(o.scope), target, { dryRun })
      }
      if (binding.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'true') {
        session.io.stderr.write(
          `Warning: Your changes may get lost whenever a master is restarted, unless you prevent reconciliation of this rolebinding using the following command: kubectl annotate ${o.scope.namespace === '' ? 'clusterrolebinding' : 'rolebinding'}.rbac ${binding.metadata.name ?? ''} '${AUTOUPDATE_ANNOTATION}=false' --overwrite\n`,
        )
      }
    }
  }
  if (o.output === 'json' || o.output === 'yaml') {
    const list = {
      kind: 'List',
      apiVersion: 'v1',
      metadata: {},
      items: steps.map((s) => s.binding),
    }
    session.io.stdout.write(formatDocument(list, o.output))
    return
  }
  if (o.output === 'name') {
    for (const { binding } of steps) print(session, binding, o, 'removed')
    return
  }
  print(session, roleToPrint(o.args.role, o.scope), o, 'removed')
}

/** Verb says which of the eight commands runs. */
interface Verb {
  readonly op: 'add' | 'remove'
  readonly subjects: 'user' | 'group'
  readonly cluster: boolean
}

/** scopeOf is oc's checkRoleBindingNamespace: `--role-namespace` must be the current namespace. */
export function scopeOf(cluster: boolean, namespace: string, roleNamespace: string): Scope {
  if (cluster) return { namespace: '', roleKind: 'ClusterRole' }
  if (roleNamespace !== '' && roleNamespace !== namespace) {
    throw new CliError(
      `role binding in namespace ${goQuote(namespace)} can't reference role in different namespace ${goQuote(roleNamespace)}`,
    )
  }
  return { namespace, roleKind: roleNamespace !== '' ? 'Role' : 'ClusterRole' }
}

function parseArgs(verb: Verb, operands: readonly string[], flags: PolicyFlags): RoleArgs {
  return verb.subjects === 'user'
    ? parseUserArgs(operands, flags.serviceaccount)
    : parseGroupArgs(operands)
}

function runner(verb: Verb) {
  return async (operands: string[], flags: PolicyFlags, session: Session): Promise<number> => {
    const args = parseArgs(verb, operands, flags)
    if (flags.dryRun === true) {
      session.io.stderr.write(
        'Warning: --dry-run is deprecated and can be replaced with --dry-run=client.\n',
      )
    }
    const o: Options = {
      args,
      scope: scopeOf(verb.cluster, session.namespace, flags.roleNamespace ?? ''),
      subjects: buildSubjects(args, session.namespace),
      targets: targetsOf(args),
      bindingName: flags.rolebindingName ?? '',
      dryRun: parseDryRun(flags.dryRun),
      output: parseOutput(flags.output),
    }
    if (verb.op === 'remove') {
      await removeRole(session, o)
      return 0
    }
    for (let attempt = 1; ; attempt++) {
      if (await addRole(session, o, attempt >= ALREADY_EXISTS_ATTEMPTS)) return 0
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The commands

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value]

const SEE_ALSO =
  "To learn more, see information about RBAC and policy, or use the 'get' and 'describe' commands on the following resources: 'clusterroles', 'clusterrolebindings', 'roles', 'rolebindings', 'users', 'groups', and 'serviceaccounts'."

const NAMED_BINDING =
  'If the --rolebinding-name argument is supplied, it will look for an existing role binding with that name. The role on the matching role binding MUST match the role name supplied to the command. If no role binding name is given, a default name will be used.'

const ROLE_NAMESPACE =
  'When --role-namespace argument is specified as a non-empty value, it MUST match the current namespace. When role-namespace is specified, the role binding will reference a namespaced role. Otherwise, the role binding will reference a cluster role resource.'

/** Help of one command: usage line, texts and flags, as oc declares them. */
interface Help {
  readonly summary: string
  readonly description: string
  readonly operands: readonly [string, string]
  readonly examples?: string
}

function declare(verb: Verb, help: Help): ConfigureVerb {
  return (cmd, ctx) => {
    cmd
      .summary(help.summary)
      .description(help.description)
      .argument(help.operands[0])
      .argument(help.operands[1])
      .option(
        '--rolebinding-name <name>',
        verb.op === 'add'
          ? 'Name of the rolebinding to modify or create. If left empty creates a new rolebinding with a default name'
          : 'Name of the rolebinding to modify. If left empty it will operate on all rolebindings',
      )
    if (!verb.cluster) {
      cmd.option(
        '--role-namespace <namespace>',
        'namespace where the role is located: empty means a role defined in cluster policy',
      )
    }
    if (verb.subjects === 'user') {
      cmd.option(
        '-z, --serviceaccount <name>',
        'service account in the current namespace to use as a user',
        collect,
      )
    }
    cmd
      .option(
        '--dry-run [strategy]',
        'Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.',
        'none',
      )
      .option('-o, --output <format>', `Output format. One of: (${OUTPUT_FORMATS.join(', ')}).`)
    if (help.examples) cmd.addHelpText('after', `\nExamples:\n${help.examples}`)
    sessionAction(cmd, ctx, runner(verb), (operands, flags: PolicyFlags) => {
      parseArgs(verb, operands, flags)
    })
  }
}

const ADD_ROLE_TO_USER = `Add a role to users or service accounts for the project.

This command allows you to grant a user access to specific resources and actions within the current project, by assigning them to a role. It creates or modifies a role binding referencing the specified role adding the user(s) or service account(s) to the list of subjects. The command does not require that the matching role or user/service account resources exist and will create the binding successfully even when the role or user/service account do not exist or when the user does not have access to view them.

${NAMED_BINDING} ${ROLE_NAMESPACE}

${SEE_ALSO}`

const ADD_ROLE_TO_GROUP = `Add a role to groups for the project

This command allows you to grant a group access to specific resources and actions within the current project, by assigning them to a role. It creates or modifies a role binding referencing the specified role adding the group(s) to the list of subjects. The command does not require that the matching role or group resources exist and will create the binding successfully even when the role or group do not exist or when the user does not have access to view them.

${NAMED_BINDING} ${ROLE_NAMESPACE}

${SEE_ALSO}`

/** policyExample is oc's example text with the command group this verb sits in. */
function userExamples(group: string): string {
  return `  # Add the 'view' role to user1 for the current project
  isctl ${group} add-role-to-user view user1

  # Add the 'edit' role to serviceaccount1 for the current project
  isctl ${group} add-role-to-user edit -z serviceaccount1`
}

/** addRoleToUser declares `add-role-to-user ROLE (USER | -z SA) [USER...]` under `group`, whose name its examples use. */
const addRoleToUser = (group: 'policy' | 'adm policy'): ConfigureVerb =>
  declare(
    { op: 'add', subjects: 'user', cluster: false },
    {
      summary: 'Add a role to users or service accounts for the current project',
      description: ADD_ROLE_TO_USER,
      operands: ['[role]', '[user...]'],
      examples: userExamples(group),
    },
  )

/** configureAddRoleToUser declares `policy add-role-to-user ROLE (USER | -z SA) [USER...]`. */
export const configureAddRoleToUser: ConfigureVerb = addRoleToUser('policy')

/** configureAdmAddRoleToUser is add-role-to-user under `adm policy`, with its examples. */
export const configureAdmAddRoleToUser: ConfigureVerb = addRoleToUser('adm policy')

/** configureAddRoleToGroup declares `policy add-role-to-group ROLE GROUP [GROUP...]`. */
export const configureAddRoleToGroup: ConfigureVerb = declare(
  { op: 'add', subjects: 'group', cluster: false },
  {
    summary: 'Add a role to groups for the project',
    description: ADD_ROLE_TO_GROUP,
    operands: ['[role]', '[group...]'],
  },
)

/** configureRemoveRoleFromUser declares `policy remove-role-from-user ROLE USER [USER...]`. */
export const configureRemoveRoleFromUser: ConfigureVerb = declare(
  { op: 'remove', subjects: 'user', cluster: false },
  {
    summary: 'Remove a role from users for the project',
    description: 'Remove a role from users for the project',
    operands: ['[role]', '[user...]'],
  },
)

/** configureRemoveRoleFromGroup declares `policy remove-role-from-group ROLE GROUP [GROUP...]`. */
export const configureRemoveRoleFromGroup: ConfigureVerb = declare(
  { op: 'remove', subjects: 'group', cluster: false },
  {
    summary: 'Remove a role from groups for the project',
    description: 'Remove a role from groups for the project',
    operands: ['[role]', '[group...]'],
  },
)

/** configureAddClusterRoleToUser declares `adm policy add-cluster-role-to-user ROLE (USER | -z SA) [USER...]`. */
export const configureAddClusterRoleToUser: ConfigureVerb = declare(
  { op: 'add', subjects: 'user', cluster: true },
  {
    summary: 'Add a role to users for all projects in the cluster',
    description: `Add a role to users or service accounts across all projects

This command allows you to grant a user access to specific resources and actions within the cluster, by assigning them to a role. It creates or modifies a cluster role binding referencing the specified cluster role, adding the user(s) or service account(s) to the list of subjects. This command does not require that the matching cluster role or user/service account resources exist and will create the binding successfully even when the role or user/service account do not exist or when the user does not have access to view them.

If the --rolebinding-name argument is supplied, it will look for an existing cluster role binding with that name. The role on the matching cluster role binding MUST match the role name supplied to the command. If no role binding name is given, a default name will be used.

${SEE_ALSO}`,
    operands: ['[role]', '[user...]'],
    examples: `  # Add the 'system:image-pruner' cluster role to the 'devuser' user
  isctl adm policy add-cluster-role-to-user system:image-pruner devuser`,
  },
)

/** configureAddClusterRoleToGroup declares `adm policy add-cluster-role-to-group ROLE GROUP [GROUP...]`. */
export const configureAddClusterRoleToGroup: ConfigureVerb = declare(
  { op: 'add', subjects: 'group', cluster: true },
  {
    summary: 'Add a role to groups for all projects in the cluster',
    description: `Add a role to groups for the project

This command creates or modifies a cluster role binding with the named cluster role by adding the named group(s) to the list of subjects. The command does not require the matching role or group resources exist and will create the binding successfully even when the role or group do not exist or when the user does not have access to view them.

If the --rolebinding-name argument is supplied, it will look for an existing cluster role binding with that name. The role on the matching cluster role binding MUST match the role name supplied to the command. If no rolebinding name is given, a default name will be used.`,
    operands: ['[role]', '[group...]'],
    examples: `  # Add the 'cluster-admin' cluster role to the 'cluster-admins' group
  isctl adm policy add-cluster-role-to-group cluster-admin cluster-admins`,
  },
)

/** configureRemoveClusterRoleFromUser declares `adm policy remove-cluster-role-from-user ROLE USER [USER...]`. */
export const configureRemoveClusterRoleFromUser: ConfigureVerb = declare(
  { op: 'remove', subjects: 'user', cluster: true },
  {
    summary: 'Remove a role from users for all projects in the cluster',
    description: 'Remove a role from users for all projects in the cluster',
    operands: ['[role]', '[user...]'],
    examples: `  # Remove the 'system:image-pruner' cluster role from the 'devuser' user
  isctl adm policy remove-cluster-role-from-user system:image-pruner devuser`,
  },
)

/** configureRemoveClusterRoleFromGroup declares `adm policy remove-cluster-role-from-group ROLE GROUP [GROUP...]`. */
export const configureRemoveClusterRoleFromGroup: ConfigureVerb = declare(
  { op: 'remove', subjects: 'group', cluster: true },
  {
    summary: 'Remove a role from groups for all projects in the cluster',
    description: 'Remove a role from groups for all projects in the cluster',
    operands: ['[role]', '[group...]'],
    examples: `  # Remove the 'cluster-admin' cluster role from the 'cluster-admins' group
  isctl adm policy remove-cluster-role-from-group cluster-admin cluster-admins`,
  },
)
