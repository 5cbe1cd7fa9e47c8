/**
 * The RBAC authorizer (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac): a request is allowed
 * when a rule of a role bound to the user allows it; ClusterRoleBindings bind everywhere,
 * RoleBindings in their own namespace. `system:masters` may do everything, as the apiserver's
 * privileged-group authorizer lets it. A plain denial has no reason, as upstream's; a binding
 * whose role is missing makes the reason name it.
 *
 * Roles and bindings are held in memory, loaded with a list and kept current by a watch of each
 * kind (as upstream's informers), and the rules of each user in each namespace are compiled once
 * and cached until any role or binding changes: a request costs a map lookup and a scan of that
 * user's rules, however many bindings exist (docs/access-control.md#how-decisions-are-made).
 */
import type {
  AnyBinding,
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  Subject,
} from '../../api/index.js'
import { sleep } from '../../lib/abort.js'
import {
  isStoreError,
  type Store,
  type StoredObject,
  type WatchEvent,
} from '../../storage/index.js'
import {
  MASTERS_SUBJECT,
  type AllowedSubjects,
  type AuthorizationAttributes,
  type Authorizer,
  type Decision,
  type Rules,
  type UserInfo,
} from './index.js'
import { reviewRules, ruleAllows, type Rule } from './rbac-rules.js'

/** The RBAC kinds the authorizer follows, by plural. */
export const RBAC_RESOURCES = [
  'clusterroles',
  'roles',
  'clusterrolebindings',
  'rolebindings',
] as const
type RbacResource = (typeof RBAC_RESOURCES)[number]

const MASTERS = 'system:masters'

/** The pause between failed reloads of a kind, so an unreachable store is not spun on. */
const RELOAD_PAUSE_MS = 1000

/** ALLOWED is every allowing answer: one settled promise, not one per request. */
const ALLOWED: Promise<Decision> = Promise.resolve({ allowed: true })

const EVERYTHING: Rules = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  incomplete: false,
}

// Compiled rule sets kept before the cache is dropped whole; far more than distinct
// (user, namespace) pairs in use between two policy changes.
const MAX_CACHED = 10_000

/** Compiled is what one user may do in one namespace ('' for cluster-scoped requests). */
interface Compiled {
  readonly rules: readonly Rule[]
  /** Bindings whose role is missing, as upstream words them. */
  readonly errors: readonly string[]
}

/** RbacAuthorizer is the Authorizer of `isctl serve`, with its watches. */
export interface RbacAuthorizer extends Authorizer {
  /**
   * synced resolves once the change of `resource` at `resourceVersion` (or a later one) has been
   * applied, for callers that must see their own write (tests, reconciliation).
   */
  synced(resource: string, resourceVersion: string): Promise<void>
  /** close stops the watches. */
  close(): void
}

const namespacedKey = (namespace: string | undefined, name: string | undefined) =>
  `${namespace ?? ''}/${name ?? ''}`

/** Policy is the in-memory copy of every role and binding. */
class Policy {
  readonly clusterRoles = new Map<string, ClusterRole>()
  readonly roles = new Map<string, Role>()
  readonly clusterRoleBindings = new Map<string, ClusterRoleBinding>()
  /** RoleBindings by namespace, then name. */
  readonly roleBindings = new Map<string, Map<string, RoleBinding>>()

  /** clear forgets every object of a kind, before it is listed afresh. */
  clear(resource: RbacResource): void {
    const maps = {
      clusterroles: this.clusterRoles,
      roles: this.roles,
      clusterrolebindings: this.clusterRoleBindings,
      rolebindings: this.roleBindings,
    }
    maps[resource].clear()
  }

  apply(resource: RbacResource, type: string, object: StoredObject): void {
    const { name = '', namespace = '' } = object.metadata
    const gone = type === 'DELETED'
    switch (resource) {
      case 'clusterroles':
        if (gone) this.clusterRoles.delete(name)
        else this.clusterRoles.set(name, object)
        break
      case 'roles':
        if (gone) this.roles.delete(namespacedKey(namespace, name))
        else this.roles.set(namespacedKey(namespace, name), object)
        break
      case 'clusterrolebindings':
        if (gone) this.clusterRoleBindings.delete(name)
        else this.clusterRoleBindings.set(name, object)
        break
      case 'rolebindings': {
        const inNamespace = this.roleBindings.get(namespace) ?? new Map<string, RoleBinding>()
        if (gone) inNamespace.delete(name)
        else inNamespace.set(name, object)
        if (inNamespace.size === 0) this.roleBindings.delete(namespace)
        else this.roleBindings.set(namespace, inNamespace)
        break
      }
    }
  }

  /** roleRules are the rules a binding's roleRef grants, or the error upstream's lister gives. */
  roleRules(binding: AnyBinding, namespace: string): readonly PolicyRule[] | string {
    const ref = binding.roleRef ?? {}
    if (ref.kind === 'ClusterRole') {
      const role = this.clusterRoles.get(ref.name ?? '')
      return role
        ? (role.rules ?? [])
        : `clusterrole.rbac.authorization.k8s.io "${ref.name}" not found`
    }
    if (ref.kind === 'Role' && namespace !== '') {
      const role = this.roles.get(namespacedKey(namespace, ref.name))
      return role ? (role.rules ?? []) : `role.rbac.authorization.k8s.io "${ref.name}" not found`
    }
    return `unsupported role reference kind: "${ref.kind ?? ''}"`
  }

  /** compile gathers the rules of every binding that applies to the user (VisitRulesFor). */
  compile(user: UserInfo, namespace: string): Compiled {
    const rules: Rule[] = []
    const errors: string[] = []
    const add = (binding: AnyBinding, bindingNamespace: string) => {
      if (!binding.subjects?.some((s) => appliesTo(user, s, bindingNamespace))) return
      const granted = this.roleRules(binding, bindingNamespace)
      if (typeof granted === 'string') errors.push(granted)
      else rules.push(...granted)
    }
    for (const binding of this.clusterRoleBindings.values()) add(binding, '')
    if (namespace !== '') {
      for (const binding of this.roleBindings.get(namespace)?.values() ?? [])
        add(binding, namespace)
    }
    return { rules, errors }
  }

  /**
   * allowedSubjects is SubjectAccessEvaluator.AllowedSubjects: `system:masters`, then the subjects
   * of every ClusterRoleBinding, and every RoleBinding of the request's namespace, whose role
   * allows the request; a missing role is an error and grants nothing.
   */
  allowedSubjects(attrs: AuthorizationAttributes): AllowedSubjects {
    const subjects: Subject[] = [MASTERS_SUBJECT]
    const errors: string[] = []
    const visit = (binding: AnyBinding, bindingNamespace: string) => {
      const granted = this.roleRules(binding, bindingNamespace)
      if (typeof granted === 'string') errors.push(granted)
      else if (granted.some((rule) => ruleAllows(rule, attrs)))
        subjects.push(...(binding.subjects ?? []))
    }
    for (const binding of this.clusterRoleBindings.values()) visit(binding, '')
    const namespace = attrs.kind === 'resource' ? (attrs.namespace ?? '') : ''
    if (namespace !== '') {
      for (const binding of this.roleBindings.get(namespace)?.values() ?? [])
        visit(binding, namespace)
    }
    return { subjects, errors }
  }
}

/**
 * appliesTo is upstream's appliesToUser: a User by name, a Group by membership, a ServiceAccount
 * by its username, its namespace defaulting to the binding's.
 */
export function appliesTo(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind ?? '') {
    case 'User':
      return user.name === subject.name
    case 'Group':
      return user.groups.includes(subject.name ?? '')
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace
      return namespace !== '' && user.name === `system:serviceaccount:${namespace}:${subject.name}`
    }
    default:
      return false
  }
}

/** aggregate renders errors as utilerrors.NewAggregate does: one alone, several in brackets. */
function aggregate(errors: readonly string[]): string {
  return errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`
}

/** RbacOptions are the authorizer's hooks. */
export interface RbacOptions {
  /** onWatchError hears of a failed watch of a kind, which is then listed and watched afresh. */
  readonly onWatchError?: (resource: string, err: unknown) => void
}

/**
 * startRbacAuthorizer loads every role and binding from the store and follows their changes;
 * it resolves once the first load is complete.
 */
export async function startRbacAuthorizer(
  store: Store,
  options: RbacOptions = {},
): Promise<RbacAuthorizer> {
  const policy = new Policy()
  const stop = new AbortController()
  let cache = new Map<string, Compiled>()
  const applied = new Map<string, number>()
  const waiters = new Set<{ resource: string; revision: number; resolve: () => void }>()

  const observe = (resource: string, resourceVersion: string) => {
    const revision = Number(resourceVersion)
    if (revision > (applied.get(resource) ?? 0)) applied.set(resource, revision)
    for (const w of waiters) {
      if (w.resource === resource && (applied.get(resource) ?? 0) >= w.revision) {
        waiters.delete(w)
        w.resolve()
      }
    }
  }

  /** load reads every object of a kind afresh and starts following it from there. */
  const load = async (resource: RbacResource): Promise<AsyncIterableIterator<WatchEvent>> => {
    const list = await store.list(resource)
    policy.clear(resource)
    for (const item of list.items) policy.apply(resource, 'ADDED', item)
    cache = new Map()
    observe(resource, list.resourceVersion)
    return store.watch(resource, { fromResourceVersion: list.resourceVersion, signal: stop.signal })
  }

  /**
   * reload lists and watches a kind again, trying until it works (a shared database may be
   * unreachable for a while); undefined once close() or the store's close ends the following.
   */
  const reload = async (
    resource: RbacResource,
  ): Promise<AsyncIterableIterator<WatchEvent> | undefined> => {
    for (;;) {
      try {
        return await load(resource)
      } catch (err) {
        if (stop.signal.aborted || isStoreError(err, 'StoreClosed')) return undefined
        options.onWatchError?.(resource, err)
        await sleep(RELOAD_PAUSE_MS, stop.signal).catch(() => undefined)
      }
    }
  }

  /**
   * follow applies a kind's changes until the watch ends (close(), or the store closing). A watch
   * that fails (its history compacted while it lagged, or the store's connection lost) is
   * replaced by a fresh list and watch, as an informer relists, so decisions never rest on a
   * stale policy for longer than the store is unreachable.
   */
  const follow = async (
    resource: RbacResource,
    first: AsyncIterableIterator<WatchEvent>,
  ): Promise<void> => {
    let events: AsyncIterableIterator<WatchEvent> | undefined = first
    while (events) {
      try {
        for await (const event of events) {
          if (event.type === 'BOOKMARK') continue
          policy.apply(resource, event.type, event.object)
          cache = new Map()
          observe(resource, event.object.metadata.resourceVersion ?? '0')
        }
        return
      } catch (err) {
        if (stop.signal.aborted) return
        options.onWatchError?.(resource, err)
      }
      events = await reload(resource)
    }
  }

  for (const resource of RBAC_RESOURCES) {
    const events = await load(resource)
    void follow(resource, events)
  }

  const compiled = (user: UserInfo, namespace: string): Compiled => {
    const key = `${namespace}\n${user.name}\n${user.groups.join('\n')}`
    let entry = cache.get(key)
    if (entry === undefined) {
      if (cache.size >= MAX_CACHED) cache = new Map()
      entry = policy.compile(user, namespace)
      cache.set(key, entry)
    }
    return entry
  }

  return {
    authorize(user: UserInfo, attrs: AuthorizationAttributes): Promise<Decision> {
      if (user.groups.includes(MASTERS)) return ALLOWED
      const namespace = attrs.kind === 'resource' ? (attrs.namespace ?? '') : ''
      const { rules, errors } = compiled(user, namespace)
      for (const rule of rules) if (ruleAllows(rule, attrs)) return ALLOWED
      const reason = errors.length > 0 ? `RBAC: ${aggregate(errors)}` : ''
      return Promise.resolve({ allowed: false, reason })
    },
    rulesFor(user: UserInfo, namespace: string): Promise<Rules> {
      const { rules, errors } = compiled(user, namespace)
      const own = reviewRules(rules, errors.length > 0)
      if (!user.groups.includes(MASTERS)) return Promise.resolve(own)
      return Promise.resolve({
        resourceRules: [...EVERYTHING.resourceRules, ...own.resourceRules],
        nonResourceRules: [...EVERYTHING.nonResourceRules, ...own.nonResourceRules],
        incomplete: own.incomplete,
      })
    },
    allowedSubjects(attrs: AuthorizationAttributes): Promise<AllowedSubjects> {
      return Promise.resolve(policy.allowedSubjects(attrs))
    },
    synced(resource: string, resourceVersion: string): Promise<void> {
      const revision = Number(resourceVersion)
      if ((applied.get(resource) ?? 0) >= revision) return Promise.resolve()
      return new Promise((resolve) => waiters.add({ resource, revision, resolve }))
    },
    close() {
      stop.abort()
    },
  }
}
