/**
 * Reading `--workloads` files: any kubectl JSON or YAML output (a List, several documents, single
 * objects) becomes the image references its workloads spell and the namespaces' image size
 * limits, as OpenShift's pruner collects them from the cluster (openshift/oc
 * pkg/cli/admin/prune/imageprune/prune.go); docs/pruning.md#workloads.
 */
import { parseAllDocuments } from 'yaml'
import { parseQuantity } from './quantity.js'
import type { WorkloadObject } from './types.js'

/** WorkloadSource is one `--workloads` input: its file name (`-` for stdin) and contents. */
export interface WorkloadSource {
  readonly name: string
  readonly text: string
}

/**
 * ReferenceForm says how a reference is read: a pull spec (container images, a build's
 * DockerImage `from`), or a build's ImageStreamTag (`name:tag`) or ImageStreamImage
 * (`name@digest`) `from`.
 */
export type ReferenceForm = 'pull-spec' | 'ImageStreamTag' | 'ImageStreamImage'

/** PodLiveness is what decides whether a Pod's references count. */
export interface PodLiveness {
  readonly phase: string
  /** metadata.creationTimestamp in ms since the epoch; undefined when absent. */
  readonly created: number | undefined
}

/** RawReference is one image reference as a workload object spells it, not yet resolved. */
export interface RawReference {
  readonly object: WorkloadObject
  /** Where in the object it is, e.g. `container app` or `sourceStrategy from`, for messages. */
  readonly field: string
  readonly form: ReferenceForm
  readonly reference: string
  /** The namespace an ImageStreamTag or ImageStreamImage name is in. */
  readonly namespace: string
  /** Set for Pods: they count only while live (Running, Pending, or young). */
  readonly pod?: PodLiveness
}

/** WorkloadInput is everything the `--workloads` inputs said, before registry hosts are known. */
export interface WorkloadInput {
  readonly references: readonly RawReference[]
  /** LimitRange `openshift.io/Image` max storage per namespace in bytes (the least of several). */
  readonly imageSizeLimits: ReadonlyMap<string, number>
}

/** WorkloadParseError says which input is not kubectl output, and why. */
export class WorkloadParseError extends Error {
  override readonly name = 'WorkloadParseError'
  /** The source's name as given (`-` for stdin). */
  readonly source: string

  constructor(source: string, problem: string) {
    super(
      `${source === '-' ? 'workloads from standard input' : `workloads file ${source}`}: ${problem}`,
    )
    this.source = source
  }
}

/** NO_WORKLOADS is the input of a run given no `--workloads`. */
export const NO_WORKLOADS: WorkloadInput = { references: [], imageSizeLimits: new Map() }

/** Kinds whose pod template is read, and where it sits. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  DeploymentConfig: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
}

const BUILD_KINDS = new Set(['Build', 'BuildConfig'])

/** Container lists of a pod spec, with the words a message names them by. */
const CONTAINER_LISTS = [
  ['initContainers', 'init container'],
  ['containers', 'container'],
  ['ephemeralContainers', 'ephemeral container'],
] as const

/** Build strategies with a `from` (openshift/library-go buildutil.GetInputReference). */
const BUILD_STRATEGIES = ['sourceStrategy', 'dockerStrategy', 'customStrategy'] as const

/** LimitRange type whose `max.storage` bounds an image's size (openshift/api image/v1 LimitTypeImage). */
const LIMIT_TYPE_IMAGE = 'openshift.io/Image'

type Json = Record<string, unknown>

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function at(value: unknown, path: readonly string[]): unknown {
  let v = value
  for (const key of path) v = isRecord(v) ? v[key] : undefined
  return v
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** parseWorkloads reads kubectl JSON or YAML outputs; throws WorkloadParseError on anything else. */
export function parseWorkloads(sources: readonly WorkloadSource[]): WorkloadInput {
  const references: RawReference[] = []
  const imageSizeLimits = new Map<string, number>()
  for (const source of sources) {
    const documents = documentsOf(source)
    documents.forEach((doc, i) => {
      const where = documents.length > 1 ? `document ${i + 1}` : 'the document'
      for (const object of objectsOf(source, doc, where)) {
        collect(source, object, references, imageSizeLimits)
      }
    })
  }
  return { references, imageSizeLimits }
}

/** documentsOf parses a source as JSON (fast, for kubectl -o json) or multi-document YAML. */
function documentsOf(source: WorkloadSource): unknown[] {
  const text = source.text
  let jsonError: unknown
  if (/^\s*[{[]/.test(text)) {
    try {
      return [JSON.parse(text)]
    } catch (err) {
      jsonError = err
    }
  }
  const docs = parseAllDocuments(text)
  const failed = docs.flatMap((d) => d.errors)[0]
  if (failed !== undefined) {
    const cause = jsonError instanceof Error ? jsonError.message : failed.message
    throw new WorkloadParseError(source.name, `not JSON or YAML: ${cause}`)
  }
  // A document with only a comment or a trailing `---` is empty: nothing to read.
  const values = docs.map((d) => d.toJS() as unknown).filter((v) => v !== null && v !== undefined)
  if (values.length === 0) {
    // An empty input is most often a failed `kubectl get ... |`: pruning as if nothing ran
    // anything would delete what is in use.
    throw new WorkloadParseError(
      source.name,
      'it is empty; give kubectl output such as `kubectl get pods -A -o json` (an empty List is fine)',
    )
  }
  return values
}

/** objectsOf flattens Lists (`kind: List` or `<Kind>List` with items) into their objects. */
function objectsOf(
  source: WorkloadSource,
  value: unknown,
  where: string,
  itemKind?: string,
): Json[] {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => objectsOf(source, v, `${where}, item ${i + 1}`, itemKind))
  }
  if (!isRecord(value)) {
    throw new WorkloadParseError(
      source.name,
      `${where} is not a Kubernetes object: it is ${value === null ? 'null' : typeof value}`,
    )
  }
  const kind = typeof value.kind === 'string' && value.kind !== '' ? value.kind : itemKind
  if (kind === undefined) {
    throw new WorkloadParseError(
      source.name,
      `${where} is not a Kubernetes object: it has no "kind"; give kubectl output such as \`kubectl get pods -A -o json\``,
    )
  }
  if (kind.endsWith('List') && Array.isArray(value.items)) {
    // Typed lists from the API (PodList) omit their items' kinds; kubectl's List keeps them.
    const inner = kind === 'List' ? undefined : kind.slice(0, -'List'.length)
    return objectsOf(source, value.items, `${where}, ${kind}`, inner)
  }
  return [{ ...value, kind }]
}

function collect(
  source: WorkloadSource,
  object: Json,
  references: RawReference[],
  imageSizeLimits: Map<string, number>,
): void {
  const kind = str(object.kind)
  const namespace = str(at(object, ['metadata', 'namespace']))
  const who: WorkloadObject = { kind, namespace, name: str(at(object, ['metadata', 'name'])) }
  const podPath = POD_SPEC_PATHS[kind]
  if (podPath !== undefined) {
    const pod: PodLiveness | undefined =
      kind === 'Pod'
        ? {
            phase: str(at(object, ['status', 'phase'])),
            created: timeOf(at(object, ['metadata', 'creationTimestamp'])),
          }
        : undefined
    const spec = at(object, podPath)
    for (const [list, words] of CONTAINER_LISTS) {
      const containers = at(spec, [list])
      if (!Array.isArray(containers)) continue
      for (const c of containers) {
        const image = str(at(c, ['image']))
        if (image.trim() === '') continue
        references.push({
          object: who,
          field: `${words} ${str(at(c, ['name']))}`,
          form: 'pull-spec',
          reference: image,
          namespace,
          ...(pod && { pod }),
        })
      }
    }
  } else if (BUILD_KINDS.has(kind)) {
    for (const strategy of BUILD_STRATEGIES) {
      const from = at(object, ['spec', 'strategy', strategy, 'from'])
      const fromKind = str(at(from, ['kind']))
      const name = str(at(from, ['name']))
      if (name.trim() === '') continue
      if (
        fromKind !== 'DockerImage' &&
        fromKind !== 'ImageStreamTag' &&
        fromKind !== 'ImageStreamImage'
      ) {
        continue
      }
      references.push({
        object: who,
        field: `${strategy} from`,
        form: fromKind === 'DockerImage' ? 'pull-spec' : fromKind,
        reference: name,
        namespace: str(at(from, ['namespace'])) || namespace,
      })
    }
  } else if (kind === 'LimitRange') {
    const limits = at(object, ['spec', 'limits'])
    for (const limit of Array.isArray(limits) ? limits : []) {
      if (at(limit, ['type']) !== LIMIT_TYPE_IMAGE) continue
      const max = at(limit, ['max', 'storage'])
      if (max === undefined) continue
      // Quantities serialise as strings, decoded with surrounding space trimmed; a bare number
      // is accepted as kubectl would.
      const bytes =
        typeof max === 'string' || typeof max === 'number'
          ? parseQuantity(String(max).trim())
          : undefined
      if (bytes === undefined) {
        throw new WorkloadParseError(
          source.name,
          `LimitRange ${namespace}/${who.name}: max storage ${JSON.stringify(max)} is not a quantity such as 1Gi`,
        )
      }
      imageSizeLimits.set(namespace, Math.min(bytes, imageSizeLimits.get(namespace) ?? Infinity))
    }
  }
}

/** timeOf reads an RFC 3339 time as ms since the epoch; undefined when absent or not a time. */
export function timeOf(value: unknown): number | undefined {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN
  return Number.isNaN(ms) ? undefined : ms
}
