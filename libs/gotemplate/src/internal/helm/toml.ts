// Helm's toToml: BurntSushi/toml's Encoder over the engine's values
// (scalars first, then tables, keys sorted, sub-tables indented by two
// spaces, arrays of maps as [[tables]], Go's errors for what TOML cannot hold).
import { GoError } from "../funcs.ts"
import { formatFloat } from "../strconv.ts"
import { GoComplex, GoFunc, GoNum, GoObject, isMap, kindOf } from "../values.ts"
import { formatTime, type TimeV } from "../sprig/time.ts"

type Key = string[]

const BARE = /^[A-Za-z0-9_-]+$/

function quoteStr(s: string): string {
  let out = '"'
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (ch === '"') out += '\\"'
    else if (ch === "\\") out += "\\\\"
    else if (ch === "\b") out += "\\b"
    else if (ch === "\t") out += "\\t"
    else if (ch === "\n") out += "\\n"
    else if (ch === "\f") out += "\\f"
    else if (ch === "\r") out += "\\r"
    else if (c < 0x20 || c === 0x7f) out += "\\u" + c.toString(16).padStart(4, "0")
    else out += ch
  }
  return out + '"'
}

const keyPart = (k: string) => (k === "" ? '""' : BARE.test(k) ? k : quoteStr(k))
const keyString = (k: Key) => k.map(keyPart).join(".")

const isTime = (v: unknown): v is GoObject => v instanceof GoObject && v.type.name === "time.Time"
const isNilish = (v: unknown) =>
  v === null || v === undefined || ((Array.isArray(v) || isMap(v)) && (v as any)[Symbol.for("moor.gotemplate.type")]?.nil === true)

type TomlType = "hash" | "arrayHash" | "array" | "string" | "int" | "float" | "bool" | "datetime" | undefined

function tomlType(v: unknown): TomlType {
  if (isNilish(v)) return undefined
  if (isTime(v)) return "datetime"
  if (v instanceof GoObject) {
    if (v.type.json && v.type.kind !== "slice" && v.type.kind !== "map") return "string" // text marshalers (semver)
    if (v.type.kind === "slice") return tableArray(v.v) ? "arrayHash" : "array"
    return "hash"
  }
  switch (typeof v) {
    case "boolean": return "bool"
    case "bigint": return "int"
    case "number": return "float"
    case "string": return "string"
  }
  if (v instanceof GoNum) return v.type === "float32" ? "float" : "int"
  if (Array.isArray(v) || v instanceof Uint8Array) return tableArray(v) ? "arrayHash" : "array"
  if (isMap(v)) return "hash"
  throw new GoError(`unsupported type: ${kindOf(v)}`)
}

function tableArray(a: ArrayLike<unknown>): boolean {
  if (a.length === 0 || a instanceof Uint8Array) return false
  let ret = true
  for (let i = 0; i < a.length; i++) {
    const t = tomlType(a[i])
    if (t === undefined) throw new GoError("toml: cannot encode array with nil element")
    if (ret && t !== "hash") ret = false
  }
  return ret
}

const isTable = (t: TomlType) => t === "hash" || t === "arrayHash"

class Encoder {
  out = ""
  written = false
  wf(s: string) {
    this.out += s
    this.written = true
  }
  newline() {
    if (this.written) this.wf("\n")
  }
  indent(k: Key) {
    return "  ".repeat(k.length - 1)
  }

  encode(key: Key, v: unknown): void {
    if (isNilish(v)) return
    if (isTime(v)) return this.keyValue(key, v, false)
    if (v instanceof GoObject) {
      if (v.type.json && v.type.kind !== "slice" && v.type.kind !== "map") return this.keyValue(key, v, false)
      if (v.type.kind === "slice") return this.encode(key, v.v)
      return this.table(key, this.fields(v))
    }
    if (v instanceof GoComplex || v instanceof GoFunc) throw new GoError(`unsupported type for key '${keyString(key)}': ${kindOf(v)}`)
    if (Array.isArray(v) || v instanceof Uint8Array) {
      if (tomlType(v) === "arrayHash") return this.arrayOfTables(key, v as unknown[])
      return this.keyValue(key, v, false)
    }
    if (isMap(v)) return this.table(key, v)
    this.keyValue(key, v, false)
  }

  fields(o: GoObject): Record<string, unknown> {
    if (o.type.kind === "map") return o.v
    const r: Record<string, unknown> = {}
    for (const f of o.type.fields ?? []) r[f] = o.v[f]
    return r
  }

  keyValue(key: Key, v: unknown, inline: boolean): void {
    if (key.length === 0) throw new GoError("toml: top-level values must be Go maps or structs")
    this.wf(this.indent(key) + keyPart(key[key.length - 1]!) + " = ")
    this.element(v)
    if (!inline) this.newline()
  }

  element(v: unknown): void {
    if (isTime(v)) return this.wf(formatTime(v.v as TimeV, "2006-01-02T15:04:05.999999999Z07:00"))
    if (v instanceof GoObject) {
      if (v.type.json && v.type.kind !== "slice" && v.type.kind !== "map") return this.wf(quoteStr(String(v.type.json(v))))
      if (v.type.kind === "slice") return this.element(v.v)
      return this.map([], this.fields(v), true)
    }
    switch (typeof v) {
      case "string": return this.wf(quoteStr(v))
      case "boolean": return this.wf(String(v))
      case "bigint": return this.wf(v.toString())
      case "number": return this.wf(tomlFloat(v, 64))
    }
    if (v instanceof GoNum) return this.wf(v.type === "float32" ? tomlFloat(v.v as number, 32) : String(v.v))
    if (Array.isArray(v) || v instanceof Uint8Array) {
      const a = Array.from(v as ArrayLike<unknown>, (x) => (typeof x === "number" && v instanceof Uint8Array ? BigInt(x) : x))
      this.wf("[")
      a.forEach((x, i) => {
        this.element(x)
        if (i !== a.length - 1) this.wf(", ")
      })
      return this.wf("]")
    }
    if (isMap(v)) return this.map([], v, true)
    throw new GoError(`unexpected type: ${kindOf(v)}`)
  }

  arrayOfTables(key: Key, a: unknown[]): void {
    if (key.length === 0) throw new GoError("toml: top-level values must be Go maps or structs")
    for (const t of a) {
      if (isNilish(t)) continue
      this.newline()
      this.wf(`${this.indent(key)}[[${keyString(key)}]]`)
      this.newline()
      this.map(key, t instanceof GoObject ? this.fields(t) : (t as Record<string, unknown>), false)
    }
  }

  table(key: Key, m: Record<string, unknown>): void {
    if (key.length === 1) this.newline()
    if (key.length > 0) {
      this.wf(`${this.indent(key)}[${keyString(key)}]`)
      this.newline()
    }
    this.map(key, m, false)
  }

  map(key: Key, m: Record<string, unknown>, inline: boolean): void {
    const direct: string[] = [], sub: string[] = []
    for (const k of Object.keys(m)) (isTable(tomlType(m[k])) ? sub : direct).push(k)
    const write = (keys: string[], trailC: boolean) => {
      keys.sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))))
      keys.forEach((k, i) => {
        const val = m[k]
        if (isNilish(val)) return
        if (inline) {
          this.keyValue([k], val, true)
          if (trailC || i !== keys.length - 1) this.wf(", ")
        } else this.encode([...key, k], val)
      })
    }
    if (inline) this.wf("{")
    write(direct, sub.length > 0)
    write(sub, false)
    if (inline) this.wf("}")
  }
}

function tomlFloat(f: number, bits: number): string {
  if (Number.isNaN(f)) return "nan"
  if (!Number.isFinite(f)) return f < 0 ? "-inf" : "+inf"
  const s = formatFloat(f, "f", -1, bits)
  return s.includes(".") ? s : s + ".0"
}

/** Helm's toToml: the TOML document, or the encoder's error text. */
export function toToml(v: unknown): string {
  if (v === null || v === undefined) throw new GoError("reflect: call of reflect.Value.Type on zero Value")
  const e = new Encoder()
  try {
    e.encode([], v)
    return e.out
  } catch (err) {
    if (err instanceof GoError) return err.message
    throw err
  }
}
