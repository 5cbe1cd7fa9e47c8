/**
 * The ImageStream's read-time decoration done on its JSON text: the computed repositories
 * written at the head of the status, the rest of the text as stored. Streams whose tags are not
 * in order (only ever stored by older versions) and any text of an unexpected shape answer
 * undefined, and are decorated as objects.
 */
import { tagNamesSorted } from '../../../api/index.js'
import { elements, memberNamed, members, stringAt, type Member } from '../json-text.js'
import type { StrategyContext } from './types.js'

// The names under `field` of each element of the array member `list` of the object `owner`;
// an absent object or array has none. Undefined when a name is not a string.
function namesOf(
  text: string,
  owner: Member | undefined,
  list: string,
  field: string,
): string[] | undefined {
  if (owner === undefined) return []
  const fields = members(text, owner.valueStart)
  if (fields === undefined) return undefined
  const array = memberNamed(fields, list)
  if (array === undefined) return []
  const items = elements(text, array.valueStart)
  if (items === undefined) return undefined
  const names: string[] = []
  for (const item of items) {
    const named = members(text, item.start)
    const member = named && memberNamed(named, field)
    const name = member && stringAt(text, member.valueStart, member.end)
    if (name === undefined) return undefined
    names.push(name)
  }
  return names
}

function metadataString(text: string, metadata: Member, field: string): string | undefined {
  const fields = members(text, metadata.valueStart)
  if (fields === undefined) return undefined
  const member = memberNamed(fields, field)
  return member === undefined ? '' : stringAt(text, member.valueStart, member.end)
}

const COMPUTED = new Set(['"dockerImageRepository"', '"publicDockerImageRepository"'])

/**
 * decorateImageStreamJson decorates a served ImageStream text (`kind` and `apiVersion` first) as
 * the strategy's decorate would, or answers undefined.
 */
export function decorateImageStreamJson(text: string, ctx: StrategyContext): string | undefined {
  const top = members(text, 0)
  if (top === undefined) return undefined
  const metadata = memberNamed(top, 'metadata')
  const spec = memberNamed(top, 'spec')
  const status = memberNamed(top, 'status')
  if (metadata === undefined) return undefined
  const specNames = namesOf(text, spec, 'tags', 'name')
  const statusNames = namesOf(text, status, 'tags', 'tag')
  if (specNames === undefined || statusNames === undefined) return undefined
  if (!tagNamesSorted(specNames) || !tagNamesSorted(statusNames)) return undefined
  const namespace = metadataString(text, metadata, 'namespace')
  const name = metadataString(text, metadata, 'name')
  if (namespace === undefined || name === undefined) return undefined
  const host = ctx.settings.registryPublicHostname
  let computed = `"dockerImageRepository":${JSON.stringify(`${ctx.settings.registryHostname()}/${namespace}/${name}`)}`
  if (host) {
    computed += `,"publicDockerImageRepository":${JSON.stringify(`${host}/${namespace}/${name}`)}`
  }
  if (status === undefined) return `${text.slice(0, -1)},"status":{${computed}}}`
  const fields = members(text, status.valueStart)
  if (fields === undefined) return undefined
  const kept = fields.filter((f) => !COMPUTED.has(f.key)).map((f) => text.slice(f.start, f.end))
  const body = [computed, ...kept].join(',')
  return `${text.slice(0, status.valueStart)}{${body}}${text.slice(status.end)}`
}
