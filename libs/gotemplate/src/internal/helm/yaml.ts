// YAML as Helm's toYaml and fromYaml see it: sigs.k8s.io/yaml over
// gopkg.in/yaml.v2. toYaml marshals to JSON first, so the emitter sees only
// JSON values (numbers re-resolved as YAML ints or floats) and writes them
// the way yaml.v2's emitter does (keys in yaml.v2's natural order, its
// quoting rules, indentless sequences in mappings, literal blocks for
// multi-line strings, and its folding of long scalars at 80 columns).
import { formatFloat, parseFloat_, parseInt_, parseUint } from "../strconv.ts"
import { GoError } from "../funcs.ts"
import { jsonFloat, Ordered } from "../json.ts"
import { GoComplex, GoFunc, GoNum, GoObject, isMap, sliceType, sortedKeys } from "../values.ts"

/** A YAML value as yaml.v2 holds it after decoding JSON: scalars carry their resolved kind. */
type YNode =
  | { k: "str"; v: string }
  | { k: "int"; v: string }
  | { k: "float"; v: number }
  | { k: "bool"; v: boolean }
  | { k: "null" }
  | { k: "seq"; v: YNode[] }
  | { k: "map"; v: [string, YNode][] }

const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/

const BOOL_TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"])
const BOOL_FALSE = new Set(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"])
const NULLS = new Set(["", "~", "null", "Null", "NULL"])
const FLOATS: Record<string, number> = {
  ".nan": NaN, ".NaN": NaN, ".NAN": NaN, ".inf": Infinity, ".Inf": Infinity, ".INF": Infinity,
  "+.inf": Infinity, "+.Inf": Infinity, "+.INF": Infinity, "-.inf": -Infinity, "-.Inf": -Infinity, "-.INF": -Infinity,
}

/** What yaml.v2's resolve() makes of a plain scalar. */
export type Resolved =
  | { tag: "str"; v: string } | { tag: "bool"; v: boolean } | { tag: "null" } | { tag: "float"; v: number }
  | { tag: "int"; v: bigint; unsigned?: boolean } | { tag: "timestamp"; v: string } | { tag: "merge" }

/** yaml.v2's resolve() for an untagged plain scalar. */
export function resolve(s: string): Resolved {
  const c = s.length === 0 ? "" : s[0]!
  const hint = s === "" ? "N" : /[+-]/.test(c) ? "S" : /[0-9]/.test(c) ? "D" : /[yYnNtTfFoO~]/.test(c) ? "M" : c === "." ? "." : ""
  if (hint === "") return { tag: "str", v: s }
  if (BOOL_TRUE.has(s)) return { tag: "bool", v: true }
  if (BOOL_FALSE.has(s)) return { tag: "bool", v: false }
  if (NULLS.has(s)) return { tag: "null" }
  if (s in FLOATS) return { tag: "float", v: FLOATS[s]! }
  switch (hint) {
    case ".":
      try {
        return { tag: "float", v: parseFloat_(s) }
      } catch {
        return { tag: "str", v: s }
      }
    case "D": case "S": {
      if (isTimestamp(s)) return { tag: "timestamp", v: s }
      const plain = s.replaceAll("_", "")
      try {
        return { tag: "int", v: parseInt_(plain, 0, 64) }
      } catch { /* not an int64 */ }
      try {
        return { tag: "int", v: parseUint(plain, 0, 64), unsigned: true }
      } catch { /* not a uint64 */ }
      if (YAML_FLOAT.test(plain)) {
        try {
          return { tag: "float", v: parseFloat_(plain) }
        } catch { /* out of range */ }
      }
      if (plain.startsWith("0b")) {
        try { return { tag: "int", v: parseInt_(plain.slice(2), 2, 64) } } catch { /* */ }
        try { return { tag: "int", v: parseUint(plain.slice(2), 2, 64), unsigned: true } } catch { /* */ }
      } else if (plain.startsWith("-0b")) {
        try { return { tag: "int", v: parseInt_("-" + plain.slice(3), 2, 64) } } catch { /* */ }
      }
    }
  }
  return { tag: "str", v: s }
}

/** yaml.v2's timestamp detection (four digits then '-' then a parseable date). */
function isTimestamp(s: string): boolean {
  if (!/^[0-9]{4}-/.test(s)) return false
  return /^\d{4}-\d{1,2}-\d{1,2}$/.test(s) && validDate(s) ||
    /^\d{4}-\d{1,2}-\d{1,2}[Tt]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && validDate(s) ||
    /^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?$/.test(s) && validDate(s)
}
function validDate(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ](\d{1,2}):(\d{1,2}):(\d{1,2}))?/.exec(s)!
  const [y, mo, d, h = "0", mi = "0", se = "0"] = m.slice(1) as string[]
  const days = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate()
  return Number(mo) >= 1 && Number(mo) <= 12 && Number(d) >= 1 && Number(d) <= days && Number(h) < 24 && Number(mi) < 60 && Number(se) < 60
}

/** The YAML tree yaml.Unmarshal makes of json.Marshal(v); throws GoError when JSON cannot encode v. */
/**
 * What yaml.v2 reads back from a JSON string holding a raw NEL: a YAML 1.1
 * line break, so the double-quoted scalar folds it (a lone NEL becomes a
 * space, blanks around it go). Go's JSON escapes LS and PS, which stay.
 */
function foldBreaks(s: string): string {
  if (!s.includes("\u0085")) return s
  return s.replace(/[ \t]*(\u0085(?:[ \t]*\u0085)*)[ \t]*/g, (_m, breaks: string) => {
    const n = breaks.replace(/[ \t]/g, "").length
    return n === 1 ? " " : "\n".repeat(n - 1)
  })
}

function toTree(v: unknown): YNode {
  switch (typeof v) {
    case "string": return { k: "str", v: foldBreaks(v) }
    case "boolean": return { k: "bool", v }
    case "number": return numNode(jsonFloat(v))
    case "bigint": return numNode(v.toString())
    case "undefined": return { k: "null" }
  }
  if (v === null) return { k: "null" }
  if (v instanceof GoNum) return numNode(v.type === "float32" ? jsonFloat(v.v as number, 32) : String(v.v))
  if (v instanceof Uint8Array) return { k: "str", v: Buffer.from(v).toString("base64") }
  if (v instanceof GoComplex) throw new GoError("json: unsupported type: complex128")
  if (v instanceof GoFunc) throw new GoError("json: unsupported type: func")
  if (v instanceof Ordered) return { k: "map", v: v.entries.map(([key, x]) => [foldBreaks(key), toTree(x)] as [string, YNode]) }
  if (v instanceof GoObject) {
    if (v.type.json) return toTree(v.type.json(v))
    if (v.type.kind === "slice" || v.type.kind === "map") return toTree(v.v)
    const o: Record<string, unknown> = {}
    for (const f of v.type.fields ?? []) o[f] = v.v[f]
    return toTree(o)
  }
  if (Array.isArray(v)) return sliceType(v).nil ? { k: "null" } : { k: "seq", v: v.map(toTree) }
  if (isMap(v)) {
    if ((v as any)[Symbol.for("moor.gotemplate.type")]?.nil) return { k: "null" }
    return {
      k: "map",
      v: sortedKeys(v).map((key) => {
        // a key holding a raw NEL becomes a multi-line flow key, which yaml.v2 cannot read back
        if (key.includes("\u0085")) throw new GoError("yaml: did not find expected key")
        return [foldBreaks(key), toTree(v[key])]
      }),
    }
  }
  throw new GoError("json: unsupported type")
}

function numNode(lexeme: string): YNode {
  const r = resolve(lexeme)
  if (r.tag === "int") return { k: "int", v: r.v.toString() }
  if (r.tag === "float") return { k: "float", v: r.v }
  return { k: "str", v: lexeme }
}

// ---- yaml.v2 key order ----

const isLetterCp = (c: string) => /\p{L}/u.test(c)
const isDigitCp = (c: string) => /\p{Nd}/u.test(c)

/** yaml.v2's keyList.Less for string keys: letters before other runes, digit runs compared as numbers. */
export function yamlKeyLess(a: string, b: string): boolean {
  const ar = [...a], br = [...b]
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue
    const al = isLetterCp(ar[i]!), bl = isLetterCp(br[i]!)
    if (al && bl) return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!
    if (al || bl) return bl
    let an = 0n, bn = 0n
    if (ar[i] === "0" || br[i] === "0") {
      for (let j = i - 1; j >= 0 && isDigitCp(ar[j]!); j--) {
        if (ar[j] !== "0") { an = 1n; bn = 1n; break }
      }
    }
    let ai = i, bi = i
    for (; ai < ar.length && isDigitCp(ar[ai]!); ai++) an = BigInt.asIntN(64, an * 10n + BigInt(ar[ai]!.codePointAt(0)! - 48))
    for (; bi < br.length && isDigitCp(br[bi]!); bi++) bn = BigInt.asIntN(64, bn * 10n + BigInt(br[bi]!.codePointAt(0)! - 48))
    if (an !== bn) return an < bn
    if (ai !== bi) return ai < bi
    return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!
  }
  return ar.length < br.length
}

// ---- scalar analysis and writing (yaml.v2 emitterc.go) ----

interface Analysis {
  multiline: boolean
  blockPlain: boolean
  single: boolean
  block: boolean
}

const isPrintableCp = (c: number) =>
  c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)
const isBreakCp = (c: number) => c === 0x0d || c === 0x0a || c === 0x85 || c === 0x2028 || c === 0x2029
const isBlankZ = (c: number | undefined) => c === undefined || c === 0x20 || c === 0x09 || isBreakCp(c) || c === 0

function analyze(s: string): Analysis {
  if (s.length === 0) return { multiline: false, blockPlain: true, single: true, block: false }
  const cps = [...s].map((c) => c.codePointAt(0)!)
  let blockInd = false, lineBreaks = false, special = false
  let leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false
  let breakSpace = false, spaceBreak = false, prevSpace = false, prevBreak = false
  if (s.startsWith("---") || s.startsWith("...")) blockInd = true
  let precededByWs = true
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!
    const followedByWs = i + 1 >= cps.length || cps[i + 1] === 0x20 || cps[i + 1] === 0x09
    const ch = String.fromCodePoint(c)
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) blockInd = true
      else if ((ch === "?" || ch === ":") && followedByWs) blockInd = true
      else if (ch === "-" && followedByWs) blockInd = true
    } else if (ch === ":" && followedByWs) blockInd = true
    else if (ch === "#" && precededByWs) blockInd = true
    if (!isPrintableCp(c)) special = true
    if (c === 0x20) {
      if (i === 0) leadingSpace = true
      if (i === cps.length - 1) trailingSpace = true
      if (prevBreak) breakSpace = true
      prevSpace = true
      prevBreak = false
    } else if (isBreakCp(c)) {
      lineBreaks = true
      if (i === 0) leadingBreak = true
      if (i === cps.length - 1) trailingBreak = true
      if (prevSpace) spaceBreak = true
      prevSpace = false
      prevBreak = true
    } else {
      prevSpace = false
      prevBreak = false
    }
    precededByWs = isBlankZ(c)
  }
  const a: Analysis = { multiline: lineBreaks, blockPlain: true, single: true, block: true }
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlain = false
  if (trailingSpace) a.block = false
  if (breakSpace) { a.blockPlain = false; a.single = false }
  if (spaceBreak || special) { a.blockPlain = false; a.single = false; a.block = false }
  if (lineBreaks) a.blockPlain = false
  if (blockInd) a.blockPlain = false
  return a
}

type Style = "plain" | "single" | "double" | "literal"

const BEST_WIDTH = 80
const NAMED_ESCAPES: Record<number, string> = {
  0: "0", 7: "a", 8: "b", 9: "t", 10: "n", 11: "v", 12: "f", 13: "r", 0x1b: "e", 0x22: '"', 0x5c: "\\",
  0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P",
}

/**
 * Writes a flow scalar as yaml.v2's emitter does, starting at column `col`:
 * past column 80 it breaks a line at a single space (when `breaks` is allowed:
 * not in simple keys), continuing at `indent`; raw line breaks in single-quoted
 * scalars restart the column.
 */
function flowScalar(s: string, style: "plain" | "single" | "double", col: number, indent: number, breaks: boolean): string {
  let out = ""
  let indention = false
  let whitespace = false
  const writeIndent = () => {
    if (!indention || col > indent || (col === indent && !whitespace)) {
      out += "\n"
      col = 0
    }
    while (col < indent) {
      out += " "
      col++
    }
    whitespace = true
    indention = true
  }
  const put = (t: string) => {
    out += t
    col += [...t].length
    whitespace = false
  }
  if (style !== "plain") put(style === "single" ? "'" : '"')
  const cps = [...s]
  let spaces = false
  let inBreaks = false
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!
    const c = ch.codePointAt(0)!
    if (style === "double" && (!isPrintableCp(c) || (i === 0 && c === 0xfeff) || isBreakCp(c) || c === 0x22 || c === 0x5c)) {
      const n = NAMED_ESCAPES[c]
      put("\\" + (n ?? (c <= 0xff ? "x" + c.toString(16).toUpperCase().padStart(2, "0") : c <= 0xffff ? "u" + c.toString(16).toUpperCase().padStart(4, "0") : "U" + c.toString(16).toUpperCase().padStart(8, "0"))))
      spaces = false
    } else if (c === 0x20) {
      const inner = style === "plain" || (i > 0 && i < cps.length - 1)
      if (breaks && !spaces && col > BEST_WIDTH && inner && (style === "double" || cps[i + 1] !== " ")) {
        writeIndent()
        if (style === "double" && cps[i + 1] === " ") put("\\")
      } else put(" ")
      spaces = true
    } else if (style !== "double" && isBreakCp(c)) {
      if (!inBreaks && c === 0x0a) out += "\n"
      out += ch
      col = 0
      indention = true
      inBreaks = true
    } else {
      if (inBreaks) writeIndent()
      put(style === "single" && ch === "'" ? "''" : ch)
      indention = false
      spaces = false
      inBreaks = false
    }
  }
  if (style !== "plain") out += style === "single" ? "'" : '"'
  return out
}

/** The scalar's text, written from column `col` (lines of a literal block or of folding at `indent`). */
function scalar(s: string, requested: Style, simpleKey: boolean, indent: number, col: number): string {
  const a = analyze(s)
  let style = requested
  if (simpleKey && a.multiline) style = "double"
  if (style === "plain") {
    if (!a.blockPlain) style = "single"
    if (s.length === 0 && simpleKey) style = "single"
  }
  if (style === "single" && !a.single) style = "double"
  if (style === "literal" && (!a.block || simpleKey)) style = "double"
  if (style !== "literal") return flowScalar(s, style, col, indent, !simpleKey)
  // literal block: |[indent hint][chomp]
  const cps = [...s]
  let hints = "|"
  if (cps[0] === " " || isBreakCp(cps[0]!.codePointAt(0)!)) hints += "2"
  const last = cps[cps.length - 1]!
  if (!isBreakCp(last.codePointAt(0)!)) hints += "-"
  else if (cps.length === 1) hints += "+"
  else if (isBreakCp(cps[cps.length - 2]!.codePointAt(0)!)) hints += "+"
  let out = hints + "\n"
  const pad = " ".repeat(indent)
  let atLineStart = true
  for (const ch of cps) {
    if (isBreakCp(ch.codePointAt(0)!)) {
      out += ch === "\n" ? "\n" : ch
      atLineStart = true
    } else {
      if (atLineStart) out += pad
      out += ch
      atLineStart = false
    }
  }
  return out
}

function stringStyle(s: string): Style {
  if (s.includes("\n")) return "literal"
  const r = resolve(s)
  return r.tag === "str" && !BASE60.test(s) ? "plain" : "double"
}

function scalarText(n: YNode, simpleKey: boolean, indent: number, col: number): string {
  switch (n.k) {
    case "str": return scalar(n.v, stringStyle(n.v), simpleKey, indent, col)
    case "int": return n.v
    case "float": {
      const f = formatFloat(n.v, "g", -1, 64)
      return f === "+Inf" ? ".inf" : f === "-Inf" ? "-.inf" : f === "NaN" ? ".nan" : f
    }
    case "bool": return n.v ? "true" : "false"
    case "null": return "null"
  }
  throw new Error("not a scalar")
}

const isEmptyColl = (n: YNode) => (n.k === "seq" || n.k === "map") && n.v.length === 0

class Out {
  s = ""
  /** The column the next character lands in (code points since the last line break). */
  col(): number {
    return [...this.s.slice(this.s.lastIndexOf("\n") + 1)].length
  }
  /** Starts a new line at `indent` (no extra break after a literal block's final newline). */
  line(indent: number): void {
    if (this.s.length > 0 && !this.s.endsWith("\n")) this.s += "\n"
    this.s += " ".repeat(indent)
  }
}

/** Emits a block node; `indent` is the column of its lines; `inline` when it starts on the current line. */
function emit(n: YNode, indent: number, o: Out, inline: boolean): void {
  if (n.k === "seq" || n.k === "map") {
    if (n.v.length === 0) { o.s += n.k === "seq" ? "[]" : "{}"; return }
    if (n.k === "seq") {
      n.v.forEach((item, i) => {
        if (i > 0 || !inline) o.line(indent)
        o.s += "- "
        emit(item, indent + 2, o, true)
      })
      return
    }
    const entries = [...n.v].sort((x, y) => (yamlKeyLess(x[0], y[0]) ? -1 : yamlKeyLess(y[0], x[0]) ? 1 : 0))
    entries.forEach(([key, value], i) => {
      if (i > 0 || !inline) o.line(indent)
      const keyNode: YNode = { k: "str", v: key }
      const simple = !analyze(key).multiline && Buffer.byteLength(key) <= 128
      if (simple) o.s += scalarText(keyNode, true, indent, o.col()) + ":"
      else {
        o.s += "? "
        o.s += scalarText(keyNode, false, indent + 2, o.col())
        o.line(indent)
        o.s += ":"
      }
      // after a complex key ("? k"), a collection value starts on the ":" line
      if (!simple && !isEmptyColl(value) && (value.k === "seq" || value.k === "map")) {
        o.s += " "
        emit(value, indent + 2, o, true)
      } else if (value.k === "seq" && value.v.length > 0) emit(value, indent, o, false)
      else if (value.k === "map" && value.v.length > 0) emit(value, indent + 2, o, false)
      else {
        o.s += " "
        emit(value, indent + 2, o, true)
      }
    })
    return
  }
  o.s += scalarText(n, false, indent, o.col())
}

/** Helm's toYaml: JSON-marshal v, re-read as YAML, emit (trailing newline removed). Returns "" when v cannot be marshalled. */
export function toYaml(v: unknown): string {
  let tree: YNode
  try {
    tree = toTree(v)
  } catch (e) {
    if (e instanceof GoError) return ""
    throw e
  }
  const o = new Out()
  // a root scalar's literal block is indented like a flow scalar's (yaml.v2: indent 2)
  if (tree.k !== "seq" && tree.k !== "map") o.s = scalarText(tree, false, 2, 0)
  else emit(tree, 0, o, true)
  return o.s.endsWith("\n") ? o.s.slice(0, -1) : o.s
}
