/**
 * Auths keys and the images they apply to: kubelet's keyring matching (kubernetes
 * pkg/credentialprovider/keyring.go) with the rules of docs/credentials.md#beyond-openshift:
 * case-insensitive hosts, Docker Hub aliases folded, default ports ignored, and key paths matched
 * by whole segments.
 */
import type { ImageReference } from '../reference/index.js'
import { DOCKER_HUB, DOCKER_HUB_ALIASES } from '../reference/index.js'

/** Endpoint is a lowercase host (IPv6 kept in brackets) and a port, '' for none or a default one. */
export interface Endpoint {
  readonly host: string
  readonly port: string
}

/** RegistryKey is a normalised auths key: its endpoint, its path without surrounding '/', and whether the host has '*' globs. */
export interface RegistryKey extends Endpoint {
  readonly path: string
  readonly glob: boolean
}

/** RegistryTarget is the image side of a match: endpoint and repository path. */
export interface RegistryTarget extends Endpoint {
  readonly path: string
}

// docs/credentials.md#default-ports: a default port is the same as no port. Neither side reliably
// knows the scheme (an image reference has none, and the client may fall back from https to http
// for insecure tags, docs/registry-protocol.md#insecure-registries), so 443 and 80 are both treated
// as "no port" on both sides. Any other port must match exactly (rows 15, 17, 18 of the table in
// keyring.test.ts).
const DEFAULT_PORTS: ReadonlySet<string> = new Set(['443', '80'])

// A bracketed IPv6 literal or a host name, then an optional port. '[' and ']' are reserved for
// IPv6; '@' would be userinfo, which a key has no business carrying.
const AUTHORITY = /^(\[[0-9a-f:.]+\]|[^[\]@:/\\\s\p{Cc}]+)(?::([0-9]*))?$/iu

function parseEndpoint(authority: string): Endpoint | undefined {
  const match = AUTHORITY.exec(authority)
  if (match === null) {
    return undefined
  }
  const [, rawHost = '', rawPort = ''] = match
  const port = DEFAULT_PORTS.has(rawPort) ? '' : rawPort
  // DNS is case-insensitive (row 26), and all three Hub names are one registry (rows 6, 9, 10).
  const lower = rawHost.toLowerCase()
  const host = port === '' && DOCKER_HUB_ALIASES.includes(lower) ? DOCKER_HUB : lower
  return { host, port }
}

/** parseRegistryKey normalises an auths key such as `quay.io/org`, `host:5000` or `https://index.docker.io/v1/`; undefined if it is not a registry address. */
export function parseRegistryKey(key: string): RegistryKey | undefined {
  // kubelet prepends https:// to a key without a scheme and then drops the scheme; we also accept
  // the scheme in any case, and refuse other schemes instead of misreading them as a host.
  const scheme = /^https?:\/\//i.exec(key)
  if (scheme === null && /^[a-z][a-z0-9+.-]*:\/\//i.test(key)) {
    return undefined
  }
  const rest = scheme === null ? key : key.slice(scheme[0].length)
  // URL syntax: the authority ends at '/', '?' or '#', and the path at '?' or '#'.
  const authorityEnd = rest.search(/[/?#]/)
  const endpoint = parseEndpoint(authorityEnd === -1 ? rest : rest.slice(0, authorityEnd))
  if (endpoint === undefined) {
    return undefined
  }
  const urlPath = authorityEnd === -1 ? '' : (rest.slice(authorityEnd).split(/[?#]/, 1)[0] ?? '')
  // kubelet: a leading /v1/ or /v2/ is the API prefix, the same as the bare host (row 24); ours:
  // a trailing '/' is dropped (rows 22, 25).
  const path = urlPath.replace(/^\/v[12]\//, '/').replace(/^\/+|\/+$/g, '')
  return { ...endpoint, path, glob: endpoint.host.includes('*') }
}

/** registryTarget normalises the image side like a key; undefined if the registry is not a host[:port]. */
export function registryTarget(
  target: Pick<ImageReference, 'registry' | 'repository'>,
): RegistryTarget | undefined {
  const endpoint = parseEndpoint(target.registry)
  return endpoint === undefined ? undefined : { ...endpoint, path: target.repository }
}

/** keyMatches reports whether a credential stored under `key` applies to `target`. */
export function keyMatches(key: RegistryKey, target: RegistryTarget): boolean {
  if (key.port !== target.port) {
    return false
  }
  // Ours: whole segments, so quay.io/coreos does not match quay.io/coreosx/etcd (row 3).
  if (key.path !== '' && target.path !== key.path && !target.path.startsWith(`${key.path}/`)) {
    return false
  }
  if (!key.glob) {
    return key.host === target.host
  }
  // kubelet: the same number of labels, each glob-matched on its own (rows 12, 13).
  const patterns = key.host.split('.')
  const labels = target.host.split('.')
  return (
    patterns.length === labels.length &&
    patterns.every((pattern, i) => matchLabel(pattern, labels[i] ?? ''))
  )
}

// filepath.Match within one label. '*' is the only metacharacter a key can carry here: '?' and
// '#' end the authority in URL syntax, '[' is reserved for IPv6 and '\' is refused by AUTHORITY.
function matchLabel(pattern: string, label: string): boolean {
  const parts = pattern.split('*')
  const first = parts[0] ?? ''
  const last = parts.at(-1) ?? ''
  if (parts.length === 1) {
    return pattern === label
  }
  if (
    label.length < first.length + last.length ||
    !label.startsWith(first) ||
    !label.endsWith(last)
  ) {
    return false
  }
  // Each middle part at its leftmost place leaves the most room for the rest.
  let position = first.length
  const end = label.length - last.length
  for (const middle of parts.slice(1, -1)) {
    const found = label.indexOf(middle, position)
    if (found === -1 || found + middle.length > end) {
      return false
    }
    position = found + middle.length
  }
  return true
}
