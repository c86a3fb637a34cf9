import { test } from "node:test"
import assert from "node:assert/strict"
import { backoffDelay, backoffSchedule, defaultBackoffOptions, intervalDelay, jittered } from "./Schedule.ts"

test("backoff doubles from the base up to the cap", () => {
  const cases: { o: Parameters<typeof backoffSchedule>[0]; want: number[] }[] = [
    { o: defaultBackoffOptions, want: [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000] },
    { o: { baseMs: 100, factor: 3, capMs: 1_000, jitter: 0 }, want: [100, 300, 900, 1_000, 1_000] },
    { o: { baseMs: 50, factor: 1, capMs: 1_000, jitter: 0 }, want: [50, 50, 50] },
  ]
  for (const c of cases) assert.deepEqual(backoffSchedule(c.o, c.want.length), c.want)
})

test("jitter stays within ±fraction and never passes the cap", () => {
  assert.equal(jittered(1_000, 0.1, () => 0), 900)
  assert.equal(jittered(1_000, 0.1, () => 0.5), 1_000)
  assert.equal(jittered(1_000, 0.1, () => 0.999999), 1_100)
  const o = { baseMs: 1_000, factor: 2, capMs: 5_000, jitter: 0.5 }
  for (let attempt = 1; attempt < 12; attempt++) {
    for (const r of [0, 0.25, 0.5, 0.75, 0.9999]) {
      const d = backoffDelay(o, attempt, () => r)
      const nominal = Math.min(5_000, 1_000 * 2 ** (attempt - 1))
      assert.ok(d >= nominal * 0.5 && d <= Math.min(5_000, nominal * 1.5), `attempt ${attempt} r ${r}: ${d}`)
    }
  }
  // Interval jitter spreads 10,000 actors over ±5 %.
  const spread = new Set(Array.from({ length: 1_000 }, () => intervalDelay(60_000)))
  assert.ok(spread.size > 100)
  for (const d of spread) assert.ok(d >= 57_000 && d <= 63_000)
})
