// Helm's fromYaml / fromYamlArray: sigs.k8s.io/yaml.Unmarshal, i.e.
// yaml.v2 (YAML 1.1 scalars: yes/no/on/off are booleans) converted to JSON
// and decoded by encoding/json (every number becomes a float64).
import { Alias, isAlias, isMap as isYMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode } from "yaml"
import { GoError } from "../funcs.ts"
import { formatFloat, quote } from "../strconv.ts"
import { sprintf } from "../printf.ts"
import { mapSet } from "../values.ts"
import { resolve } from "./yaml.ts"

const STR = "tag:yaml.org,2002:str"
const TAGS: Record<string, string> = {
  "!!str": STR, "!!int": "tag:yaml.org,2002:int", "!!float": "tag:yaml.org,2002:float", "!!bool": "tag:yaml.org,2002:bool",
  "!!null": "tag:yaml.org,2002:null", "!!binary": "tag:yaml.org,2002:binary", "!!timestamp": "tag:yaml.org,2002:timestamp",
  "!!map": "tag:yaml.org,2002:map", "!!seq": "tag:yaml.org,2002:seq",
}

/** A decoded yaml.v2 value before the JSON step: keys keep their YAML type. */
type YV = string | number | bigint | boolean | null | YV[] | YMap | { ts: string }
type YMap = { kv: [YV, YV][] }

function scalarValue(node: any): YV {
  const text = String(node.value ?? "")
  const tag = node.tag ? TAGS[node.tag] ?? node.tag : undefined
  const plain = node.type === "PLAIN"
  if (tag === STR) return text
  if (tag === "tag:yaml.org,2002:binary") return Buffer.from(text.replace(/\s+/g, ""), "base64").toString("utf8")
  if (!plain && tag === undefined) return text
  const r = resolve(text)
  if (tag !== undefined && tag !== "tag:yaml.org,2002:" + r.tag && !(tag.endsWith(":float") && r.tag === "int")) {
    if (tag.startsWith("tag:yaml.org,2002:"))
      throw new GoError(`yaml: cannot decode !!${r.tag} \`${text}\` as a !!${tag.slice(18)}`)
    return text
  }
  switch (r.tag) {
    case "str": return text
    case "bool": return r.v
    case "null": return null
    case "float": return r.v
    case "int": return tag?.endsWith(":float") ? Number(r.v) : r.v
    case "timestamp": return { ts: text }
    case "merge": return "<<"
  }
}

function convert(node: YamlNode | null | undefined, doc: Document, depth: number): YV {
  if (depth > 10000) throw new GoError("yaml: exceeded max depth")
  if (node === null || node === undefined) return null
  if (isAlias(node)) return convert((node as Alias).resolve(doc) as YamlNode, doc, depth + 1)
  if (isScalar(node)) return scalarValue(node)
  if (isSeq(node)) return node.items.map((i) => convert(i as YamlNode, doc, depth + 1))
  if (isYMap(node)) {
    const m: YMap = { kv: [] }
    const merges: YV[] = []
    for (const item of node.items) {
      if (!isPair(item)) continue
      const k = convert(item.key as YamlNode, doc, depth + 1)
      if (Array.isArray(k) || (k !== null && typeof k === "object" && "kv" in k)) throw new GoError(`yaml: invalid map key: ${goSyntax(k)}`)
      const v = convert(item.value as YamlNode, doc, depth + 1)
      if (k === "<<" && isScalar(item.key) && (item.key as any).type === "PLAIN") merges.push(v)
      else setEntry(m, k, v)
    }
    // yaml.v2 merge keys: earlier keys win over merged ones
    for (const src of merges) {
      const maps = Array.isArray(src) ? src : [src]
      for (const s of maps) {
        if (s === null || typeof s !== "object" || !("kv" in s)) throw new GoError("yaml: map merge requires map or sequence of maps as the value")
        for (const [k, v] of s.kv) if (!m.kv.some(([x]) => keyEq(x, k))) m.kv.push([k, v])
      }
    }
    return m
  }
  return null
}

/** Go's %#v of a value yaml.v2 decoded into interface{} (map keys in fmt's sorted order). */
function goSyntax(x: YV): string {
  if (x === null) return "interface {}(nil)"
  if (typeof x === "string") return quote(x)
  if (typeof x === "bigint") return x.toString()
  if (typeof x === "number") return formatFloat(x, "g", -1, 64)
  if (typeof x === "boolean") return String(x)
  if (Array.isArray(x)) return `[]interface {}{${x.map(goSyntax).join(", ")}}`
  if ("ts" in x) return quote(x.ts)
  const rank = (k: YV) => (typeof k === "boolean" ? 0 : typeof k === "bigint" ? 1 : typeof k === "number" ? 2 : typeof k === "string" ? 3 : 4)
  const cmp = (a: YV, b: YV) => rank(a) - rank(b) || (a! < b! ? -1 : a! > b! ? 1 : 0)
  const entries = [...x.kv].sort(([a], [b]) => cmp(a, b))
  return `map[interface {}]interface {}{${entries.map(([k, v]) => `${goSyntax(k)}:${goSyntax(v)}`).join(", ")}}`
}

const keyEq = (a: YV, b: YV) => a === b || (typeof a === "object" && a !== null && typeof b === "object" && b !== null && "ts" in a && "ts" in b && a.ts === b.ts)

function setEntry(m: YMap, k: YV, v: YV) {
  const i = m.kv.findIndex(([x]) => keyEq(x, k))
  if (i >= 0) m.kv[i] = [k, v]
  else m.kv.push([k, v])
}

/** sigs.k8s.io/yaml's JSON step, then encoding/json's decode (numbers as float64). */
function toJsonValue(v: YV): unknown {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v
  if (typeof v === "bigint") return Number(v)
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new GoError(`json: unsupported value: ${formatFloat(v, "g", -1)}`)
    return v
  }
  if (Array.isArray(v)) return v.map(toJsonValue)
  if ("ts" in v) return v.ts
  const out: Record<string, unknown> = {}
  for (const [k, val] of v.kv) mapSet(out, keyString(k, val), toJsonValue(val))
  return out
}

function keyString(k: YV, v: YV): string {
  if (typeof k === "string") return k
  if (typeof k === "bigint") {
    if (k > (1n << 63n) - 1n) throw new GoError(`Unsupported map key of type: uint64, key: 0x${k.toString(16)}, value: ${String(v)}`)
    return k.toString()
  }
  if (typeof k === "number") {
    const s = formatFloat(k, "g", -1, 32)
    return s === "+Inf" ? ".inf" : s === "-Inf" ? "-.inf" : s === "NaN" ? ".nan" : s
  }
  if (typeof k === "boolean") return k ? "true" : "false"
  if (k !== null && typeof k === "object" && "ts" in k) return k.ts
  const goV = (x: YV): unknown => (x === null || typeof x !== "object" ? x : Array.isArray(x) ? x.map(goV) : "kv" in x ? Object.fromEntries(x.kv.map(([a, b]) => [String(a), goV(b)])) : x.ts)
  throw new GoError(sprintf("Unsupported map key of type: %s, key: %+#v, value: %+#v", [k === null ? null : "map[interface {}]interface {}", goV(k), goV(v)]))
}

/** yaml.v2's wording for the syntax errors charts most often hit (others keep the yaml library's text). */
function yamlV2Message(msg: string, line: number, text: string): string {
  if (/^Flow sequence/.test(msg) && /\[\s*$/.test(text)) return `yaml: line ${line}: did not find expected node content`
  if (/^Flow sequence/.test(msg)) return `yaml: line ${line}: did not find expected ',' or ']'`
  if (/^Flow map/.test(msg)) return `yaml: line ${line}: did not find expected ',' or '}'`
  if (/Nested mappings are not allowed|Implicit map keys need to be followed by map values|mapping values/.test(msg)) return "yaml: mapping values are not allowed in this context"
  if (/^Tabs are not allowed/.test(msg)) return "yaml: found character that cannot start any token"
  return `yaml: line ${line}: ${msg}`
}

/** sigs.k8s.io/yaml.Unmarshal of the first document, as JSON would decode it. Throws GoError with Go's prefixes. */
export function yamlToValue(text: string): unknown {
  const docs = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: false, merge: false, strict: false, prettyErrors: false, version: "1.1" })
  // yaml.v2 reads only the first document
  const doc = Array.isArray(docs) ? docs[0] : undefined
  if (doc === undefined) return null
  // yaml.v2 stops after a root flow collection: whatever follows its closing bracket is never read
  const root = doc.contents as YamlNode | null
  const flowEnd = root && (isSeq(root) || isYMap(root)) && (root as any).flow && root.range ? root.range[1] : undefined
  // (an unclosed root collection is still an error)
  const errors = flowEnd === undefined ? doc.errors : doc.errors.filter((e) => e.pos[0] < flowEnd || e.code === "MISSING_CHAR")
  if (errors.length > 0) {
    const e = errors[0]!
    const line = e.linePos?.[0]?.line ?? 1
    throw new GoError(`error converting YAML to JSON: ${yamlV2Message(e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""), line, text)}`)
  }
  let yv: YV
  try {
    yv = convert(doc.contents as YamlNode, doc, 0)
    return toJsonValue(yv)
  } catch (e) {
    if (e instanceof GoError) throw new GoError(`error converting YAML to JSON: ${e.message}`)
    throw e
  }
}
