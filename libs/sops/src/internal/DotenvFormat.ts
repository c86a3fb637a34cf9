// dotenv as sops reads it: KEY=VALUE lines, `#` comments, `\n` escapes for
// newlines, and the metadata flattened into `sops_...` keys.
import { SopsError } from "../Errors.ts"
import type { Leaf, Tree } from "./Tree.ts"

type Item = { key: string | undefined; value: string }

const flatten = (prefix: string, v: unknown, out: Map<string, string>) => {
  if (Array.isArray(v)) v.forEach((x, i) => flatten(`${prefix}__list_${i}`, x, out))
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) flatten(`${prefix}__map_${k}`, x, out)
  else if (v !== undefined && v !== null) out.set(prefix, String(v))
}

// Rebuilds nested metadata from keys like `age__list_0__map_enc`.
const unflatten = (flat: Map<string, string>): Record<string, unknown> => {
  const root: Record<string, unknown> = {}
  for (const [key, value] of flat) {
    const tokens = key.split(/(?=__map_|__list_)/).map((t) =>
      t.startsWith("__map_") ? t.slice(6) : t.startsWith("__list_") ? Number(t.slice(7)) : t,
    )
    let cur: Record<string | number, unknown> = root
    tokens.forEach((t, i) => {
      if (i === tokens.length - 1) {
        cur[t] = value
        return
      }
      const next = tokens[i + 1]
      cur[t] ??= typeof next === "number" ? [] : {}
      cur = cur[t] as Record<string | number, unknown>
    })
  }
  return root
}

/** Loads a dotenv file. */
export const loadDotenv = (text: string): Tree => {
  const items: Item[] = []
  const md = new Map<string, string>()
  text.split("\n").forEach((line, i) => {
    if (line.length === 0) return
    if (line.startsWith("#")) return items.push({ key: undefined, value: line.slice(1) })
    const eq = line.indexOf("=")
    if (eq < 0) throw new SopsError("ParseError", `invalid dotenv at line ${i + 1}: expected KEY=VALUE`, { line: i + 1 })
    const key = line.slice(0, eq)
    const value = line.slice(eq + 1).replaceAll("\\n", "\n")
    if (key.startsWith("sops_")) md.set(key.slice(5), value)
    else items.push({ key, value })
  })
  const leaves: Leaf[] = items.map((it) => ({
    path: it.key === undefined ? [] : [it.key],
    comment: it.key === undefined,
    value: { type: it.key === undefined ? "comment" : "str", text: it.value },
    set: (v) => {
      it.value = "enc" in v ? v.enc : v.text
    },
  }))
  const metadata = md.size > 0 ? unflatten(md) : undefined
  const emit = (m: Record<string, unknown> | undefined): string => {
    const lines = items.map((it) => (it.key === undefined ? `#${it.value}` : `${it.key}=${it.value.replaceAll("\n", "\\n")}`))
    if (m) {
      const flat = new Map<string, string>()
      flatten("", m, flat)
      const keys = [...flat.keys()].map((k) => k.replace(/^__map_/, "")).sort()
      const byKey = new Map([...flat].map(([k, v]) => [k.replace(/^__map_/, ""), v]))
      for (const k of keys) lines.push(`sops_${k}=${byKey.get(k)!.replaceAll("\n", "\\n")}`)
    }
    return lines.map((l) => `${l}\n`).join("")
  }
  return { leaves, metadata, emit }
}
