/**
 * The executor of Go's text/template over decoded JSON, as kubectl runs `-o go-template`:
 * values carry whether they are still wrapped in interface{} (Go reports their type so in
 * errors), missing map keys are "invalid" values that print as `<no value>`, and errors
 * read `template: output:L:C: executing "output" at <node>: ...`.
 */
import { goSprint, goTypeName } from '../go-values.js'
import {
  nodeText,
  type ArgNode,
  type CommandNode,
  type Parsed,
  type ControlNode,
  type PipeNode,
  type TemplateNode,
} from './parser.js'
import { constant, FUNCS, INVALID, isTrue, stringParamError, value, type GoValue } from './funcs.js'

type Signal = 'none' | 'break' | 'continue'

/** ExecOptions are kubectl's knobs: `missingkey=error` when keys may not be missing. */
export interface ExecOptions {
  readonly missingKeyError: boolean
}

/** executeTemplate runs a parsed template on `data`; throws Go's execution error. */
export function executeTemplate(t: Parsed, data: unknown, opts: ExecOptions): string {
  const state = new State(t, opts)
  state.vars.push({ name: '$', value: value(data, false) })
  state.walk(value(data, false), t.root)
  return state.out
}

/** ExecError is a failed execution; `partial` is what was written before it. */
export class ExecError extends Error {
  readonly partial: string
  constructor(message: string, partial: string) {
    super(message)
    this.partial = partial
  }
}

class State {
  out = ''
  vars: { name: string; value: GoValue }[] = []
  private node: { pos: number; text: string } | undefined

  private readonly t: Parsed
  private readonly opts: ExecOptions

  constructor(t: Parsed, opts: ExecOptions) {
    this.t = t
    this.opts = opts
  }

  private at(node: ArgNode | CommandNode): void {
    this.node = { pos: node.pos, text: nodeText(node) }
  }

  errorf(message: string): never {
    const name = this.t.name
    if (!this.node) throw new ExecError(`template: ${name}: ${message}`, this.out)
    const before = this.t.text.slice(0, this.node.pos)
    const nl = before.lastIndexOf('\n')
    const col = nl < 0 ? this.node.pos : this.node.pos - (nl + 1)
    const line = 1 + (before.match(/\n/g)?.length ?? 0)
    throw new ExecError(
      `template: ${name}:${line}:${col}: executing "${name}" at <${this.node.text}>: ${message}`,
      this.out,
    )
  }

  walk(dot: GoValue, node: TemplateNode): Signal {
    switch (node.type) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe)
        if (node.pipe.decl.length === 0) this.printValue(node.pipe, val)
        return 'none'
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length
        const val = indirect(this.evalPipeline(dot, node.pipe))
        const truth = isTrue(val)
        if (truth === undefined)
          this.errorf(`if/with can't use ${goSprint(val.valid ? val.v : null)}`)
        let signal: Signal = 'none'
        if (truth) signal = this.walk(node.type === 'with' ? val : dot, node.list)
        else if (node.elseList) signal = this.walk(dot, node.elseList)
        this.vars.length = mark
        return signal
      }
      case 'list':
        for (const n of node.nodes) {
          const signal = this.walk(dot, n)
          if (signal !== 'none') return signal
        }
        return 'none'
      case 'range':
        return this.walkRange(dot, node)
      case 'text':
        this.out += node.text
        return 'none'
      case 'break':
      case 'continue':
        return node.type
      case 'comment':
        return 'none'
    }
  }

  private walkRange(dot: GoValue, r: ControlNode): Signal {
    const outer = this.vars.length
    const val = indirect(this.evalPipeline(dot, r.pipe))
    const mark = this.vars.length
    const one = (index: GoValue, elem: GoValue): Signal => {
      if (r.pipe.decl.length > 0) this.vars[this.vars.length - 1]!.value = elem
      if (r.pipe.decl.length > 1) this.vars[this.vars.length - 2]!.value = index
      const signal = this.walk(elem, r.list)
      this.vars.length = mark
      return signal
    }
    let iterated = false
    if (val.valid && Array.isArray(val.v) && val.v.length > 0) {
      iterated = true
      for (let i = 0; i < val.v.length; i++) {
        if (one(value(i, false), value(val.v[i], true)) === 'break') break
      }
    } else if (val.valid && isMap(val.v) && Object.keys(val.v).length > 0) {
      iterated = true
      const m = val.v
      for (const k of Object.keys(m).sort()) {
        if (one(value(k, false), value(m[k], true)) === 'break') break
      }
    } else if (val.valid && val.v !== null && !Array.isArray(val.v) && !isMap(val.v)) {
      this.errorf(`range can't iterate over ${goSprint(val.v)}`)
    }
    if (!iterated && r.elseList) {
      const signal = this.walk(dot, r.elseList)
      this.vars.length = outer
      return signal
    }
    this.vars.length = outer
    return 'none'
  }

  private printValue(pipe: PipeNode, val: GoValue): void {
    this.at(pipe)
    const v = indirect(val)
    this.out += v.valid && v.v !== null ? goSprint(v.v) : '<no value>'
  }

  evalPipeline(dot: GoValue, pipe: PipeNode): GoValue {
    this.at(pipe)
    let val: GoValue | undefined
    for (const cmd of pipe.cmds) {
      val = this.evalCommand(dot, cmd, val)
      if (val.valid && val.iface) val = val.v === null ? INVALID : value(val.v, false)
    }
    const result = val ?? INVALID
    for (const v of pipe.decl) {
      if (pipe.isAssign) {
        const found = [...this.vars].reverse().find((x) => x.name === v.ident[0])
        if (!found) this.errorf(`undefined variable: ${v.ident[0]!}`)
        found.value = result
      } else this.vars.push({ name: v.ident[0]!, value: result })
    }
    return result
  }

  private notAFunction(args: readonly ArgNode[], final: GoValue | undefined): void {
    if (args.length > 1 || final !== undefined) {
      this.errorf(`can't give argument to non-function ${nodeText(args[0]!)}`)
    }
  }

  private evalCommand(dot: GoValue, cmd: CommandNode, final: GoValue | undefined): GoValue {
    const first = cmd.args[0]!
    switch (first.type) {
      case 'field':
        this.at(first)
        return this.evalFieldChain(dot, first.ident, cmd.args, final)
      case 'chain': {
        this.at(first)
        if (first.node.type === 'nil')
          this.errorf(`indirection through explicit nil in ${nodeText(first)}`)
        const pipe = this.evalArg(dot, first.node)
        return this.evalFieldChain(pipe, first.field, cmd.args, final)
      }
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final)
      case 'pipe':
        this.notAFunction(cmd.args, final)
        return this.evalPipeline(dot, first)
      case 'variable': {
        this.at(first)
        const val = this.varValue(first.ident[0]!)
        if (first.ident.length === 1) {
          this.notAFunction(cmd.args, final)
          return val
        }
        return this.evalFieldChain(val, first.ident.slice(1), cmd.args, final)
      }
      case 'bool':
      case 'dot':
      case 'nil':
      case 'number':
      case 'string':
        return this.evalConstant(dot, first, cmd.args, final)
    }
  }

  private evalConstant(
    dot: GoValue,
    first: Extract<ArgNode, { type: 'bool' | 'dot' | 'nil' | 'number' | 'string' }>,
    args: readonly ArgNode[],
    final: GoValue | undefined,
  ): GoValue {
    this.at(first)
    this.notAFunction(args, final)
    switch (first.type) {
      case 'bool':
        return value(first.value, false)
      case 'dot':
        return dot
      case 'nil':
        this.errorf('nil is not a command')
      // falls through: errorf never returns
      case 'number':
        return constant(first.value, first.isInt)
      case 'string':
        return value(first.text, false)
    }
  }

  private varValue(name: string): GoValue {
    const found = [...this.vars].reverse().find((v) => v.name === name)
    if (!found) this.errorf(`undefined variable: ${name}`)
    return found.value
  }

  private evalFieldChain(
    receiver: GoValue,
    ident: readonly string[],
    args: readonly ArgNode[],
    final: GoValue | undefined,
  ): GoValue {
    let r = receiver
    for (let i = 0; i < ident.length - 1; i++) r = this.evalField(ident[i]!, [], undefined, r)
    return this.evalField(ident.at(-1)!, args, final, r)
  }

  private evalField(
    name: string,
    args: readonly ArgNode[],
    final: GoValue | undefined,
    receiver: GoValue,
  ): GoValue {
    if (!receiver.valid) {
      if (this.opts.missingKeyError) this.errorf(`nil data; no entry for key "${name}"`)
      return INVALID
    }
    const typ = receiver.iface ? 'interface {}' : goTypeName(receiver.v)
    if (receiver.v === null) this.errorf(`nil pointer evaluating ${typ}.${name}`)
    if (isMap(receiver.v)) {
      if (args.length > 1 || final !== undefined)
        this.errorf(`${name} is not a method but has arguments`)
      if (!Object.hasOwn(receiver.v, name)) {
        if (this.opts.missingKeyError) this.errorf(`map has no entry for key "${name}"`)
        return INVALID
      }
      return value(receiver.v[name], true)
    }
    this.errorf(`can't evaluate field ${name} in type ${typ}`)
  }

  private evalFunction(
    dot: GoValue,
    node: Extract<ArgNode, { type: 'identifier' }>,
    cmd: ArgNode | CommandNode,
    args: readonly ArgNode[],
    final: GoValue | undefined,
  ): GoValue {
    this.at(node)
    const fn = FUNCS[node.ident]!
    const given = args.slice(1)
    const count = given.length + (final === undefined ? 0 : 1)
    if (fn.arity !== undefined && (fn.variadic ? count < fn.arity : count !== fn.arity)) {
      const want = fn.variadic ? `at least ${fn.arity}` : String(fn.arity)
      const got = fn.variadic ? given.length : count
      this.errorf(`wrong number of args for ${node.ident}: want ${want} got ${got}`)
    }
    if (node.ident === 'and' || node.ident === 'or') {
      let v: GoValue = INVALID
      for (const a of given) {
        v = this.evalArg(dot, a)
        if ((isTrue(indirect(v)) ?? false) === (node.ident === 'or')) return v
      }
      return final ?? v
    }
    const argv = given.map((a) => this.evalArg(dot, a))
    if (final !== undefined) argv.push(final)
    const wrongType = fn.stringFirst ? stringParamError(argv[0]!) : undefined
    if (wrongType) this.errorf(wrongType)
    try {
      return fn.call(argv)
    } catch (err) {
      this.at(cmd)
      this.errorf(`error calling ${node.ident}: ${(err as Error).message}`)
    }
  }

  private evalArg(dot: GoValue, n: ArgNode): GoValue {
    this.at(n)
    switch (n.type) {
      case 'dot':
        return dot
      case 'nil':
        return value(null, false)
      case 'field':
        return this.evalFieldChain(dot, n.ident, [n], undefined)
      case 'variable': {
        const val = this.varValue(n.ident[0]!)
        return n.ident.length === 1
          ? val
          : this.evalFieldChain(val, n.ident.slice(1), [n], undefined)
      }
      case 'pipe':
        return this.evalPipeline(dot, n)
      case 'identifier':
        return this.evalFunction(dot, n, n, [n], undefined)
      case 'chain': {
        const pipe = this.evalArg(dot, n.node)
        return this.evalFieldChain(pipe, n.field, [n], undefined)
      }
      case 'bool':
        return value(n.value, false)
      case 'number':
        return constant(n.value, n.isInt)
      case 'string':
        return value(n.text, false)
    }
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** indirect unwraps interface{}: a nil inside one is no value at all. */
function indirect(v: GoValue): GoValue {
  if (!v.valid) return v
  if (v.iface) return v.v === null ? INVALID : value(v.v, false)
  return v
}
