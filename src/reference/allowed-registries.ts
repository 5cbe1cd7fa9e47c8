/**
 * The registry allow-list for imports, OpenShift's `allowedRegistriesForImport`
 * (docs/imports.md#allowed-registries): which registries image references may name. The rule
 * is openshift-apiserver's `pkg/image/apis/image/validation/whitelist/whitelister.go`, applied to
 * the registry as parseImageReference normalises it (lowercased, Docker Hub aliases folded to
 * docker.io), so one rule serves validation, imports and pull-through. Ours: IPv6 literals may
 * be listed in brackets (`[fd00::1]:5000`; OpenShift refuses them as "too many colons"), and
 * hosts match whatever their case.
 */
import { DOCKER_HUB, DOCKER_HUB_ALIASES, registryApiHost } from './docker-hub.js'
import { namesRegistry, parseImageReference, type ImageReference } from './parse.js'

/** AllowedRegistry is one entry of the list, as OpenShift's RegistryLocation. */
export interface AllowedRegistry {
  /** `host`, `host:port` or a glob of either (`*.example.com`, `example.com:*`). */
  readonly domainName: string
  /** Without a port, the entry allows port 80 (plain HTTP) instead of 443. */
  readonly insecure?: boolean | undefined
}

/**
 * RegistryTransport is how a reference will be reached, as the whitelister's transports: a
 * reference without a port means :443 when `secure`, :80 when `insecure`, either when `any`.
 */
export type RegistryTransport = 'secure' | 'insecure' | 'any'

/** InvalidAllowedRegistryError: an entry that cannot be read as `host[:port]`. */
export class InvalidAllowedRegistryError extends Error {
  override readonly name = 'InvalidAllowedRegistryError'
  readonly code = 'InvalidAllowedRegistry'
  readonly domainName: string

  constructor(domainName: string, problem: string) {
    super(`failed to parse allowed registry ${JSON.stringify(domainName)}: ${problem}`)
    this.domainName = domainName
  }
}

/** RegistryNotAllowedError: the list does not allow the registry; the message is OpenShift's. */
export class RegistryNotAllowedError extends Error {
  override readonly name = 'RegistryNotAllowedError'
  readonly code = 'RegistryNotAllowed'
  /** The registry as the message names it. */
  readonly registry: string

  constructor(registry: string, message: string) {
    super(message)
    this.registry = registry
  }
}

interface HostPortGlob {
  readonly host: string
  readonly port: string
}

// whitelister.go AdmitDockerImageReference: how many entries a refusal lists.
const SHOW_MAX = 5

/** RegistryAllowList answers whether references may name a registry. */
export interface RegistryAllowList {
  /**
   * admit is the whitelister's AdmitDockerImageReference, used by validation: undefined when
   * `ref`'s registry is allowed over `transport`, or when its repository is one of
   * `repositories` (repositoryKey of references an object already held, which stay writable).
   */
  admit(
    ref: AdmittedReference,
    transport: RegistryTransport,
    repositories?: ReadonlySet<string>,
  ): RegistryNotAllowedError | undefined
  /**
   * admitImport is ValidateRegistryAllowedForImport, checked before anything is fetched: the
   * registry with its port (80 for an insecure import without one, else 443) must be allowed.
   * The message is `importing images from registry "h:p" is forbidden: registry ...`.
   */
  admitImport(
    ref: Pick<AdmittedReference, 'registry' | 'implicitRegistry'>,
    insecure: boolean,
  ): RegistryNotAllowedError | undefined
}

/** AdmittedReference is what admit reads of a reference. */
export interface AdmittedReference extends Pick<ImageReference, 'registry' | 'repository'> {
  /**
   * The pull spec wrote no registry (`busybox`): refusals then name Docker Hub with the port
   * it is reached on (`docker.io:443`), as OpenShift's do for a reference without one.
   */
  readonly implicitRegistry?: boolean | undefined
}

/** AllowListOptions add what the server knows besides the list. */
export interface AllowListOptions {
  /**
   * The integrated registry's `host[:port]`, always allowed as a secure registry (OpenShift
   * adds its internal registry hostname on every check); undefined when unknown.
   */
  readonly integratedRegistry?: (() => string | undefined) | undefined
}

/**
 * admittedReference parses a pull spec as the allow-list reads it, remembering whether it wrote
 * a registry; throws InvalidReferenceError as parseImageReference does.
 */
export function admittedReference(pullSpec: string): AdmittedReference {
  return { ...parseImageReference(pullSpec), implicitRegistry: !namesRegistry(pullSpec) }
}

/** repositoryKey names a reference's repository as the allow-list remembers it. */
export function repositoryKey(ref: Pick<ImageReference, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`
}

/**
 * createRegistryAllowList builds the list from its entries, kept in the order given; throws
 * InvalidAllowedRegistryError for an entry with more than one ':' outside brackets. An empty
 * list allows nothing but the integrated registry (the server treats an empty file as no list,
 * as OpenShift treats an empty field).
 */
export function createRegistryAllowList(
  entries: readonly AllowedRegistry[],
  options: AllowListOptions = {},
): RegistryAllowList {
  const globs: HostPortGlob[] = []
  for (const entry of entries) {
    addGlob(globs, parseGlob(entry.domainName, entry.insecure ? 'insecure' : 'secure'))
  }
  const current = (): readonly HostPortGlob[] => {
    const integrated = options.integratedRegistry?.()
    if (integrated === undefined) return globs
    const withIntegrated = [...globs]
    // whitelister.go prepends it: it leads every refusal's list.
    addGlob(withIntegrated, parseGlob(integrated, 'secure'), true)
    return withIntegrated
  }
  const admit: RegistryAllowList['admit'] = (ref, transport, repositories) => {
    if (repositories?.has(repositoryKey(ref))) return undefined
    const list = current()
    const { host, port } = splitRegistry(ref.registry)
    const wanted = port ?? (transport === 'any' ? '' : transport === 'secure' ? '443' : '80')
    if (hostNames(host).some((h) => matches(list, h, wanted))) return undefined
    const shown = ref.implicitRegistry && wanted !== '' ? `${ref.registry}:${wanted}` : ref.registry
    return refusal(list, shown)
  }
  return {
    admit,
    admitImport(ref, insecure) {
      const hostPort = importHostPort(ref, insecure)
      const refused = admit({ registry: hostPort, repository: '' }, 'secure')
      if (refused === undefined) return undefined
      const message = `importing images from registry ${JSON.stringify(hostPort)} is forbidden: ${refused.message}`
      return new RegistryNotAllowedError(hostPort, message)
    },
  }
}

/** transportFor is validation's getWhitelistTransportForFlag: insecure tags may use either port. */
export function transportFor(insecure: boolean): RegistryTransport {
  return insecure ? 'any' : 'secure'
}

function parseGlob(domainName: string, transport: 'secure' | 'insecure'): HostPortGlob {
  const defaultPort = transport === 'insecure' ? '80' : '443'
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(domainName)
  if (bracketed) {
    const port = bracketed[2]
    if (port?.includes(':')) throw new InvalidAllowedRegistryError(domainName, 'too many colons')
    return { host: bracketed[1]!.toLowerCase(), port: port ?? defaultPort }
  }
  const parts = domainName.split(':')
  if (parts.length > 2) throw new InvalidAllowedRegistryError(domainName, 'too many colons')
  return { host: parts[0]!.toLowerCase(), port: parts[1] ?? defaultPort }
}

function addGlob(globs: HostPortGlob[], glob: HostPortGlob, first = false): void {
  if (globs.some((g) => g.host === glob.host && g.port === glob.port)) return
  if (first) globs.unshift(glob)
  else globs.push(glob)
}

/** splitRegistry splits a canonical `host[:port]` (IPv6 in brackets) into its parts. */
function splitRegistry(registry: string): { host: string; port: string | undefined } {
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(registry)
  if (bracketed) return { host: bracketed[1]!.toLowerCase(), port: bracketed[2] }
  const colon = registry.lastIndexOf(':')
  if (colon === -1) return { host: registry.toLowerCase(), port: undefined }
  return { host: registry.slice(0, colon).toLowerCase(), port: registry.slice(colon + 1) }
}

/**
 * hostNames are the names a host is matched under: every Docker Hub alias for Docker Hub
 * (OpenShift tries docker.io, then the alias written), the host itself otherwise.
 */
function hostNames(host: string): readonly string[] {
  return DOCKER_HUB_ALIASES.includes(host) ? DOCKER_HUB_ALIASES : [host]
}

function matches(list: readonly HostPortGlob[], host: string, port: string): boolean {
  return list.some((g) => {
    if (!isWildcardMatch(host, g.host)) return false
    // A reference without a port, reached either way, is allowed by an entry for 80 or 443.
    if (port === '') return g.port === '80' || g.port === '443' || g.port === '*'
    return isWildcardMatch(port, g.port)
  })
}

/**
 * importHostPort is library-go's RegistryHostPort joined: Docker Hub written out is reached at
 * its API host, and a reference without a registry is docker.io.
 */
function importHostPort(
  ref: Pick<AdmittedReference, 'registry' | 'implicitRegistry'>,
  insecure: boolean,
): string {
  const { registry } = ref
  const apiHost =
    registry === DOCKER_HUB && !ref.implicitRegistry ? registryApiHost(registry) : registry
  if (splitRegistry(apiHost).port !== undefined) return apiHost
  return `${apiHost}:${insecure ? '80' : '443'}`
}

function joinHostPort(g: HostPortGlob): string {
  return g.host.includes(':') ? `[${g.host}]:${g.port}` : `${g.host}:${g.port}`
}

function refusal(list: readonly HostPortGlob[], registry: string): RegistryNotAllowedError {
  const name = JSON.stringify(registry)
  if (list.length === 0) {
    return new RegistryNotAllowedError(registry, `registry ${name} not allowed by empty whitelist`)
  }
  const shown = list.map((g) => JSON.stringify(joinHostPort(g)))
  const text =
    shown.length <= SHOW_MAX
      ? shown.join(', ')
      : `${shown.slice(0, SHOW_MAX - 1).join(', ')}, and ${shown.length - SHOW_MAX + 1} more ...`
  return new RegistryNotAllowedError(registry, `registry ${name} not allowed by whitelist: ${text}`)
}

/** isWildcardMatch is whitelist.IsWildcardMatch: `*` any run of characters, `?` exactly one. */
export function isWildcardMatch(text: string, pattern: string): boolean {
  // Iterative glob matching with one backtrack point: linear in practice, no regex to escape.
  let t = 0
  let p = 0
  let star = -1
  let mark = 0
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++
      mark = t
    } else if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      t++
      p++
    } else if (star !== -1) {
      p = star + 1
      t = ++mark
    } else {
      return false
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++
  return p === pattern.length
}
