/**
 * Go durations as Flux writes them ("1m30s", "5m", "250ms"): a parser that
 * follows Go's time.ParseDuration, a formatter that prints like Go's
 * Duration.String, and the validated string schemas Flux's CRDs declare.
 */
import { Schema } from "effect"
import { OpenApi } from "./internal/fields.ts"

// Nanoseconds per unit; Go accepts both the micro sign and the Greek mu for "us".
const units: ReadonlyMap<string, number> = new Map([
  ["ns", 1],
  ["us", 1e3],
  ["µs", 1e3],
  ["μs", 1e3],
  ["ms", 1e6],
  ["s", 1e9],
  ["m", 60e9],
  ["h", 3600e9],
])

// Go's maximum Duration (int64 nanoseconds), about 292 years.
const maxNanos = 9223372036854775807

/** Thrown by {@link parseDuration} for text that is not a Go duration. */
export class DurationError extends Error {
  override readonly name = "DurationError"
}

/**
 * Parses a Go duration ("1h2m3.5s", "-90s", "0") into milliseconds, as Go's
 * time.ParseDuration does. Throws a DurationError that quotes the input and
 * says what is wrong (missing unit, unknown unit, overflow...).
 */
export const parseDuration = (s: string): number => {
  const fail = (why: string): never => {
    throw new DurationError(`invalid duration ${JSON.stringify(s)}: ${why}`)
  }
  if (typeof s !== "string") fail("not a string")
  let rest = s
  let sign = 1
  if (rest.startsWith("-") || rest.startsWith("+")) {
    if (rest[0] === "-") sign = -1
    rest = rest.slice(1)
  }
  if (rest === "0") return 0
  if (rest === "") fail("empty")
  let nanos = 0
  while (rest !== "") {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest)
    const whole = m?.[1] ?? ""
    const frac = m?.[2] ?? ""
    if (whole === "" && frac === "") fail(`expected a number at ${JSON.stringify(rest)}`)
    rest = rest.slice(m![0].length)
    const u = /^[^\d.]+/.exec(rest)?.[0]
    if (u === undefined) fail(`missing unit after ${JSON.stringify(m![0])} (use ns, us, ms, s, m or h)`)
    const scale = units.get(u!)
    if (scale === undefined) fail(`unknown unit ${JSON.stringify(u)} (use ns, us, ms, s, m or h)`)
    rest = rest.slice(u!.length)
    nanos += Number(whole || "0") * scale! + (frac === "" ? 0 : Number(`0.${frac}`) * scale!)
    if (nanos > maxNanos) fail("out of range (more than about 292 years)")
  }
  return (sign * nanos) / 1e6
}

/**
 * Formats milliseconds the way Go prints a Duration: "1h2m3s", "1m30s",
 * "250ms", "500µs", "0s"; sub-second parts of durations of a second or more
 * are printed as a decimal fraction of seconds ("1.5s").
 */
export const formatDuration = (ms: number): string => {
  if (!Number.isFinite(ms)) throw new DurationError(`cannot format ${ms} as a duration`)
  if (ms === 0) return "0s"
  const sign = ms < 0 ? "-" : ""
  let rest = Math.abs(ms)
  if (rest < 1) return `${sign}${trim(rest * 1000)}µs`
  if (rest < 1000) return `${sign}${trim(rest)}ms`
  const h = Math.floor(rest / 3_600_000)
  rest -= h * 3_600_000
  const m = Math.floor(rest / 60_000)
  rest -= m * 60_000
  const secs = `${trim(rest / 1000)}s`
  if (h > 0) return `${sign}${h}h${m}m${secs}`
  if (m > 0) return `${sign}${m}m${secs}`
  return `${sign}${secs}`
}

const trim = (n: number): string => String(Number(n.toFixed(9)))

// Flux's CRDs restrict durations to these shapes (no sign, no ns/us); the
// decoder uses the same patterns so that it accepts what the API server accepts.
const intervalPattern = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/
const timeoutPattern = /^([0-9]+(\.[0-9]+)?(ms|s|m))+$/

const durationSchema = (re: RegExp, units: string) =>
  Schema.String.check(
    Schema.isPattern(re, {
      message: `Expected a duration such as "1m30s" (a number and a unit, units ${units})`,
      [OpenApi]: { pattern: re.source },
    }),
  )

/** A Go duration string as Flux's CRDs accept it for intervals: units ms, s, m, h. */
export const Duration = durationSchema(intervalPattern, "ms, s, m, h")

/** A Go duration string as Flux's CRDs accept it for most timeouts: units ms, s, m (no hours). */
export const ShortDuration = durationSchema(timeoutPattern, "ms, s, m")
