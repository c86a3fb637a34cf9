// Picks the loader of a format; binary files travel inside sops's JSON envelope.
import { SopsError } from "../Errors.ts"
import { loadDotenv } from "./DotenvFormat.ts"
import { loadJson } from "./JsonFormat.ts"
import type { Format, Leaf, Tree } from "./Tree.ts"
import { loadYaml } from "./YamlFormat.ts"

export type LoadOptions = { readonly jsonIndent?: string | undefined }

/** Loads a file that is (or should be) encrypted. */
export const loadEncrypted = (text: string, format: Format, o: LoadOptions = {}): Tree => {
  switch (format) {
    case "yaml":
      return loadYaml(text)
    case "json":
      return loadJson(text, o.jsonIndent)
    case "dotenv":
      return loadDotenv(text)
    case "binary": {
      const t = loadJson(text, o.jsonIndent)
      const data = t.leaves.find((l) => l.path.length === 1 && l.path[0] === "data")
      return {
        leaves: t.leaves,
        metadata: t.metadata,
        emit: (md) => {
          if (md) return t.emit(md)
          const e = t.root.t === "obj" ? t.root.entries.find(([k]) => k === "data") : undefined
          if (!data || !e || e[1].t !== "str") throw new SopsError("ParseError", "binary file: no string `data` value in the sops envelope")
          return e[1].v
        },
      }
    }
    default:
      throw new SopsError("InvalidInput", `unknown format ${JSON.stringify(format)}: expected yaml, json, dotenv or binary`)
  }
}

/** Loads a cleartext file to be encrypted. */
export const loadPlain = (text: string, format: Format, o: LoadOptions = {}): Tree => {
  if (format !== "binary") return loadEncrypted(text, format, o)
  const root = { t: "obj" as const, entries: [["data", { t: "str" as const, v: text }]] as Array<[string, { t: "str"; v: string }]> }
  const leaf: Leaf = {
    path: ["data"],
    comment: false,
    value: { type: "str", text },
    set: (v) => {
      root.entries[0]![1].v = "enc" in v ? v.enc : v.text
    },
  }
  return {
    leaves: [leaf],
    metadata: undefined,
    emit: (md) => {
      const t = loadJson(JSON.stringify({ data: root.entries[0]![1].v }), o.jsonIndent)
      return t.emit(md)
    },
  }
}
