// How a run fails, classed as source-controller does: stalled (no retry until
// the spec changes), waiting (retry after a delay, not a failure) or
// transient (back off). Each carries the condition reason it maps to.
import { Schema } from "effect"

/** Metadata of the event a failed run publishes (Flux's `revision`, for notifications and commit statuses). */
const EventMetadata = Schema.optional(Schema.Record(Schema.String, Schema.String))

/** Needs a spec change: retrying would fail the same way (bad URL, invalid spec). */
export class Stalled extends Schema.TaggedError<Stalled>()("Stalled", {
  reason: Schema.String,
  message: Schema.String,
  metadata: EventMetadata,
}) {}

/** Not an error yet: a dependency is not ready; try again after `retryAfterMs`. */
export class Waiting extends Schema.TaggedError<Waiting>()("Waiting", {
  reason: Schema.String,
  message: Schema.String,
  retryAfterMs: Schema.Number,
  metadata: EventMetadata,
}) {}

/** Failed this time (network, server): retry with backoff. */
export class Transient extends Schema.TaggedError<Transient>()("Transient", {
  reason: Schema.String,
  message: Schema.String,
  metadata: EventMetadata,
}) {}

/** A run exceeded its timeout. */
export class RunTimeout extends Schema.TaggedError<RunTimeout>()("RunTimeout", {
  reason: Schema.String,
  message: Schema.String,
}) {}

export type RunError = Stalled | Waiting | Transient | RunTimeout

/** The class of any failure: our tagged errors by tag; anything else (a throw, a defect) is transient. */
export const classify = (
  e: unknown,
): { kind: "stalled" | "waiting" | "transient"; reason: string; message: string; retryAfterMs?: number; metadata?: Record<string, string> } => {
  const metadata = (e instanceof Stalled || e instanceof Waiting || e instanceof Transient) && e.metadata ? { metadata: e.metadata } : {}
  if (e instanceof Stalled) return { kind: "stalled", reason: e.reason, message: e.message, ...metadata }
  if (e instanceof Waiting) return { kind: "waiting", reason: e.reason, message: e.message, retryAfterMs: e.retryAfterMs, ...metadata }
  if (e instanceof Transient) return { kind: "transient", reason: e.reason, message: e.message, ...metadata }
  if (e instanceof RunTimeout) return { kind: "transient", reason: e.reason, message: e.message }
  const any = e as { reason?: unknown; message?: unknown } | undefined
  const reason = typeof any?.reason === "string" ? any.reason : "ReconciliationFailed"
  const message = typeof any?.message === "string" && any.message !== "" ? any.message : String(e)
  return { kind: "transient", reason, message }
}
