/**
 * Resolving what workloads spell into what they use (docs/pruning.md#workloads):
 * `...@sha256:D` names the image D whatever the host, `<integrated registry>/<ns>/<stream>[:tag]`
 * names that tag's current image, anything else names nothing of ours; a reference that does not
 * parse is invalid, as in OpenShift's pruner (openshift/oc pkg/cli/admin/prune/imageprune).
 */
import type { ImageStream } from '../api/index.js'
import { DEFAULT_TAG } from '../api/constants.js'
import { isDigest, parseImageReference } from '../reference/index.js'
import type { InvalidReference, TagUse, WorkloadObject, WorkloadReferences } from './types.js'
import type { RawReference, WorkloadInput } from './workloads.js'
import { Yielder } from './yielder.js'

/** ResolveOptions are what resolution needs beyond the inputs. */
export interface ResolveOptions {
  /** The integrated registry's host names (`host[:port]`, lowercase). */
  readonly registryHosts: ReadonlySet<string>
  readonly now: number
  /** Pods neither Running nor Pending count only when younger than this. */
  readonly keepYoungerThanMs: number
}

/** registryHostsOf is the integrated registry's host names, as the streams' status repositories spell them. */
export function registryHostsOf(streams: readonly ImageStream[]): Set<string> {
  const hosts = new Set<string>()
  for (const s of streams) {
    for (const repo of [s.status?.dockerImageRepository, s.status?.publicDockerImageRepository]) {
      const slash = repo?.indexOf('/') ?? -1
      if (repo && slash > 0) hosts.add(repo.slice(0, slash).toLowerCase())
    }
  }
  return hosts
}

/**
 * resolveWorkloads turns spelled references into used digests and tags, and lists the invalid
 * ones; it yields to the event loop between slices, as a cluster's pods are many.
 */
export async function resolveWorkloads(
  input: WorkloadInput,
  options: ResolveOptions,
  yielder: Yielder = new Yielder(),
): Promise<WorkloadReferences> {
  const digests = new Map<string, WorkloadObject[]>()
  const tags: (TagUse & { readonly by: WorkloadObject })[] = []
  const invalid: InvalidReference[] = []
  const useDigest = (digest: string, by: WorkloadObject) => {
    const users = digests.get(digest)
    if (users === undefined) digests.set(digest, [by])
    else if (!users.includes(by)) users.push(by)
  }
  // Replicas spell the same references: each distinct one is parsed once.
  const pullSpecs = new Map<string, Resolved>()
  for (const ref of input.references) {
    if (yielder.due()) await yielder.yield()
    if (ref.pod && !isLive(ref.pod, options)) continue
    let resolved = ref.form === 'pull-spec' ? pullSpecs.get(ref.reference) : undefined
    if (resolved === undefined) {
      resolved = resolveOne(ref, options.registryHosts)
      if (ref.form === 'pull-spec') pullSpecs.set(ref.reference, resolved)
    }
    switch (resolved.kind) {
      case 'digest':
        useDigest(resolved.digest, ref.object)
        break
      case 'tag':
        tags.push({ ...resolved.tag, by: ref.object })
        break
      case 'invalid':
        invalid.push({
          object: ref.object,
          reference: ref.reference,
          message: `${ref.field}: ${resolved.message}`,
        })
        break
      case 'none':
        break
    }
  }
  return { digests, tags, imageSizeLimits: input.imageSizeLimits, invalid }
}

/**
 * describeInvalidReference renders one invalid reference as OpenShift's pruner lists it
 * (`pod/web namespace=team: container web: invalid image reference ...`, openshift/oc
 * pkg/cli/admin/prune/imageprune ErrBadReference).
 */
export function describeInvalidReference(ref: InvalidReference): string {
  const { kind, namespace, name } = ref.object
  const referrer = `${kind.toLowerCase()}/${name}${namespace === '' ? '' : ` namespace=${namespace}`}`
  return `${referrer}: ${ref.message}`
}

/** isLive is OpenShift's pod rule: Running and Pending pods count, others only while young. */
function isLive(pod: NonNullable<RawReference['pod']>, options: ResolveOptions): boolean {
  if (pod.phase === 'Running' || pod.phase === 'Pending') return true
  return pod.created !== undefined && pod.created > options.now - options.keepYoungerThanMs
}

type Resolved =
  | { readonly kind: 'digest'; readonly digest: string }
  | { readonly kind: 'tag'; readonly tag: TagUse }
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'none' }

const NONE: Resolved = { kind: 'none' }

function resolveOne(ref: RawReference, registryHosts: ReadonlySet<string>): Resolved {
  switch (ref.form) {
    case 'pull-spec':
      return resolvePullSpec(ref.reference, registryHosts)
    case 'ImageStreamTag': {
      // openshift/library-go imageutil.ParseImageStreamTagName: exactly one ":".
      const parts = ref.reference.split(':')
      if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
        return {
          kind: 'invalid',
          message: `invalid ImageStreamTag reference ${JSON.stringify(ref.reference)}: write <stream>:<tag>`,
        }
      }
      return { kind: 'tag', tag: { namespace: ref.namespace, stream: parts[0]!, tag: parts[1]! } }
    }
    case 'ImageStreamImage': {
      // openshift/library-go imageutil.ParseImageStreamImageName: exactly one "@".
      const parts = ref.reference.split('@')
      if (parts.length !== 2 || parts[0] === '' || !isDigest(parts[1]!)) {
        return {
          kind: 'invalid',
          message: `invalid ImageStreamImage reference ${JSON.stringify(ref.reference)}: write <stream>@sha256:<64 hex>`,
        }
      }
      return { kind: 'digest', digest: parts[1]! }
    }
  }
}

function resolvePullSpec(spec: string, registryHosts: ReadonlySet<string>): Resolved {
  let ref
  try {
    ref = parseImageReference(spec.trim())
  } catch (err) {
    return { kind: 'invalid', message: err instanceof Error ? err.message : String(err) }
  }
  if (ref.digest !== undefined) return { kind: 'digest', digest: ref.digest }
  if (!registryHosts.has(ref.registry)) return NONE
  const path = ref.repository.split('/')
  if (path.length !== 2) return NONE
  return {
    kind: 'tag',
    tag: { namespace: path[0]!, stream: path[1]!, tag: ref.tag ?? DEFAULT_TAG },
  }
}
