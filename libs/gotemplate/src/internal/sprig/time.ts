// Go's time.Time for templates: layouts ("2006-01-02 15:04:05") for Format
// and Parse, durations, and the methods templates call (.Year, .Unix...).
// The local zone is UTC: renders must not depend on the host's clock zone.
import { def, GoError, P_INT, P_STRING, type FuncDef } from "../funcs.ts"
import { quote } from "../strconv.ts"
import { GoNum, GoObject, type ObjType } from "../values.ts"

/** A time zone: a fixed offset, or an IANA zone resolved through Intl. */
export interface Zone {
  readonly name: string
  /** Offset in seconds east of UTC and abbreviation at an instant (unix seconds). */
  readonly at: (unix: number) => { offset: number; abbr: string }
}

export const UTC: Zone = { name: "UTC", at: () => ({ offset: 0, abbr: "UTC" }) }
/** Go's time.Local; renders use UTC. */
export const LOCAL: Zone = { name: "Local", at: () => ({ offset: 0, abbr: "UTC" }) }

const zones = new Map<string, Zone | null>()
/** time.LoadLocation: "", "UTC", "Local" or an IANA name (undefined when unknown). */
export function loadLocation(name: string): Zone | undefined {
  if (name === "" || name === "UTC") return UTC
  if (name === "Local") return LOCAL
  if (zones.has(name)) return zones.get(name) ?? undefined
  let z: Zone | null = null
  try {
    const fmt = new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "longOffset" })
    const abbrFmt = new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "short" })
    z = {
      name,
      at: (unix) => {
        const d = new Date(unix * 1000)
        const part = fmt.formatToParts(d).find((p) => p.type === "timeZoneName")?.value ?? "GMT"
        const m = /GMT([+-])(\d\d):(\d\d)/.exec(part)
        const offset = m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0
        let abbr = abbrFmt.formatToParts(d).find((p) => p.type === "timeZoneName")?.value ?? ""
        if (/^GMT[+-]/.test(abbr) || abbr === "GMT" && offset !== 0) abbr = numericAbbr(offset)
        return { offset, abbr }
      },
    }
  } catch {
    z = null
  }
  zones.set(name, z)
  return z ?? undefined
}

function numericAbbr(offset: number): string {
  const sign = offset < 0 ? "-" : "+"
  const a = Math.abs(offset)
  const h = Math.floor(a / 3600), m = Math.floor((a % 3600) / 60)
  return sign + String(h).padStart(2, "0") + (m ? String(m).padStart(2, "0") : "")
}

/** A fixed-offset zone as time.Parse creates for "-0700" values. */
export function fixedZone(name: string, offset: number): Zone {
  return { name, at: () => ({ offset, abbr: name }) }
}

/** A time value: unix seconds + nanoseconds in a zone (plus Go's monotonic reading when from now). */
export interface TimeV {
  readonly sec: number
  readonly nsec: number
  readonly zone: Zone
  readonly mono?: number
}

export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
export const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

const monthType = { name: "time.Month", string: (v: bigint) => MONTHS[Number(v) - 1] ?? `%!Month(${v})` }
const weekdayType = { name: "time.Weekday", string: (v: bigint) => DAYS[Number(v)] ?? `%!Weekday(${v})` }

/** Civil fields of a time in its zone. */
export function civil(t: TimeV) {
  const { offset, abbr } = t.zone.at(t.sec)
  const d = new Date((t.sec + offset) * 1000)
  const year = d.getUTCFullYear()
  const start = Date.UTC(year, 0, 1)
  return {
    year, month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(), weekday: d.getUTCDay(), yday: Math.floor((d.getTime() - start) / 86400000) + 1,
    offset, abbr,
  }
}

// ---- layouts ----

type Chunk = { lit: string } | { std: string; frac?: number; sep?: string }

const lower = (c: string | undefined) => c !== undefined && c >= "a" && c <= "z"
const digit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9"

/** Splits a Go layout into literal text and standard elements. */
export function layoutChunks(layout: string): Chunk[] {
  const out: Chunk[] = []
  let lit = ""
  const push = (std: string, len: number, frac?: number, sep?: string) => {
    if (lit) out.push({ lit })
    lit = ""
    out.push(frac === undefined ? { std } : { std, frac, sep: sep! })
    return len
  }
  for (let i = 0; i < layout.length;) {
    const r = layout.slice(i)
    const c = layout[i]!
    let n = 0
    switch (c) {
      case "J":
        if (r.startsWith("Jan")) n = r.startsWith("January") ? push("January", 7) : !lower(r[3]) ? push("Jan", 3) : 0
        break
      case "M":
        if (r.startsWith("Mon")) n = r.startsWith("Monday") ? push("Monday", 6) : !lower(r[3]) ? push("Mon", 3) : 0
        if (!n && r.startsWith("MST")) n = push("MST", 3)
        break
      case "0":
        if (r[1] !== undefined && r[1] >= "1" && r[1] <= "6") n = push(r.slice(0, 2), 2)
        else if (r.startsWith("002")) n = push("002", 3)
        break
      case "1": n = r.startsWith("15") ? push("15", 2) : push("1", 1); break
      case "2": n = r.startsWith("2006") ? push("2006", 4) : push("2", 1); break
      case "_":
        if (r[1] === "2") {
          if (r.startsWith("_2006")) { lit += "_"; n = 1 + push("2006", 4) }
          else n = push("_2", 2)
        } else if (r.startsWith("__2")) n = push("__2", 3)
        break
      case "3": case "4": case "5": n = push(c, 1); break
      case "P": if (r.startsWith("PM")) n = push("PM", 2); break
      case "p": if (r.startsWith("pm")) n = push("pm", 2); break
      case "-": case "Z":
        for (const s of ["070000", "07:00:00", "0700", "07:00", "07"]) {
          if (r.slice(1).startsWith(s)) { n = push(c + s, 1 + s.length); break }
        }
        break
      case ".": case ",":
        if (r[1] === "0" || r[1] === "9") {
          let j = 1
          while (r[j] === r[1]) j++
          if (!digit(r[j])) n = push(r[1] === "0" ? ".0" : ".9", j, j - 1, c)
        }
        break
    }
    if (n === 0) { lit += c; i++ } else i += n
  }
  if (lit) out.push({ lit })
  return out
}

const pad = (n: number, w: number, ch = "0") => {
  const s = String(Math.abs(n))
  return (n < 0 ? "-" : "") + (s.length >= w ? s : ch.repeat(w - s.length) + s)
}

function tzNum(offset: number, colon: boolean, secs: boolean, short: boolean, z: boolean): string {
  if (z && offset === 0) return "Z"
  const zone = Math.trunc(offset / 60)
  const abs = Math.abs(zone)
  let s = (zone < 0 || (zone === 0 && offset < 0) ? "-" : "+") + pad(Math.floor(abs / 60), 2)
  if (!short) {
    s += (colon ? ":" : "") + pad(abs % 60, 2)
  }
  if (secs) s += (colon ? ":" : "") + pad(Math.abs(offset) % 60, 2)
  return s
}

/** time.Time.Format */
export function formatTime(t: TimeV, layout: string): string {
  const c = civil(t)
  let out = ""
  for (const ch of layoutChunks(layout)) {
    if ("lit" in ch) { out += ch.lit; continue }
    switch (ch.std) {
      case "January": out += MONTHS[c.month - 1]; break
      case "Jan": out += MONTHS[c.month - 1]!.slice(0, 3); break
      case "1": out += c.month; break
      case "01": out += pad(c.month, 2); break
      case "Monday": out += DAYS[c.weekday]; break
      case "Mon": out += DAYS[c.weekday]!.slice(0, 3); break
      case "2": out += c.day; break
      case "_2": out += pad(c.day, 2, " "); break
      case "02": out += pad(c.day, 2); break
      case "__2": out += pad(c.yday, 3, " "); break
      case "002": out += pad(c.yday, 3); break
      case "15": out += pad(c.hour, 2); break
      case "3": out += c.hour % 12 === 0 ? 12 : c.hour % 12; break
      case "03": out += pad(c.hour % 12 === 0 ? 12 : c.hour % 12, 2); break
      case "4": out += c.min; break
      case "04": out += pad(c.min, 2); break
      case "5": out += c.sec; break
      case "05": out += pad(c.sec, 2); break
      case "2006": out += c.year < 0 ? "-" + pad(-c.year, 4) : pad(c.year, 4); break
      case "06": out += pad(((c.year % 100) + 100) % 100, 2); break
      case "PM": out += c.hour >= 12 ? "PM" : "AM"; break
      case "pm": out += c.hour >= 12 ? "pm" : "am"; break
      case "MST": out += c.abbr !== "" ? c.abbr : tzNum(c.offset, false, false, false, false); break
      case "Z0700": out += tzNum(c.offset, false, false, false, true); break
      case "Z070000": out += tzNum(c.offset, false, true, false, true); break
      case "Z07": out += tzNum(c.offset, false, false, true, true); break
      case "Z07:00": out += tzNum(c.offset, true, false, false, true); break
      case "Z07:00:00": out += tzNum(c.offset, true, true, false, true); break
      case "-0700": out += tzNum(c.offset, false, false, false, false); break
      case "-070000": out += tzNum(c.offset, false, true, false, false); break
      case "-07": out += tzNum(c.offset, false, false, true, false); break
      case "-07:00": out += tzNum(c.offset, true, false, false, false); break
      case "-07:00:00": out += tzNum(c.offset, true, true, false, false); break
      case ".0": case ".9": {
        const sep = ch.sep ?? "."
        const digits = String(t.nsec).padStart(9, "0").slice(0, ch.frac!)
        if (ch.std === ".0") out += sep + digits
        else {
          const trimmed = digits.replace(/0+$/, "")
          if (trimmed) out += sep + trimmed
        }
        break
      }
    }
  }
  return out
}

/** time.Time.String */
export function timeString(t: TimeV): string {
  let s = formatTime(t, "2006-01-02 15:04:05.999999999 -0700 MST")
  if (t.mono !== undefined) {
    const m = t.mono
    const sign = m < 0 ? "-" : "+"
    const a = Math.abs(m)
    s += ` m=${sign}${Math.floor(a / 1e9)}.${String(Math.round(a % 1e9)).padStart(9, "0")}`
  }
  return s
}

/** A time.Parse error with Go's wording. */
function parseError(layout: string, value: string, layoutElem: string, valueElem: string, msg = ""): GoError {
  if (msg) return new GoError(`parsing time ${quote(value)}${msg}`)
  return new GoError(`parsing time ${quote(value)} as ${quote(layout)}: cannot parse ${quote(valueElem)} as ${quote(layoutElem)}`)
}

/** time.ParseInLocation (the zone given is used when the value has no offset). */
export function parseTime(layout: string, value: string, loc: Zone): TimeV {
  let rest = value
  let year = 1, month = 1, day = 1, hour = 0, min = 0, sec = 0, nsec = 0
  let pmSet = false, amSet = false
  let offset: number | undefined
  let zoneName = ""
  let yday = -1
  const num = (std: string, w: number, fixed: boolean, max?: number): number => {
    const m = fixed ? new RegExp(`^\\d{${w}}`).exec(rest) : /^\d{1,2}/.exec(rest)
    if (!m) throw parseError(layout, value, std, rest)
    rest = rest.slice(m[0].length)
    const v = Number(m[0])
    if (max !== undefined && v > max) throw parseError(layout, value, std, m[0], ": " + rangeName(std) + " out of range")
    return v
  }
  const chunks = layoutChunks(layout)
  for (let k = 0; k < chunks.length; k++) {
    const ch = chunks[k]!
    if ("lit" in ch) {
      if (!rest.startsWith(ch.lit)) throw parseError(layout, value, ch.lit, rest)
      rest = rest.slice(ch.lit.length)
      continue
    }
    const std = ch.std
    const hold = rest
    switch (std) {
      case "2006": {
        // Go takes four characters first, then parses them
        if (rest.length < 4) throw parseError(layout, value, std, rest)
        const p4 = rest.slice(0, 4)
        rest = rest.slice(4)
        if (!/^[+-]?\d+$/.test(p4)) throw parseError(layout, value, std, rest)
        year = Number(p4); break
      }
      case "06": { const v = num(std, 2, true); year = v >= 69 ? 1900 + v : 2000 + v; break }
      case "January": case "Jan": {
        const names = std === "January" ? MONTHS : MONTHS.map((m) => m.slice(0, 3))
        const i = names.findIndex((n) => rest.toLowerCase().startsWith(n.toLowerCase()))
        if (i < 0) throw parseError(layout, value, std, rest)
        month = i + 1; rest = rest.slice(names[i]!.length); break
      }
      case "Monday": case "Mon": {
        const names = std === "Monday" ? DAYS : DAYS.map((m) => m.slice(0, 3))
        const i = names.findIndex((n) => rest.toLowerCase().startsWith(n.toLowerCase()))
        if (i < 0) throw parseError(layout, value, std, rest)
        rest = rest.slice(names[i]!.length); break
      }
      case "1": case "01": month = num(std, 2, std === "01"); if (month < 1 || month > 12) throw parseError(layout, value, std, hold, ": month out of range"); break
      case "2": case "_2": case "02":
        if (std === "_2" && rest[0] === " ") rest = rest.slice(1)
        day = num(std, 2, std === "02")
        break
      case "__2": case "002": {
        if (std === "__2") rest = rest.replace(/^ {1,2}/, "")
        const m = std === "002" ? /^\d{3}/.exec(rest) : /^\d{1,3}/.exec(rest)
        if (!m) throw parseError(layout, value, std, rest)
        yday = Number(m[0]); rest = rest.slice(m[0].length); break
      }
      case "15": hour = num(std, 2, false, 23); break
      case "3": case "03": hour = num(std, 2, std === "03", 12); break
      case "4": case "04": min = num(std, 2, std === "04", 59); break
      case "5": case "05": {
        sec = num(std, 2, std === "05", 59)
        // a fractional second may follow even when the layout has none
        const nx = chunks[k + 1]
        if (/^[.,]\d/.test(rest) && !(nx && "std" in nx && (nx.std === ".0" || nx.std === ".9"))) {
          const m = /^[.,](\d+)/.exec(rest)!
          nsec = Number(m[1]!.slice(0, 9).padEnd(9, "0"))
          rest = rest.slice(m[0].length)
        }
        break
      }
      case "PM": case "pm": {
        const p = rest.slice(0, 2)
        if (/^pm$/i.test(p)) pmSet = true
        else if (/^am$/i.test(p)) amSet = true
        else throw parseError(layout, value, std, rest)
        rest = rest.slice(2); break
      }
      case ".0": case ".9": {
        if (std === ".0") {
          const m = new RegExp(`^[.,](\\d{${ch.frac}})`).exec(rest)
          if (!m) throw parseError(layout, value, std, rest)
          nsec = Number(m[1]!.slice(0, 9).padEnd(9, "0")); rest = rest.slice(m[0].length)
        } else {
          const m = /^[.,](\d+)/.exec(rest)
          if (m) { nsec = Number(m[1]!.slice(0, 9).padEnd(9, "0")); rest = rest.slice(m[0].length) }
        }
        break
      }
      case "MST": {
        const m = /^(UTC|GMT([+-]\d{1,2})?|[A-Z]{3,5}T?)/.exec(rest)
        if (!m) throw parseError(layout, value, std, rest)
        zoneName = m[0]; rest = rest.slice(m[0].length)
        if (zoneName === "UTC") offset = 0
        break
      }
      default: {
        // numeric zones
        if (std[0] === "Z" && rest[0] === "Z") { rest = rest.slice(1); offset = 0; zoneName = "UTC"; break }
        const colon = std.includes(":")
        const re = std.endsWith("07") && std.length <= 3 ? /^([+-])(\d\d)/ : colon ? /^([+-])(\d\d):(\d\d)(?::(\d\d))?/ : /^([+-])(\d\d)(\d\d)(\d\d)?/
        const m = re.exec(rest)
        if (!m) throw parseError(layout, value, std, rest)
        const o = (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * (m[1] === "-" ? -1 : 1)
        offset = o
        rest = rest.slice(m[0].length)
      }
    }
  }
  if (rest.length > 0) throw parseError(layout, value, "", "", `: extra text: ${quote(rest)}`)
  if (pmSet && hour < 12) hour += 12
  else if (amSet && hour === 12) hour = 0
  if (yday >= 0) {
    const d = new Date(Date.UTC(year, 0, yday))
    month = d.getUTCMonth() + 1
    day = d.getUTCDate()
  }
  if (day < 1 || day > daysIn(month, year)) throw parseError(layout, value, "", "", ": day out of range")
  const local = utcSeconds(year, month, day, hour, min, sec)
  if (offset !== undefined) {
    const zone = offset === 0 && (zoneName === "UTC" || zoneName === "") ? UTC : fixedZone(zoneName, offset)
    return { sec: local - offset, nsec, zone }
  }
  if (zoneName !== "") return { sec: local, nsec, zone: fixedZone(zoneName, 0) }
  const off = loc.at(local).offset
  return { sec: local - off, nsec, zone: loc }
}

function utcSeconds(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const dt = new Date(0)
  dt.setUTCFullYear(y, mo - 1, d)
  dt.setUTCHours(h, mi, s, 0)
  return dt.getTime() / 1000
}

const rangeName = (std: string) => (std.startsWith("0") || std === "1" ? "month" : std === "15" || std === "3" || std === "03" ? "hour" : std === "4" || std === "04" ? "minute" : "second")
const daysIn = (m: number, y: number) => new Date(Date.UTC(y, m, 0)).getUTCDate()

// ---- durations ----

/** time.Duration.String for nanoseconds. */
export function durationString(d: bigint): string {
  if (d === 0n) return "0s"
  const neg = d < 0n
  let u = neg ? -d : d
  let out: string
  if (u < 1_000_000_000n) {
    const [unit, div] = u < 1000n ? ["ns", 1n] : u < 1_000_000n ? ["µs", 1000n] : ["ms", 1_000_000n]
    out = fracString(u, div) + unit
  } else {
    const h = u / 3_600_000_000_000n
    u -= h * 3_600_000_000_000n
    const m = u / 60_000_000_000n
    u -= m * 60_000_000_000n
    out = (h > 0n ? `${h}h` : "") + (h > 0n || m > 0n ? `${m}m` : "") + fracString(u, 1_000_000_000n) + "s"
  }
  return (neg ? "-" : "") + out
}

function fracString(v: bigint, div: bigint): string {
  const whole = v / div
  const frac = v % div
  if (frac === 0n) return String(whole)
  const digits = String(div).length - 1
  return `${whole}.${String(frac).padStart(digits, "0").replace(/0+$/, "")}`
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }

/** time.ParseDuration, in nanoseconds. */
export function parseDuration(s: string): bigint {
  const orig = s
  const bad = () => new GoError(`time: invalid duration ${quote(orig)}`)
  let neg = false
  if (s[0] === "-" || s[0] === "+") { neg = s[0] === "-"; s = s.slice(1) }
  if (s === "0") return 0n
  if (s === "") throw bad()
  let total = 0
  while (s !== "") {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!
    if (m[0] === "" || m[0] === "." || (m[1] === "" && (m[2] ?? "") === "")) throw bad()
    s = s.slice(m[0].length)
    const u = /^(ns|us|µs|μs|ms|s|m|h)/.exec(s)
    if (!u) {
      if (/^[^0-9.]/.test(s) || s === "") throw new GoError(s === "" ? `time: missing unit in duration ${quote(orig)}` : `time: unknown unit ${quote(/^[^0-9.]+/.exec(s)![0])} in duration ${quote(orig)}`)
      throw bad()
    }
    s = s.slice(u[0].length)
    total += Number(`${m[1] || "0"}.${m[2] ?? ""}0`) * UNITS[u[0]]!
  }
  if (total > 9.223372036854776e18) throw bad()
  return BigInt(Math.round(neg ? -total : total))
}

export const durationType = { name: "time.Duration", string: durationString }

// ---- the time.Time object ----

const tv = (o: GoObject) => o.v as TimeV
const mk = (t: TimeV): GoObject => new GoObject(TimeType, t)
const I64 = (n: number | bigint) => new GoNum("int64", BigInt(n))

function addDate(t: TimeV, y: number, m: number, d: number): TimeV {
  const c = civil(t)
  const dt = new Date(0)
  dt.setUTCFullYear(c.year + y, c.month - 1 + m, c.day + d)
  dt.setUTCHours(c.hour, c.min, c.sec, 0)
  const local = dt.getTime() / 1000
  return { sec: local - t.zone.at(local).offset, nsec: t.nsec, zone: t.zone }
}

/** Adds nanoseconds to a time. */
export function addNanos(t: TimeV, d: bigint): TimeV {
  const total = BigInt(t.sec) * 1_000_000_000n + BigInt(t.nsec) + d
  let sec = total / 1_000_000_000n
  let nsec = total % 1_000_000_000n
  if (nsec < 0n) { nsec += 1_000_000_000n; sec -= 1n }
  return { sec: Number(sec), nsec: Number(nsec), zone: t.zone }
}

const m0 = (fn: (t: TimeV) => unknown, ret?: Partial<FuncDef>): FuncDef => ({ params: [], fn: (o: GoObject) => fn(tv(o)), ...ret })

/** time.Time */
export const TimeType: ObjType = {
  name: "time.Time",
  kind: "struct",
  fields: [],
  string: (o) => timeString(tv(o)),
  json: (o) => formatTime(tv(o), "2006-01-02T15:04:05.999999999Z07:00"),
  methods: {
    Format: def([P_STRING], (o: GoObject, l: string) => formatTime(tv(o), l)),
    String: m0(timeString),
    Unix: m0((t) => I64(t.sec)),
    UnixMilli: m0((t) => I64(BigInt(t.sec) * 1000n + BigInt(Math.floor(t.nsec / 1e6)))),
    UnixNano: m0((t) => I64(BigInt(t.sec) * 1_000_000_000n + BigInt(t.nsec))),
    Year: m0((t) => BigInt(civil(t).year)),
    Month: m0((t) => new GoNum("int", BigInt(civil(t).month), monthType)),
    Day: m0((t) => BigInt(civil(t).day)),
    Hour: m0((t) => BigInt(civil(t).hour)),
    Minute: m0((t) => BigInt(civil(t).min)),
    Second: m0((t) => BigInt(civil(t).sec)),
    Nanosecond: m0((t) => BigInt(t.nsec)),
    YearDay: m0((t) => BigInt(civil(t).yday)),
    Weekday: m0((t) => new GoNum("int", BigInt(civil(t).weekday), weekdayType)),
    UTC: m0((t) => mk({ sec: t.sec, nsec: t.nsec, zone: UTC })),
    Local: m0((t) => mk({ sec: t.sec, nsec: t.nsec, zone: LOCAL })),
    IsZero: m0((t) => t.sec === -62135596800 && t.nsec === 0),
    AddDate: def([P_INT, P_INT, P_INT], (o: GoObject, y: bigint, m: bigint, d: bigint) => mk(addDate(tv(o), Number(y), Number(m), Number(d)))),
    Before: def([P_TIME_LATE()], (o: GoObject, u: GoObject) => cmp(tv(o), tv(u)) < 0),
    After: def([P_TIME_LATE()], (o: GoObject, u: GoObject) => cmp(tv(o), tv(u)) > 0),
    Equal: def([P_TIME_LATE()], (o: GoObject, u: GoObject) => cmp(tv(o), tv(u)) === 0),
  },
}

function P_TIME_LATE() {
  return { name: "time.Time", constKind: "other" as const, nilOk: false, accepts: (v: unknown) => v instanceof GoObject && v.type === TimeType }
}

const cmp = (a: TimeV, b: TimeV) => (a.sec !== b.sec ? a.sec - b.sec : a.nsec - b.nsec)

/** A time.Time value. */
export const timeValue = (t: TimeV): GoObject => mk(t)
/** The zero time.Time (what a failed toDate returns). */
export const zeroTime = (): GoObject => mk({ sec: -62135596800, nsec: 0, zone: UTC })
/** time.Now() with a monotonic reading, as Go's now carries. */
export function now(): GoObject {
  const ms = Date.now()
  const hr = process.hrtime.bigint()
  return mk({ sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6, zone: LOCAL, mono: Number(hr % 1_000_000_000_000n) })
}
