/**
 * User impersonation, as the Kubernetes apiserver's impersonation filter does it
 * (k8s.io/apiserver pkg/endpoints/filters/impersonation.go): `Impersonate-User`,
 * `Impersonate-Group` (repeatable), `Impersonate-Uid` and `Impersonate-Extra-<key>` make an
 * authenticated caller act as another user, when the caller may `impersonate` each of them.
 * `kubectl --as alice --as-group devs` sends these headers. The result replaces the caller for
 * every later check (docs/access-control.md#impersonation-and-access-reviews).
 */
import { checkDNS1123Label, checkDNS1123Subdomain } from '../../api/index.js'
import { badRequest } from '../status.js'
import type { Authorizer, ResourceAttributes, UserInfo } from './index.js'

const USER_HEADER = 'impersonate-user'
const GROUP_HEADER = 'impersonate-group'
const UID_HEADER = 'impersonate-uid'
const EXTRA_PREFIX = 'impersonate-extra-'

/** The group of the UserExtra and UID impersonation kinds (authentication/v1). */
const AUTHENTICATION_GROUP = 'authentication.k8s.io'
const AUTHENTICATION_V1 = `${AUTHENTICATION_GROUP}/v1`

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:'
const ALL_AUTHENTICATED = 'system:authenticated'
const ALL_UNAUTHENTICATED = 'system:unauthenticated'
const ANONYMOUS = 'system:anonymous'

/** ImpersonationTarget is one thing a caller asks to act as, as the filter's ObjectReferences. */
export type ImpersonationTarget =
  | { readonly kind: 'User'; readonly name: string }
  | { readonly kind: 'ServiceAccount'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'Group'; readonly name: string }
  | { readonly kind: 'UserExtra'; readonly key: string; readonly value: string }
  | { readonly kind: 'UID'; readonly uid: string }

/**
 * splitServiceAccountUsername reads `system:serviceaccount:NS:NAME` as serviceaccount.SplitUsername
 * does: exactly two parts, a namespace that is a DNS label and a name that is a DNS subdomain.
 */
export function splitServiceAccountUsername(
  username: string,
): { readonly namespace: string; readonly name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined
  const parts = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':')
  if (parts.length !== 2) return undefined
  const [namespace = '', name = ''] = parts
  if (checkDNS1123Label(namespace).length > 0 || checkDNS1123Subdomain(name).length > 0) {
    return undefined
  }
  return { namespace, name }
}

/** serviceAccountGroups are the groups of every service account of a namespace (serviceaccount.MakeGroupNames). */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`]
}

const PREFIX = 'impersonate-'

/**
 * hasImpersonationHeaders tells whether any header is an impersonation header, without
 * allocating for the others: most requests carry none and need no closer look.
 */
export function hasImpersonationHeaders(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!
    const first = name.charCodeAt(0) | 0x20 // lower case of an ASCII letter
    if (first === 0x69 && name.length > PREFIX.length) {
      if (name.slice(0, PREFIX.length).toLowerCase() === PREFIX) return true
    }
  }
  return false
}

/** headerValues lists every value of a header, in the order received, from Node's rawHeaders pairs. */
function headerValues(rawHeaders: readonly string[], matches: (name: string) => boolean) {
  const out: { name: string; value: string }[] = []
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase()
    if (matches(name)) out.push({ name, value: rawHeaders[i + 1]! })
  }
  return out
}

// Extra keys travel %-encoded in header names (kubectl escapes them); a malformed one is kept as is.
function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key)
  } catch {
    return key
  }
}

/** goReference renders a target as Go's %v of the filter's v1.ObjectReference, for the 400 text. */
function goReference(t: ImpersonationTarget): string {
  // Kind, Namespace, Name, UID, APIVersion, ResourceVersion, FieldPath.
  const fields = (kind: string, namespace: string, name: string, apiVersion = '', path = '') =>
    `{${[kind, namespace, name, '', apiVersion, '', path].join(' ')}}`
  switch (t.kind) {
    case 'User':
    case 'Group':
      return fields(t.kind, '', t.name)
    case 'ServiceAccount':
      return fields(t.kind, t.namespace, t.name)
    case 'UserExtra':
      return fields(t.kind, '', t.value, AUTHENTICATION_V1, t.key)
    case 'UID':
      return fields(t.kind, '', t.uid, AUTHENTICATION_V1)
  }
}

/**
 * impersonationTargets reads the impersonation headers of a request (Node's rawHeaders: name,
 * value pairs): the user first (a service account when it parses as one), then each group, each
 * extra value, and the UID. Groups, extras or a UID without a user are the apiserver's 400.
 */
export function impersonationTargets(rawHeaders: readonly string[]): ImpersonationTarget[] {
  const targets: ImpersonationTarget[] = []
  if (!hasImpersonationHeaders(rawHeaders)) return targets
  // As Go's Header.Get: the first value counts.
  const user = headerValues(rawHeaders, (n) => n === USER_HEADER)[0]?.value ?? ''
  if (user !== '') {
    const sa = splitServiceAccountUsername(user)
    targets.push(sa ? { kind: 'ServiceAccount', ...sa } : { kind: 'User', name: user })
  }
  const groups = headerValues(rawHeaders, (n) => n === GROUP_HEADER)
  for (const { value } of groups) targets.push({ kind: 'Group', name: value })
  const extras = headerValues(rawHeaders, (n) => n.startsWith(EXTRA_PREFIX))
  for (const { name, value } of extras) {
    targets.push({
      kind: 'UserExtra',
      key: unescapeExtraKey(name.slice(EXTRA_PREFIX.length)),
      value,
    })
  }
  const uid = headerValues(rawHeaders, (n) => n === UID_HEADER)[0]?.value ?? ''
  if (uid !== '') targets.push({ kind: 'UID', uid })
  if (user === '' && targets.length > 0) {
    throw badRequest(
      `requested [${targets.map(goReference).join(' ')}] without impersonating a user`,
    )
  }
  return targets
}

/** impersonateAttributes is what the caller must be allowed to do to act as `t`. */
export function impersonateAttributes(t: ImpersonationTarget): ResourceAttributes {
  const verb = 'impersonate'
  switch (t.kind) {
    case 'User':
      return { kind: 'resource', verb, group: '', resource: 'users', name: t.name }
    case 'Group':
      return { kind: 'resource', verb, group: '', resource: 'groups', name: t.name }
    case 'ServiceAccount':
      return {
        kind: 'resource',
        verb,
        group: '',
        resource: 'serviceaccounts',
        namespace: t.namespace,
        name: t.name,
      }
    case 'UserExtra':
      return {
        kind: 'resource',
        verb,
        group: AUTHENTICATION_GROUP,
        resource: 'userextras',
        subresource: t.key,
        name: t.value,
      }
    case 'UID':
      return { kind: 'resource', verb, group: AUTHENTICATION_GROUP, resource: 'uids', name: t.uid }
  }
}

/**
 * impersonatedUser is the user the targets describe. Groups given in headers are the whole
 * list; without them a service account gets its namespace's service-account groups. Every user
 * but system:anonymous also gets system:authenticated unless system:authenticated or
 * system:unauthenticated is already there; system:anonymous gets system:unauthenticated.
 */
export function impersonatedUser(targets: readonly ImpersonationTarget[]): UserInfo {
  let name = ''
  let uid = ''
  const groups: string[] = []
  const extra: Record<string, string[]> = {}
  const groupsGiven = targets.some((t) => t.kind === 'Group')
  for (const t of targets) {
    if (t.kind === 'User') name = t.name
    else if (t.kind === 'ServiceAccount') {
      name = `${SERVICE_ACCOUNT_PREFIX}${t.namespace}:${t.name}`
      if (!groupsGiven) groups.push(...serviceAccountGroups(t.namespace))
    } else if (t.kind === 'Group') groups.push(t.name)
    else if (t.kind === 'UserExtra') (extra[t.key] ??= []).push(t.value)
    else uid = t.uid
  }
  if (name !== ANONYMOUS) {
    if (!groups.includes(ALL_AUTHENTICATED) && !groups.includes(ALL_UNAUTHENTICATED)) {
      groups.push(ALL_AUTHENTICATED)
    }
  } else if (!groups.includes(ALL_UNAUTHENTICATED)) {
    groups.push(ALL_UNAUTHENTICATED)
  }
  return {
    name,
    groups,
    ...(uid === '' ? {} : { uid }),
    ...(Object.keys(extra).length === 0 ? {} : { extra }),
  }
}

/** Denial is the first impersonation the authorizer refused, with its reason. */
export interface Denial {
  readonly attrs: ResourceAttributes
  readonly reason: string
}

/**
 * impersonate authorizes each target for `requestor`, in header order, and returns the user to
 * act as, the first refusal, or undefined when the request asks for no impersonation.
 */
export async function impersonate(
  requestor: UserInfo,
  rawHeaders: readonly string[],
  authorizer: Authorizer,
): Promise<{ readonly user: UserInfo } | { readonly denied: Denial } | undefined> {
  const targets = impersonationTargets(rawHeaders)
  if (targets.length === 0) return undefined
  for (const t of targets) {
    const attrs = impersonateAttributes(t)
    const decision = await authorizer.authorize(requestor, attrs)
    if (!decision.allowed) return { denied: { attrs, reason: decision.reason } }
  }
  return { user: impersonatedUser(targets) }
}
