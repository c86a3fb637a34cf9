// The three classic patch formats: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and
// Kubernetes' strategic merge patch, whose lists merge by the keys the schema names
// (x-kubernetes-patch-merge-key) and which understands the $patch/$retainKeys/
// $setElementOrder/$deleteFromPrimitiveList directives.
import { badRequest, StatusError } from "./Errors.ts"
import type { Definitions, JSONSchema } from "./Schema.ts"
import type { Obj } from "./Store.ts"
import { deepEqual } from "./Structured.ts"
import { fieldSchema, shapeOf } from "./Typed.ts"

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v))

const unprocessable = (message: string): StatusError => new StatusError(422, "Invalid", message, {})

const decodePointer = (p: string): string[] => {
  if (p === "") return []
  if (!p.startsWith("/")) throw unprocessable(`add operation does not apply: doc is missing path: "${p}": missing value`)
  return p.slice(1).split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
}

/** Apply an RFC 6902 JSON patch; the document is copied first. */
export const jsonPatch = (doc: Obj, ops: unknown): Obj => {
  if (!Array.isArray(ops)) throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
  let root: unknown = clone(doc)
  const parentOf = (path: string[], op: string, full: string): { parent: any; key: string } => {
    let cur: any = root
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i]!
      cur = Array.isArray(cur) ? cur[Number(k)] : cur?.[k]
      if (cur === undefined || cur === null || typeof cur !== "object") {
        throw unprocessable(`${op} operation does not apply: doc is missing path: "${full}": missing value`)
      }
    }
    return { parent: cur, key: path[path.length - 1]! }
  }
  const get = (full: string, op: string): unknown => {
    const path = decodePointer(full)
    let cur: any = root
    for (const k of path) {
      cur = Array.isArray(cur) ? cur[k === "-" ? cur.length : Number(k)] : cur?.[k]
      if (cur === undefined) throw unprocessable(`${op} operation does not apply: doc is missing path: "${full}": missing value`)
    }
    return cur
  }
  const remove = (full: string, op: string): unknown => {
    const path = decodePointer(full)
    if (path.length === 0) throw unprocessable("cannot remove the root")
    const { parent, key } = parentOf(path, op, full)
    if (Array.isArray(parent)) {
      const i = Number(key)
      if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw unprocessable(`${op} operation does not apply: doc is missing path: "${full}": missing value`)
      return parent.splice(i, 1)[0]
    }
    if (!(key in parent)) throw unprocessable(`${op} operation does not apply: doc is missing path: "${full}": missing value`)
    const v = parent[key]
    delete parent[key]
    return v
  }
  const add = (full: string, value: unknown, op: string, replace: boolean): void => {
    const path = decodePointer(full)
    if (path.length === 0) {
      root = value
      return
    }
    const { parent, key } = parentOf(path, op, full)
    if (Array.isArray(parent)) {
      const i = key === "-" ? parent.length : Number(key)
      if (!Number.isInteger(i) || i < 0 || i > parent.length || (replace && i >= parent.length)) {
        throw unprocessable(`${op} operation does not apply: doc is missing path: "${full}": missing value`)
      }
      if (replace) parent[i] = value
      else parent.splice(i, 0, value)
    } else {
      if (replace && !(key in parent)) throw unprocessable(`${op} operation does not apply: doc is missing key: ${full}: missing value`)
      parent[key] = value
    }
  }
  for (const o of ops as Obj[]) {
    if (o === null || typeof o !== "object" || typeof o.op !== "string") throw badRequest("json patch operation must be an object with an \"op\"")
    const path = o.path
    if (typeof path !== "string") throw unprocessable(`${o.op} operation does not apply: missing path`)
    switch (o.op) {
      case "add":
        add(path, clone(o.value), "add", false)
        break
      case "remove":
        remove(path, "remove")
        break
      case "replace":
        add(path, clone(o.value), "replace", true)
        break
      case "move": {
        const v = remove(String(o.from), "move")
        add(path, v, "move", false)
        break
      }
      case "copy":
        add(path, clone(get(String(o.from), "copy")), "copy", false)
        break
      case "test":
        if (!deepEqual(get(path, "test"), o.value)) throw unprocessable(`testing value ${path} failed: test failed`)
        break
      default:
        throw badRequest(`Unexpected kind: ${o.op}`)
    }
  }
  if (root === null || typeof root !== "object" || Array.isArray(root)) throw badRequest("the patched document is not an object")
  return root as Obj
}

/** RFC 7386 JSON merge patch. */
export const mergePatch = (doc: unknown, patch: unknown): unknown => {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return clone(patch)
  const out: Obj = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? { ...(doc as Obj) } : {}
  for (const [k, v] of Object.entries(patch as Obj)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

const ORDER = "$setElementOrder/"
const DELETE_PRIM = "$deleteFromPrimitiveList/"

/** Kubernetes strategic merge patch over a typed object. */
export const strategicMergePatch = (doc: Obj, patch: unknown, schema: JSONSchema | undefined, defs: Definitions): Obj => {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) throw badRequest("strategic merge patch must be a JSON object")
  return smpMap(doc, patch as Obj, schema, defs) as Obj
}

const smpMap = (doc: unknown, patch: Obj, schema: JSONSchema | undefined, defs: Definitions): unknown => {
  const directive = patch.$patch
  if (directive === "delete") return undefined
  if (directive === "replace") {
    const { $patch: _, ...rest } = patch
    return clone(rest)
  }
  const shape = shapeOf(schema, defs, patch)
  const out: Obj = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? { ...(doc as Obj) } : {}
  const retain = patch.$retainKeys
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys" || k.startsWith(ORDER) || k.startsWith(DELETE_PRIM)) continue
    const sub = fieldSchema(shape, k, defs)
    if (v === null) {
      delete out[k]
      continue
    }
    if (Array.isArray(v)) {
      out[k] = smpList(out[k], v, sub, defs, patch[`${ORDER}${k}`])
    } else if (typeof v === "object") {
      const r = smpMap(out[k], v as Obj, sub, defs)
      if (r === undefined) delete out[k]
      else out[k] = r
    } else out[k] = v
  }
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith(DELETE_PRIM) || !Array.isArray(v)) continue
    const f = k.slice(DELETE_PRIM.length)
    if (Array.isArray(out[f])) out[f] = (out[f] as unknown[]).filter((x) => !v.some((d) => deepEqual(d, x)))
  }
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith(ORDER) || !Array.isArray(v)) continue
    const f = k.slice(ORDER.length)
    if (patch[f] === undefined && Array.isArray(out[f])) out[f] = reorder(out[f] as unknown[], v, fieldSchema(shape, f, defs), defs)
  }
  if (Array.isArray(retain)) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k]
  return out
}

const smpList = (doc: unknown, patch: unknown[], schema: JSONSchema | undefined, defs: Definitions, order: unknown): unknown[] => {
  const shape = shapeOf(schema, defs, patch)
  const live: unknown[] = Array.isArray(doc) ? [...doc] : []
  if (shape.t !== "list" || !shape.patchMerge) {
    // Replace, unless the list says `$patch: replace` explicitly (same outcome).
    return clone(patch.filter((x) => !(x !== null && typeof x === "object" && (x as Obj).$patch === "replace")))
  }
  if (patch.some((x) => x !== null && typeof x === "object" && (x as Obj).$patch === "replace")) {
    return clone(patch.filter((x) => !(x !== null && typeof x === "object" && (x as Obj).$patch === "replace")))
  }
  const key = shape.mergeKey
  let out: unknown[]
  if (key === undefined) {
    out = [...live]
    for (const x of patch) if (!out.some((y) => deepEqual(x, y))) out.push(clone(x))
  } else {
    out = [...live]
    // Items new to the list go first, in patch order, as a real server merges them.
    const added: unknown[] = []
    for (const x of patch) {
      if (x === null || typeof x !== "object") continue
      const item = x as Obj
      const idx = out.findIndex((y) => y !== null && typeof y === "object" && deepEqual((y as Obj)[key], item[key]))
      if (item.$patch === "delete") {
        if (idx >= 0) out.splice(idx, 1)
        continue
      }
      if (idx >= 0) out[idx] = smpMap(out[idx], item, shape.items, defs)
      else added.push(smpMap(undefined, item, shape.items, defs))
    }
    out = [...added, ...out]
  }
  if (Array.isArray(order)) out = reorder(out, order, schema, defs)
  return out
}

const reorder = (list: unknown[], order: unknown[], schema: JSONSchema | undefined, defs: Definitions): unknown[] => {
  const shape = shapeOf(schema, defs, list)
  const key = shape.t === "list" ? shape.mergeKey : undefined
  const idOf = (x: unknown): unknown => (key !== undefined && x !== null && typeof x === "object" ? (x as Obj)[key] : x)
  const rank = (x: unknown): number => {
    const i = order.findIndex((o) => deepEqual(idOf(o), idOf(x)))
    return i < 0 ? order.length : i
  }
  return [...list].sort((a, b) => rank(a) - rank(b))
}
