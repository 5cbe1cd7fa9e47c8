/**
 * RBAC rule arithmetic as Kubernetes does it (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac
 * and pkg/registry/rbac/validation): whether a rule allows a request (RuleAllows), whether a set
 * of rules covers another (Covers, for escalation checks), and the compact form the escalation
 * message lists missing rules in. Pure functions; docs/access-control.md describes the rules.
 */
import type { PolicyRule } from '../../api/index.js'
import { goQuote } from '../../lib/go-quote.js'
import type { AuthorizationAttributes, NonResourceRule, ResourceRule, Rules } from './index.js'

/** Rule is a read-only rbac/v1 PolicyRule; both PolicyRule and a review's rules are one. */
export interface Rule {
  readonly verbs?: readonly string[]
  readonly apiGroups?: readonly string[]
  readonly resources?: readonly string[]
  readonly resourceNames?: readonly string[]
  readonly nonResourceURLs?: readonly string[]
}

const has = (values: readonly string[] | undefined, value: string): boolean =>
  values !== undefined && values.includes(value)

const hasAll = (set: readonly string[] | undefined, values: readonly string[] | undefined) =>
  (values ?? []).every((v) => has(set, v))

const matchesOrStar = (values: readonly string[] | undefined, value: string): boolean =>
  values !== undefined && values.some((v) => v === '*' || v === value)

/** resourceMatches is rbacv1helpers.ResourceMatches: `*`, the exact `resource[/subresource]`, or `*\/subresource`. */
function resourceMatches(rule: Rule, combined: string, subresource: string): boolean {
  return (rule.resources ?? []).some(
    (r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`),
  )
}

/** nonResourceURLMatches is rbacv1helpers.NonResourceURLMatches: exact, `*`, or a prefix ending in `*`. */
function nonResourceURLMatches(rule: Rule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some(
    (url) =>
      url === '*' || url === path || (url.endsWith('*') && path.startsWith(url.slice(0, -1))),
  )
}

/** ruleAllows is RBAC's RuleAllows: does one rule grant the request? */
export function ruleAllows(rule: Rule, attrs: AuthorizationAttributes): boolean {
  if (!matchesOrStar(rule.verbs, attrs.verb)) return false
  if (attrs.kind === 'nonResource') return nonResourceURLMatches(rule, attrs.path)
  const subresource = attrs.subresource ?? ''
  const combined = subresource === '' ? attrs.resource : `${attrs.resource}/${subresource}`
  return (
    matchesOrStar(rule.apiGroups, attrs.group) &&
    resourceMatches(rule, combined, subresource) &&
    (!rule.resourceNames?.length || has(rule.resourceNames, attrs.name ?? ''))
  )
}

/** policyRules turns the rules a review lists back into RBAC PolicyRules. */
export function policyRules(rules: Rules): readonly Rule[] {
  return [...rules.resourceRules, ...rules.nonResourceRules]
}

/**
 * reviewRules splits Rules into the resource and non-resource rules a
 * SelfSubjectRulesReview lists (kubernetes pkg/registry/authorization/util
 * ConvertToResourceRules), empty lists dropped.
 */
export function reviewRules(rules: readonly Rule[], incomplete: boolean): Rules {
  const resourceRules: ResourceRule[] = []
  const nonResourceRules: NonResourceRule[] = []
  const list = (values: readonly string[] | undefined) => (values?.length ? values : undefined)
  for (const r of rules) {
    const verbs = r.verbs ?? []
    if (r.resources?.length) {
      const apiGroups = list(r.apiGroups)
      const resourceNames = list(r.resourceNames)
      resourceRules.push({
        verbs,
        ...(apiGroups && { apiGroups }),
        resources: r.resources,
        ...(resourceNames && { resourceNames }),
      })
    }
    if (r.nonResourceURLs?.length)
      nonResourceRules.push({ verbs, nonResourceURLs: r.nonResourceURLs })
  }
  return { resourceRules, nonResourceRules, incomplete }
}

/** breakdownRule is validation.BreakdownRule: one rule per group, resource, verb (and name), and per URL and verb. */
export function breakdownRule(rule: Rule): Rule[] {
  const out: Rule[] = []
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if (rule.resourceNames?.length) {
          for (const name of rule.resourceNames) {
            out.push({
              apiGroups: [group],
              resources: [resource],
              verbs: [verb],
              resourceNames: [name],
            })
          }
        } else {
          out.push({ apiGroups: [group], resources: [resource], verbs: [verb] })
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] })
  }
  return out
}

/** resourceCoversAll is validation's: `*`, every resource listed, or `*\/subresource` for subresources. */
function resourceCoversAll(set: readonly string[] | undefined, covers: readonly string[]): boolean {
  if (has(set, '*') || hasAll(set, covers)) return true
  return covers.every((path) => {
    if (has(set, path)) return true
    const slash = path.indexOf('/')
    return slash >= 0 && has(set, `*/${path.slice(slash + 1)}`)
  })
}

const nonResourceURLCovers = (owner: string, sub: string): boolean =>
  owner === sub || (owner.endsWith('*') && sub.startsWith(owner.replace(/\*+$/, '')))

/** ruleCovers is validation's ruleCovers: does `owner` grant everything `sub` (one broken-down rule) does? */
function ruleCovers(owner: Rule, sub: Rule): boolean {
  const verbs = has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs)
  const groups = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups)
  const resources = resourceCoversAll(owner.resources, sub.resources ?? [])
  const urls = (sub.nonResourceURLs ?? []).every((path) =>
    (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, path)),
  )
  const names = sub.resourceNames?.length
    ? !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames)
    : !owner.resourceNames?.length
  return verbs && groups && resources && names && urls
}

/** missingRules is validation.Covers: the broken-down rules of `requested` no rule of `owner` covers. */
export function missingRules(owner: readonly Rule[], requested: readonly Rule[]): Rule[] {
  return requested
    .flatMap(breakdownRule)
    .filter((sub) => !owner.some((rule) => ruleCovers(rule, sub)))
}

/**
 * compactRules is validation.CompactRules: simple rules (one group, one resource, at most one
 * name, no URLs) on the same resource are merged into one rule listing all their verbs.
 */
export function compactRules(rules: readonly Rule[]): Rule[] {
  const simple = new Map<string, Rule>()
  const compacted: Rule[] = []
  for (const rule of rules) {
    const isSimple =
      (rule.resourceNames?.length ?? 0) <= 1 &&
      !rule.nonResourceURLs?.length &&
      rule.apiGroups?.length === 1 &&
      rule.resources?.length === 1
    if (!isSimple) {
      compacted.push(rule)
      continue
    }
    const key = JSON.stringify([rule.apiGroups, rule.resources, rule.resourceNames ?? null])
    const existing = simple.get(key)
    if (existing)
      simple.set(key, { ...existing, verbs: [...(existing.verbs ?? []), ...(rule.verbs ?? [])] })
    else simple.set(key, { ...rule })
  }
  return [...compacted, ...simple.values()]
}

/** policyRule copies a Rule into a PolicyRule to store, with the lists it has. */
export function policyRule(rule: Rule): PolicyRule {
  const copy: PolicyRule = {}
  for (const field of [
    'verbs',
    'apiGroups',
    'resources',
    'resourceNames',
    'nonResourceURLs',
  ] as const) {
    const values = rule[field]
    if (values !== undefined) copy[field] = [...values]
  }
  return copy
}

/** goStrings is Go's `%q` of a []string: `["a" "b"]`. */
export function goStrings(values: readonly string[]): string {
  return `[${values.map(goQuote).join(' ')}]`
}

/** compactString is rbacv1helpers.CompactString: `{APIGroups:["g"], Resources:["r"], Verbs:["get"]}`. */
export function compactString(rule: Rule): string {
  const parts: string[] = []
  const add = (label: string, values: readonly string[] | undefined) => {
    if (values?.length) parts.push(`${label}:${goStrings(values)}`)
  }
  add('APIGroups', rule.apiGroups)
  add('Resources', rule.resources)
  add('NonResourceURLs', rule.nonResourceURLs)
  add('ResourceNames', rule.resourceNames)
  add('Verbs', rule.verbs)
  return `{${parts.join(', ')}}`
}
