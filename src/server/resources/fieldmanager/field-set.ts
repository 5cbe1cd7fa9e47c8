/**
 * FieldSet: a set of field paths as a tree, structured-merge-diff's fieldpath.Set
 * (fieldpath/set.go): at each level the elements that are members themselves, and the children
 * with their own sets, both kept sorted. A path can be a member and have children at once
 * (`.metadata.labels` and `.metadata.labels.app`). `fieldsV1` is its JSON form, where a member
 * with children carries `".": {}` (fieldpath/serialize.go).
 */
import {
  compareElements,
  parseElement,
  serializeElement,
  type Path,
  type PathElement,
} from './path.js'

interface Child {
  readonly element: PathElement
  readonly set: FieldSet
}

function search<T>(list: readonly T[], e: PathElement, of: (t: T) => PathElement): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    const c = compareElements(of(list[mid]!), e)
    if (c === 0) return mid
    if (c < 0) lo = mid + 1
    else hi = mid
  }
  return -(lo + 1)
}

const self = (e: PathElement): PathElement => e
const childElement = (c: Child): PathElement => c.element

/** FieldSet is an immutable-by-convention set of paths; the operations return new sets. */
export class FieldSet {
  private readonly members: PathElement[] = []
  private readonly children: Child[] = []

  /** of builds a set from paths. */
  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet()
    for (const p of paths) s.insert(p)
    return s
  }

  /** insert adds a path (mutates; used while building a set). */
  insert(path: Path): void {
    this.insertFrom(path, 0)
  }

  // Reads `path` from `i` on without copying it: sets are built one path at a time.
  private insertFrom(path: Path, i: number): void {
    const e = path[i]
    if (e === undefined) return
    if (i + 1 < path.length) {
      this.descend(e).insertFrom(path, i + 1)
      return
    }
    const at = search(this.members, e, self)
    if (at < 0) this.members.splice(-at - 1, 0, e)
  }

  /** graft adds `set` under `e`, as inserting each of its paths after `e` would (mutates, as insert). */
  graft(e: PathElement, set: FieldSet): void {
    const at = search(this.children, e, childElement)
    if (at < 0) this.children.splice(-at - 1, 0, { element: e, set })
    else this.children[at] = { element: e, set: this.children[at]!.set.union(set) }
  }

  private descend(e: PathElement): FieldSet {
    const at = search(this.children, e, childElement)
    if (at >= 0) return this.children[at]!.set
    const set = new FieldSet()
    this.children.splice(-at - 1, 0, { element: e, set })
    return set
  }

  /** child is the set under one element (empty when there is none). */
  child(e: PathElement): FieldSet {
    const at = search(this.children, e, childElement)
    return at >= 0 ? this.children[at]!.set : new FieldSet()
  }

  /** memberElements are this level's members, in order. */
  memberElements(): readonly PathElement[] {
    return this.members
  }

  /** childEntries are this level's children with their sets, in order. */
  childEntries(): readonly Child[] {
    return this.children
  }

  /** isMember says whether `e` is a member at this level. */
  isMember(e: PathElement): boolean {
    return search(this.members, e, self) >= 0
  }

  /** empty is true for a set without paths. */
  empty(): boolean {
    return this.members.length === 0 && this.children.length === 0
  }

  /** has says whether the exact path is in the set. */
  has(path: Path): boolean {
    const [first, ...rest] = path
    if (first === undefined) return false
    if (rest.length === 0) return this.isMember(first)
    const at = search(this.children, first, childElement)
    return at >= 0 && this.children[at]!.set.has(rest)
  }

  /** paths lists every path: this level's members first, then each child's paths. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = this.members.map((m) => [...prefix, m])
    for (const c of this.children) out.push(...c.set.paths([...prefix, c.element]))
    return out
  }

  private static build(members: PathElement[], children: Child[]): FieldSet {
    const s = new FieldSet()
    s.members.push(...members)
    s.children.push(...children.filter((c) => !c.set.empty()))
    return s
  }

  /** union is every path of either set. */
  union(other: FieldSet): FieldSet {
    const members = mergeSorted(this.members, other.members, self, (a) => a)
    const children = mergeSorted(this.children, other.children, childElement, (a, b) => ({
      element: a.element,
      set: a.set.union(b.set),
    }))
    return FieldSet.build(members, children)
  }

  /** intersection is the paths in both sets. */
  intersection(other: FieldSet): FieldSet {
    const members = this.members.filter((m) => other.isMember(m))
    const children: Child[] = []
    for (const c of this.children) {
      const at = search(other.children, c.element, childElement)
      if (at >= 0)
        children.push({ element: c.element, set: c.set.intersection(other.children[at]!.set) })
    }
    return FieldSet.build(members, children)
  }

  /** difference is the paths of this set that are not in `other` (paths only, not subtrees). */
  difference(other: FieldSet): FieldSet {
    const members = this.members.filter((m) => !other.isMember(m))
    const children = this.children.map((c) => {
      const at = search(other.children, c.element, childElement)
      return at >= 0 ? { element: c.element, set: c.set.difference(other.children[at]!.set) } : c
    })
    return FieldSet.build(members, children)
  }

  /** recursiveDifference also drops whole subtrees under the members of `other`. */
  recursiveDifference(other: FieldSet): FieldSet {
    const members = this.members.filter((m) => !other.isMember(m))
    const children: Child[] = []
    for (const c of this.children) {
      if (other.isMember(c.element)) continue
      const at = search(other.children, c.element, childElement)
      children.push(
        at >= 0
          ? { element: c.element, set: c.set.recursiveDifference(other.children[at]!.set) }
          : c,
      )
    }
    return FieldSet.build(members, children)
  }

  /** toFieldsV1 renders the set as `fieldsV1` JSON. */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false)
  }

  private emit(includeSelf: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    if (includeSelf && !this.empty()) out['.'] = {}
    let mi = 0
    let ci = 0
    while (mi < this.members.length || ci < this.children.length) {
      const m = this.members[mi]
      const c = this.children[ci]
      const order = m === undefined ? 1 : c === undefined ? -1 : compareElements(m, c.element)
      if (order < 0) {
        out[serializeElement(m!)] = {}
        mi++
      } else if (order > 0) {
        out[serializeElement(c!.element)] = c!.set.emit(false)
        ci++
      } else {
        out[serializeElement(c!.element)] = c!.set.emit(true)
        mi++
        ci++
      }
    }
    return out
  }

  /** fromFieldsV1 reads `fieldsV1` JSON; throws on a malformed key. */
  static fromFieldsV1(json: unknown): FieldSet {
    return read(json).children ?? new FieldSet()
  }
}

function read(json: unknown): { children: FieldSet | undefined; member: boolean } {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error('fieldsV1 entries must be objects')
  }
  let children: FieldSet | undefined
  let member = false
  for (const [key, value] of Object.entries(json)) {
    if (key === '.') {
      member = true
      continue
    }
    const e = parseElement(key)
    if (e === undefined) continue
    const sub = read(value)
    children ??= new FieldSet()
    if (sub.member) children.insert([e])
    if (sub.children !== undefined && !sub.children.empty()) children.graft(e, sub.children)
  }
  return { children, member: member || children === undefined }
}

function mergeSorted<T>(
  a: readonly T[],
  b: readonly T[],
  of: (t: T) => PathElement,
  both: (x: T, y: T) => T,
): T[] {
  const out: T[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const c = compareElements(of(a[i]!), of(b[j]!))
    if (c < 0) out.push(a[i++]!)
    else if (c > 0) out.push(b[j++]!)
    else out.push(both(a[i++]!, b[j++]!))
  }
  while (i < a.length) out.push(a[i++]!)
  while (j < b.length) out.push(b[j++]!)
  return out
}
