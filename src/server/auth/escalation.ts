/**
 * Escalation prevention on RBAC writes, as Kubernetes' policy-based RBAC storage
 * (k8s.io/kubernetes pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/
 * policybased and pkg/registry/rbac/validation): nobody writes a role with rules they do not
 * hold unless they may `escalate` roles, and nobody binds a role whose rules they do not hold
 * unless they may `bind` it. `system:masters` may always. The 403 texts are upstream's
 * (docs/access-control.md#escalation-prevention).
 */
import { isDeepStrictEqual } from 'node:util'
import type { FastifyRequest } from 'fastify'
import {
  RBAC_GROUP,
  type AnyBinding,
  type ClusterRole,
  type PolicyRule,
  type Role,
} from '../../api/index.js'
import { isStoreError, objectKey, type StoreReader } from '../../storage/index.js'
import { goQuote } from '../../lib/go-quote.js'
import { forbidden } from '../status.js'
import { requestUser, type UserInfo } from './index.js'
import {
  compactRules,
  compactString,
  goStrings,
  missingRules,
  policyRules,
  type Rule,
} from './rbac-rules.js'

const MASTERS = 'system:masters'

/** FULL_AUTHORITY is everything, what upstream demands of whoever sets an aggregationRule. */
const FULL_AUTHORITY: readonly PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
]

type RbacObject = Role | ClusterRole | AnyBinding

/**
 * onlyGCFieldsChange is upstream's IsOnlyMutatingGCFields: an update that only touches owner
 * references and finalizers (what the garbage collector writes) is never an escalation.
 */
function onlyGCFieldsChange(next: RbacObject, prev: RbacObject): boolean {
  const strip = (o: RbacObject) => {
    const {
      ownerReferences: _o,
      finalizers: _f,
      managedFields: _m,
      resourceVersion: _r,
      ...meta
    } = o.metadata
    return { ...o, metadata: meta }
  }
  return isDeepStrictEqual(strip(next), strip(prev))
}

/**
 * escalationMessage is ConfirmNoEscalation's error for rules the user lacks:
 * `user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not
 * currently held:` and one compacted rule a line, sorted.
 */
export function escalationMessage(user: UserInfo, missing: readonly Rule[]): string {
  const lines = [...new Set(compactRules(missing).map(compactString))].sort()
  return (
    `user ${goQuote(user.name)} (groups=${goStrings(user.groups)}) is attempting to grant ` +
    `RBAC permissions not currently held:\n${lines.join('\n')}`
  )
}

/** GuardFactory makes the check of one request's write: `(object, prev) => Promise<void>`. */
export type GuardFactory = (
  request: FastifyRequest,
) => (object: unknown, prev: unknown) => Promise<void>

/**
 * escalationGuard is the write check of one RBAC resource (`roles`, `clusterroles`,
 * `rolebindings`, `clusterrolebindings`); `store` reads the roles that bindings refer to.
 */
export function escalationGuard(resource: string, store: StoreReader): GuardFactory {
  const binding = resource === 'rolebindings' || resource === 'clusterrolebindings'
  const gr = { group: RBAC_GROUP, resource }
  return (request) => async (raw, prevRaw) => {
    const user = requestUser(request)
    if (user.groups.includes(MASTERS)) return
    const object = raw as RbacObject
    const prev = prevRaw as RbacObject | undefined
    if (prev !== undefined && onlyGCFieldsChange(object, prev)) return
    const name = object.metadata.name ?? ''
    const namespace = object.metadata.namespace ?? ''
    const authorizer = request.server.authorizer
    const confirmNoEscalation = async (rules: readonly PolicyRule[]) => {
      const owned = policyRules(await authorizer.rulesFor(user, namespace))
      const missing = missingRules(owned, rules)
      if (missing.length > 0) throw forbidden(gr, name, escalationMessage(user, missing))
    }
    if (!binding) {
      const escalate = await authorizer.authorize(user, {
        kind: 'resource',
        verb: 'escalate',
        group: RBAC_GROUP,
        resource,
        ...(namespace === '' ? {} : { namespace }),
        ...(prev === undefined ? {} : { name }),
      })
      if (escalate.allowed) return
      await confirmNoEscalation((object as Role).rules ?? [])
      // An aggregation rule can gather anything: setting or changing one takes everything.
      const aggregates = (o: RbacObject | undefined) =>
        o !== undefined && 'aggregationRule' in o && o.aggregationRule !== undefined
      if (aggregates(object) || aggregates(prev)) {
        const owned = policyRules(await authorizer.rulesFor(user, namespace))
        if (missingRules(owned, FULL_AUTHORITY).length > 0) {
          throw forbidden(gr, name, 'must have cluster-admin privileges to use the aggregationRule')
        }
      }
      return
    }
    const ref = (object as AnyBinding).roleRef ?? {}
    if (ref.kind !== 'Role' && ref.kind !== 'ClusterRole') return // validation refuses it
    const roleResource = ref.kind === 'Role' ? 'roles' : 'clusterroles'
    const bind = await authorizer.authorize(user, {
      kind: 'resource',
      verb: 'bind',
      group: ref.apiGroup ?? '',
      resource: roleResource,
      ...(namespace === '' ? {} : { namespace }),
      name: ref.name ?? '',
    })
    if (bind.allowed) return
    let role: Role | ClusterRole
    try {
      role = await store.get<Role | ClusterRole>(
        objectKey(roleResource, ref.name ?? '', ref.kind === 'Role' ? namespace : ''),
      )
    } catch (err) {
      if (!isStoreError(err, 'NotFound')) throw err
      throw forbidden(
        gr,
        name,
        `${roleResource}.${RBAC_GROUP} ${goQuote(ref.name ?? '')} not found`,
      )
    }
    await confirmNoEscalation(role.rules ?? [])
  }
}
