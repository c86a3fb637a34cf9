// Go's encoding/json over the engine's values: Marshal (sorted map keys,
// HTML-safe escaping, Go's float format, nil slices as null) and Unmarshal
// into interface{} with Go's syntax error texts.
import { GoError } from "./funcs.ts"
import { formatFloat, quote } from "./strconv.ts"
import { GoComplex, GoFunc, GoNum, GoObject, isMap, mapSet, sliceType, sortedKeys, typeName } from "./values.ts"

/** A JSON object with fields in a fixed order (a Go struct's encoding). */
export class Ordered {
  readonly entries: readonly (readonly [string, unknown])[]
  constructor(entries: readonly (readonly [string, unknown])[]) {
    this.entries = entries
  }
}

export interface MarshalOptions {
  readonly escapeHTML?: boolean
  readonly indent?: string
}

/** The JSON text of a float64 as encoding/json writes it. */
export function jsonFloat(f: number, bits = 64): string {
  if (!Number.isFinite(f)) throw new GoError(`json: unsupported value: ${formatFloat(f, "g", -1, bits)}`)
  const abs = Math.abs(f)
  let fmt = "f"
  if (abs !== 0) {
    if (bits === 64 && (abs < 1e-6 || abs >= 1e21)) fmt = "e"
    if (bits === 32 && (Math.fround(abs) < Math.fround(1e-6) || Math.fround(abs) >= Math.fround(1e21))) fmt = "e"
  }
  let s = formatFloat(f, fmt, -1, bits)
  if (fmt === "e") {
    // clean up e-09 to e-9
    const n = s.length
    if (n >= 4 && s[n - 4] === "e" && s[n - 3] === "-" && s[n - 2] === "0") s = s.slice(0, n - 2) + s.slice(n - 1)
  }
  return s
}

const HEX = "0123456789abcdef"

/** A JSON string literal as encoding/json escapes it. */
export function jsonString(s: string, escapeHTML = true): string {
  let out = '"'
  let start = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    let esc: string | undefined
    if (c < 0x20) {
      esc = c === 10 ? "\\n" : c === 13 ? "\\r" : c === 9 ? "\\t" : "\\u00" + HEX[c >> 4] + HEX[c & 15]
    } else if (c === 34) esc = '\\"'
    else if (c === 92) esc = "\\\\"
    else if (escapeHTML && (c === 60 || c === 62 || c === 38)) esc = "\\u00" + HEX[c >> 4] + HEX[c & 15]
    else if (c === 0x2028) esc = "\\u2028"
    else if (c === 0x2029) esc = "\\u2029"
    else if (c >= 0xd800 && c <= 0xdfff) {
      // a valid pair passes; a lone surrogate is invalid UTF-8 in Go
      const d = s.charCodeAt(i + 1)
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) { i++; continue }
      esc = "\\ufffd"
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc
      start = i + 1
    }
  }
  return out + s.slice(start) + '"'
}

/** json.Marshal (or MarshalIndent with indent). Throws GoError for unsupported values. */
export function marshal(v: unknown, opts: MarshalOptions = {}): string {
  const escapeHTML = opts.escapeHTML ?? true
  const indent = opts.indent
  const enc = (v: unknown, depth: number): string => {
    switch (typeof v) {
      case "string": return jsonString(v, escapeHTML)
      case "boolean": return v ? "true" : "false"
      case "number": return jsonFloat(v)
      case "bigint": return v.toString()
      case "undefined": return "null"
    }
    if (v === null) return "null"
    if (v instanceof GoNum) return v.type === "float32" ? jsonFloat(v.v as number, 32) : String(v.v)
    if (v instanceof Uint8Array) return '"' + Buffer.from(v).toString("base64") + '"'
    if (v instanceof GoComplex) throw new GoError("json: unsupported type: complex128")
    if (v instanceof GoFunc) throw new GoError(`json: unsupported type: ${typeName(v)}`)
    if (v instanceof Ordered) {
      const o: Record<string, unknown> = {}
      for (const [k, x] of v.entries) o[k] = x
      return encObject(o, v.entries.map(([k]) => k), depth)
    }
    if (v instanceof GoObject) {
      if (v.type.json) return enc(v.type.json(v), depth)
      if (v.type.kind === "slice") return enc(v.v, depth)
      if (v.type.kind === "map") return enc(v.v, depth)
      const o: Record<string, unknown> = {}
      for (const f of v.type.fields ?? []) o[f] = v.v[f]
      return encObject(o, Object.keys(o), depth)
    }
    if (Array.isArray(v)) {
      if (sliceType(v).nil) return "null"
      if (v.length === 0) return "[]"
      if (indent === undefined) {
        let s = "["
        for (let i = 0; i < v.length; i++) s += (i > 0 ? "," : "") + enc(v[i], depth + 1)
        return s + "]"
      }
      const pad = "\n" + indent.repeat(depth + 1)
      let s = "["
      for (let i = 0; i < v.length; i++) s += (i > 0 ? "," : "") + pad + enc(v[i], depth + 1)
      return s + "\n" + indent.repeat(depth) + "]"
    }
    if (isMap(v)) {
      if ((v as any)[Symbol.for("moor.gotemplate.type")]?.nil) return "null"
      return encObject(v, sortedKeys(v), depth)
    }
    throw new GoError(`json: unsupported type: ${typeName(v)}`)
  }
  const encObject = (o: Record<string, unknown>, keys: string[], depth: number): string => {
    if (keys.length === 0) return "{}"
    if (indent === undefined) {
      let s = "{"
      for (let i = 0; i < keys.length; i++) s += (i > 0 ? "," : "") + jsonString(keys[i]!, escapeHTML) + ":" + enc(o[keys[i]!], depth + 1)
      return s + "}"
    }
    const pad = "\n" + indent.repeat(depth + 1)
    let s = "{"
    for (let i = 0; i < keys.length; i++) s += (i > 0 ? "," : "") + pad + jsonString(keys[i]!, escapeHTML) + ": " + enc(o[keys[i]!], depth + 1)
    return s + "\n" + indent.repeat(depth) + "}"
  }
  return enc(v, 0)
}

// ---- decoding ----

/** A JSON syntax error with Go's text. */
export class JsonSyntaxError extends GoError {}

function quoteChar(c: string): string {
  if (c === "'") return `'\\''`
  if (c === '"') return `'"'`
  const q = quote(c)
  return "'" + q.slice(1, -1) + "'"
}

/**
 * json.Unmarshal into interface{}: objects become maps, numbers float64.
 * `target` names the Go type decoded into, for Go's type mismatch errors.
 */
export function unmarshal(text: string, target: "any" | "map" | "slice" = "any"): unknown {
  let i = 0
  const n = text.length
  const err = (ctx: string): never => {
    if (i >= n) throw new JsonSyntaxError("unexpected end of JSON input")
    // Go's scanner reads bytes: a multi-byte character is reported by its first byte, read as Latin-1
    const cp = text.codePointAt(i)!
    const c = cp < 0x80 ? String.fromCharCode(cp) : String.fromCharCode(Buffer.from(String.fromCodePoint(cp), "utf8")[0]!)
    throw new JsonSyntaxError(`invalid character ${quoteChar(c)} ${ctx}`)
  }
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === 32 || c === 9 || c === 10 || c === 13) i++
      else break
    }
  }
  // At the end of input Go's scanner steps once more with a space: states that need a
  // particular character then report "invalid character ' '".
  const errEOF = (ctx: string): never => {
    throw new JsonSyntaxError(`invalid character ' ' ${ctx}`)
  }
  const lit = (word: string, v: unknown): unknown => {
    for (let k = 0; k < word.length; k++, i++) {
      if (i >= n) errEOF(`in literal ${word} (expecting ${quoteChar(word[k]!)})`)
      if (text[i] !== word[k]) err(`in literal ${word} (expecting ${quoteChar(word[k]!)})`)
    }
    return v
  }
  const str = (): string => {
    i++ // opening quote
    let out = ""
    let start = i
    for (;;) {
      if (i >= n) throw new JsonSyntaxError("unexpected end of JSON input")
      const c = text.charCodeAt(i)
      if (c === 34) { out += text.slice(start, i); i++; return out }
      if (c < 0x20) err("in string literal")
      if (c === 92) {
        out += text.slice(start, i)
        i++
        if (i >= n) errEOF("in string escape code")
        const e = text[i]!
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }
        if (e in simple) { out += simple[e]; i++ }
        else if (e === "u") {
          i++
          let h = ""
          for (let k = 0; k < 4; k++, i++) {
            if (i >= n) errEOF("in \\u hexadecimal character escape")
            if (!/[0-9a-fA-F]/.test(text[i]!)) err("in \\u hexadecimal character escape")
            h += text[i]
          }
          let r = parseInt(h, 16)
          if (r >= 0xd800 && r <= 0xdbff) {
            // a surrogate pair when a low surrogate escape follows; else U+FFFD
            const m = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(text.slice(i, i + 6))
            if (m) { out += String.fromCharCode(r, parseInt(m[1]!, 16)); i += 6 }
            else out += "\ufffd"
          } else if (r >= 0xdc00 && r <= 0xdfff) out += "\ufffd"
          else out += String.fromCharCode(r)
        } else err("in string escape code")
        start = i
        continue
      }
      i++
    }
  }
  const num = (): number => {
    const s0 = i
    if (text[i] === "-") i++
    if (i >= n) errEOF("in numeric literal")
    if (text[i] === "0") i++
    else if (text[i]! >= "1" && text[i]! <= "9") while (i < n && text[i]! >= "0" && text[i]! <= "9") i++
    else err("in numeric literal")
    if (text[i] === ".") {
      i++
      if (i >= n) errEOF("after decimal point in numeric literal")
      if (!(text[i]! >= "0" && text[i]! <= "9")) err("after decimal point in numeric literal")
      while (i < n && text[i]! >= "0" && text[i]! <= "9") i++
    }
    if (text[i] === "e" || text[i] === "E") {
      i++
      if (text[i] === "+" || text[i] === "-") i++
      if (i >= n) errEOF("in exponent of numeric literal")
      if (!(text[i]! >= "0" && text[i]! <= "9")) err("in exponent of numeric literal")
      while (i < n && text[i]! >= "0" && text[i]! <= "9") i++
    }
    const lexeme = text.slice(s0, i)
    const v = Number(lexeme)
    if (!Number.isFinite(v)) pendingTypeError ??= `json: cannot unmarshal number ${lexeme} into Go value of type float64`
    return v
  }
  let pendingTypeError: string | undefined
  const value = (ctx: string): unknown => {
    ws()
    if (i >= n) throw new JsonSyntaxError("unexpected end of JSON input")
    const c = text[i]
    switch (c) {
      case "{": {
        i++
        const m: Record<string, unknown> = {}
        ws()
        if (text[i] === "}") { i++; return m }
        for (;;) {
          ws()
          if (i >= n) throw new JsonSyntaxError("unexpected end of JSON input")
          if (text[i] !== '"') err("looking for beginning of object key string")
          const k = str()
          ws()
          if (i >= n) throw new JsonSyntaxError("unexpected end of JSON input")
          if (text[i] !== ":") err("after object key")
          i++
          mapSet(m, k, value("looking for beginning of value"))
          ws()
          if (i >= n) throw new JsonSyntaxError("unexpected end of JSON input")
          if (text[i] === ",") { i++; continue }
          if (text[i] === "}") { i++; return m }
          err("after object key:value pair")
        }
      }
      case "[": {
        i++
        const a: unknown[] = []
        ws()
        if (text[i] === "]") { i++; return a }
        for (;;) {
          a.push(value("looking for beginning of value"))
          ws()
          if (i >= n) throw new JsonSyntaxError("unexpected end of JSON input")
          if (text[i] === ",") { i++; continue }
          if (text[i] === "]") { i++; return a }
          err("after array element")
        }
      }
      case '"': return str()
      case "t": return lit("true", true)
      case "f": return lit("false", false)
      case "n": return lit("null", null)
    }
    if (c === "-" || (c! >= "0" && c! <= "9")) return num()
    return err(ctx)
  }
  const v = value("looking for beginning of value")
  ws()
  if (i < n) err("after top-level value")
  if (pendingTypeError) throw new GoError(pendingTypeError)
  if (target === "map" && !(isMap(v) || v === null)) throw new GoError(`json: cannot unmarshal ${jsonKind(v)} into Go value of type map[string]interface {}`)
  if (target === "slice" && !(Array.isArray(v) || v === null)) throw new GoError(`json: cannot unmarshal ${jsonKind(v)} into Go value of type []interface {}`)
  return v
}

const jsonKind = (v: unknown): string =>
  Array.isArray(v) ? "array" : typeof v === "string" ? "string" : typeof v === "number" ? "number" : typeof v === "boolean" ? "bool" : "object"
