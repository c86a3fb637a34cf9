// The event every actor publishes, in Flux's event shape (fluxcd/pkg
// runtime/events.Event), so tools written for Flux notifications read it.
import { Schema } from "effect"

/** The object an event is about. */
export const ObjectReference = Schema.Struct({
  kind: Schema.String,
  namespace: Schema.optional(Schema.String),
  name: Schema.String,
  uid: Schema.optional(Schema.String),
  apiVersion: Schema.optional(Schema.String),
  resourceVersion: Schema.optional(Schema.String),
})
export type ObjectReference = typeof ObjectReference.Type

export const Severity = Schema.Literals(["info", "error", "trace"])
export type Severity = typeof Severity.Type

/** Flux's event: involvedObject, severity, timestamp (RFC 3339), message, reason, metadata, reportingController. */
export const Event = Schema.Struct({
  involvedObject: ObjectReference,
  severity: Severity,
  timestamp: Schema.String,
  message: Schema.String,
  reason: Schema.String,
  metadata: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  reportingController: Schema.String,
  reportingInstance: Schema.optional(Schema.String),
})
export type Event = typeof Event.Type
