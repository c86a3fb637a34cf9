import assert from "node:assert/strict"
import { test } from "node:test"
import { Result, Schema } from "effect"
import { Duration, DurationError, ShortDuration, formatDuration, parseDuration } from "./Duration.ts"

test("parseDuration reads Go durations into milliseconds", () => {
  const table: ReadonlyArray<readonly [string, number]> = [
    ["0", 0],
    ["0s", 0],
    ["1m30s", 90_000],
    ["5m0s", 300_000],
    ["1h", 3_600_000],
    ["2h45m", 9_900_000],
    ["1.5h", 5_400_000],
    [".5s", 500],
    ["250ms", 250],
    ["1h2m3s4ms", 3_723_004],
    ["-90s", -90_000],
    ["+1s", 1000],
    ["1500us", 1.5],
    ["1500µs", 1.5],
    ["2000000ns", 2],
  ]
  for (const [text, ms] of table) assert.equal(parseDuration(text), ms, text)
})

test("parseDuration rejects what Go rejects, saying why", () => {
  const table: ReadonlyArray<readonly [string, string]> = [
    ["", 'invalid duration "": empty'],
    ["1", 'invalid duration "1": missing unit after "1" (use ns, us, ms, s, m or h)'],
    ["1d", 'invalid duration "1d": unknown unit "d" (use ns, us, ms, s, m or h)'],
    ["5 minutes", 'invalid duration "5 minutes": unknown unit " minutes" (use ns, us, ms, s, m or h)'],
    ["m", 'invalid duration "m": expected a number at "m"'],
    ["-", 'invalid duration "-": empty'],
    ["1h-1m", 'invalid duration "1h-1m": unknown unit "h-" (use ns, us, ms, s, m or h)'], // as Go reads it
    ["3000000h", 'invalid duration "3000000h": out of range (more than about 292 years)'],
  ]
  for (const [text, message] of table) {
    assert.throws(() => parseDuration(text), (e: unknown) => e instanceof DurationError && e.message === message, text)
  }
})

test("formatDuration prints like Go's Duration.String and round-trips", () => {
  const table: ReadonlyArray<readonly [number, string]> = [
    [0, "0s"],
    [250, "250ms"],
    [0.5, "500µs"],
    [1500, "1.5s"],
    [60_000, "1m0s"],
    [90_000, "1m30s"],
    [3_600_000, "1h0m0s"],
    [5_400_000, "1h30m0s"],
    [-1000, "-1s"],
  ]
  for (const [ms, text] of table) {
    assert.equal(formatDuration(ms), text, String(ms))
    assert.equal(parseDuration(text), ms, text)
  }
})

test("the Duration schemas accept exactly Flux's CRD patterns", () => {
  const table: ReadonlyArray<readonly [string, boolean, boolean]> = [
    // text, valid interval, valid short duration (timeouts without hours)
    ["1m", true, true],
    ["1m30s", true, true],
    ["1.5s", true, true],
    ["100ms", true, true],
    ["1h", true, false],
    ["0", false, false],
    ["-1m", false, false],
    ["1us", false, false],
    ["1d", false, false],
    ["", false, false],
  ]
  for (const [text, interval, short] of table) {
    assert.equal(Schema.is(Duration)(text), interval, `Duration ${text}`)
    assert.equal(Schema.is(ShortDuration)(text), short, `ShortDuration ${text}`)
    // Whatever the schemas accept, parseDuration reads.
    if (interval) assert.ok(parseDuration(text) >= 0)
  }
  const r = Schema.decodeUnknownResult(ShortDuration)("2h")
  assert.ok(Result.isFailure(r))
  assert.match(r.failure.message, /Expected a duration such as "1m30s" \(a number and a unit, units ms, s, m\)/)
})
