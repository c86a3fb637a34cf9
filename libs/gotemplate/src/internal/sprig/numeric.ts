// sprig's math: integer functions return int64 (Go's wrap-around included),
// the *f functions go through decimal arithmetic as shopspring/decimal does.
import { randomInt } from "node:crypto"
import { sprintValue } from "../fmt.ts"
import { charge, def, GoError, P_ANY, P_FLOAT64, P_INT, P_STRING, vdef, type FuncMap } from "../funcs.ts"
import { formatFloat, NumError, parseInt_ } from "../strconv.ts"
import { int64, T_INT_SLICE, tag } from "../values.ts"
import { toFloat64, toInt, toInt64 } from "./cast.ts"

/** sprig's untilStep. */
export function untilStep(start: bigint, stop: bigint, step: bigint, ctx?: unknown): bigint[] {
  const v: bigint[] = []
  if (stop < start) {
    if (step >= 0n) return v
    charge(ctx, (stop - start) / step)
    for (let i = start; i > stop; i += step) v.push(i)
    return v
  }
  if (step <= 0n) return v
  charge(ctx, (stop - start) / step)
  for (let i = start; i < stop; i += step) v.push(i)
  return v
}

function seq(this: unknown, ...p: bigint[]): string {
  let inc = 1n
  let r: bigint[]
  switch (p.length) {
    case 0: return ""
    case 1: {
      const end = p[0]!
      if (end < 1n) inc = -1n
      r = untilStep(1n, end + inc, inc, this)
      break
    }
    case 2: {
      const [start, end] = p as [bigint, bigint]
      const step = end < start ? -1n : 1n
      r = untilStep(start, end + step, step, this)
      break
    }
    case 3: {
      const [start, step, end] = p as [bigint, bigint, bigint]
      if (end < start) {
        inc = -1n
        if (step > 0n) return ""
      }
      r = untilStep(start, end + inc, step, this)
      break
    }
    default: return ""
  }
  return r.join(" ")
}

// ---- decimals (shopspring/decimal) ----

interface Dec { c: bigint; e: number }

function decFromFloat(f: number): Dec {
  if (!Number.isFinite(f)) throw new GoError(`Cannot create a Decimal from ${formatFloat(f, "g", -1)}`)
  if (f === 0) return { c: 0n, e: 0 }
  const s = Math.abs(f).toExponential()
  const [m, x] = s.split("e") as [string, string]
  const digits = m.replace(".", "")
  const frac = m.includes(".") ? m.length - m.indexOf(".") - 1 : 0
  const c = BigInt(digits) * (f < 0 ? -1n : 1n)
  return { c, e: Number(x) - frac }
}

const pow10 = (n: number) => 10n ** BigInt(n)
function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e)
  return [a.c * pow10(a.e - e), b.c * pow10(b.e - e), e]
}
const decAdd = (a: Dec, b: Dec): Dec => { const [x, y, e] = align(a, b); return { c: x + y, e } }
const decSub = (a: Dec, b: Dec): Dec => { const [x, y, e] = align(a, b); return { c: x - y, e } }
const decMul = (a: Dec, b: Dec): Dec => ({ c: a.c * b.c, e: a.e + b.e })
const abs = (x: bigint) => (x < 0n ? -x : x)
function decCmp(a: Dec, b: Dec): number {
  const [x, y] = align(a, b)
  return x < y ? -1 : x > y ? 1 : 0
}
function decDiv(d: Dec, d2: Dec): Dec {
  const precision = 16
  if (d2.c === 0n) throw new GoError("decimal division by 0")
  const scale = -precision
  const e = d.e - d2.e - scale
  let aa: bigint, bb: bigint, scalerest: number
  if (e < 0) {
    aa = d.c
    bb = d2.c * pow10(-e)
    scalerest = d.e
  } else {
    aa = d.c * pow10(e)
    bb = d2.c
    scalerest = scale + d2.e
  }
  const q: Dec = { c: aa / bb, e: scale }
  const r = aa % bb
  const r2: Dec = { c: abs(r) * 2n, e: scalerest + precision }
  if (decCmp(r2, { c: abs(d2.c), e: d2.e }) < 0) return q
  const one: Dec = { c: 1n, e: -precision }
  return (d.c < 0n) !== (d2.c < 0n) && d.c !== 0n ? decSub(q, one) : decAdd(q, one)
}
const decFloat = (d: Dec): number => Number(`${d.c}e${d.e}`)

function decimalOp(a: unknown, rest: unknown[], op: (x: Dec, y: Dec) => Dec): number {
  let acc = decFromFloat(toFloat64(a))
  for (const x of rest) acc = op(acc, decFromFloat(toFloat64(x)))
  return decFloat(acc)
}

/** math.Max / math.Min with Go's NaN and signed-zero rules. */
function goMax(a: number, b: number): number {
  if (a === Infinity || b === Infinity) return Infinity
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN
  if (a === 0 && b === 0) return Object.is(a, -0) ? b : a
  return a > b ? a : b
}
function goMin(a: number, b: number): number {
  if (a === -Infinity || b === -Infinity) return -Infinity
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN
  if (a === 0 && b === 0) return Object.is(a, -0) ? a : b
  return a < b ? a : b
}

function round(a: unknown, p: bigint, ...rOpt: number[]): number {
  const roundOn = rOpt.length > 0 ? rOpt[0]! : 0.5
  const val = toFloat64(a)
  const pow = Math.pow(10, Number(p))
  const digit = pow * val
  const div = digit - Math.trunc(digit)
  const r = div >= roundOn ? Math.ceil(digit) : Math.floor(digit)
  return r / pow
}

const i64 = (fn: (...a: any[]) => bigint) => (...a: any[]) => int64(fn(...a))

export const numericFuncs: FuncMap = {
  atoi: def([P_STRING], (s: string) => {
    try {
      if (/^[+-]?[0-9]+$/.test(s)) return parseInt_(s, 10, 64)
      return 0n
    } catch (e) {
      if (e instanceof NumError) return 0n
      throw e
    }
  }),
  int64: def([P_ANY], (v: unknown) => int64(toInt64(v))),
  int: def([P_ANY], (v: unknown) => toInt(v)),
  float64: def([P_ANY], (v: unknown) => toFloat64(v)),
  seq: vdef([], P_INT, seq),
  toDecimal: def([P_ANY], (v: unknown) => {
    try {
      return int64(parseInt_(sprintValue(v === undefined ? null : v), 8, 64))
    } catch (e) {
      if (e instanceof NumError) return int64(0n)
      throw e
    }
  }),
  until: def([P_INT], function (this: unknown, n: bigint) {
    return tag(untilStep(0n, n, n < 0n ? -1n : 1n, this), T_INT_SLICE)
  }),
  untilStep: def([P_INT, P_INT, P_INT], function (this: unknown, a: bigint, b: bigint, s: bigint) {
    return tag(untilStep(a, b, s, this), T_INT_SLICE)
  }),
  add1: def([P_ANY], i64((v) => toInt64(v) + 1n)),
  add: vdef([], P_ANY, i64((...a: unknown[]) => a.reduce<bigint>((s, x) => BigInt.asIntN(64, s + toInt64(x)), 0n))),
  sub: def([P_ANY, P_ANY], i64((a, b) => toInt64(a) - toInt64(b))),
  div: def([P_ANY, P_ANY], i64((a, b) => {
    const d = toInt64(b)
    if (d === 0n) throw new GoError("runtime error: integer divide by zero")
    return toInt64(a) / d
  })),
  mod: def([P_ANY, P_ANY], i64((a, b) => {
    const d = toInt64(b)
    if (d === 0n) throw new GoError("runtime error: integer divide by zero")
    return toInt64(a) % d
  })),
  mul: vdef([P_ANY], P_ANY, i64((a: unknown, ...v: unknown[]) => v.reduce<bigint>((s, x) => BigInt.asIntN(64, s * toInt64(x)), toInt64(a)))),
  randInt: def([P_INT, P_INT], (min: bigint, max: bigint) => {
    if (max - min <= 0n) throw new GoError("invalid argument to Intn")
    return min + BigInt(randomInt(Number(max - min)))
  }),
  add1f: def([P_ANY], (i: unknown) => decimalOp(i, [1n], decAdd)),
  addf: vdef([], P_ANY, (...i: unknown[]) => decimalOp(0, i, decAdd)),
  subf: vdef([P_ANY], P_ANY, (a: unknown, ...v: unknown[]) => decimalOp(a, v, decSub)),
  divf: vdef([P_ANY], P_ANY, (a: unknown, ...v: unknown[]) => decimalOp(a, v, decDiv)),
  mulf: vdef([P_ANY], P_ANY, (a: unknown, ...v: unknown[]) => decimalOp(a, v, decMul)),
  biggest: vdef([P_ANY], P_ANY, i64((a: unknown, ...i: unknown[]) => i.reduce<bigint>((m, x) => (toInt64(x) > m ? toInt64(x) : m), toInt64(a)))),
  max: vdef([P_ANY], P_ANY, i64((a: unknown, ...i: unknown[]) => i.reduce<bigint>((m, x) => (toInt64(x) > m ? toInt64(x) : m), toInt64(a)))),
  min: vdef([P_ANY], P_ANY, i64((a: unknown, ...i: unknown[]) => i.reduce<bigint>((m, x) => (toInt64(x) < m ? toInt64(x) : m), toInt64(a)))),
  maxf: vdef([P_ANY], P_ANY, (a: unknown, ...i: unknown[]) => i.reduce<number>((m, x) => goMax(m, toFloat64(x)), toFloat64(a))),
  minf: vdef([P_ANY], P_ANY, (a: unknown, ...i: unknown[]) => i.reduce<number>((m, x) => goMin(m, toFloat64(x)), toFloat64(a))),
  ceil: def([P_ANY], (a: unknown) => Math.ceil(toFloat64(a))),
  floor: def([P_ANY], (a: unknown) => Math.floor(toFloat64(a))),
  round: vdef([P_ANY, P_INT], P_FLOAT64, round),
}

