// sprig's date functions over time.ts.
import { def, GoError, P_ANY, P_STRING, P_TIME, type FuncMap } from "../funcs.ts"
import { GoNum, GoObject } from "../values.ts"
import {
  addNanos, durationString, formatTime, LOCAL, loadLocation, now, parseDuration, parseTime, timeValue,
  UTC, zeroTime, type TimeV,
} from "./time.ts"

const isTime = (v: unknown): v is GoObject => v instanceof GoObject && v.type.name === "time.Time"

/** The time a date argument means: a time.Time, unix seconds as int/int64/int32, else now. */
function timeOf(v: unknown, int32 = true): TimeV {
  if (isTime(v)) return v.v as TimeV
  if (typeof v === "bigint") return { sec: Number(v), nsec: 0, zone: LOCAL }
  if (v instanceof GoNum && (v.type === "int64" || (int32 && v.type === "int32")) && v.named === undefined) return { sec: Number(v.v), nsec: 0, zone: LOCAL }
  return now().v as TimeV
}

function dateInZone(fmt: string, date: unknown, zone: string): string {
  const t = timeOf(date)
  const z = loadLocation(zone) ?? UTC
  return formatTime({ sec: t.sec, nsec: t.nsec, zone: z }, fmt)
}

/** time.Duration.Round(time.Second).String() of now - t. */
function ago(date: unknown): string {
  const t = timeOf(date, false)
  const n = now().v as TimeV
  const d = (BigInt(n.sec) - BigInt(t.sec)) * 1_000_000_000n + BigInt(n.nsec - t.nsec)
  const r = (d >= 0n ? d + 500_000_000n : d - 500_000_000n) / 1_000_000_000n * 1_000_000_000n
  return durationString(r)
}

function durationRound(v: unknown): string {
  let d: bigint
  if (typeof v === "string") {
    try { d = parseDuration(v) } catch { d = 0n }
  } else if (v instanceof GoNum && v.type === "int64") d = v.v as bigint
  else if (isTime(v)) {
    const t = v.v as TimeV, n = now().v as TimeV
    d = (BigInt(n.sec) - BigInt(t.sec)) * 1_000_000_000n + BigInt(n.nsec - t.nsec)
  } else d = 0n
  let u = BigInt.asUintN(64, d)
  if (d < 0n) u = BigInt.asUintN(64, -u)
  const hour = 3_600_000_000_000n
  const units: [bigint, string][] = [[hour * 24n * 365n, "y"], [hour * 24n * 30n, "mo"], [hour * 24n, "d"], [hour, "h"], [60_000_000_000n, "m"], [1_000_000_000n, "s"]]
  for (const [size, name] of units) if (u > size) return `${u / size}${name}`
  return "0s"
}

function toDate(fmt: string, s: string): GoObject {
  return timeValue(parseTime(fmt, s, LOCAL))
}

export const dateFuncs: FuncMap = {
  ago: def([P_ANY], ago),
  date: def([P_STRING, P_ANY], (fmt: string, d: unknown) => dateInZone(fmt, d, "Local")),
  date_in_zone: def([P_STRING, P_ANY, P_STRING], dateInZone),
  dateInZone: def([P_STRING, P_ANY, P_STRING], dateInZone),
  date_modify: def([P_STRING, P_TIME], (fmt: string, d: GoObject) => {
    try { return timeValue(addNanos(d.v, parseDuration(fmt))) } catch (e) { if (e instanceof GoError) return d; throw e }
  }),
  dateModify: def([P_STRING, P_TIME], (fmt: string, d: GoObject) => {
    try { return timeValue(addNanos(d.v, parseDuration(fmt))) } catch (e) { if (e instanceof GoError) return d; throw e }
  }),
  must_date_modify: def([P_STRING, P_TIME], (fmt: string, d: GoObject) => timeValue(addNanos(d.v, parseDuration(fmt))), { errors: true }),
  mustDateModify: def([P_STRING, P_TIME], (fmt: string, d: GoObject) => timeValue(addNanos(d.v, parseDuration(fmt))), { errors: true }),
  duration: def([P_ANY], (v: unknown) => {
    let n = 0n
    if (typeof v === "string") n = /^[+-]?\d+$/.test(v) && BigInt(v) < 2n ** 63n && BigInt(v) >= -(2n ** 63n) ? BigInt(v) : 0n
    else if (v instanceof GoNum && v.type === "int64") n = v.v as bigint
    return durationString(BigInt.asIntN(64, n * 1_000_000_000n))
  }),
  durationRound: def([P_ANY], durationRound),
  htmlDate: def([P_ANY], (d: unknown) => dateInZone("2006-01-02", d, "Local")),
  htmlDateInZone: def([P_ANY, P_STRING], (d: unknown, z: string) => dateInZone("2006-01-02", d, z)),
  mustToDate: def([P_STRING, P_STRING], toDate, { errors: true }),
  now: def([], now),
  toDate: def([P_STRING, P_STRING], (f: string, s: string) => {
    try { return toDate(f, s) } catch (e) { if (e instanceof GoError) return zeroTime(); throw e }
  }),
  unixEpoch: def([P_TIME], (d: GoObject) => String((d.v as TimeV).sec)),
}


