// sprig's list and dict functions, including mergo's merge rules (a key is
// filled when missing or empty; maps merge recursively in place; merge
// with overwrite replaces scalars but never a non-empty value with a map).
import { def, GoError, P_ANY, P_INT, P_MAP, P_STRING, vdef, type FuncMap } from "../funcs.ts"
import {
  GoObject, isMap, kindOf, mapGet, mapSet, mapType, nilSlice, sliceItems, sortedKeys, stringSlice, T_SLICE_SLICE,
  tag, typeName,
} from "../values.ts"
import { strval, toInt } from "./cast.ts"
import { deepEqual, empty, listItems } from "./defaults.ts"

type Map = Record<string, unknown>

const inList = (haystack: readonly unknown[], needle: unknown) => haystack.some((h) => deepEqual(needle, h))

function first(l: unknown): unknown {
  const a = listItems(l, "Cannot find first on type")
  return a.length === 0 ? null : a[0]
}
function last(l: unknown): unknown {
  const a = listItems(l, "Cannot find last on type")
  return a.length === 0 ? null : a[a.length - 1]
}
function rest(l: unknown): unknown[] {
  const a = listItems(l, "Cannot find rest on type")
  return a.length === 0 ? nilSlice() : a.slice(1)
}
function initial(l: unknown): unknown[] {
  const a = listItems(l, "Cannot find initial on type")
  return a.length === 0 ? nilSlice() : a.slice(0, -1)
}
function uniq(l: unknown): unknown[] {
  const out: unknown[] = []
  for (const x of listItems(l, "Cannot find uniq on type")) if (!inList(out, x)) out.push(x)
  return out
}
function chunk(size: bigint, l: unknown): unknown[] {
  const a = listItems(l, "Cannot chunk type")
  const n = a.length
  const sz = Number(size)
  if (sz === 0) throw new GoError("runtime error: makeslice: len out of range")
  const cs = Math.floor((n - 1) / sz) + 1
  if (cs < 0) throw new GoError("runtime error: makeslice: len out of range")
  const out: unknown[] = []
  for (let i = 0; i < cs; i++) {
    let clen = sz
    if (i === cs - 1) {
      clen = Math.floor(n % sz)
      if (clen === 0) clen = sz
    }
    if (clen < 0) throw new GoError("runtime error: makeslice: len out of range")
    const part: unknown[] = []
    for (let j = 0; j < clen; j++) {
      const ix = i * sz + j
      if (ix >= n || ix < 0) throw new GoError(`reflect: slice index out of range`)
      part.push(a[ix])
    }
    out.push(part)
  }
  return tag(out, T_SLICE_SLICE)
}

/** sprig's slice: l[start:end] keeping the list's type (nil for an empty list). */
function sliceList(l: unknown, ...indices: unknown[]): unknown {
  const a = listItems(l, "list should be type of slice or array but")
  if (a.length === 0) return null
  const start = indices.length > 0 ? Number(toInt(indices[0])) : 0
  const end = indices.length < 2 ? a.length : Number(toInt(indices[1]))
  if (start < 0 || end < start || end > a.length) {
    if (end > a.length) throw new GoError("reflect.Value.Slice: slice index out of bounds")
    throw new GoError("reflect.Value.Slice: slice index out of bounds")
  }
  const out = a.slice(start, end)
  if (l instanceof GoObject) return new GoObject(l.type, out)
  const t = (l as any)[Symbol.for("moor.gotemplate.type")]
  return t === undefined || t.nil ? out : tag(out, t)
}

function concat(...lists: unknown[]): unknown {
  const res: unknown[] = []
  let any = false
  for (const l of lists) {
    if (l === null || l === undefined) throw new GoError("runtime error: invalid memory address or nil pointer dereference")
    const items = sliceItems(l)
    if (items === undefined) throw new GoError(`Cannot concat type ${kindOf(l)} as list`)
    for (const x of items) { res.push(x); any = true }
  }
  return any ? res : nilSlice()
}

const tn = (v: unknown) => (v === null || v === undefined ? "nil" : typeName(v))

function dig(...ps: unknown[]): unknown {
  if (ps.length < 3) throw new GoError("dig needs at least three arguments")
  const dict = ps[ps.length - 1]
  if (!isMap(dict) || (dict as any)[Symbol.for("moor.gotemplate.type")] && mapType(dict).name !== "map[string]interface {}")
    throw new GoError(`interface conversion: interface {} is ${tn(dict)}, not map[string]interface {}`)
  const d = ps[ps.length - 2]
  const ks = ps.slice(0, -2).map((k) => {
    if (typeof k !== "string") throw new GoError(`interface conversion: interface {} is ${tn(k)}, not string`)
    return k
  })
  let cur: Map = dict
  for (let i = 0; i < ks.length; i++) {
    if (!Object.hasOwn(cur, ks[i]!)) return d
    const step = cur[ks[i]!]
    if (i === ks.length - 1) return step
    if (!isMap(step) || mapType(step).name !== "map[string]interface {}")
      throw new GoError(`interface conversion: interface {} is ${tn(step)}, not map[string]interface {}`)
    cur = step
  }
  return d
}

const isSliceLike = (v: unknown) => Array.isArray(v) || v instanceof Uint8Array || (v instanceof GoObject && v.type.kind === "slice")

/** mergo.Merge / MergeWithOverwrite of src into dst (both map[string]interface{}), in place. */
export function mergeInto(dst: Map, src: Map, overwrite: boolean): void {
  const dstWasEmpty = () => Object.keys(dst).length === 0
  for (const key of Object.keys(src)) {
    const s = src[key]
    const has = Object.hasOwn(dst, key)
    const d = has ? dst[key] : undefined
    if (s === null || s === undefined) {
      if (overwrite) mapSet(dst, key, null)
      continue
    }
    if (isMap(s)) {
      if (has && isMap(d) && !mapTypeNil(d)) mergeInto(d, s, overwrite)
    } else if (isSliceLike(s)) {
      let next: unknown
      if (overwrite || dstWasEmpty()) next = s
      else if (!has || d === null || (Array.isArray(d) && mapTypeNil(d))) next = tag([], { ...sliceTypeOf(s), nil: false })
      else next = d
      mapSet(dst, key, next)
    }
    if (has && !empty(d) && (isMap(s) || isSliceLike(s))) continue
    if (overwrite || !has || empty(d)) mapSet(dst, key, s)
  }
}

const mapTypeNil = (v: object) => (v as any)[Symbol.for("moor.gotemplate.type")]?.nil === true
const sliceTypeOf = (v: unknown) => (Array.isArray(v) ? ((v as any)[Symbol.for("moor.gotemplate.type")] ?? { name: "[]interface {}", kind: "slice" }) : { name: "[]interface {}", kind: "slice" })

function mergeDicts(overwrite: boolean, dst: Map, ...srcs: Map[]): unknown {
  // a nil dst becomes a new map (mergo sets it through the pointer)
  if (mapTypeNil(dst) && srcs.some((s) => !mapTypeNil(s))) dst = {}
  for (const s of srcs) mergeInto(dst, s, overwrite)
  return dst
}

function dict(...v: unknown[]): Map {
  const m: Map = {}
  for (let i = 0; i < v.length; i += 2) {
    const k = strval(v[i] === undefined ? null : v[i])
    mapSet(m, k, i + 1 >= v.length ? "" : v[i + 1])
  }
  return m
}

function pluck(key: string, ...ds: Map[]): unknown[] {
  const res: unknown[] = []
  for (const d of ds) if (Object.hasOwn(d, key)) res.push(d[key])
  return res
}

const assertWritable = (d: Map) => {
  if (mapTypeNil(d)) throw new GoError("assignment to entry in nil map")
}

export const listFuncs: FuncMap = {
  list: vdef([], P_ANY, (...v: unknown[]) => v),
  tuple: vdef([], P_ANY, (...v: unknown[]) => v),
  append: def([P_ANY, P_ANY], (l: unknown, v: unknown) => [...listItems(l, "Cannot push on type"), v]),
  push: def([P_ANY, P_ANY], (l: unknown, v: unknown) => [...listItems(l, "Cannot push on type"), v]),
  mustAppend: def([P_ANY, P_ANY], (l: unknown, v: unknown) => [...listItems(l, "Cannot push on type"), v], { errors: true }),
  mustPush: def([P_ANY, P_ANY], (l: unknown, v: unknown) => [...listItems(l, "Cannot push on type"), v], { errors: true }),
  prepend: def([P_ANY, P_ANY], (l: unknown, v: unknown) => [v, ...listItems(l, "Cannot prepend on type")]),
  mustPrepend: def([P_ANY, P_ANY], (l: unknown, v: unknown) => [v, ...listItems(l, "Cannot prepend on type")], { errors: true }),
  first: def([P_ANY], first, { retIface: true }),
  mustFirst: def([P_ANY], first, { errors: true, retIface: true }),
  rest: def([P_ANY], rest),
  mustRest: def([P_ANY], rest, { errors: true }),
  last: def([P_ANY], last, { retIface: true }),
  mustLast: def([P_ANY], last, { errors: true, retIface: true }),
  initial: def([P_ANY], initial),
  mustInitial: def([P_ANY], initial, { errors: true }),
  reverse: def([P_ANY], (l: unknown) => [...listItems(l, "Cannot find reverse on type")].reverse()),
  mustReverse: def([P_ANY], (l: unknown) => [...listItems(l, "Cannot find reverse on type")].reverse(), { errors: true }),
  uniq: def([P_ANY], uniq),
  mustUniq: def([P_ANY], uniq, { errors: true }),
  without: vdef([P_ANY], P_ANY, (l: unknown, ...omit: unknown[]) => listItems(l, "Cannot find without on type").filter((x) => !inList(omit, x))),
  mustWithout: vdef([P_ANY], P_ANY, (l: unknown, ...omit: unknown[]) => listItems(l, "Cannot find without on type").filter((x) => !inList(omit, x)), { errors: true }),
  has: def([P_ANY, P_ANY], (needle: unknown, hay: unknown) => (hay === null || hay === undefined ? false : inList(listItems(hay, "Cannot find has on type"), needle))),
  mustHas: def([P_ANY, P_ANY], (needle: unknown, hay: unknown) => (hay === null || hay === undefined ? false : inList(listItems(hay, "Cannot find has on type"), needle)), { errors: true }),
  slice: vdef([P_ANY], P_ANY, sliceList, { retIface: true }),
  mustSlice: vdef([P_ANY], P_ANY, sliceList, { errors: true, retIface: true }),
  concat: vdef([], P_ANY, concat, { retIface: true }),
  dig: vdef([], P_ANY, dig, { errors: true, retIface: true }),
  chunk: def([P_INT, P_ANY], chunk),
  mustChunk: def([P_INT, P_ANY], chunk, { errors: true }),
  dict: vdef([], P_ANY, dict),
  get: def([P_MAP, P_STRING], (d: Map, k: string) => (Object.hasOwn(d, k) ? d[k] : ""), { retIface: true }),
  set: def([P_MAP, P_STRING, P_ANY], (d: Map, k: string, v: unknown) => { assertWritable(d); mapSet(d, k, v); return d }),
  unset: def([P_MAP, P_STRING], (d: Map, k: string) => { delete d[k]; return d }),
  hasKey: def([P_MAP, P_STRING], (d: Map, k: string) => Object.hasOwn(d, k)),
  pluck: vdef([P_STRING], P_MAP, pluck),
  keys: vdef([], P_MAP, (...ds: Map[]) => stringSlice(ds.flatMap((d) => sortedKeys(d)))),
  pick: vdef([P_MAP], P_STRING, (d: Map, ...ks: string[]) => {
    const r: Map = {}
    for (const k of ks) if (Object.hasOwn(d, k)) mapSet(r, k, d[k])
    return r
  }),
  omit: vdef([P_MAP], P_STRING, (d: Map, ...ks: string[]) => {
    const r: Map = {}
    for (const k of Object.keys(d)) if (!ks.includes(k)) mapSet(r, k, d[k])
    return r
  }),
  merge: vdef([P_MAP], P_MAP, (d: Map, ...s: Map[]) => mergeDicts(false, d, ...s), { retIface: true }),
  mergeOverwrite: vdef([P_MAP], P_MAP, (d: Map, ...s: Map[]) => mergeDicts(true, d, ...s), { retIface: true }),
  mustMerge: vdef([P_MAP], P_MAP, (d: Map, ...s: Map[]) => mergeDicts(false, d, ...s), { errors: true, retIface: true }),
  mustMergeOverwrite: vdef([P_MAP], P_MAP, (d: Map, ...s: Map[]) => mergeDicts(true, d, ...s), { errors: true, retIface: true }),
  values: def([P_MAP], (d: Map) => sortedKeys(d).map((k) => mapGet(d, k))),
}
