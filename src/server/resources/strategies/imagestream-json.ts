/**
 * The ImageStream's read-time decoration done on its JSON text: the computed repositories
 * written at the head of the status, the rest of the text as stored. Streams whose tags are not
 * in order (only ever stored by older versions) and any text of an unexpected shape answer
 * undefined, and are decorated as objects. The text is read once, front to back.
 */
import { tagNamesSorted } from '../../../api/index.js'
import { eachElement, eachMember, isKey, stringAt, valueEnd } from '../json-text.js'
import type { StrategyContext } from './types.js'

const METADATA = '"metadata"'
const SPEC_KEY = '"spec"'
const STATUS = '"status"'
const TAGS = '"tags"'
const NAME = '"name"'
const NAMESPACE = '"namespace"'
const TAG = '"tag"'
const REPOSITORY = '"dockerImageRepository"'
const PUBLIC = '"publicDockerImageRepository"'

// Reads the string member `field` of every element of the array at `start` into `names`;
// answers the array's end, or -1 when an element is no object or its field no string.
function readNames(text: string, start: number, field: string, names: string[]): number {
  return eachElement(text, start, (at) => {
    const before = names.length
    const end = eachMember(text, at, (keyStart, keyEnd, valueStart) => {
      if (!isKey(text, keyStart, keyEnd, field)) return undefined
      const stop = valueEnd(text, valueStart)
      const name = stop < 0 ? undefined : stringAt(text, valueStart, stop)
      if (name === undefined) return -1
      names.push(name)
      return stop
    })
    return names.length === before + 1 ? end : -1
  })
}

/**
 * decorateImageStreamJson decorates a served ImageStream text (`kind` and `apiVersion` first) as
 * the strategy's decorate would, or answers undefined.
 */
export function decorateImageStreamJson(text: string, ctx: StrategyContext): string | undefined {
  let name = ''
  let namespace = ''
  let metadata = false
  const specNames: string[] = []
  const statusNames: string[] = []
  let status: { start: number; end: number; kept: string[] } | undefined
  const metadataField: Parameters<typeof eachMember>[2] = (keyStart, keyEnd, valueStart) => {
    const isName = isKey(text, keyStart, keyEnd, NAME)
    if (!isName && !isKey(text, keyStart, keyEnd, NAMESPACE)) return undefined
    const end = valueEnd(text, valueStart)
    const value = end < 0 ? undefined : stringAt(text, valueStart, end)
    if (value === undefined) return -1
    if (isName) name = value
    else namespace = value
    return end
  }
  const end = eachMember(text, 0, (keyStart, keyEnd, valueStart) => {
    if (isKey(text, keyStart, keyEnd, METADATA)) {
      metadata = true
      return eachMember(text, valueStart, metadataField)
    }
    if (isKey(text, keyStart, keyEnd, SPEC_KEY)) {
      return eachMember(text, valueStart, (k, kEnd, v) =>
        isKey(text, k, kEnd, TAGS) ? readNames(text, v, NAME, specNames) : undefined,
      )
    }
    if (!isKey(text, keyStart, keyEnd, STATUS)) return undefined
    const kept: string[] = []
    const statusEnd = eachMember(text, valueStart, (k, kEnd, v) => {
      const stop = isKey(text, k, kEnd, TAGS)
        ? readNames(text, v, TAG, statusNames)
        : valueEnd(text, v)
      if (!isKey(text, k, kEnd, REPOSITORY) && !isKey(text, k, kEnd, PUBLIC) && stop >= 0) {
        kept.push(text.slice(k, stop))
      }
      return stop
    })
    status = { start: valueStart, end: statusEnd, kept }
    return statusEnd
  })
  if (end !== text.length || !metadata) return undefined
  if (!tagNamesSorted(specNames) || !tagNamesSorted(statusNames)) return undefined
  const host = ctx.settings.registryPublicHostname
  let computed = `${REPOSITORY}:${JSON.stringify(`${ctx.settings.registryHostname()}/${namespace}/${name}`)}`
  if (host) computed += `,${PUBLIC}:${JSON.stringify(`${host}/${namespace}/${name}`)}`
  if (status === undefined) return `${text.slice(0, -1)},"status":{${computed}}}`
  const { start, end: after, kept } = status
  return `${text.slice(0, start)}{${[computed, ...kept].join(',')}}${text.slice(after)}`
}
