// How server-side apply and strategic merge see a schema node: a scalar, a map (granular
// or atomic) or a list (atomic, set, or map keyed by some fields). Fields without a
// schema are "deduced": objects are granular maps, lists atomic.
import { type Definitions, type JSONSchema, resolve } from "./Schema.ts"

/** The type of one node, with its children's schemas reachable. */
export type Shape =
  | { readonly t: "scalar" }
  | { readonly t: "map"; readonly atomic: boolean; readonly schema: JSONSchema | undefined }
  | {
      readonly t: "list"
      readonly listType: "atomic" | "set" | "map"
      readonly keys: ReadonlyArray<string>
      readonly items: JSONSchema | undefined
      /** Strategic merge patch: merge key and whether lists merge (patchStrategy merge). */
      readonly mergeKey: string | undefined
      readonly patchMerge: boolean
      readonly retainKeys: boolean
    }

const SCALAR: Shape = { t: "scalar" }
const DEDUCED_MAP: Shape = { t: "map", atomic: false, schema: undefined }
const DEDUCED_LIST: Shape = { t: "list", listType: "atomic", keys: [], items: undefined, mergeKey: undefined, patchMerge: false, retainKeys: false }

/** The shape of `value` under `schema`. */
export const shapeOf = (schema0: JSONSchema | undefined, defs: Definitions, value: unknown): Shape => {
  const s = resolve(schema0, defs)
  if (s === undefined || (s.type === undefined && s.properties === undefined && s.items === undefined)) {
    if (s?.["x-kubernetes-int-or-string"] === true) return SCALAR
    if (Array.isArray(value)) return DEDUCED_LIST
    if (value !== null && typeof value === "object") return DEDUCED_MAP
    return SCALAR
  }
  if (s.type === "array" || s.items !== undefined) {
    const strategy = s["x-kubernetes-patch-strategy"] ?? ""
    const mergeKey = s["x-kubernetes-patch-merge-key"]
    const merges = strategy.split(",").includes("merge")
    // Lists that strategic merge patch merges by a key are associative lists for apply too.
    const lt = s["x-kubernetes-list-type"] ?? (merges ? (mergeKey !== undefined ? "map" : "set") : "atomic")
    return {
      t: "list",
      listType: lt,
      keys: s["x-kubernetes-list-map-keys"] ?? (lt === "map" && mergeKey !== undefined ? [mergeKey] : []),
      items: s.items,
      mergeKey,
      patchMerge: merges,
      retainKeys: false,
    }
  }
  if (s.type === "object" || s.properties !== undefined || s.additionalProperties !== undefined) {
    return { t: "map", atomic: s["x-kubernetes-map-type"] === "atomic", schema: s }
  }
  return SCALAR
}

/** Schema of a child field of a map node. */
export const fieldSchema = (shape: Shape, key: string, defs: Definitions): JSONSchema | undefined => {
  if (shape.t !== "map" || shape.schema === undefined) {
    return undefined
  }
  const s = shape.schema
  const p = s.properties?.[key]
  if (p !== undefined) return p
  if (typeof s.additionalProperties === "object") return s.additionalProperties
  if (s["x-kubernetes-preserve-unknown-fields"] === true) return undefined
  return resolve(undefined, defs)
}

/** Whether the map's own schema says it has the retainKeys patch strategy on a field. */
export const retainKeysField = (shape: Shape, key: string, defs: Definitions): boolean => {
  if (shape.t !== "map" || shape.schema === undefined) return false
  const p = resolve(shape.schema.properties?.[key], defs)
  return (p?.["x-kubernetes-patch-strategy"] ?? "").split(",").includes("retainKeys")
}

/** Default values of list-map key fields (e.g. a port's protocol "TCP"). */
export const keyDefaults = (items: JSONSchema | undefined, keys: ReadonlyArray<string>, defs: Definitions): Record<string, unknown> => {
  const s = resolve(items, defs)
  const out: Record<string, unknown> = {}
  for (const k of keys) {
    const d = resolve(s?.properties?.[k], defs)?.default
    if (d !== undefined) out[k] = d
  }
  return out
}
