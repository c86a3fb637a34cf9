// An already parsed manifest (plain JS data, as the build hands objects to the
// apply actor) seen as a sops tree: leaves in the object's key order, written
// back into a copy as typed JS values. Going through text again would cost a
// print and a parse per object.
import { formatFloat, parseBool, type Plain } from "./Cipher.ts"
import type { Leaf, Tree } from "./Tree.ts"

type Obj = Record<string, unknown>

const typed = (v: Plain): unknown => {
  switch (v.type) {
    case "int":
    case "float": {
      const n = Number(v.text)
      return Number.isFinite(n) ? n : v.text
    }
    case "bool":
      return parseBool(v.text) ?? v.text
    default:
      return v.text
  }
}

/** The tree of `obj` without its `sops` key; `toValue()` is the (decrypted) copy. */
export const loadObject = (obj: Obj): Tree => {
  const leaves: Leaf[] = []
  const copy = (v: unknown, path: ReadonlyArray<string>, put: (x: unknown) => void): unknown => {
    if (Array.isArray(v)) {
      const out: unknown[] = new Array(v.length)
      v.forEach((x, i) => {
        out[i] = copy(x, path, (y) => (out[i] = y))
      })
      return out
    }
    if (v !== null && typeof v === "object") {
      const out: Obj = {}
      for (const [k, x] of Object.entries(v as Obj)) out[k] = copy(x, [...path, k], (y) => (out[k] = y))
      return out
    }
    let value: Plain | undefined
    if (typeof v === "string") value = { type: "str", text: v }
    // parsed YAML/JSON numbers: sops feeds ints and floats to the MAC as Go prints them, both as below
    else if (typeof v === "number") value = { type: "float", text: formatFloat(v) }
    else if (typeof v === "boolean") value = { type: "bool", text: String(v) }
    if (value) leaves.push({ path, comment: false, value, set: (p) => put("enc" in p ? p.enc : typed(p)) })
    return v
  }
  const root: Obj = {}
  for (const [k, x] of Object.entries(obj)) if (k !== "sops") root[k] = copy(x, [k], (y) => (root[k] = y))
  return {
    leaves,
    metadata: obj["sops"],
    emit: () => `${JSON.stringify(root)}\n`,
    toValue: () => root,
  }
}
