// Time as data: the delays an actor waits between runs. Pure functions, so
// the schedule itself is tested, and handlers never sleep.

/** Exponential backoff: base * factor^(attempt-1), capped, with ±jitter (a fraction). */
export interface BackoffOptions {
  readonly baseMs: number
  readonly factor: number
  readonly capMs: number
  readonly jitter: number
}

/** 1 s, doubling, at most 5 minutes, ±10 %: a failing source is retried soon, then politely. */
export const defaultBackoffOptions: BackoffOptions = { baseMs: 1_000, factor: 2, capMs: 300_000, jitter: 0.1 }

/** Interval jitter: Flux spreads periodic reconciles the same way, so 10,000 actors do not fire in lockstep. */
export const defaultIntervalJitter = 0.05

/** `ms` moved by a uniform ±fraction; `rand` in [0, 1). */
export const jittered = (ms: number, fraction: number, rand: () => number = Math.random): number =>
  Math.max(0, Math.round(ms * (1 + fraction * (2 * rand() - 1))))

/** The delay before retry number `attempt` (1-based). */
export const backoffDelay = (o: BackoffOptions, attempt: number, rand: () => number = Math.random): number => {
  const raw = o.baseMs * o.factor ** Math.max(0, attempt - 1)
  return Math.min(o.capMs, jittered(Math.min(raw, o.capMs), o.jitter, rand))
}

/** The first `n` backoff delays, without jitter: what the schedule promises. */
export const backoffSchedule = (o: BackoffOptions, n: number): number[] =>
  Array.from({ length: n }, (_, i) => backoffDelay({ ...o, jitter: 0 }, i + 1))

/** The next periodic run after a success. */
export const intervalDelay = (intervalMs: number, jitter = defaultIntervalJitter, rand: () => number = Math.random) =>
  jittered(intervalMs, jitter, rand)

/**
 * Coalescing of spec updates: the first update of a quiet actor runs at once;
 * updates that follow within `debounceMs` wait until the stream goes quiet
 * (at most `maxWaitMs` after the burst began). So a burst runs at most twice:
 * once at its head, once with its newest spec.
 */
export interface DebounceOptions {
  readonly debounceMs: number
  readonly maxWaitMs: number
}
export const defaultDebounceOptions: DebounceOptions = { debounceMs: 250, maxWaitMs: 2_000 }
