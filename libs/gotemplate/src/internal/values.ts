// The Go value model the engine works on. Go templates are typed (int is
// not float64, map[string]string is not map[string]interface{}), so plain
// JavaScript values map to the common Go types and the rest are tagged:
//
//   undefined            an invalid reflect.Value (a missing map key)
//   null                 a nil interface{} (JSON null)
//   string / boolean     string / bool
//   number               float64 (what JSON and Helm's values give)
//   bigint               int
//   GoNum                int8..int64, uint..uint64, float32 (value in .v)
//   GoComplex            complex128
//   Array                []interface{}; other element types carry a TypeDesc under GO_TYPE
//   plain object         map[string]interface{}; map[string]string etc. carry GO_TYPE
//   Uint8Array           []byte
//   GoObject             a struct, pointer or named type with methods (time.Time, *semver.Version...)
//   GoFunc               a func value (for `call`)

/** Symbol under which typed slices and maps carry their Go type. */
export const GO_TYPE: unique symbol = Symbol.for("moor.gotemplate.type")

/** reflect.Kind names, as sprig's kindOf prints them. */
export type Kind =
  | "invalid" | "bool" | "int" | "int8" | "int16" | "int32" | "int64"
  | "uint" | "uint8" | "uint16" | "uint32" | "uint64" | "uintptr"
  | "float32" | "float64" | "complex128" | "string" | "slice" | "map"
  | "struct" | "ptr" | "func" | "interface"

/** A Go type: its printed name, kind, and element type for slices and maps. */
export interface TypeDesc {
  readonly name: string
  readonly kind: Kind
  readonly elem?: TypeDesc
  /** A nil slice or map (prints as [] / map[], marshals as null). */
  readonly nil?: boolean
}

const t = (name: string, kind: Kind, elem?: TypeDesc, nil?: boolean): TypeDesc =>
  elem === undefined ? { name, kind, ...(nil ? { nil } : {}) } : { name, kind, elem, ...(nil ? { nil } : {}) }

export const T_IFACE = t("interface {}", "interface")
export const T_STRING = t("string", "string")
export const T_BOOL = t("bool", "bool")
export const T_INT = t("int", "int")
export const T_FLOAT64 = t("float64", "float64")
export const T_IFACE_SLICE = t("[]interface {}", "slice", T_IFACE)
export const T_NIL_IFACE_SLICE = t("[]interface {}", "slice", T_IFACE, true)
export const T_STRING_SLICE = t("[]string", "slice", T_STRING)
export const T_NIL_STRING_SLICE = t("[]string", "slice", T_STRING, true)
export const T_INT_SLICE = t("[]int", "slice", T_INT)
export const T_SLICE_SLICE = t("[][]interface {}", "slice", T_IFACE_SLICE)
export const T_IFACE_MAP = t("map[string]interface {}", "map", T_IFACE)
export const T_NIL_IFACE_MAP = t("map[string]interface {}", "map", T_IFACE, true)
export const T_STRING_MAP = t("map[string]string", "map", T_STRING)

/** Numeric Go types other than int and float64. */
export type NumType =
  | "int" | "int8" | "int16" | "int32" | "int64" | "uint" | "uint8" | "uint16" | "uint32" | "uint64" | "uintptr" | "float32"

/** A named numeric type with a String method (time.Month, time.Weekday, time.Duration). */
export interface NamedNum {
  readonly name: string
  readonly string: (v: bigint) => string
}

/** A typed number: integers hold a bigint, float32 a number; `named` for named types like time.Month. */
export class GoNum {
  readonly type: NumType
  readonly v: bigint | number
  readonly named: NamedNum | undefined
  constructor(type: NumType, v: bigint | number, named?: NamedNum) {
    this.type = type
    this.v = v
    this.named = named
  }
}

/** A complex128 constant. */
export class GoComplex {
  readonly re: number
  readonly im: number
  constructor(re: number, im: number) {
    this.re = re
    this.im = im
  }
}

/** int64 from a bigint, wrapped to 64 bits. */
export const int64 = (v: bigint): GoNum => new GoNum("int64", BigInt.asIntN(64, v))

/** Describes a struct, pointer or named type whose values carry methods. */
export interface ObjType {
  /** Printed name, e.g. "time.Time" or "*semver.Version". */
  readonly name: string
  /** Underlying kind: how len, range, index, truth and printing treat it. */
  readonly kind: "struct" | "ptr" | "slice" | "map"
  /** Exported fields in declaration order (struct and pointer-to-struct). */
  readonly fields?: readonly string[]
  readonly methods?: Readonly<Record<string, import("./funcs.ts").FuncDef>>
  /** A String() (or Error()) method, used by fmt. */
  readonly string?: (v: GoObject) => string
  /** How encoding/json marshals the value (a plain Go value to encode instead). */
  readonly json?: (v: GoObject) => unknown
}

/** A value of an ObjType: `v` holds the fields (struct), the elements (slice) or entries (map). */
export class GoObject {
  readonly type: ObjType
  readonly v: any
  constructor(type: ObjType, v: any) {
    this.type = type
    this.v = v
  }
}

/** A func value, callable through the `call` builtin. */
export class GoFunc {
  readonly name: string
  readonly def: import("./funcs.ts").FuncDef
  constructor(name: string, def: import("./funcs.ts").FuncDef) {
    this.name = name
    this.def = def
  }
}

/** The Go type of an array or object (untagged means []interface{} / map[string]interface{}). */
export const sliceType = (a: readonly unknown[]): TypeDesc => (a as any)[GO_TYPE] ?? T_IFACE_SLICE
export const mapType = (m: object): TypeDesc => (m as any)[GO_TYPE] ?? T_IFACE_MAP

/** Tags an array or object with its Go type. */
export const tag = <T extends object>(v: T, type: TypeDesc): T => {
  ;(v as any)[GO_TYPE] = type
  return v
}

/** A fresh nil []interface{} (empty, marshals as null). */
export const nilSlice = (): unknown[] => tag([], T_NIL_IFACE_SLICE)
export const stringSlice = (a: string[]): string[] => tag(a, T_STRING_SLICE)

/** A Go map held in a plain object (any prototype other than Object's or null is one of our classes). */
export function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false
  const p = Object.getPrototypeOf(v)
  return p === Object.prototype || p === null
}

/** Own-key lookup on a Go map held in a plain object (inherited names are not keys). */
export function mapGet(m: Record<string, unknown>, k: string): unknown {
  const v = m[k]
  if (v === undefined) return undefined
  if (typeof v === "function" || k === "__proto__") return Object.hasOwn(m, k) ? v : undefined
  return v
}

export function mapHas(m: Record<string, unknown>, k: string): boolean {
  return Object.hasOwn(m, k)
}

/** Sets a key on a Go map held in a plain object ("__proto__" included). */
export function mapSet(m: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true })
  else m[k] = v
}

/** A new map[string]interface{}. */
export const newMap = (): Record<string, unknown> => ({})

/** Keys in Go's sorted order (byte order of the UTF-8 encoding). */
export function sortedKeys(m: object): string[] {
  return Object.keys(m).sort(compareStrings)
}

/** Compares strings by their UTF-8 bytes, as Go's < on strings does. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) {
      // UTF-16 order differs from code point order only for surrogates vs U+E000..U+FFFF.
      const xs = x >= 0xd800 && x <= 0xdfff
      const ys = y >= 0xd800 && y <= 0xdfff
      if (xs !== ys) return xs ? 1 : -1
      return x < y ? -1 : 1
    }
  }
  return a.length - b.length
}

/** The Go type name of a value, as %T prints it ("<nil>" for nil). */
export function typeName(v: unknown): string {
  switch (typeof v) {
    case "string": return "string"
    case "boolean": return "bool"
    case "number": return "float64"
    case "bigint": return "int"
    case "undefined": return "<nil>"
    case "function": return "func"
  }
  if (v === null) return "<nil>"
  if (Array.isArray(v)) return sliceType(v).name
  if (v instanceof GoNum) return v.named?.name ?? v.type
  if (v instanceof GoObject) return v.type.name
  if (v instanceof Uint8Array) return "[]uint8"
  if (v instanceof GoComplex) return "complex128"
  if (v instanceof GoFunc) return funcTypeName(v)
  return mapType(v as object).name
}

function funcTypeName(f: GoFunc): string {
  const ps = f.def.params.map((p) => p.name)
  if (f.def.variadic) ps.push("..." + f.def.variadic.name)
  return `func(${ps.join(", ")}) ${f.def.errors ? `(${f.def.retName ?? "interface {}"}, error)` : (f.def.retName ?? "interface {}")}`
}

/** The reflect.Kind of a value. */
export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case "string": return "string"
    case "boolean": return "bool"
    case "number": return "float64"
    case "bigint": return "int"
    case "undefined": return "invalid"
  }
  if (v === null) return "invalid"
  if (Array.isArray(v)) return "slice"
  if (v instanceof GoNum) return v.type
  if (v instanceof GoObject) return v.type.kind
  if (v instanceof Uint8Array) return "slice"
  if (v instanceof GoComplex) return "complex128"
  if (v instanceof GoFunc) return "func"
  return "map"
}

/** Go's truth: non-zero numbers, non-empty strings/slices/maps, true, non-nil pointers, any struct. */
export function isTrue(v: unknown): boolean {
  switch (typeof v) {
    case "boolean": return v
    case "string": return v.length > 0
    case "number": return v !== 0
    case "bigint": return v !== 0n
    case "undefined": return false
  }
  if (v === null) return false
  if (Array.isArray(v)) return v.length > 0
  if (v instanceof GoNum) return v.v != 0
  if (v instanceof GoObject) {
    if (v.type.kind === "slice") return v.v.length > 0
    if (v.type.kind === "map") return Object.keys(v.v).length > 0
    return true
  }
  if (v instanceof Uint8Array) return v.length > 0
  if (v instanceof GoComplex) return v.re !== 0 || v.im !== 0
  if (v instanceof GoFunc) return true
  return Object.keys(v as object).length > 0
}

/** The elements of a slice-like value, or undefined when it is not one. */
export function sliceItems(v: unknown): readonly unknown[] | undefined {
  if (Array.isArray(v)) return v
  if (v instanceof GoObject && v.type.kind === "slice") return v.v
  if (v instanceof Uint8Array) return Array.from(v, (b) => new GoNum("uint8", BigInt(b)))
  return undefined
}

/** The entries object of a map-like value, or undefined. */
export function mapOf(v: unknown): Record<string, unknown> | undefined {
  if (v instanceof GoObject) return v.type.kind === "map" ? v.v : undefined
  return isMap(v) ? v : undefined
}

/** Element type of a slice-like or map-like value. */
export function elemType(v: unknown): TypeDesc {
  if (Array.isArray(v)) return sliceType(v).elem ?? T_IFACE
  if (v instanceof GoObject) return T_STRING
  if (v instanceof Uint8Array) return { name: "uint8", kind: "uint8" }
  if (isMap(v)) return mapType(v).elem ?? T_IFACE
  return T_IFACE
}

/** Zero value of an element type (missingkey=zero, index of a missing key). */
export function zeroOf(t: TypeDesc): unknown {
  switch (t.kind) {
    case "interface": return null
    case "string": return ""
    case "bool": return false
    case "int": return 0n
    case "float64": return 0
    case "slice": return tag([], { ...t, nil: true })
    case "map": return tag({}, { ...t, nil: true })
    case "float32": return new GoNum("float32", 0)
    case "int8": case "int16": case "int32": case "int64": case "uint": case "uint8":
    case "uint16": case "uint32": case "uint64": case "uintptr":
      return new GoNum(t.kind, 0n)
  }
  return null
}

// ---- UTF-8 helpers: Go strings are bytes, ours are UTF-16 ----

const ASCII = /^[\x00-\x7f]*$/

/** len() of a Go string: its UTF-8 byte count. */
export function byteLength(s: string): number {
  if (s.length < 64 && ASCII.test(s)) return s.length
  return Buffer.byteLength(s, "utf8")
}

export const isAscii = (s: string): boolean => ASCII.test(s)

/** Decodes bytes the way Go converts invalid UTF-8 when it is printed through JSON: one U+FFFD per bad byte. */
export function decodeUtf8(b: Uint8Array): string {
  let out = ""
  let i = 0
  while (i < b.length) {
    const c = b[i]!
    if (c < 0x80) { out += String.fromCharCode(c); i++; continue }
    let n = 0, cp = 0, min = 0
    if (c >= 0xc2 && c <= 0xdf) { n = 1; cp = c & 0x1f; min = 0x80 }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; cp = c & 0x0f; min = 0x800 }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07; min = 0x10000 }
    let ok = n > 0 && i + n < b.length + 1
    if (ok) {
      for (let k = 1; k <= n; k++) {
        const d = b[i + k]
        if (d === undefined || (d & 0xc0) !== 0x80) { ok = false; break }
        cp = (cp << 6) | (d & 0x3f)
      }
    }
    if (ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
      out += String.fromCodePoint(cp)
      i += n + 1
    } else {
      out += "\ufffd"
      i++
    }
  }
  return out
}

/** Byte-slices a string (s[a:b] in Go), decoding broken runes as U+FFFD per byte. */
export function byteSlice(s: string, a: number, b?: number): string {
  if (ASCII.test(s)) return s.slice(a, b)
  const buf = Buffer.from(s, "utf8")
  return decodeUtf8(buf.subarray(a, b ?? buf.length))
}

/** The byte at index i of a Go string. */
export function byteAt(s: string, i: number): number {
  if (ASCII.test(s)) return s.charCodeAt(i)
  return Buffer.from(s, "utf8")[i]!
}
