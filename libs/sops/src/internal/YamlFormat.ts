// YAML through the `yaml` Document API: comments, key order and scalar
// styles survive, and keys are never reordered the way JS objects reorder
// integer-like keys. Plain scalars are typed as go-yaml v3 (sops's parser) types them.
import { isCollection, isMap, isNode, isScalar, isSeq, parseAllDocuments, Scalar, visit } from "yaml"
import type { Node as YNode } from "yaml"
import { SopsError } from "../Errors.ts"
import { formatFloat, type Plain } from "./Cipher.ts"
import type { Leaf, Tree } from "./Tree.ts"

const nullRe = /^(~|null|Null|NULL|)$/
const yamlFloatRe = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/
const timestampRe = /^\d{4}-\d\d?-\d\d?([Tt ]|$)/

/** The type go-yaml v3 gives a plain scalar; null for YAML null. */
export const classifyPlain = (src: string): Plain | null => {
  if (nullRe.test(src)) return null
  if (src === "true" || src === "True" || src === "TRUE") return { type: "bool", text: "true" }
  if (src === "false" || src === "False" || src === "FALSE") return { type: "bool", text: "false" }
  if (/^[-+]?\.(inf|Inf|INF)$/.test(src)) return { type: "float", text: src.startsWith("-") ? "-Inf" : "+Inf" }
  if (/^\.(nan|NaN|NAN)$/.test(src)) return { type: "float", text: "NaN" }
  if (!/^[-+.0-9]/.test(src) || timestampRe.test(src)) return { type: "str", text: src }
  const plain = src.replaceAll("_", "")
  const int = parseGoInt(plain)
  if (int !== undefined) return { type: "int", text: int.toString() }
  if (yamlFloatRe.test(plain)) return { type: "float", text: formatFloat(Number(plain)) }
  return { type: "str", text: src }
}

// strconv.ParseInt(s, 0, 64) and the 0o/0b forms go-yaml v3 accepts; within 64 bits.
const parseGoInt = (s: string): bigint | undefined => {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s)
  if (!m) return undefined
  let body = m[2]!
  if (/^0[oO]/.test(body)) body = `0o${body.slice(2)}`
  else if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`
  const v = (m[1] === "-" ? -1n : 1n) * BigInt(body.toLowerCase())
  return v >= -(2n ** 63n) && v < 2n ** 64n ? v : undefined
}

const scalarPlain = (n: Scalar, text: string): Plain | null => {
  if (n.tag === "tag:yaml.org,2002:str" || n.tag === "!!str") return { type: "str", text: String(n.value ?? "") }
  if (n.type === "PLAIN" && n.range) {
    const src = text.slice(n.range[0], n.range[1])
    if (!src.includes("\n")) return classifyPlain(src)
  }
  const v = n.value
  if (v === null || v === undefined) return null
  if (typeof v === "boolean") return { type: "bool", text: String(v) }
  if (typeof v === "bigint") return { type: "int", text: v.toString() }
  if (typeof v === "number") return Number.isInteger(v) && n.type === "PLAIN" ? { type: "int", text: String(v) } : { type: "float", text: formatFloat(v) }
  return { type: "str", text: String(v) }
}

const keyString = (k: unknown, text: string): string => {
  if (isScalar(k)) {
    if (k.type === "PLAIN" && k.range) return text.slice(k.range[0], k.range[1])
    return String(k.value ?? "")
  }
  if (k === null || k === undefined) return ""
  throw new SopsError("ParseError", "complex mapping keys are not supported")
}

const setScalar = (n: Scalar, v: Plain | { readonly enc: string }) => {
  delete n.tag
  delete n.format
  if ("enc" in v) {
    n.value = v.enc
    n.type = "PLAIN"
    return
  }
  delete n.type
  switch (v.type) {
    case "int": {
      if (!/^[+-]?\d+$/.test(v.text)) {
        n.value = v.text // not an integer after all: keep the text, never throw with it
        return
      }
      const b = BigInt(v.text)
      n.value = b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b
      return
    }
    case "float":
      n.value = v.text === "+Inf" ? Infinity : v.text === "-Inf" ? -Infinity : Number(v.text)
      return
    case "bool":
      n.value = v.text === "true" || v.text === "True" || v.text === "TRUE" || v.text === "1" || v.text === "t" || v.text === "T"
      return
    default:
      n.value = v.text
  }
}

type Commented = { commentBefore?: string | null | undefined; comment?: string | null | undefined }

// `firstLinePath`: the path of the first line of commentBefore when that line
// is really the line comment of the parent key (`key: # c` before a nested
// collection): sops files it under the parent mapping.
const commentLeaves = (node: Commented | null | undefined, path: ReadonlyArray<string>, out: Leaf[], firstLinePath?: ReadonlyArray<string>) => {
  if (!node) return
  for (const field of ["commentBefore", "comment"] as const) {
    const lines = node[field]?.split("\n")
    if (!lines) continue
    lines.forEach((line, i) => {
      if (line.trim() === "") return
      out.push({
        path: field === "commentBefore" && i === 0 && firstLinePath ? firstLinePath : path,
        comment: true,
        value: { type: "comment", text: line },
        set: (v) => {
          const cur = node[field]!.split("\n")
          cur[i] = "enc" in v ? v.enc : v.text
          node[field] = cur.join("\n")
        },
      })
    })
  }
}

const walk = (node: unknown, path: ReadonlyArray<string>, text: string, out: Leaf[], keyLinePath?: ReadonlyArray<string>) => {
  if (isMap(node)) {
    commentLeaves(node, path, out, keyLinePath)
    for (const pair of node.items) {
      commentLeaves(pair.key as Commented, path, out)
      const p = [...path, keyString(pair.key, text)]
      const v = pair.value
      if (isCollection(v)) {
        // a comment on the key's own line (`key: # c`) belongs to this mapping in sops
        const keyEnd = isScalar(pair.key) && pair.key.range ? pair.key.range[1] : undefined
        const rest = keyEnd !== undefined && v.range ? text.slice(keyEnd, v.range[0]) : ""
        walk(v, p, text, out, /^[^\n]*#/.test(rest) ? path : undefined)
      }
      else if (isScalar(v)) {
        commentLeaves(v, path, out)
        leaf(v, p, text, out)
      }
    }
  } else if (isSeq(node)) {
    commentLeaves(node, path, out, keyLinePath)
    for (const item of node.items) {
      if (isCollection(item)) walk(item, path, text, out)
      else if (isScalar(item)) {
        commentLeaves(item, path, out)
        leaf(item, path, text, out)
      }
    }
  }
}

const leaf = (n: Scalar, path: ReadonlyArray<string>, text: string, out: Leaf[]) => {
  const value = scalarPlain(n, text)
  if (value === null) return // sops neither encrypts nor MACs null
  out.push({ path, comment: false, value, set: (v) => setScalar(n, v) })
}

/** The first line of a `yaml` error without anything it quotes from the document. */
export const safeYamlMessage = (message: string): string =>
  message
    .split("\n")[0]!
    .replace(/ at line \d+, column \d+:?$/, "")
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, "(…)")
    .replace(/: .*$/, "")

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split("\n").length

/** Loads a YAML stream (one or more documents); every document must be a mapping. */
export const loadYaml = (text: string): Tree => {
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true })
  if (!Array.isArray(docs)) throw new SopsError("ParseError", "not a YAML stream")
  for (const d of docs) {
    const e = d.errors[0]
    if (e) {
      const line = e.linePos?.[0].line ?? lineOf(text, e.pos[0])
      // the message names what is wrong, never the text of the line (it may hold a secret)
      const what = safeYamlMessage(e.message)
      throw new SopsError("ParseError", `invalid YAML at line ${line}: ${what}`, { line })
    }
  }
  let metadata: unknown = undefined
  const leaves: Leaf[] = []
  for (const d of docs) {
    // sops expands aliases: the values behind them are encrypted in place
    // (the visits are skipped when the text cannot hold an alias or an anchor)
    if (text.includes("*")) visit(d, {
      Alias: (_, a) => {
        const target = a.resolve(d)
        if (!target) {
          const line = a.range ? lineOf(text, a.range[0]) : undefined
          throw new SopsError("ParseError", `invalid YAML${line ? ` at line ${line}` : ""}: an alias refers to an anchor that is not defined before it`, line ? { line } : {})
        }
        return target.clone() as YNode
      },
    })
    // then drop the anchors: sops writes the expanded values only
    if (text.includes("&")) visit(d, {
      Node: (_, n) => {
        if ((n as { anchor?: string }).anchor) delete (n as { anchor?: string }).anchor
      },
    })
    if (d.contents !== null && !isMap(d.contents)) {
      const line = d.contents.range ? lineOf(text, d.contents.range[0]) : 1
      throw new SopsError("ParseError", `line ${line}: a YAML document must be a mapping to be handled by sops`, { line })
    }
    if (isMap(d.contents) && d.has("sops")) {
      const n = d.get("sops", true)
      if (metadata === undefined) metadata = isNode(n) ? n.toJS(d) : n
      d.delete("sops")
    }
    commentLeaves(d as Commented, [], leaves)
    walk(d.contents, [], text, leaves)
  }
  const emit = (md: Record<string, unknown> | undefined): string =>
    docs
      .map((d, i) => {
        if (md) {
          if (d.contents === null) d.contents = d.createNode({}) as never
          const node = d.createNode(md) as YNode
          visit(node, {
            Scalar: (_, s) => {
              if (typeof s.value === "string" && /^\d{4}-\d\d-\d\dT/.test(s.value)) s.type = "QUOTE_DOUBLE"
            },
          })
          d.set("sops", node)
        }
        const s = d.toString({ lineWidth: 0, indentSeq: true })
        return i === 0 || s.startsWith("---") ? s : `---\n${s}`
      })
      .join("")
  return { leaves, metadata, emit, toValue: () => docs[0]?.toJS() ?? null }
}
