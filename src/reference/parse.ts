/**
 * Image reference parsing: the distribution/reference grammar and its "familiar name"
 * normalisation (docs/registry-protocol.md#references), with four deliberate differences, each
 * marked "Ours (x)" below and in parse.test.ts's table: (a) every Docker Hub alias folds to
 * docker.io, (b) `host:port` without a repository is refused, (c) registry hosts are lowercased,
 * (d) a tag and a digest given together are both kept.
 */
import { checkDigest } from './digest.js'
import { DOCKER_HUB, DOCKER_HUB_ALIASES } from './docker-hub.js'
import {
  InvalidDigestError,
  InvalidReferenceError,
  quote,
  type InvalidReferenceOptions,
} from './errors.js'

/** ImageReference is a parsed, normalised pull spec. */
export interface ImageReference {
  /** Canonical `host[:port]`, lowercased, Docker Hub aliases folded to docker.io. */
  readonly registry: string
  /** Repository path; single-component Docker Hub names get `library/`. */
  readonly repository: string
  /** The tag as written; absent when the input had none (no implicit latest here). */
  readonly tag?: string
  /** `sha256:<64 hex>` or `sha512:<128 hex>`. */
  readonly digest?: string
}

// regexp.go: domainNameComponent ("." joined) or ipv6address (bracketed, no zone), then an
// optional numeric port. Uppercase is legal here; we lowercase afterwards (Ours (c)).
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN_AND_PORT = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
)

// regexp.go: pathComponent = alphanumeric (separator alphanumeric)*, separator = [._] | __ | -+.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/

// regexp.go: tag = [\w][\w.-]{0,127}.
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/

// reference.go NameTotalLengthMax: distribution counted the name as written (registry and
// path, as OpenShift's copy in library-go still does); newer releases count the normalised
// path. Both are held to it, so neither OpenShift nor a registry refuses what we accept.
const MAX_NAME_LENGTH = 255

// normalize.go anchoredIdentifierRegexp: a bare image ID is ambiguous, so it is refused (row 34).
const IMAGE_ID = /^[a-f0-9]{64}$/

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//

const FORM = 'write [registry/]repository[:tag][@digest]'

/** isValidTag reports whether a tag matches `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`. */
export function isValidTag(value: string): boolean {
  return TAG.test(value)
}

/**
 * repositoryPathProblem says why `path` (a registry's repository path, components joined by `/`)
 * is not a distribution repository name, as distribution's reference.WithName words it;
 * undefined when it is one.
 */
export function repositoryPathProblem(path: string): string | undefined {
  if (path.length > MAX_NAME_LENGTH) {
    return `repository name must not be more than ${MAX_NAME_LENGTH} characters`
  }
  if (!path.split('/').every((c) => PATH_COMPONENT.test(c))) return 'invalid reference format'
  return undefined
}

/** parseImageReference parses and normalises a pull spec such as `busybox` or `host:5000/app:v1`; throws InvalidReferenceError. */
export function parseImageReference(input: string): ImageReference {
  const invalid = (problem: string, options?: InvalidReferenceOptions): InvalidReferenceError =>
    new InvalidReferenceError(input, problem, options)

  if (input === '') {
    throw invalid(`it is empty; ${FORM}`)
  }
  const scheme = SCHEME.exec(input)
  if (scheme !== null) {
    throw invalid(
      `a scheme (${scheme[0]}) is not part of an image reference; write ${quote(input.slice(scheme[0].length))}`,
    )
  }
  if (IMAGE_ID.test(input)) {
    throw invalid(
      'a 64-character hexadecimal string is an image ID, not a reference; to pull by digest write repository@sha256:<hex>',
    )
  }

  // Neither a tag nor a digest can contain '/' or '@', so the first '@' starts the digest and a
  // ':' after the last '/' starts the tag (a ':' before it belongs to the registry's port).
  const at = input.indexOf('@')
  const nameAndTag = at === -1 ? input : input.slice(0, at)
  const digest = at === -1 ? undefined : input.slice(at + 1)
  const colon = nameAndTag.lastIndexOf(':')
  const hasTag = colon > nameAndTag.lastIndexOf('/')
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag
  const tag = hasTag ? nameAndTag.slice(colon + 1) : undefined

  if (name === '') {
    throw invalid(`the repository name is missing; ${FORM}`)
  }
  // Ours (b): distribution reads `192.168.1.1:5000` as Hub repository `library/192.168.1.1` with
  // tag 5000 (rows 20, 22); a numeric tag on a host-like name is almost surely a forgotten path.
  // Plain names keep their numeric tags (`node:20`), as in distribution.
  if (!name.includes('/') && tag !== undefined && /^[0-9]+$/.test(tag) && looksLikeDomain(name)) {
    throw invalid(
      `it looks like a registry host and port without a repository; write host:port/repository[:tag], e.g. ${quote(`${nameAndTag}/myimage`)}`,
    )
  }

  const { domain, path } = splitDomain(name)
  if (domain !== undefined) {
    const problem = domainProblem(domain)
    if (problem !== undefined) {
      throw invalid(problem)
    }
  }
  const registry = domain === undefined ? DOCKER_HUB : canonicalRegistry(domain)

  if (path === '') {
    throw invalid(`the repository path is missing after the registry; ${FORM}`)
  }
  // Case is named on its own only when lowercasing is the whole fix; otherwise the component
  // check below says what else is wrong.
  const lower = path.toLowerCase()
  if (path !== lower && lower.split('/').every((c) => PATH_COMPONENT.test(c))) {
    throw invalid(`repository name ${quote(path)} must be lowercase; write ${quote(lower)}`)
  }
  // normalize.go: on Docker Hub a one-component path is an official image under library/.
  const repository = registry === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path
  for (const component of repository.split('/')) {
    if (component === '') {
      throw invalid(
        `repository ${quote(repository)} has an empty path component; remove the extra "/"`,
      )
    }
    if (!PATH_COMPONENT.test(component)) {
      throw invalid(
        `path component ${quote(component)} is invalid: use lowercase letters and digits joined by ".", "_", "__" or "-", with no separator at either end`,
      )
    }
  }

  if (tag !== undefined && !isValidTag(tag)) {
    throw invalid(
      tag === ''
        ? 'the tag after ":" is empty; add a tag or remove the ":"'
        : `tag ${quote(tag)} is invalid: a tag is 1-128 letters, digits, "_", "." or "-" and cannot start with "." or "-"`,
    )
  }
  // After the grammar, as distribution: a too-long name is refused in its own words.
  const longest = Math.max(name.length, repository.length)
  if (longest > MAX_NAME_LENGTH) {
    throw invalid(
      `repository name must not be more than ${MAX_NAME_LENGTH} characters; this one has ${longest}${longest > name.length ? ` once Docker Hub's "library/" is added` : ''}`,
      { nameTooLong: true },
    )
  }
  if (digest !== undefined) {
    const checked = checkDigest(digest)
    if (typeof checked === 'string') {
      const cause = new InvalidDigestError(digest, checked)
      throw invalid(cause.message, { cause })
    }
  }

  // Ours (d): ParseDockerRef drops the tag when a digest is present (row 30); we keep both, pull
  // by digest and record the tag as provenance.
  return {
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  }
}

// normalize.go splitDockerDomain: the first component is a domain iff it is localhost, contains
// "." or ":", or has an uppercase letter (rows 10, 12, 16); otherwise the name is a Hub path.
function looksLikeDomain(component: string): boolean {
  return (
    component === 'localhost' || /[.:]/.test(component) || component !== component.toLowerCase()
  )
}

/** namesRegistry says whether a pull spec writes its registry (`busybox` and `a/b` do not). */
export function namesRegistry(input: string): boolean {
  return splitDomain(input).domain !== undefined
}

function splitDomain(name: string): { readonly domain?: string; readonly path: string } {
  const slash = name.indexOf('/')
  if (slash === -1) {
    return { path: name }
  }
  const first = name.slice(0, slash)
  return looksLikeDomain(first) ? { domain: first, path: name.slice(slash + 1) } : { path: name }
}

function domainProblem(domain: string): string | undefined {
  if (DOMAIN_AND_PORT.test(domain)) {
    return undefined
  }
  if (domain.startsWith('[') && domain.includes('%')) {
    return `registry host ${quote(domain)} has an IPv6 zone ("%..."), which a reference cannot carry; remove it`
  }
  if (!domain.startsWith('[') && domain.split(':').length > 2) {
    return `registry host ${quote(domain)} looks like an IPv6 address; put the address in brackets, e.g. [2001:db8::1]:5000/repository`
  }
  return `registry host ${quote(domain)} is invalid: use dot-separated labels of letters, digits and "-" (not at either end of a label) or a bracketed IPv6 address, optionally followed by :port`
}

function canonicalRegistry(domain: string): string {
  // Ours (c): DNS is case-insensitive (rows 12, 15), and the registry is a cache and credential key.
  const host = domain.toLowerCase()
  // Ours (a): distribution keeps registry-1.docker.io as its own registry (rows 6, 7).
  return DOCKER_HUB_ALIASES.includes(host) ? DOCKER_HUB : host
}
