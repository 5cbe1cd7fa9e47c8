/**
 * The deletion conditions a terminating namespace carries while contents with finalizers keep
 * it, in the words of the namespace controller (kubernetes pkg/controller/namespace/deletion/
 * status_condition_utils.go): `NamespaceContentRemaining` and `NamespaceFinalizersRemaining`
 * say what is left; the other condition types it keeps are written in their "ok" form, as it
 * writes them.
 */
import type { Namespace, NamespaceCondition } from '../../api/index.js'

/** Remaining is one object a namespace's deletion marked and that waits for its finalizers. */
export interface Remaining {
  /** `<resource>.<group>`, as the controller names a resource (`secrets.` for the core group). */
  readonly resource: string
  readonly finalizers: readonly string[]
}

interface Condition {
  readonly type: string
  readonly status: 'True' | 'False'
  readonly reason: string
  readonly message: string
}

// The controller's condition types, each with its "ok" reason and message.
const OK: readonly (Condition & { status: 'False' })[] = [
  {
    type: 'NamespaceDeletionDiscoveryFailure',
    status: 'False',
    reason: 'ResourcesDiscovered',
    message: 'All resources successfully discovered',
  },
  {
    type: 'NamespaceDeletionGroupVersionParsingFailure',
    status: 'False',
    reason: 'ParsedGroupVersions',
    message: 'All legacy kube types successfully parsed',
  },
  {
    type: 'NamespaceDeletionContentFailure',
    status: 'False',
    reason: 'ContentDeleted',
    message: 'All content successfully deleted, may be waiting on finalization',
  },
  {
    type: 'NamespaceContentRemaining',
    status: 'False',
    reason: 'ContentRemoved',
    message: 'All content successfully removed',
  },
  {
    type: 'NamespaceFinalizersRemaining',
    status: 'False',
    reason: 'ContentHasNoFinalizers',
    message: 'All content-preserving finalizers finished',
  },
]

/** counted renders `<name><joiner><count> resource instances` per name, sorted as upstream sorts. */
function counted(names: readonly string[], joiner: string): string {
  const counts = new Map<string, number>()
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1)
  const parts = [...counts].map(([name, n]) => `${name}${joiner}${n} resource instances`)
  return parts.sort().join(', ')
}

function remainingConditions(remaining: readonly Remaining[]): Condition[] {
  const out: Condition[] = []
  if (remaining.length > 0) {
    out.push({
      type: 'NamespaceContentRemaining',
      status: 'True',
      reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: ${counted(
        remaining.map((r) => r.resource),
        ' has ',
      )}`,
    })
  }
  const finalizers = remaining.flatMap((r) => r.finalizers)
  if (finalizers.length > 0) {
    out.push({
      type: 'NamespaceFinalizersRemaining',
      status: 'True',
      reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${counted(finalizers, ' in ')}`,
    })
  }
  return out
}

/**
 * withDeletionConditions returns the namespace with its deletion conditions set for what is
 * `remaining` (updateConditions: a changed status moves lastTransitionTime to `now`), or
 * undefined when they already say so.
 */
export function withDeletionConditions(
  namespace: Namespace,
  remaining: readonly Remaining[],
  now: string,
): Namespace | undefined {
  const wanted = remainingConditions(remaining)
  const conditions: NamespaceCondition[] = [...(namespace.status?.conditions ?? [])]
  let changed = false
  for (const ok of OK) {
    const next = wanted.find((c) => c.type === ok.type) ?? ok
    const i = conditions.findIndex((c) => c.type === ok.type)
    const old = conditions[i]
    if (old === undefined) {
      conditions.push({ ...next, lastTransitionTime: now })
      changed = true
    } else if (
      old.status !== next.status ||
      old.reason !== next.reason ||
      old.message !== next.message
    ) {
      const since = old.status === next.status ? old.lastTransitionTime : now
      conditions[i] = { ...next, ...(since === undefined ? {} : { lastTransitionTime: since }) }
      changed = true
    }
  }
  if (!changed) return undefined
  return { ...namespace, status: { ...namespace.status, conditions } }
}
