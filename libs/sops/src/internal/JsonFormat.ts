// JSON kept in file order (JSON.parse would move integer-like keys first and
// break the MAC order), printed the way sops's Go emitter prints it.
import { SopsError } from "../Errors.ts"
import { formatFloat, type Plain } from "./Cipher.ts"
import type { Leaf, Tree } from "./Tree.ts"

export type JNode =
  | { t: "obj"; entries: Array<[string, JNode]> }
  | { t: "arr"; items: JNode[] }
  | { t: "str"; v: string }
  | { t: "num"; raw: string }
  | { t: "bool"; v: boolean }
  | { t: "null" }

/** Parses JSON into an ordered tree; errors name the line. */
export const parseJson = (text: string): JNode => {
  let i = 0
  const fail = (what: string): never => {
    const line = text.slice(0, i).split("\n").length
    throw new SopsError("ParseError", `invalid JSON at line ${line}: ${what}`, { line })
  }
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i]!)) i++
  }
  const value = (): JNode => {
    ws()
    const c = text[i]
    if (c === "{") {
      i++
      const entries: Array<[string, JNode]> = []
      ws()
      if (text[i] === "}") return i++, { t: "obj", entries }
      for (;;) {
        ws()
        if (text[i] !== '"') fail("expected a string key")
        const k = str()
        ws()
        if (text[i] !== ":") fail("expected ':'")
        i++
        entries.push([k, value()])
        ws()
        if (text[i] === ",") i++
        else if (text[i] === "}") return i++, { t: "obj", entries }
        else fail("expected ',' or '}'")
      }
    }
    if (c === "[") {
      i++
      const items: JNode[] = []
      ws()
      if (text[i] === "]") return i++, { t: "arr", items }
      for (;;) {
        items.push(value())
        ws()
        if (text[i] === ",") i++
        else if (text[i] === "]") return i++, { t: "arr", items }
        else fail("expected ',' or ']'")
      }
    }
    if (c === '"') return { t: "str", v: str() }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i, i + 400))
    if (m && m[0]) return (i += m[0].length), { t: "num", raw: m[0] }
    for (const [w, n] of [["true", { t: "bool", v: true }], ["false", { t: "bool", v: false }], ["null", { t: "null" }]] as const) {
      if (text.startsWith(w, i)) return (i += w.length), n as JNode
    }
    return fail(c === undefined ? "unexpected end of input" : "unexpected character")
  }
  const str = (): string => {
    const start = i
    i++
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1
    if (i >= text.length) fail("unterminated string")
    i++
    try {
      return JSON.parse(text.slice(start, i)) as string
    } catch {
      return fail("invalid string escape")
    }
  }
  const root = value()
  ws()
  if (i < text.length) fail("unexpected data after the top-level value")
  return root
}

const goString = (s: string): string =>
  JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** Prints like Go's json.Indent over sops's compact output. */
export const printJson = (n: JNode, indent: string, depth = 0): string => {
  const pad = (d: number) => indent.repeat(d)
  switch (n.t) {
    case "obj":
      if (n.entries.length === 0) return "{}"
      return `{\n${n.entries.map(([k, v]) => `${pad(depth + 1)}${goString(k)}: ${printJson(v, indent, depth + 1)}`).join(",\n")}\n${pad(depth)}}`
    case "arr":
      if (n.items.length === 0) return "[]"
      return `[\n${n.items.map((v) => `${pad(depth + 1)}${printJson(v, indent, depth + 1)}`).join(",\n")}\n${pad(depth)}]`
    case "str":
      return goString(n.v)
    case "num":
      return n.raw
    case "bool":
      return String(n.v)
    case "null":
      return "null"
  }
}

export const fromJs = (v: unknown): JNode => {
  if (v === null || v === undefined) return { t: "null" }
  if (typeof v === "string") return { t: "str", v }
  if (typeof v === "number") return { t: "num", raw: String(v) }
  if (typeof v === "boolean") return { t: "bool", v }
  if (Array.isArray(v)) return { t: "arr", items: v.map(fromJs) }
  return { t: "obj", entries: Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromJs(x)]) }
}

const toJs = (n: JNode): unknown => {
  switch (n.t) {
    case "obj":
      return Object.fromEntries(n.entries.map(([k, v]) => [k, toJs(v)]))
    case "arr":
      return n.items.map(toJs)
    case "str":
      return n.v
    case "num":
      return Number(n.raw)
    case "bool":
      return n.v
    case "null":
      return null
  }
}

const setNode = (n: JNode, v: Plain | { readonly enc: string }) => {
  const target = n as Record<string, unknown>
  for (const k of Object.keys(target)) delete target[k]
  if ("enc" in v) Object.assign(target, { t: "str", v: v.enc })
  else if (v.type === "int" || v.type === "float") {
    const num = Number(v.text)
    Object.assign(target, Number.isFinite(num) ? { t: "num", raw: String(num) } : { t: "str", v: v.text })
  } else if (v.type === "bool") Object.assign(target, { t: "bool", v: v.text === "true" || v.text === "True" || v.text === "1" })
  else Object.assign(target, { t: "str", v: v.text })
}

const walk = (n: JNode, path: ReadonlyArray<string>, out: Leaf[]) => {
  const visit = (child: JNode, p: ReadonlyArray<string>) => {
    let value: Plain | undefined
    if (child.t === "str") value = { type: "str", text: child.v }
    else if (child.t === "num") value = { type: "float", text: formatFloat(Number(child.raw)) } // Go decodes every JSON number as float64
    else if (child.t === "bool") value = { type: "bool", text: String(child.v) }
    else if (child.t === "obj" || child.t === "arr") return walk(child, p, out)
    if (value) out.push({ path: p, comment: false, value, set: (v) => setNode(child, v) })
  }
  if (n.t === "obj") for (const [k, v] of n.entries) visit(v, [...path, k])
  else if (n.t === "arr") for (const v of n.items) visit(v, path)
}

/** Loads a JSON object; `indent` is used when printing (sops's default is a tab). */
export const loadJson = (text: string, indent = "\t"): Tree & { root: JNode } => {
  const root = parseJson(text)
  if (root.t !== "obj") throw new SopsError("ParseError", "a JSON file must hold an object at the top level to be handled by sops")
  const at = root.entries.findIndex(([k]) => k === "sops")
  const metadata = at >= 0 ? toJs(root.entries[at]![1]) : undefined
  if (at >= 0) root.entries.splice(at, 1)
  const leaves: Leaf[] = []
  walk(root, [], leaves)
  const emit = (md: Record<string, unknown> | undefined): string => {
    const out: JNode = md ? { t: "obj", entries: [...root.entries, ["sops", fromJs(md)]] } : root
    return `${printJson(out, indent)}\n`
  }
  return { leaves, metadata, emit, root, toValue: () => toJs(root) }
}
