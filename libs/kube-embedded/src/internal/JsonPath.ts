// The subset of kubectl's JSONPath that CRD printer columns use: `.a.b`, `.a[0]`,
// `.a[*].b` and filters like `.status.conditions[?(@.type=="Ready")].status`.
import type { Obj } from "./Store.ts"

type Step = { t: "field"; name: string } | { t: "index"; i: number } | { t: "all" } | { t: "filter"; path: string[]; op: string; value: unknown }

const parse = (expr: string): Step[] => {
  let s = expr.trim()
  if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1)
  if (s.startsWith("$")) s = s.slice(1)
  const steps: Step[] = []
  let i = 0
  while (i < s.length) {
    if (s[i] === ".") {
      i++
      let j = i
      while (j < s.length && s[j] !== "." && s[j] !== "[") j++
      if (j > i) steps.push({ t: "field", name: s.slice(i, j) })
      i = j
    } else if (s[i] === "[") {
      const j = s.indexOf("]", i)
      if (j < 0) throw new Error(`unterminated [ in ${expr}`)
      let inner = s.slice(i + 1, j)
      // A filter may contain ']' inside quotes; extend to the matching ")]".
      let end = j
      if (inner.startsWith("?(")) {
        end = s.indexOf(")]", i)
        inner = s.slice(i + 1, end + 1)
        end += 1
        const m = /^\?\(@((?:\.[\w-]+)+)\s*(==|!=)\s*(.+)\)$/.exec(inner)
        if (m === null) throw new Error(`unsupported filter ${inner}`)
        const raw = m[3]!.trim()
        const value = raw.startsWith('"') || raw.startsWith("'") ? raw.slice(1, -1) : JSON.parse(raw)
        steps.push({ t: "filter", path: m[1]!.split(".").filter((x) => x !== ""), op: m[2]!, value })
      } else if (inner === "*") steps.push({ t: "all" })
      else if (/^-?\d+$/.test(inner)) steps.push({ t: "index", i: Number(inner) })
      else steps.push({ t: "field", name: inner.replace(/^['"]|['"]$/g, "") })
      i = end + 1
    } else i++
  }
  return steps
}

/** Every value the path selects (kubectl prints them comma-separated). */
export const jsonPath = (o: Obj, expr: string): unknown[] => {
  let cur: unknown[] = [o]
  for (const st of parse(expr)) {
    const next: unknown[] = []
    for (const v of cur) {
      if (v === null || v === undefined) continue
      if (st.t === "field") {
        if (typeof v === "object" && !Array.isArray(v) && (v as Obj)[st.name] !== undefined) next.push((v as Obj)[st.name])
      } else if (st.t === "index") {
        if (Array.isArray(v)) {
          const x = v[st.i < 0 ? v.length + st.i : st.i]
          if (x !== undefined) next.push(x)
        }
      } else if (st.t === "all") {
        if (Array.isArray(v)) next.push(...v)
        else if (typeof v === "object") next.push(...Object.values(v as Obj))
      } else if (Array.isArray(v)) {
        for (const item of v) {
          let x: unknown = item
          for (const p of st.path) x = x === null || typeof x !== "object" ? undefined : (x as Obj)[p]
          if ((x === st.value) === (st.op === "==")) next.push(item)
        }
      }
    }
    cur = next
  }
  return cur
}
