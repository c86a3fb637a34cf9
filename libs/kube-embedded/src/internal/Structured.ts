// Structured operations on objects under a schema, as server-side apply needs them:
// the field set of a value, the comparison of two values, merge, and removal of paths.
import { FieldSet, keyElement } from "./FieldSet.ts"
import type { Definitions, JSONSchema } from "./Schema.ts"
import type { Obj } from "./Store.ts"
import { fieldSchema, keyDefaults, type Shape, shapeOf } from "./Typed.ts"

/** Deep equality of JSON values. */
export const deepEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b)) return false
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || !deepEqual((a as Obj)[k], (b as Obj)[k])) return false
  }
  return true
}

/** The element naming a list item (k:{...} for map lists, v:... for sets), or undefined when it cannot be keyed. */
export const itemElement = (shape: Shape, item: unknown, defs: Definitions): string | undefined => {
  if (shape.t !== "list") return undefined
  if (shape.listType === "set") return `v:${JSON.stringify(item)}`
  if (shape.listType === "map") {
    if (item === null || typeof item !== "object") return undefined
    const it = item as Obj
    let missing = false
    for (const k of shape.keys) if (it[k] === undefined) missing = true
    if (!missing) return keyElement(shape.keys, it)
    const withDefaults = { ...keyDefaults(shape.items, shape.keys, defs), ...it }
    for (const k of shape.keys) if (withDefaults[k] === undefined) return undefined
    return keyElement(shape.keys, withDefaults)
  }
  return undefined
}

/** Thrown when a list item lacks one of its key fields. */
export class MissingKeyError extends Error {}

/** The field set of an applied configuration: leaves, atomic values and list items. */
export const toFieldSet = (v: unknown, schema: JSONSchema | undefined, defs: Definitions): FieldSet => {
  const set = new FieldSet()
  walkSet(v, schema, defs, set)
  return set
}

const walkSet = (v: unknown, schema: JSONSchema | undefined, defs: Definitions, node: FieldSet): void => {
  const shape = shapeOf(schema, defs, v)
  if (shape.t === "scalar" || v === null) {
    node.member = true
    return
  }
  if (shape.t === "map") {
    if (shape.atomic || typeof v !== "object" || Array.isArray(v)) {
      node.member = true
      return
    }
    // An empty map owns nothing (a real server leaves `emptyDir: {}` out of the set).
    const o = v as Obj
    for (const k in o) {
      if (o[k] === undefined) continue
      walkSet(o[k], fieldSchema(shape, k, defs), defs, node.child(`f:${k}`))
    }
    return
  }
  if (shape.listType === "atomic" || !Array.isArray(v)) {
    node.member = true
    return
  }
  for (const item of v) {
    const pe = itemElement(shape, item, defs)
    if (pe === undefined) throw new MissingKeyError(`associative list with keys has an element that omits key field(s) ${JSON.stringify(shape.keys)}`)
    const c = node.child(pe)
    c.member = true
    if (shape.listType === "map") walkSet(item, shape.items, defs, c)
  }
}

/** What changed from `a` to `b`, as field sets. */
export interface Comparison {
  readonly added: FieldSet
  readonly modified: FieldSet
  readonly removed: FieldSet
}

/** Compare two values under a schema (maps and keyed lists compared element by element). */
export const compare = (a: unknown, b: unknown, schema: JSONSchema | undefined, defs: Definitions): Comparison => {
  const c = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() }
  cmp(a, b, schema, defs, c, [])
  return c
}

const cmp = (a: unknown, b: unknown, schema: JSONSchema | undefined, defs: Definitions, c: Comparison, path: string[]): void => {
  if (a === undefined && b === undefined) return
  const shape = shapeOf(schema, defs, b ?? a)
  if (a === undefined) {
    addAll(b, shape, defs, c.added, path)
    return
  }
  if (b === undefined) {
    addAll(a, shape, defs, c.removed, path)
    return
  }
  const bothObjects = a !== null && b !== null && typeof a === "object" && typeof b === "object"
  if (shape.t === "scalar" || !bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    if (!deepEqual(a, b)) c.modified.insert(path)
    return
  }
  if (shape.t === "map") {
    if (shape.atomic) {
      if (!deepEqual(a, b)) c.modified.insert(path)
      return
    }
    const ao = a as Obj
    const bo = b as Obj
    for (const k in ao) {
      path.push(`f:${k}`)
      cmp(ao[k], bo[k], fieldSchema(shape, k, defs), defs, c, path)
      path.pop()
    }
    for (const k in bo) {
      if (ao[k] !== undefined) continue
      path.push(`f:${k}`)
      cmp(undefined, bo[k], fieldSchema(shape, k, defs), defs, c, path)
      path.pop()
    }
    return
  }
  if (shape.listType === "atomic" || !Array.isArray(a) || !Array.isArray(b)) {
    if (!deepEqual(a, b)) c.modified.insert(path)
    return
  }
  const am = indexItems(a, shape, defs)
  const bm = indexItems(b, shape, defs)
  if (am === undefined || bm === undefined) {
    if (!deepEqual(a, b)) c.modified.insert(path)
    return
  }
  for (const [pe, ai] of am) {
    path.push(pe)
    const bi = bm.get(pe)
    if (shape.listType === "set") {
      if (bi === undefined) c.removed.insert(path)
    } else cmp(ai, bi, shape.items, defs, c, path)
    path.pop()
  }
  for (const [pe, bi] of bm) {
    if (am.has(pe)) continue
    path.push(pe)
    if (shape.listType === "set") c.added.insert(path)
    else cmp(undefined, bi, shape.items, defs, c, path)
    path.pop()
  }
}

const indexItems = (list: unknown[], shape: Shape, defs: Definitions): Map<string, unknown> | undefined => {
  const m = new Map<string, unknown>()
  for (const item of list) {
    const pe = itemElement(shape, item, defs)
    if (pe === undefined) return undefined
    m.set(pe, item)
  }
  return m
}

// Everything under an added or removed subtree. Maps (not structs with fields) and list
// items are members themselves, so fieldsV1 shows ".": {} for them, as a real server does.
const addAll = (v: unknown, shape: Shape, defs: Definitions, set: FieldSet, path: string[]): void => {
  if (shape.t === "scalar" || v === null || typeof v !== "object") {
    set.insert(path)
    return
  }
  if (shape.t === "map") {
    const o = v as Obj
    const keys = Object.keys(o)
    const isMap = shape.schema === undefined || shape.schema.properties === undefined
    if (shape.atomic || keys.length === 0 || isMap) set.insert(path)
    if (shape.atomic) return
    for (const k of keys) {
      path.push(`f:${k}`)
      addAll(o[k], shapeOf(fieldSchema(shape, k, defs), defs, o[k]), defs, set, path)
      path.pop()
    }
    return
  }
  set.insert(path)
  if (shape.listType === "atomic" || !Array.isArray(v)) return
  for (const item of v) {
    const pe = itemElement(shape, item, defs)
    if (pe === undefined) continue
    path.push(pe)
    if (shape.listType === "set") set.insert(path)
    else addAll(item, shapeOf(shape.items, defs, item), defs, set, path)
    path.pop()
  }
}

/** Merge an applied configuration into the live value (config wins; keyed lists merge by key). */
export const merge = (live: unknown, config: unknown, schema: JSONSchema | undefined, defs: Definitions): unknown => {
  if (config === undefined) return live
  if (live === undefined || live === null || config === null) return config
  const shape = shapeOf(schema, defs, config)
  if (shape.t === "scalar") return config
  if (shape.t === "map") {
    if (shape.atomic || typeof live !== "object" || Array.isArray(live) || typeof config !== "object" || Array.isArray(config)) return config
    const out: Obj = { ...(live as Obj) }
    const co = config as Obj
    for (const k in co) out[k] = merge(out[k], co[k], fieldSchema(shape, k, defs), defs)
    return out
  }
  if (shape.listType === "atomic" || !Array.isArray(live) || !Array.isArray(config)) return config
  const out: unknown[] = [...live]
  const pos = new Map<string, number>()
  live.forEach((item, i) => {
    const pe = itemElement(shape, item, defs)
    if (pe !== undefined) pos.set(pe, i)
  })
  for (const item of config) {
    const pe = itemElement(shape, item, defs)
    const at = pe === undefined ? undefined : pos.get(pe)
    if (at === undefined) {
      out.push(item)
      if (pe !== undefined) pos.set(pe, out.length - 1)
    } else if (shape.listType === "map") out[at] = merge(out[at], item, shape.items, defs)
  }
  return out
}

/** Remove the members of `set` from a value; returns a new value (the input is not changed). */
export const removePaths = (v: unknown, set: FieldSet, schema: JSONSchema | undefined, defs: Definitions): unknown => {
  if (set.children === undefined || v === null || typeof v !== "object") return v
  const shape = shapeOf(schema, defs, v)
  if (shape.t === "map" && !Array.isArray(v)) {
    const out: Obj = { ...(v as Obj) }
    for (const [pe, child] of set.children) {
      if (!pe.startsWith("f:")) continue
      const k = pe.slice(2)
      if (!(k in out)) continue
      if (child.member) delete out[k]
      else out[k] = removePaths(out[k], child, fieldSchema(shape, k, defs), defs)
    }
    return out
  }
  if (shape.t === "list" && Array.isArray(v)) {
    const out: unknown[] = []
    for (const item of v) {
      const pe = itemElement(shape, item, defs)
      const child = pe === undefined ? undefined : set.get(pe)
      if (child === undefined) out.push(item)
      else if (!child.member) out.push(removePaths(item, child, shape.items, defs))
    }
    return out
  }
  return v
}
