// Typed JSON: test data both engines decode the same way. Plain JSON is
// what encoding/json gives (numbers are float64); one-key "$" objects build
// the Go values JSON cannot express (see oracle/typed.go).
import {
  GoNum, nilSlice, stringSlice, T_INT_SLICE, T_NIL_IFACE_MAP, T_STRING_MAP, tag, type NumType,
} from "../internal/values.ts"

const INTS: Record<string, NumType | "int"> = {
  $int: "int", $int8: "int8", $int16: "int16", $int32: "int32", $int64: "int64",
  $uint: "uint", $uint8: "uint8", $uint16: "uint16", $uint32: "uint32", $uint64: "uint64",
}

/** Decodes typed JSON into the engine's Go value model. */
export function decodeTyped(v: unknown, special: (key: string, value: unknown) => unknown = () => undefined): unknown {
  if (Array.isArray(v)) return v.map((e) => decodeTyped(e, special))
  if (v === null || typeof v !== "object") return v
  const keys = Object.keys(v)
  if (keys.length === 1 && keys[0]!.length > 1 && keys[0]![0] === "$") {
    const k = keys[0]!
    const x = (v as Record<string, unknown>)[k]
    const t = INTS[k]
    if (t !== undefined) return t === "int" ? BigInt(String(x)) : new GoNum(t, BigInt(String(x)))
    switch (k) {
      case "$float32": return new GoNum("float32", Math.fround(Number(x)))
      case "$strings": return stringSlice((x as unknown[]).map(String))
      case "$ints": return tag((x as unknown[]).map((e) => BigInt(String(e))), T_INT_SLICE)
      case "$strmap": {
        const m: Record<string, unknown> = {}
        for (const [mk, mv] of Object.entries(x as object)) m[mk] = String(mv)
        return tag(m, T_STRING_MAP)
      }
      case "$bytes": return new Uint8Array(Buffer.from(String(x), "base64"))
      case "$nil": return x === "map" ? tag({}, T_NIL_IFACE_MAP) : nilSlice()
    }
    const s = special(k, x)
    if (s !== undefined) return s
    throw new Error(`unknown typed value ${k}`)
  }
  const out: Record<string, unknown> = {}
  for (const k of keys) {
    const e = decodeTyped((v as Record<string, unknown>)[k], special)
    if (k === "__proto__") Object.defineProperty(out, k, { value: e, enumerable: true, writable: true, configurable: true })
    else out[k] = e
  }
  return out
}
