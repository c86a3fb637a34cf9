// Conversions sprig does through spf13/cast and its own strval: every
// numeric function accepts anything and converts as cast does (errors
// become 0), strings parse with Go's base prefixes.
import { sprintValue } from "../fmt.ts"
import { NumError, parseFloat_, parseInt_ } from "../strconv.ts"
import { GoNum, GoObject } from "../values.ts"

const MIN_I64 = -(1n << 63n)

/** Go's float64 -> int64 conversion (truncation; out of range gives the minimum, as on amd64). */
export function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return MIN_I64
  return BigInt(Math.trunc(f))
}

/** cast's trimZeroDecimal: "12.00" -> "12". */
function trimZeroDecimal(s: string): string {
  let foundZero = false
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1]
    if (c === ".") {
      if (foundZero) return s.slice(0, i - 1)
    } else if (c === "0") foundZero = true
    else return s
  }
  return s
}

/** cast.ToInt64 (0 when the value cannot be converted). */
export function toInt64(v: unknown): bigint {
  switch (typeof v) {
    case "bigint": return BigInt.asIntN(64, v)
    case "number": return floatToInt64(v)
    case "boolean": return v ? 1n : 0n
    case "string":
      try {
        return parseInt_(trimZeroDecimal(v), 0, 64)
      } catch (e) {
        if (e instanceof NumError) return 0n
        throw e
      }
  }
  if (v instanceof GoNum) return v.type === "float32" ? floatToInt64(v.v as number) : BigInt.asIntN(64, v.v as bigint)
  return 0n
}

/** cast.ToInt (int is 64 bits here, as on amd64). */
export const toInt = toInt64

/** cast.ToFloat64 (0 when the value cannot be converted). */
export function toFloat64(v: unknown): number {
  switch (typeof v) {
    case "number": return v
    case "bigint": return Number(v)
    case "boolean": return v ? 1 : 0
    case "string":
      try {
        return parseFloat_(v)
      } catch (e) {
        if (e instanceof NumError) return 0
        throw e
      }
  }
  if (v instanceof GoNum) return Number(v.v)
  return 0
}

/** sprig's strval: strings as they are, Stringers through String(), the rest through %v. */
export function strval(v: unknown): string {
  if (typeof v === "string") return v
  if (v instanceof Uint8Array) return Buffer.from(v).toString("utf8")
  if (v instanceof GoObject && v.type.string) return v.type.string(v)
  if (v === undefined) return "<nil>"
  return sprintValue(v)
}
