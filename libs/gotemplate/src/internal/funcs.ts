// Function signatures: Go checks and converts every argument against the
// declared parameter types before a call, so each template function
// declares its Go signature here and the evaluator applies Go's rules.
import { GO_TYPE, GoFunc, GoNum, GoObject, isMap, T_IFACE_MAP, T_NIL_IFACE_MAP, tag, type TypeDesc } from "./values.ts"

/** What a parameter does with a constant argument (evalArg's switch on the parameter's kind). */
export type ConstKind = "iface" | "value" | "string" | "int" | "uint" | "float" | "bool" | "other"

/** A Go parameter type. */
export interface ParamType {
  /** The Go type name used in error messages. */
  readonly name: string
  readonly constKind: ConstKind
  /** Whether a nil/invalid value becomes the type's zero value (maps, slices, pointers, interfaces). */
  readonly nilOk: boolean
  /** Whether a valid, non-nil value is assignable. */
  readonly accepts: (v: unknown) => boolean
  /** The zero value passed for an invalid argument when nilOk. */
  readonly zero?: () => unknown
  /** Builds a value of this type from an integer constant (int, int64, uint32...). */
  readonly fromInt?: (v: bigint) => unknown
}

const p = (name: string, constKind: ConstKind, nilOk: boolean, accepts: (v: unknown) => boolean, extra: Partial<ParamType> = {}): ParamType =>
  ({ name, constKind, nilOk, accepts, ...extra })

/** interface{}: anything; an invalid value arrives as null. */
export const P_ANY = p("interface {}", "iface", true, () => true, { zero: () => null })
/** reflect.Value (builtins): anything; an invalid value arrives as undefined. */
export const P_VALUE = p("reflect.Value", "value", true, () => true, { zero: () => undefined })
export const P_STRING = p("string", "string", false, (v) => typeof v === "string")
export const P_BOOL = p("bool", "bool", false, (v) => typeof v === "boolean")
export const P_INT = p("int", "int", false, (v) => typeof v === "bigint", { fromInt: (v) => BigInt.asIntN(64, v) })
export const P_INT64 = p("int64", "int", false, (v) => v instanceof GoNum && v.type === "int64", {
  fromInt: (v) => new GoNum("int64", BigInt.asIntN(64, v)),
})
export const P_UINT32 = p("uint32", "uint", false, (v) => v instanceof GoNum && v.type === "uint32", {
  fromInt: (v) => new GoNum("uint32", BigInt.asUintN(32, v)),
})
export const P_FLOAT64 = p("float64", "float", false, (v) => typeof v === "number")
/** map[string]interface{} (sprig's dict functions). */
export const P_MAP = p("map[string]interface {}", "other", true, (v) => isIfaceMap(v), {
  zero: () => nilMap(),
})
/** []interface{} */
export const P_LIST = p("[]interface {}", "other", true, (v) => Array.isArray(v) && ((v as any)[GO_TYPE] === undefined || (v as any)[GO_TYPE].name === "[]interface {}"), {
  zero: () => tag([], { name: "[]interface {}", kind: "slice", nil: true }),
})
/** chartutil.Values: Helm's named map type (tpl's data). */
export const P_VALUES = p("chartutil.Values", "other", true, (v) => isIfaceMap(v), { zero: () => nilMap() })
/** time.Time */
export const P_TIME = p("time.Time", "other", false, (v) => v instanceof GoObject && v.type.name === "time.Time")

function isIfaceMap(v: unknown): boolean {
  if (!isMap(v)) return false
  const t = (v as any)[GO_TYPE] as TypeDesc | undefined
  return t === undefined || t === T_IFACE_MAP || t === T_NIL_IFACE_MAP
}
const nilMap = () => tag({}, T_NIL_IFACE_MAP)

/** A template function with its Go signature. */
export interface FuncDef {
  readonly params: readonly ParamType[]
  /** Element type of a final variadic parameter. */
  readonly variadic?: ParamType
  /** The function returns (T, error): a thrown GoError becomes "error calling NAME: ...". */
  readonly errors?: boolean
  /** The declared result is interface{} (field access on it reports "interface {}"). */
  readonly retIface?: boolean
  /** The Go result type name, for %T of func values. */
  readonly retName?: string
  /** and/or: evaluated lazily by the evaluator. */
  readonly special?: "and" | "or"
  readonly fn: (...args: any[]) => unknown
}

/** An error a Go function returns (or panics with); its message is what Go prints. */
export class GoError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "GoError"
  }
}

/** A map of template functions. */
export type FuncMap = Readonly<Record<string, FuncDef>>

/** Declares a function: `def([P_STRING, P_INT], fn)`. */
export function def(params: readonly ParamType[], fn: (...args: any[]) => unknown, opts: Partial<Omit<FuncDef, "params" | "fn">> = {}): FuncDef {
  return { params, fn, ...opts }
}

/** Declares a variadic function: `vdef([P_STRING], P_ANY, fn)`. */
export function vdef(params: readonly ParamType[], variadic: ParamType, fn: (...args: any[]) => unknown, opts: Partial<Omit<FuncDef, "params" | "fn" | "variadic">> = {}): FuncDef {
  return { params, variadic, fn, ...opts }
}

/** A func value for `call`. */
export const funcValue = (name: string, d: FuncDef): GoFunc => new GoFunc(name, d)

/** Thrown by a function when a render limit is hit (reported as a limit error, never wrapped). */
export class LimitSignal extends Error {}

/** Charges list-building work to the render's step budget (so `until 1e12` fails cleanly). */
export function charge(ctx: unknown, n: bigint): void {
  const b = (ctx as { budget?: { steps: number; limits: { maxSteps: number } } } | undefined)?.budget
  if (b === undefined) return
  if (n < 0n) n = -n
  b.steps += Number(n > 1_000_000_000n ? 1_000_000_000n : n)
  if (b.steps > b.limits.maxSteps) throw new LimitSignal(`execution exceeds the limit of ${b.limits.maxSteps} steps`)
}
