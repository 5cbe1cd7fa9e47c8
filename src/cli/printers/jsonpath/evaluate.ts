/**
 * The evaluator of kubectl's JSONPath dialect over decoded JSON, ported from client-go's
 * jsonpath.go: results grouped per top-level node, `range` re-running the nodes up to its
 * `end` for each result, maps and arrays printed as JSON, scalars as Go's fmt prints them.
 */
import { goJsonCompact, goJsonIndent, goSprint, goTypeName, isGoInt } from '../go-values.js'
import type { JsonPathNode, ListNode } from './parser.js'
import { parseJsonPath } from './parser.js'

/** Missing marks a value that is absent, as Go's invalid reflect.Value. */
type Value = unknown

/** JsonPathOptions are the knobs kubectl sets on a template. */
export interface JsonPathOptions {
  /** `--allow-missing-template-keys` (kubectl's default: true). */
  readonly allowMissingKeys: boolean
  /** `jsonpath-as-json`: each group printed as an indented JSON array. */
  readonly outputJson?: boolean
}

const isMap = (v: Value): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** JsonPath is one parsed template, run on any number of objects. */
export class JsonPath {
  private beginRange = 0
  private inRange = 0
  private endRange = 0
  private lastEndNode: JsonPathNode | undefined

  private readonly root: ListNode
  private readonly opts: JsonPathOptions

  private constructor(root: ListNode, opts: JsonPathOptions) {
    this.root = root
    this.opts = opts
  }

  /** parse builds a template; throws client-go's parse error. */
  static parse(text: string, opts: JsonPathOptions): JsonPath {
    return new JsonPath(parseJsonPath(text), opts)
  }

  /** execute prints the template's results for `data`; throws on an evaluation error. */
  execute(data: unknown): string {
    return this.findResults(data, this.root.nodes)
      .map((group) => this.printResults(group))
      .join('')
  }

  /** findResults is client-go's FindResults: one group of values per top-level node. */
  findResults(data: unknown, nodes: readonly JsonPathNode[] = this.root.nodes): Value[][] {
    const cur: Value[] = [data]
    const full: Value[][] = []
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!
      const results = this.walk(cur, node)
      if (this.endRange > 0 && this.endRange <= this.inRange) {
        this.endRange--
        this.lastEndNode = node
        break
      }
      if (this.beginRange > 0) {
        this.beginRange--
        this.inRange++
        const inner = nodes.slice(i + 1)
        if (results.length > 0) {
          for (const value of results) full.push(...this.findResults(value, inner))
        } else {
          this.findResults(null, inner)
        }
        this.inRange--
        for (let k = i + 1; k < nodes.length; k++) {
          if (nodes[k] === this.lastEndNode) {
            i = k
            break
          }
        }
        continue
      }
      full.push(results)
    }
    return full
  }

  /** printResults is client-go's PrintResults for one group. */
  printResults(results: readonly Value[]): string {
    if (this.opts.outputJson) return `${goJsonIndent(results)}\n`
    return results
      .map((r) =>
        typeof r === 'object' && r !== null ? goJsonCompact(r) : r === null ? 'null' : goSprint(r),
      )
      .join(' ')
  }

  private walk(values: Value[], node: JsonPathNode): Value[] {
    switch (node.type) {
      case 'list':
        return this.evalList(values, node)
      case 'text':
        return [node.text]
      case 'field':
        return this.evalField(values, node.value)
      case 'array':
        return this.evalArray(values, node.params)
      case 'filter':
        return this.evalFilter(values, node)
      case 'int':
      case 'float':
      case 'bool':
        return values.map(() => node.value)
      case 'wildcard':
        return values.flatMap(children)
      case 'recursive':
        return this.evalRecursive(values)
      case 'union':
        return node.nodes.flatMap((list) => this.evalList(values, list))
      case 'identifier':
        return this.evalIdentifier(values, node.name)
    }
  }

  private evalList(values: Value[], list: ListNode): Value[] {
    let cur = values
    for (const node of list.nodes) cur = this.walk(cur, node)
    return cur
  }

  private evalIdentifier(values: Value[], name: string): Value[] {
    if (name === 'range') {
      this.beginRange++
      return values
    }
    if (name === 'end') {
      if (this.inRange > 0) {
        this.endRange++
        return []
      }
      throw new Error('not in range, nothing to end')
    }
    throw new Error(`unrecognized identifier ${name}`)
  }

  private evalArray(
    values: Value[],
    given: readonly { value: number; known: boolean; derived: boolean }[],
  ): Value[] {
    const result: Value[] = []
    for (const value of values) {
      if (value === null || value === undefined) continue
      if (!Array.isArray(value)) throw new Error(`${goTypeName(value)} is not array or slice`)
      const params = given.map((p) => ({ ...p }))
      const [p0, p1, p2] = params as [(typeof params)[0], (typeof params)[0], (typeof params)[0]]
      const len = value.length
      if (!p0.known) p0.value = 0
      if (p0.value < 0) p0.value += len
      if (!p1.known) p1.value = len
      if (p1.value < 0 || (p1.value === 0 && p1.derived)) p1.value += len
      if (p1.value === p0.value) return result
      if (p0.value >= len || p0.value < 0) {
        throw new Error(`array index out of bounds: index ${p0.value}, length ${len}`)
      }
      if (p1.value > len || p1.value < 0) {
        throw new Error(`array index out of bounds: index ${p1.value - 1}, length ${len}`)
      }
      if (p0.value > p1.value) {
        throw new Error(`starting index ${p0.value} is greater than ending index ${p1.value}`)
      }
      const slice = value.slice(p0.value, p1.value)
      let step = 1
      if (p2.known) {
        if (p2.value <= 0) throw new Error('step must be > 0')
        step = p2.value
      }
      for (let i = 0; i < slice.length; i += step) result.push(slice[i])
    }
    return result
  }

  private evalField(values: Value[], name: string): Value[] {
    if (values.length === 0) return []
    const results: Value[] = []
    for (const value of values) {
      if (isMap(value) && Object.hasOwn(value, name)) results.push(value[name])
    }
    if (results.length === 0 && !this.opts.allowMissingKeys) throw new Error(`${name} is not found`)
    return results
  }

  private evalRecursive(values: Value[]): Value[] {
    const result: Value[] = []
    for (const value of values) {
      if (value === null || value === undefined) continue
      const inner = children(value)
      if (inner.length === 0) continue
      result.push(value, ...this.evalRecursive(inner))
    }
    return result
  }

  private evalFilter(values: Value[], node: Extract<JsonPathNode, { type: 'filter' }>): Value[] {
    const results: Value[] = []
    for (const value of values) {
      if (!Array.isArray(value)) {
        throw new Error(`${goSprint(value)} is not array or slice and cannot be filtered`)
      }
      for (const item of value) {
        let lefts: Value[]
        try {
          lefts = this.evalList([item], node.left)
        } catch (err) {
          if (node.op === 'exists') continue
          throw err
        }
        if (node.op === 'exists') {
          if (lefts.length > 0) results.push(item)
          continue
        }
        if (lefts.length === 0) continue
        if (lefts.length > 1) throw new Error('can only compare one element at a time')
        const rights = this.evalList([item], node.right)
        if (rights.length === 0) continue
        if (rights.length > 1) throw new Error('can only compare one element at a time')
        if (compare(lefts[0], rights[0], node.op)) results.push(item)
      }
    }
    return results
  }
}

/** children are a value's elements, as client-go's wildcard takes them (map order aside). */
function children(value: Value): Value[] {
  if (Array.isArray(value)) return (value as unknown[]).slice()
  if (isMap(value)) return Object.values(value)
  if (typeof value === 'string') return Array.from(Buffer.from(value))
  return []
}

type Kind = 'bool' | 'int' | 'float' | 'string'

function basicKind(v: Value): Kind {
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'number') return isGoInt(v) ? 'int' : 'float'
  if (typeof v === 'string') return 'string'
  throw new Error('invalid type for comparison')
}

/** compare is the forked text/template comparison the filters use. */
function compare(left: Value, right: Value, op: string): boolean {
  const k1 = basicKind(left)
  const k2 = basicKind(right)
  if (!['<', '>', '==', '!=', '<=', '>='].includes(op)) {
    throw new Error(`unrecognized filter operator ${op}`)
  }
  if (k1 !== k2) throw new Error('incompatible types for comparison')
  if (op === '==' || op === '!=') return (left === right) === (op === '==')
  if (k1 === 'bool') throw new Error('invalid type for comparison')
  const l = left as number | string
  const r = right as number | string
  if (op === '<') return l < r
  if (op === '>') return l > r
  if (op === '<=') return l <= r
  return l >= r
}
