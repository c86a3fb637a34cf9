// The evaluator: walks a parsed tree the way Go's text/template exec.go
// does (same argument conversion, same nil/missing-key rules, same error
// texts and error positions), with limits on depth, steps and output size.
import {
  N, location, nodeString, type BranchNode, type ChainNode, type CommandNode, type FieldNode,
  type IdentifierNode, type ListNode, type Node, type NumberNode, type PipeNode, type TemplateNode,
  type VariableNode,
} from "./ast.ts"
import { sprintValue } from "./fmt.ts"
import { LimitSignal, P_VALUE, type FuncDef, type ParamType } from "./funcs.ts"
import type { Tree } from "./parser.ts"
import { quote } from "./strconv.ts"
import {
  elemType, GoComplex, GoFunc, GoNum, GoObject, isMap, isTrue, mapGet, sliceType, sortedKeys, T_IFACE,
  zeroOf, type TypeDesc,
} from "./values.ts"

/** What a field or key lookup yields when the key is missing (Go's missingkey option). */
export type MissingKey = "default" | "invalid" | "zero" | "error"

/** Bounds on one render, so hostile templates fail with a clear error. */
export interface Limits {
  /** Nesting of {{template}} and include calls. */
  readonly maxDepth: number
  /** Evaluation steps (actions, commands and loop iterations). */
  readonly maxSteps: number
  /** Output size in characters (all nested include/tpl output counts). */
  readonly maxOutput: number
}

export const defaultLimits: Limits = { maxDepth: 1000, maxSteps: 50_000_000, maxOutput: 64 * 1024 * 1024 }

/** The template set as the evaluator sees it. */
export interface Engine {
  /** Name of the root template (used in "no template associated with" errors). */
  readonly name: string
  readonly missingKey: MissingKey
  readonly limits: Limits
  lookup(name: string): Tree | undefined
  /** A function by name: the set's functions first, then Go's builtins. */
  func(name: string): { def: FuncDef; builtin: boolean } | undefined
}

/** A template error: parse or execution, with Go's message. */
export class TemplateError extends Error {
  readonly kind: "parse" | "exec" | "limit"
  constructor(kind: "parse" | "exec" | "limit", message: string) {
    super(message)
    this.name = "TemplateError"
    this.kind = kind
  }
}

/** Per-render counters shared by nested executions (include, tpl). */
export class Budget {
  steps = 0
  output = 0
  depth = 0
  readonly limits: Limits
  /** include's per-name nesting counters. */
  readonly includes = new Map<string, number>()
  constructor(limits: Limits) {
    this.limits = limits
  }
}

const MISSING: unique symbol = Symbol("missing")
type Final = unknown
const St = { Normal: 0, Break: 1, Continue: 2 } as const
type St = (typeof St)[keyof typeof St]

const isHexInt = (s: string) => s.length > 2 && s[0] === "0" && (s[1] === "x" || s[1] === "X") && !/[pP]/.test(s)

/** One execution of a template: its output, variable stack and current node. */
export class State {
  readonly engine: Engine
  readonly budget: Budget
  tmplName: string
  out = ""
  node: Node | undefined
  varNames: string[] = []
  varValues: unknown[] = []
  varIfc: boolean[] = []
  nvars = 0
  /** Variables below this index belong to the calling template and are not visible. */
  varBase = 0
  /** Whether the last value evaluated has static type interface{} (for Go's error texts). */
  ifc = false
  dotIfc = false
  depth: number

  constructor(engine: Engine, budget: Budget, tmplName: string, depth: number) {
    this.engine = engine
    this.budget = budget
    this.tmplName = tmplName
    this.depth = depth
  }

  // ---- errors ----

  errorf(msg: string): never {
    const name = this.tmplName
    if (this.node === undefined) throw new TemplateError("exec", `template: ${name}: ${msg}`)
    throw new TemplateError("exec", `template: ${location(this.node)}: executing ${quote(name)} at <${nodeString(this.node)}>: ${msg}`)
  }

  limit(msg: string): never {
    throw new TemplateError("limit", `template: ${this.tmplName}: ${msg}`)
  }

  write(s: string): void {
    this.out += s
    const b = this.budget
    b.output += s.length
    if (b.output > b.limits.maxOutput) this.limit(`output exceeds the limit of ${b.limits.maxOutput} characters`)
  }

  step(): void {
    if (++this.budget.steps > this.budget.limits.maxSteps) this.limit(`execution exceeds the limit of ${this.budget.limits.maxSteps} steps`)
  }

  // ---- variables ----

  push(name: string, value: unknown, ifc: boolean): void {
    const i = this.nvars++
    this.varNames[i] = name
    this.varValues[i] = value
    this.varIfc[i] = ifc
  }

  setVar(name: string, value: unknown): void {
    for (let i = this.nvars - 1; i >= this.varBase; i--) {
      if (this.varNames[i] === name) {
        this.varValues[i] = value
        this.varIfc[i] = false
        return
      }
    }
    this.errorf(`undefined variable: ${name}`)
  }

  varIndex(name: string): number {
    for (let i = this.nvars - 1; i >= this.varBase; i--) if (this.varNames[i] === name) return i
    this.errorf(`undefined variable: ${name}`)
  }

  // ---- walking ----

  /** Runs a template body with dot as data (the entry point of an execution). */
  run(root: ListNode, dot: unknown): void {
    this.push("$", dot, false)
    this.walk(dot, false, root)
  }

  walk(dot: unknown, dotIfc: boolean, node: Node): St {
    this.dotIfc = dotIfc
    this.node = node
    switch (node.type) {
      case N.Text:
        this.write(node.text)
        return St.Normal
      case N.List: {
        const nodes = node.nodes
        for (let i = 0; i < nodes.length; i++) {
          const st = this.walk(dot, dotIfc, nodes[i]!)
          if (st !== St.Normal) return st
        }
        this.dotIfc = dotIfc
        return St.Normal
      }
      case N.Action: {
        this.step()
        const val = this.evalPipeline(dot, node.pipe)
        if (node.pipe.decl.length === 0) this.printValue(node, val)
        return St.Normal
      }
      case N.If: case N.With:
        return this.walkIfOrWith(dot, dotIfc, node)
      case N.Range:
        return this.walkRange(dot, dotIfc, node)
      case N.Template:
        this.walkTemplate(dot, node)
        return St.Normal
      case N.Break: return St.Break
      case N.Continue: return St.Continue
      case N.Comment: return St.Normal
    }
    this.errorf(`unknown node: ${nodeString(node)}`)
  }

  walkIfOrWith(dot: unknown, dotIfc: boolean, node: BranchNode): St {
    const mark = this.nvars
    const val = this.evalPipeline(dot, node.pipe)
    let st: St = St.Normal
    if (isTrue(val)) {
      st = node.type === N.With ? this.walk(val, false, node.list) : this.walk(dot, dotIfc, node.list)
    } else if (node.elseList !== undefined) st = this.walk(dot, dotIfc, node.elseList)
    this.nvars = mark
    return st
  }

  walkRange(dot: unknown, dotIfc: boolean, r: BranchNode): St {
    this.node = r
    const outer = this.nvars
    let val = this.evalPipeline(dot, r.pipe)
    const mark = this.nvars
    const ndecl = r.pipe.decl.length
    // oneIteration returns false when the body said {{break}}.
    const one = (index: unknown, elem: unknown, elemIfc: boolean): boolean => {
      this.step()
      if (ndecl > 0) {
        this.varValues[this.nvars - 1] = elem
        this.varIfc[this.nvars - 1] = elemIfc
      }
      if (ndecl > 1) {
        this.varValues[this.nvars - 2] = index
        this.varIfc[this.nvars - 2] = false
      }
      const st = this.walk(elem, elemIfc, r.list)
      this.nvars = mark
      return st !== St.Break
    }
    if (val instanceof GoObject && (val.type.kind === "slice" || val.type.kind === "map")) val = val.v
    let ran = false
    if (Array.isArray(val)) {
      if (val.length > 0) {
        ran = true
        const eIfc = (sliceType(val).elem ?? T_IFACE) === T_IFACE
        for (let i = 0; i < val.length; i++) if (!one(BigInt(i), val[i], eIfc)) break
      }
    } else if (val instanceof Uint8Array) {
      if (val.length > 0) {
        ran = true
        for (let i = 0; i < val.length; i++) if (!one(BigInt(i), new GoNum("uint8", BigInt(val[i]!)), false)) break
      }
    } else if (isMap(val)) {
      const keys = sortedKeys(val)
      if (keys.length > 0) {
        ran = true
        const eIfc = elemType(val) === T_IFACE
        for (const k of keys) if (!one(k, val[k], eIfc)) break
      }
    } else if (typeof val === "bigint" || (val instanceof GoNum && val.type !== "float32")) {
      // Go 1.22: range over an integer counts from 0.
      if (ndecl > 1) this.errorf(`can't use ${sprintValue(val)} to iterate over more than one variable`)
      const n = typeof val === "bigint" ? val : (val.v as bigint)
      const mk = (i: bigint) => (typeof val === "bigint" ? i : new GoNum((val as GoNum).type, i))
      if (n > 0n) {
        ran = true
        for (let i = 0n; i < n; i++) if (!one(mk(i), mk(i), false)) break
      }
    } else if (val !== undefined && val !== null) {
      this.errorf(`range can't iterate over ${sprintValue(val)}`)
    }
    if (!ran && r.elseList !== undefined) {
      this.walk(dot, dotIfc, r.elseList)
    }
    this.nvars = outer
    return St.Normal
  }

  walkTemplate(dot: unknown, t: TemplateNode): void {
    this.node = t
    const tree = this.engine.lookup(t.name)
    if (tree === undefined) this.errorf(`template ${quote(t.name)} not defined`)
    if (this.depth >= this.budget.limits.maxDepth) this.errorf(`exceeded maximum template depth (${this.budget.limits.maxDepth})`)
    const newDot = this.evalPipeline(dot, t.pipe)
    // The called template runs on this state with its own variable scope.
    const saved = { name: this.tmplName, base: this.varBase, n: this.nvars }
    this.tmplName = t.name
    this.varBase = this.nvars
    this.depth++
    this.push("$", newDot, false)
    this.walk(newDot, false, tree.root)
    this.depth--
    this.tmplName = saved.name
    this.varBase = saved.base
    this.nvars = saved.n
    this.node = t
  }

  // ---- pipelines and commands ----

  evalPipeline(dot: unknown, pipe: PipeNode | undefined): unknown {
    if (pipe === undefined) return undefined
    this.node = pipe
    let value: unknown = MISSING
    const cmds = pipe.cmds
    for (let i = 0; i < cmds.length; i++) {
      value = this.evalCommand(dot, cmds[i]!, value)
      if (value === null) value = undefined // an interface holding nil is no value at all
    }
    const decl = pipe.decl
    for (let i = 0; i < decl.length; i++) {
      if (pipe.isAssign) this.setVar(decl[i]!.ident[0]!, value)
      else this.push(decl[i]!.ident[0]!, value, false)
    }
    this.ifc = false
    return value
  }

  notAFunction(args: readonly Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`)
  }

  evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!
    switch (first.type) {
      case N.Field: return this.evalFieldNode(dot, first, cmd.args, final)
      case N.Chain: return this.evalChainNode(dot, first, cmd.args, final)
      case N.Identifier: return this.evalFunction(dot, first, cmd, cmd.args, final)
      case N.Pipe:
        this.notAFunction(cmd.args, final)
        return this.evalPipeline(dot, first)
      case N.Variable: return this.evalVariableNode(dot, first, cmd.args, final)
    }
    this.node = first
    this.notAFunction(cmd.args, final)
    this.ifc = false
    switch (first.type) {
      case N.Bool: return first.value
      case N.Dot:
        this.ifc = this.dotIfc
        return dot
      case N.Nil: this.errorf("nil is not a command")
      case N.Number: return this.idealConstant(first)
      case N.String: return first.text
    }
    this.errorf(`can't evaluate command ${quote(nodeString(first))}`)
  }

  idealConstant(c: NumberNode): unknown {
    this.node = c
    if (c.isComplex) return new GoComplex(c.complex[0], c.complex[1])
    if (c.isFloat && !isHexInt(c.text) && c.text[0] !== "'" && /[.eEpP]/.test(c.text)) return c.float
    if (c.isInt) return c.int
    if (c.isUint) this.errorf(`${c.text} overflows int`)
    return undefined
  }

  evalFieldNode(dot: unknown, field: FieldNode, args: readonly Node[] | undefined, final: Final): unknown {
    this.node = field
    return this.evalFieldChain(dot, dot, this.dotIfc, field, field.ident, args, final)
  }

  evalChainNode(dot: unknown, chain: ChainNode, args: readonly Node[] | undefined, final: Final): unknown {
    this.node = chain
    if (chain.field.length === 0) this.errorf("internal error: no fields in evalChainNode")
    if (chain.node.type === N.Nil) this.errorf(`indirection through explicit nil in ${nodeString(chain)}`)
    const pipe = this.evalArg(dot, undefined, chain.node)
    return this.evalFieldChain(dot, pipe, this.ifc, chain, chain.field, args, final)
  }

  evalVariableNode(dot: unknown, v: VariableNode, args: readonly Node[] | undefined, final: Final): unknown {
    this.node = v
    const i = this.varIndex(v.ident[0]!)
    const value = this.varValues[i]
    const vIfc = this.varIfc[i]!
    if (v.ident.length === 1) {
      this.notAFunction(args ?? [v], final)
      this.ifc = vIfc
      return value
    }
    return this.evalFieldChain(dot, value, vIfc, v, v.ident.slice(1), args, final)
  }

  evalFieldChain(dot: unknown, receiver: unknown, recvIfc: boolean, node: Node, ident: readonly string[], args: readonly Node[] | undefined, final: Final): unknown {
    const n = ident.length
    for (let i = 0; i < n - 1; i++) {
      receiver = this.evalField(dot, ident[i]!, node, undefined, MISSING, receiver, recvIfc)
      recvIfc = this.ifc
    }
    return this.evalField(dot, ident[n - 1]!, node, args, final, receiver, recvIfc)
  }

  evalFunction(dot: unknown, node: IdentifierNode, cmd: Node, args: readonly Node[] | undefined, final: Final): unknown {
    this.node = node
    const name = node.ident
    const f = this.engine.func(name)
    if (f === undefined) this.errorf(`${quote(name)} is not a defined function`)
    return this.evalCall(dot, f.def, cmd, name, args, final, undefined)
  }

  evalField(dot: unknown, fieldName: string, node: Node, args: readonly Node[] | undefined, final: Final, receiver: unknown, recvIfc: boolean): unknown {
    if (receiver === undefined) {
      if (this.engine.missingKey === "error") this.errorf(`nil data; no entry for key ${quote(fieldName)}`)
      this.ifc = false
      return undefined
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`)
    const hasArgs = (args !== undefined && args.length > 1) || final !== MISSING
    if (receiver instanceof GoObject) {
      const t = receiver.type
      const m = t.methods?.[fieldName]
      if (m !== undefined) return this.evalCall(dot, m, node, fieldName, args, final, receiver)
      if ((t.kind === "struct" || t.kind === "ptr") && t.fields?.includes(fieldName)) {
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`)
        this.ifc = false
        return receiver.v[fieldName]
      }
      if (t.kind === "map") return this.mapField(receiver.v, fieldName, hasArgs, { name: "[]uint8", kind: "slice" })
      this.errorf(`can't evaluate field ${fieldName} in type ${recvIfc ? "interface {}" : t.name}`)
    }
    if (isMap(receiver)) return this.mapField(receiver, fieldName, hasArgs, elemType(receiver))
    this.errorf(`can't evaluate field ${fieldName} in type ${recvIfc ? "interface {}" : typeNameOf(receiver)}`)
  }

  mapField(m: Record<string, unknown>, fieldName: string, hasArgs: boolean, elem: TypeDesc): unknown {
    if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`)
    let result = mapGet(m, fieldName)
    if (result === undefined) {
      switch (this.engine.missingKey) {
        case "zero": result = zeroOf(elem); break
        case "error": this.errorf(`map has no entry for key ${quote(fieldName)}`)
      }
    }
    this.ifc = elem === T_IFACE
    return result
  }

  evalCall(dot: unknown, fn: FuncDef, node: Node, name: string, args: readonly Node[] | undefined, final: Final, receiver: unknown): unknown {
    const argNodes = args === undefined ? [] : args.slice(1)
    const params = fn.params
    let numIn = argNodes.length
    if (final !== MISSING) numIn++
    let numFixed = argNodes.length
    if (fn.variadic !== undefined) {
      numFixed = params.length
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${params.length} got ${argNodes.length}`)
    } else if (numIn !== params.length) {
      this.errorf(`wrong number of args for ${name}: want ${params.length} got ${numIn}`)
    }
    if (fn.special !== undefined) {
      let v: unknown
      for (const arg of argNodes) {
        v = this.evalArg(dot, P_VALUE, arg)
        if (isTrue(v) === (fn.special === "or")) return v
      }
      if (final !== MISSING) v = this.validateType(final, P_VALUE)
      return v
    }
    const argv: unknown[] = new Array(numIn)
    let i = 0
    for (; i < numFixed && i < argNodes.length; i++) argv[i] = this.evalArg(dot, params[i], argNodes[i]!)
    if (fn.variadic !== undefined) for (; i < argNodes.length; i++) argv[i] = this.evalArg(dot, fn.variadic, argNodes[i]!)
    if (final !== MISSING) {
      let t: ParamType | undefined = params[params.length - 1]
      if (fn.variadic !== undefined) t = numIn - 1 < numFixed ? params[numIn - 1] : fn.variadic
      argv[i] = this.validateType(final, t)
    }
    let v: unknown
    try {
      v = receiver === undefined ? fn.fn.apply(this, argv) : fn.fn.call(this, receiver, ...argv)
    } catch (e) {
      if (e instanceof TemplateError && e.kind === "limit") throw e
      if (e instanceof LimitSignal) this.limit(e.message)
      if (e instanceof RangeError && /call stack/.test(e.message)) throw e
      this.node = node
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`)
    }
    this.ifc = fn.retIface === true
    return v
  }

  validateType(value: unknown, typ: ParamType | undefined): unknown {
    if (value === undefined) {
      if (typ === undefined) return undefined
      if (typ.nilOk) return typ.zero!()
      this.errorf(`invalid value; expected ${typ.name}`)
    }
    if (typ === undefined || typ.constKind === "iface" || typ.constKind === "value") return value
    if (typ.accepts(value)) return value
    this.errorf(`wrong type for value; expected ${typ.name}; got ${value === null ? "interface {}" : typeNameOf(value)}`)
  }

  evalArg(dot: unknown, typ: ParamType | undefined, n: Node): unknown {
    this.node = n
    switch (n.type) {
      case N.Dot: return this.validateType(dot, typ)
      case N.Nil:
        if (typ === undefined || typ.nilOk) return typ === undefined ? undefined : typ.zero!()
        this.errorf(`cannot assign nil to ${typ.name}`)
      case N.Field: return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ)
      case N.Variable: return this.validateType(this.evalVariableNode(dot, n, undefined, MISSING), typ)
      case N.Pipe: return this.validateType(this.evalPipeline(dot, n), typ)
      case N.Identifier: return this.validateType(this.evalFunction(dot, n, n, undefined, MISSING), typ)
      case N.Chain: return this.validateType(this.evalChainNode(dot, n, undefined, MISSING), typ)
    }
    const kind = typ === undefined ? "iface" : typ.constKind
    switch (kind) {
      case "bool":
        if (n.type === N.Bool) return n.value
        this.errorf(`expected bool; found ${nodeString(n)}`)
      case "float":
        if (n.type === N.Number && n.isFloat) return n.float
        this.errorf(`expected float; found ${nodeString(n)}`)
      case "int":
        if (n.type === N.Number && n.isInt) return typ!.fromInt!(n.int)
        this.errorf(`expected integer; found ${nodeString(n)}`)
      case "uint":
        if (n.type === N.Number && n.isUint) return typ!.fromInt!(n.uint)
        this.errorf(`expected unsigned integer; found ${nodeString(n)}`)
      case "string":
        if (n.type === N.String) return n.text
        this.errorf(`expected string; found ${nodeString(n)}`)
      case "iface": case "value":
        return this.evalEmptyInterface(dot, n)
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${typ!.name}`)
  }

  evalEmptyInterface(dot: unknown, n: Node): unknown {
    this.node = n
    switch (n.type) {
      case N.Bool: return n.value
      case N.Number: return this.idealConstant(n)
      case N.String: return n.text
    }
    this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`)
  }

  printValue(n: Node, v: unknown): void {
    this.node = n
    if (v === undefined || v === null) {
      this.write("<no value>")
      return
    }
    if (typeof v === "string") {
      this.write(v)
      return
    }
    if (v instanceof GoFunc) this.errorf(`can't print ${nodeString(n)} of type ${typeNameOf(v)}`)
    this.write(sprintValue(v))
  }
}

import { typeName as typeNameOf } from "./values.ts"

/** Executes a named template of an engine with data; returns the output. */
export function execute(engine: Engine, name: string, data: unknown, budget?: Budget, depth = 0, nested = false): string {
  const tree = engine.lookup(name)
  if (tree === undefined) throw new TemplateError("exec", `template: no template ${quote(name)} associated with template ${quote(engine.name)}`)
  const st = new State(engine, budget ?? new Budget(engine.limits), name, depth)
  if (data === null) data = undefined // reflect.ValueOf(nil) is no value
  try {
    st.run(tree.root, data)
  } catch (e) {
    if (!nested && e instanceof RangeError && /call stack/.test(e.message))
      throw new TemplateError("limit", `template: ${name}: recursion too deep (the JavaScript stack is exhausted)`)
    throw e
  }
  return st.out
}
