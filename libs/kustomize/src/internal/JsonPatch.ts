// RFC 6902 JSON patch over plain data, with kustomize-style error messages.
import { isObj, type Obj } from "./Resource.ts"

const pointer = (p: string): string[] => {
  if (p === "" || p === "/") return p === "" ? [] : [""]
  if (!p.startsWith("/")) throw new Error(`invalid JSON pointer "${p}"`)
  return p.slice(1).split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
}

/** Applies the operations to a copy of `doc`; throws an Error naming the failing operation. */
export const jsonPatch = (doc: Obj, ops: unknown): Obj => {
  if (!Array.isArray(ops)) throw new Error("a JSON 6902 patch must be a list of operations")
  let root: any = structuredClone(doc)
  const walk = (path: string[], full: string): any => {
    let cur = root
    for (const k of path) {
      cur = Array.isArray(cur) ? cur[Number(k)] : isObj(cur) ? cur[k] : undefined
      if (cur === undefined || cur === null || typeof cur !== "object") throw new Error(`path "${full}" does not exist`)
    }
    return cur
  }
  const get = (full: string): unknown => {
    const path = pointer(full)
    const parent = walk(path.slice(0, -1), full)
    const k = path[path.length - 1]
    if (k === undefined) return root
    const v = Array.isArray(parent) ? parent[Number(k)] : parent[k]
    if (v === undefined) throw new Error(`path "${full}" does not exist`)
    return v
  }
  const remove = (full: string): unknown => {
    const path = pointer(full)
    const parent = walk(path.slice(0, -1), full)
    const k = path[path.length - 1]!
    if (Array.isArray(parent)) {
      const i = Number(k)
      if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw new Error(`path "${full}" does not exist`)
      return parent.splice(i, 1)[0]
    }
    if (!(k in parent)) throw new Error(`path "${full}" does not exist`)
    const v = parent[k]
    delete parent[k]
    return v
  }
  const put = (full: string, value: unknown, replace: boolean): void => {
    const path = pointer(full)
    if (path.length === 0) {
      root = value
      return
    }
    const parent = walk(path.slice(0, -1), full)
    const k = path[path.length - 1]!
    if (Array.isArray(parent)) {
      const i = k === "-" ? parent.length : Number(k)
      if (!Number.isInteger(i) || i < 0 || i > parent.length || (replace && i >= parent.length)) throw new Error(`path "${full}" does not exist`)
      if (replace) parent[i] = value
      else parent.splice(i, 0, value)
    } else {
      if (replace && !(k in parent)) throw new Error(`path "${full}" does not exist`)
      parent[k] = value
    }
  }
  ops.forEach((o: unknown, i) => {
    if (!isObj(o) || typeof o.op !== "string" || typeof o.path !== "string") throw new Error(`operation ${i}: needs "op" and "path"`)
    switch (o.op) {
      case "add":
        return put(o.path, structuredClone(o.value), false)
      case "remove":
        return void remove(o.path)
      case "replace":
        return put(o.path, structuredClone(o.value), true)
      case "move":
        return put(o.path, remove(String(o.from)), false)
      case "copy":
        return put(o.path, structuredClone(get(String(o.from))), false)
      case "test":
        if (JSON.stringify(get(o.path)) !== JSON.stringify(o.value)) throw new Error(`test of "${o.path}" failed`)
        return
      default:
        throw new Error(`operation ${i}: unknown op "${o.op}"`)
    }
  })
  if (!isObj(root)) throw new Error("the patched document is not an object")
  return root
}
