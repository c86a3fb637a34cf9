// Go's text/template builtins: and, or, not, len, index, slice, print,
// printf, println, eq, ne, lt, le, gt, ge, html, js, urlquery and call.
import { formatValue, sprint, sprintln } from "./fmt.ts"
import { sprintf } from "./printf.ts"
import { def, GoError, P_ANY, P_STRING, P_VALUE, vdef, type FuncDef, type FuncMap, type ParamType } from "./funcs.ts"
import { isPrint } from "./strconv.ts"
import {
  byteAt, byteLength, byteSlice, compareStrings, elemType, GoComplex, GoFunc, GoNum, GoObject, isMap,
  isTrue, mapGet, mapOf, sliceItems, sliceType, tag, typeName, zeroOf,
} from "./values.ts"

const kIface = (v: unknown) => (v === null ? undefined : v)

type BasicKind = "invalid" | "bool" | "complex" | "int" | "float" | "string" | "uint"

/** The comparison class of a value (Go's basicKind). */
export function basicKind(v: unknown): BasicKind {
  switch (typeof v) {
    case "boolean": return "bool"
    case "bigint": return "int"
    case "number": return "float"
    case "string": return "string"
  }
  if (v instanceof GoNum) return v.type === "float32" ? "float" : v.type[0] === "i" ? "int" : "uint"
  if (v instanceof GoComplex) return "complex"
  return "invalid"
}

const num = (v: unknown): number => (typeof v === "number" ? v : ((v as GoNum).v as number))
const big = (v: unknown): bigint => (typeof v === "bigint" ? v : ((v as GoNum).v as bigint))

function isNilValue(v: unknown): boolean {
  if (v === undefined || v === null) return true
  if (Array.isArray(v) || isMap(v)) return (sliceOrMapTag(v) as any)?.nil === true
  return false
}
const sliceOrMapTag = (v: object) => (v as any)[Symbol.for("moor.gotemplate.type")]

function comparable(v: unknown): boolean {
  if (Array.isArray(v) || isMap(v) || v instanceof GoFunc || v instanceof Uint8Array) return false
  if (v instanceof GoObject) return v.type.kind === "struct" || v.type.kind === "ptr"
  return true
}

function goEqual(a: unknown, b: unknown): boolean {
  if (a instanceof GoObject && b instanceof GoObject) {
    if (a.type !== b.type) return false
    if (a.type.kind === "ptr") return a === b
    return JSON.stringify(a.v) === JSON.stringify(b.v)
  }
  return a === b
}

/** eq: arg1 == arg2 || arg1 == arg3 ... with Go's rules for mixed kinds. */
export function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  arg1 = kIface(arg1)
  if (arg2.length === 0) throw new GoError("missing argument for comparison")
  const k1 = basicKind(arg1)
  for (let arg of arg2) {
    arg = kIface(arg)
    const k2 = basicKind(arg)
    let truth = false
    if (k1 !== k2) {
      if (k1 === "int" && k2 === "uint") truth = big(arg1) >= 0n && big(arg1) === big(arg)
      else if (k1 === "uint" && k2 === "int") truth = big(arg) >= 0n && big(arg1) === big(arg)
      else if (arg1 !== undefined && arg !== undefined) throw new GoError("incompatible types for comparison")
    } else {
      switch (k1) {
        case "bool": case "string": truth = arg1 === arg; break
        case "complex": truth = (arg1 as GoComplex).re === (arg as GoComplex).re && (arg1 as GoComplex).im === (arg as GoComplex).im; break
        case "float": truth = num(arg1) === num(arg); break
        case "int": case "uint": truth = big(arg1) === big(arg); break
        default: {
          const ka = kindName(arg1), kb = kindName(arg)
          if (!(ka === kb || arg1 === undefined || arg === undefined))
            throw new GoError(`non-comparable types ${formatValue(arg1, "s")}: ${typeName(arg1)}, ${typeName(arg)}: ${formatValue(arg, "v")}`)
          if (isNilValue(arg1) || isNilValue(arg)) truth = isNilValue(arg) === isNilValue(arg1)
          else {
            if (!comparable(arg)) throw new GoError(`non-comparable type ${formatValue(arg, "s")}: ${typeName(arg)}`)
            truth = goEqual(arg1, arg)
          }
        }
      }
    }
    if (truth) return true
  }
  return false
}

const kindName = (v: unknown): string => {
  if (v === undefined) return "invalid"
  if (Array.isArray(v)) return "slice"
  if (isMap(v)) return "map"
  if (v instanceof GoObject) return v.type.kind
  if (v instanceof GoFunc) return "func"
  return typeof v
}

/** lt: arg1 < arg2 for basic kinds of the same class. */
export function lt(arg1: unknown, arg2: unknown): boolean {
  arg1 = kIface(arg1)
  const k1 = basicKind(arg1)
  if (k1 === "invalid") throw new GoError("invalid type for comparison")
  arg2 = kIface(arg2)
  const k2 = basicKind(arg2)
  if (k2 === "invalid") throw new GoError("invalid type for comparison")
  if (k1 !== k2) {
    if (k1 === "int" && k2 === "uint") return big(arg1) < 0n || big(arg1) < big(arg2)
    if (k1 === "uint" && k2 === "int") return big(arg2) >= 0n && big(arg1) < big(arg2)
    throw new GoError("incompatible types for comparison")
  }
  switch (k1) {
    case "bool": case "complex": throw new GoError("invalid type for comparison")
    case "float": return num(arg1) < num(arg2)
    case "int": case "uint": return big(arg1) < big(arg2)
    case "string": return compareStrings(arg1 as string, arg2 as string) < 0
  }
  throw new GoError("invalid kind")
}

function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, b)
}

function indexArg(index: unknown, cap: number): number {
  let x: bigint
  if (typeof index === "bigint") x = index
  else if (index instanceof GoNum && index.type !== "float32") x = index.v as bigint
  else if (index === undefined || index === null) throw new GoError("cannot index slice/array with nil")
  else throw new GoError(`cannot index slice/array with type ${typeName(index)}`)
  if (x < 0n || x > BigInt(cap)) throw new GoError(`index out of range: ${x}`)
  return Number(x)
}

/** index: item[i][j]... on slices, strings and maps. */
export function index(item: unknown, ...indexes: unknown[]): unknown {
  item = kIface(item)
  if (item === undefined) throw new GoError("index of untyped nil")
  for (let idx of indexes) {
    idx = kIface(idx)
    if (item === null) throw new GoError("index of nil pointer")
    if (typeof item === "string") {
      const x = indexArg(idx, byteLength(item))
      if (x >= byteLength(item)) throw new GoError("reflect: string index out of range")
      item = new GoNum("uint8", BigInt(byteAt(item, x)))
      continue
    }
    const items = sliceItems(item)
    if (items !== undefined) {
      const x = indexArg(idx, items.length)
      if (x >= items.length) throw new GoError("reflect: slice index out of range")
      item = items[x]
      continue
    }
    const m = mapOf(item)
    if (m !== undefined) {
      if (idx === undefined) throw new GoError("value is nil; should be of type string")
      if (typeof idx !== "string") throw new GoError(`value has type ${typeName(idx)}; should be string`)
      const v = mapGet(m, idx)
      item = v !== undefined ? v : zeroOf(item instanceof GoObject ? { name: "[]uint8", kind: "slice" } : elemType(item))
      continue
    }
    throw new GoError(`can't index item of type ${typeName(item)}`)
  }
  return item
}

/** The builtin slice (sprig shadows it with its own). */
function slice(item: unknown, ...indexes: unknown[]): unknown {
  item = kIface(item)
  if (item === undefined) throw new GoError("slice of untyped nil")
  if (indexes.length > 3) throw new GoError(`too many slice indexes: ${indexes.length}`)
  let cap: number
  let len: number
  if (typeof item === "string") {
    if (indexes.length === 3) throw new GoError("cannot 3-index slice a string")
    cap = len = byteLength(item)
  } else if (Array.isArray(item)) cap = len = item.length
  else throw new GoError(`can't slice item of type ${typeName(item)}`)
  const idx = [0, len, 0]
  indexes.forEach((x, i) => { idx[i] = indexArg(kIface(x), cap) })
  if (idx[0]! > idx[1]!) throw new GoError(`invalid slice index: ${idx[0]} > ${idx[1]}`)
  if (indexes.length === 3 && idx[1]! > idx[2]!) throw new GoError(`invalid slice index: ${idx[1]} > ${idx[2]}`)
  if (typeof item === "string") return byteSlice(item, idx[0]!, idx[1]!)
  const out = item.slice(idx[0], idx[1])
  const t = sliceType(item)
  return t.name === "[]interface {}" && !t.nil ? out : tag(out, { ...t, nil: false })
}

/** len: bytes of a string, elements of a slice or map. */
function length(item: unknown): bigint {
  if (item === null) throw new GoError("len of nil pointer")
  if (item === undefined) throw new GoError("reflect: call of reflect.Value.Type on zero Value")
  if (typeof item === "string") return BigInt(byteLength(item))
  const items = sliceItems(item)
  if (items !== undefined) return BigInt(items.length)
  const m = mapOf(item)
  if (m !== undefined) return BigInt(Object.keys(m).length)
  throw new GoError(`len of type ${typeName(item)}`)
}

/** The text html/js/urlquery escape: one string argument as is, else fmt.Sprint with <no value> for nil. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0]
  return sprint(args.map((a) => (a === null || a === undefined ? "<no value>" : a)))
}

/** template.HTMLEscapeString */
export function htmlEscape(s: string): string {
  if (!/['"&<>\0]/.test(s)) return s
  return s.replace(/['"&<>\0]/g, (c) => ({ "'": "&#39;", '"': "&#34;", "&": "&amp;", "<": "&lt;", ">": "&gt;", "\0": "\ufffd" })[c]!)
}

/** template.JSEscapeString */
export function jsEscape(s: string): string {
  let out = ""
  for (const ch of s) {
    const r = ch.codePointAt(0)!
    switch (ch) {
      case "\\": out += "\\\\"; continue
      case "'": out += "\\'"; continue
      case '"': out += '\\"'; continue
      case "<": out += "\\u003C"; continue
      case ">": out += "\\u003E"; continue
      case "&": out += "\\u0026"; continue
      case "=": out += "\\u003D"; continue
    }
    if (r < 0x20) out += "\\u00" + r.toString(16).toUpperCase().padStart(2, "0")
    else if (r < 0x80 || isPrint(r)) out += ch
    else out += "\\u" + r.toString(16).toUpperCase().padStart(4, "0")
  }
  return out
}

/** url.QueryEscape */
export function queryEscape(s: string): string {
  let out = ""
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b)
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c
    else if (c === " ") out += "+"
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0")
  }
  return out
}

function prepareArg(v: unknown, t: ParamType): unknown {
  if (v === undefined) {
    if (!t.nilOk) throw new GoError(`value is nil; should be of type ${t.name}`)
    return t.zero!()
  }
  if (t.constKind === "iface" || t.constKind === "value" || t.accepts(v)) return v
  const intLike = (x: unknown) => typeof x === "bigint" || (x instanceof GoNum && x.type !== "float32")
  if (intLike(v) && (t.constKind === "int" || t.constKind === "uint")) return t.fromInt!(big(v))
  throw new GoError(`value has type ${typeName(v)}; should be ${t.name}`)
}

/** call: invokes a func value with arguments converted as Go converts them. */
function call(this: unknown, fn: unknown, ...args: unknown[]): unknown {
  fn = kIface(fn)
  if (fn === undefined) throw new GoError("call of nil")
  if (!(fn instanceof GoFunc)) throw new GoError(`non-function of type ${typeName(fn)}`)
  const d = fn.def
  const numIn = d.params.length + (d.variadic ? 1 : 0)
  if (d.variadic) {
    if (args.length < numIn - 1) throw new GoError(`wrong number of args: got ${args.length} want at least ${numIn - 1}`)
  } else if (args.length !== numIn) throw new GoError(`wrong number of args: got ${args.length} want ${numIn}`)
  const argv = args.map((a, i) => {
    const t = i < d.params.length ? d.params[i]! : d.variadic!
    try {
      return prepareArg(kIface(a), t)
    } catch (e) {
      throw new GoError(`arg ${i}: ${(e as Error).message}`)
    }
  })
  return d.fn.apply(this, argv)
}

const B = (fn: FuncDef): FuncDef => fn

/** Go's builtin function map. */
export const builtins: FuncMap = {
  and: B({ params: [P_VALUE], variadic: P_VALUE, special: "and", fn: () => undefined }),
  or: B({ params: [P_VALUE], variadic: P_VALUE, special: "or", fn: () => undefined }),
  not: def([P_VALUE], (v) => !isTrue(kIface(v)), { retName: "bool" }),
  len: def([P_VALUE], length, { errors: true, retName: "int" }),
  index: vdef([P_VALUE], P_VALUE, index, { errors: true, retIface: true }),
  slice: vdef([P_VALUE], P_VALUE, slice, { errors: true, retIface: true }),
  print: vdef([], P_ANY, (...a: unknown[]) => sprint(a), { retName: "string" }),
  printf: vdef([P_STRING], P_ANY, (f: string, ...a: unknown[]) => sprintf(f, a), { retName: "string" }),
  println: vdef([], P_ANY, (...a: unknown[]) => sprintln(a), { retName: "string" }),
  eq: vdef([P_VALUE], P_VALUE, eq, { errors: true, retName: "bool" }),
  ne: def([P_VALUE, P_VALUE], (a, b) => !eq(a, b), { errors: true, retName: "bool" }),
  lt: def([P_VALUE, P_VALUE], lt, { errors: true, retName: "bool" }),
  le: def([P_VALUE, P_VALUE], le, { errors: true, retName: "bool" }),
  gt: def([P_VALUE, P_VALUE], (a, b) => !le(a, b), { errors: true, retName: "bool" }),
  ge: def([P_VALUE, P_VALUE], (a, b) => !lt(a, b), { errors: true, retName: "bool" }),
  html: vdef([], P_ANY, (...a: unknown[]) => htmlEscape(evalArgs(a)), { retName: "string" }),
  js: vdef([], P_ANY, (...a: unknown[]) => jsEscape(evalArgs(a)), { retName: "string" }),
  urlquery: vdef([], P_ANY, (...a: unknown[]) => queryEscape(evalArgs(a)), { retName: "string" }),
  call: vdef([P_VALUE], P_VALUE, call, { errors: true, retIface: true }),
}
