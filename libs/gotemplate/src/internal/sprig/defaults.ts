// sprig's defaults, JSON and reflection functions: default/empty/coalesce
// with Go's notion of empty, toJson family through Go's encoding/json,
// typeOf/kindOf with Go's type names, deepEqual as reflect.DeepEqual.
import { def, GoError, P_ANY, P_BOOL, P_STRING, vdef, type FuncMap } from "../funcs.ts"
import { marshal, unmarshal } from "../json.ts"
import {
  GO_TYPE, GoComplex, GoFunc, GoNum, GoObject, isMap, kindOf, mapType, sliceItems, sliceType, tag, typeName,
} from "../values.ts"

/** sprig's empty: nil, zero numbers, false, "" and empty collections (structs never). */
export function empty(v: unknown): boolean {
  switch (typeof v) {
    case "undefined": return true
    case "string": return v.length === 0
    case "boolean": return !v
    case "number": return v === 0
    case "bigint": return v === 0n
  }
  if (v === null) return true
  if (v instanceof GoNum) return v.v == 0
  if (v instanceof GoComplex) return v.re === 0 && v.im === 0
  if (v instanceof GoObject) {
    if (v.type.kind === "slice") return v.v.length === 0
    if (v.type.kind === "map") return Object.keys(v.v).length === 0
    return false
  }
  if (v instanceof GoFunc) return false
  if (v instanceof Uint8Array) return v.length === 0
  if (Array.isArray(v)) return v.length === 0
  return Object.keys(v as object).length === 0
}

/** reflect.DeepEqual over the engine's values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null
  if (b === undefined) b = null
  if (a === null || b === null) return a === b
  if (typeName(a) !== typeName(b)) return false
  if (typeof a !== "object") return a === b
  if (a instanceof GoNum) return a.v === (b as GoNum).v
  if (a instanceof GoComplex) return a.re === (b as GoComplex).re && a.im === (b as GoComplex).im
  if (a instanceof GoFunc) return false
  if (a instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b as Uint8Array))
  if (a instanceof GoObject) {
    const bo = b as GoObject
    if (a.type.kind === "ptr" && a === bo) return true
    return deepEqual(structView(a), structView(bo))
  }
  if (Array.isArray(a)) {
    const bb = b as unknown[]
    if (!!sliceType(a).nil !== !!sliceType(bb).nil || a.length !== bb.length) return false
    return a.every((x, i) => deepEqual(x, bb[i]))
  }
  const am = a as Record<string, unknown>, bm = b as Record<string, unknown>
  if (!!mapType(am).nil !== !!mapType(bm).nil) return false
  const ka = Object.keys(am)
  if (ka.length !== Object.keys(bm).length) return false
  return ka.every((k) => Object.hasOwn(bm, k) && deepEqual(am[k], bm[k]))
}

const structView = (o: GoObject): unknown => {
  if (o.type.kind === "slice" || o.type.kind === "map") return o.v
  const out: Record<string, unknown> = {}
  for (const f of o.type.fields ?? Object.keys(o.v)) out[f] = o.v[f]
  return out
}

/** A deep copy that keeps Go types (copystructure.Copy). */
export function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = v.map(deepCopy)
    const t = (v as any)[GO_TYPE]
    return t === undefined ? out : tag(out, t)
  }
  if (isMap(v)) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v)) {
      if (k === "__proto__") Object.defineProperty(out, k, { value: deepCopy(v[k]), enumerable: true, writable: true, configurable: true })
      else out[k] = deepCopy(v[k])
    }
    const t = (v as any)[GO_TYPE]
    return t === undefined ? out : tag(out, t)
  }
  if (v instanceof Uint8Array) return new Uint8Array(v)
  if (v instanceof GoObject && (v.type.kind === "slice" || v.type.kind === "map" || v.type.kind === "struct")) return new GoObject(v.type, deepCopy(v.v))
  return v
}

/** The list-typed input check sprig's must* list functions do (reflect.TypeOf(nil) panics). */
export function listItems(v: unknown, what: string): readonly unknown[] {
  if (v === null || v === undefined) throw new GoError("runtime error: invalid memory address or nil pointer dereference")
  const items = sliceItems(v)
  if (items === undefined) throw new GoError(`${what} ${kindOf(v)}`)
  return items
}

function copyOrFail(v: unknown): unknown {
  if (v === null || v === undefined) throw new GoError("reflect: call of reflect.Value.Type on zero Value")
  return deepCopy(v)
}

const safeJson = (v: unknown, o?: Parameters<typeof marshal>[1]) => {
  try {
    return marshal(v, o)
  } catch (e) {
    if (e instanceof GoError) return ""
    throw e
  }
}

export const defaultFuncs: FuncMap = {
  default: vdef([P_ANY], P_ANY, (d: unknown, ...given: unknown[]) => (given.length === 0 || empty(given[0]) ? d : given[0]), { retIface: true }),
  empty: def([P_ANY], empty),
  coalesce: vdef([], P_ANY, (...v: unknown[]) => v.find((x) => !empty(x)) ?? null, { retIface: true }),
  all: vdef([], P_ANY, (...v: unknown[]) => v.every((x) => !empty(x))),
  any: vdef([], P_ANY, (...v: unknown[]) => v.some((x) => !empty(x))),
  compact: def([P_ANY], (l: unknown) => listItems(l, "Cannot compact on type").filter((x) => !empty(x))),
  mustCompact: def([P_ANY], (l: unknown) => listItems(l, "Cannot compact on type").filter((x) => !empty(x)), { errors: true }),
  fromJson: def([P_STRING], (s: string) => {
    try {
      return unmarshal(s)
    } catch (e) {
      if (e instanceof GoError) return null
      throw e
    }
  }, { retIface: true }),
  mustFromJson: def([P_STRING], (s: string) => unmarshal(s), { errors: true, retIface: true }),
  toJson: def([P_ANY], (v: unknown) => safeJson(v)),
  mustToJson: def([P_ANY], (v: unknown) => marshal(v), { errors: true }),
  toPrettyJson: def([P_ANY], (v: unknown) => safeJson(v, { indent: "  " })),
  mustToPrettyJson: def([P_ANY], (v: unknown) => marshal(v, { indent: "  " }), { errors: true }),
  toRawJson: def([P_ANY], (v: unknown) => marshal(v, { escapeHTML: false })),
  mustToRawJson: def([P_ANY], (v: unknown) => marshal(v, { escapeHTML: false }), { errors: true }),
  ternary: def([P_ANY, P_ANY, P_BOOL], (t: unknown, f: unknown, c: boolean) => (c ? t : f), { retIface: true }),
  deepCopy: def([P_ANY], copyOrFail, { retIface: true }),
  mustDeepCopy: def([P_ANY], copyOrFail, { errors: true, retIface: true }),
  typeOf: def([P_ANY], (v: unknown) => typeName(v)),
  typeIs: def([P_STRING, P_ANY], (t: string, v: unknown) => t === typeName(v)),
  typeIsLike: def([P_STRING, P_ANY], (t: string, v: unknown) => t === typeName(v) || "*" + t === typeName(v)),
  kindOf: def([P_ANY], (v: unknown) => kindOf(v)),
  kindIs: def([P_STRING, P_ANY], (t: string, v: unknown) => t === kindOf(v)),
  deepEqual: def([P_ANY, P_ANY], deepEqual),
}
