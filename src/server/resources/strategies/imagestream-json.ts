/**
 * The ImageStream's read-time decoration done on its JSON text: the computed repositories
 * written at the head of the status, the rest of the text as stored. Streams whose tags are not
 * in order (only ever stored by older versions) and any text of an unexpected shape answer
 * undefined, and are decorated as objects. The text is read once, front to back, by one loop
 * per level of the document that compares key lengths before key texts, and the answer is the
 * stored text's own slices around the new status head, so that nothing is copied until the
 * response is written.
 */
import { tagNamesSorted } from '../../../api/index.js'
import { isKey, stringAt, stringEnd, valueEnd } from '../json-text.js'
import type { StrategyContext } from './types.js'

const QUOTE = 0x22
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d

const METADATA = '"metadata"'
const SPEC_KEY = '"spec"'
const STATUS = '"status"'
const TAGS = '"tags"'
const NAME = '"name"'
const NAMESPACE = '"namespace"'
const TAG = '"tag"'
const REPOSITORY = '"dockerImageRepository"'
const PUBLIC = '"publicDockerImageRepository"'

// The end of the key of the member starting at `i` (its value starts after the colon there),
// or -1 when no member starts there.
function keyEndAt(text: string, i: number): number {
  if (text.charCodeAt(i) !== QUOTE) return -1
  const keyEnd = stringEnd(text, i)
  return keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON ? -1 : keyEnd
}

// After a member or element ending at `end`: the start of the next one, -1 at the close
// `close`, or -2 on anything else.
function nextAfter(text: string, end: number, close: number): number {
  const c = text.charCodeAt(end)
  if (c === COMMA) return end + 1
  return c === close ? -1 : -2
}

// The string member `field` of the object at `start` and the object's end; undefined when it
// is no object, or the field is missing, repeated or no string.
function stringMember(
  text: string,
  start: number,
  field: string,
): { value: string; end: number } | undefined {
  if (text.charCodeAt(start) !== OPEN_OBJECT) return undefined
  let value: string | undefined
  let i = start + 1
  if (text.charCodeAt(i) === CLOSE_OBJECT) return undefined
  for (;;) {
    const keyEnd = keyEndAt(text, i)
    if (keyEnd < 0) return undefined
    const end = valueEnd(text, keyEnd + 1)
    if (end < 0) return undefined
    if (isKey(text, i, keyEnd, field)) {
      if (value !== undefined) return undefined
      value = stringAt(text, keyEnd + 1, end)
      if (value === undefined) return undefined
    }
    i = nextAfter(text, end, CLOSE_OBJECT)
    if (i === -1) return value === undefined ? undefined : { value, end: end + 1 }
    if (i < 0) return undefined
  }
}

// The name and namespace of the metadata object at `start` ('' when absent, the last when
// repeated, as JSON.parse keeps), and its end; undefined when it is no object or either is no
// string.
function metadataAt(
  text: string,
  start: number,
): { name: string; namespace: string; end: number } | undefined {
  if (text.charCodeAt(start) !== OPEN_OBJECT) return undefined
  let name = ''
  let namespace = ''
  let i = start + 1
  if (text.charCodeAt(i) === CLOSE_OBJECT) return { name, namespace, end: i + 1 }
  for (;;) {
    const keyEnd = keyEndAt(text, i)
    if (keyEnd < 0) return undefined
    const valueStart = keyEnd + 1
    const end = valueEnd(text, valueStart)
    if (end < 0) return undefined
    const isName = isKey(text, i, keyEnd, NAME)
    if (isName || isKey(text, i, keyEnd, NAMESPACE)) {
      const value = stringAt(text, valueStart, end)
      if (value === undefined) return undefined
      if (isName) name = value
      else namespace = value
    }
    i = nextAfter(text, end, CLOSE_OBJECT)
    if (i === -1) return { name, namespace, end: end + 1 }
    if (i < 0) return undefined
  }
}

// The end of the array at `start` of objects each with the string member `field`, their
// values in tag order; -1 otherwise.
function sortedTagsEnd(text: string, start: number, field: string): number {
  if (text.charCodeAt(start) !== OPEN_ARRAY) return -1
  let i = start + 1
  if (text.charCodeAt(i) === CLOSE_ARRAY) return i + 1
  const names: string[] = []
  for (;;) {
    const element = stringMember(text, i, field)
    if (element === undefined) return -1
    names.push(element.value)
    i = nextAfter(text, element.end, CLOSE_ARRAY)
    if (i === -1) return tagNamesSorted(names) ? element.end + 1 : -1
    if (i < 0) return -1
  }
}

// The end of the object at `start` whose member `tags` (if any) is a sorted tags array of
// `field`s; -1 otherwise. `kept`, when given, receives the bounds of every member but the
// computed repositories.
function withSortedTagsEnd(text: string, start: number, field: string, kept?: number[]): number {
  if (text.charCodeAt(start) !== OPEN_OBJECT) return -1
  let i = start + 1
  if (text.charCodeAt(i) === CLOSE_OBJECT) return i + 1
  for (;;) {
    const keyEnd = keyEndAt(text, i)
    if (keyEnd < 0) return -1
    const valueStart = keyEnd + 1
    const end = isKey(text, i, keyEnd, TAGS)
      ? sortedTagsEnd(text, valueStart, field)
      : valueEnd(text, valueStart)
    if (end < 0) return -1
    if (kept && !isKey(text, i, keyEnd, REPOSITORY) && !isKey(text, i, keyEnd, PUBLIC)) {
      // Members next to each other stay one slice.
      if (kept.length > 0 && kept[kept.length - 1] === i - 1) kept[kept.length - 1] = end
      else kept.push(i, end)
    }
    i = nextAfter(text, end, CLOSE_OBJECT)
    if (i === -1) return end + 1
    if (i < 0) return -1
  }
}

/**
 * decorateImageStreamJson decorates the members of a served ImageStream text from `from` (the
 * first member after `kind` and `apiVersion`) to its end as the strategy's decorate would, as
 * pieces to write one after the other, or answers undefined.
 */
export function decorateImageStreamJson(
  text: string,
  from: number,
  ctx: StrategyContext,
): string[] | undefined {
  let name = ''
  let namespace = ''
  let metadata = false
  let statusStart = -1
  let statusEnd = -1
  const kept: number[] = []
  for (let i = from; ;) {
    const keyEnd = keyEndAt(text, i)
    if (keyEnd < 0) return undefined
    const valueStart = keyEnd + 1
    let end: number
    if (isKey(text, i, keyEnd, METADATA)) {
      if (metadata) return undefined
      metadata = true
      const found = metadataAt(text, valueStart)
      if (found === undefined) return undefined
      ;({ name, namespace, end } = found)
    } else if (isKey(text, i, keyEnd, SPEC_KEY)) {
      end = withSortedTagsEnd(text, valueStart, NAME)
    } else if (isKey(text, i, keyEnd, STATUS)) {
      if (statusStart >= 0) return undefined
      statusStart = valueStart
      end = withSortedTagsEnd(text, valueStart, TAG, kept)
      statusEnd = end
    } else {
      end = valueEnd(text, valueStart)
    }
    if (end < 0) return undefined
    i = nextAfter(text, end, CLOSE_OBJECT)
    if (i === -1) {
      if (end + 1 !== text.length) return undefined
      break
    }
    if (i < 0) return undefined
  }
  if (!metadata) return undefined
  const host = ctx.settings.registryPublicHostname
  let computed = `${REPOSITORY}:${JSON.stringify(`${ctx.settings.registryHostname()}/${namespace}/${name}`)}`
  if (host) computed += `,${PUBLIC}:${JSON.stringify(`${host}/${namespace}/${name}`)}`
  if (statusStart < 0) return [text.slice(from, -1), `,"status":{${computed}}}`]
  // The stored text up to the status's brace, the computed members, then the kept members:
  // each but the last with the comma after it, the last with the rest of the text when it is
  // the status's last member.
  const pieces = [text.slice(from, statusStart + 1)]
  if (kept.length === 0) {
    pieces.push(computed, text.slice(statusEnd - 1))
    return pieces
  }
  pieces.push(`${computed},`)
  const last = kept.length - 2
  for (let k = 0; k < last; k += 2) pieces.push(text.slice(kept[k], kept[k + 1]! + 1))
  if (kept[last + 1] === statusEnd - 1) pieces.push(text.slice(kept[last]))
  else pieces.push(text.slice(kept[last], kept[last + 1]), text.slice(statusEnd - 1))
  return pieces
}
