// Commands to one actor (request/reply on moor.cmd.<kind>.<ns>.<name>) and
// the reply, which always carries the actor's current status.
import { Schema } from "effect"

/** Reconcile now (Flux's reconcile.fluxcd.io/requestedAt annotation has the same effect). */
export const Reconcile = Schema.Struct({ type: Schema.Literal("reconcile"), requestedAt: Schema.optional(Schema.String) })
/** Stop scheduling runs (a run in flight completes). */
export const Suspend = Schema.Struct({ type: Schema.Literal("suspend") })
/** Schedule runs again, starting with one at once. */
export const Resume = Schema.Struct({ type: Schema.Literal("resume") })
/** A new desired spec; runs of older generations are interrupted. */
export const SpecUpdate = Schema.Struct({
  type: Schema.Literal("spec"),
  generation: Schema.Int,
  spec: Schema.Unknown,
})
/** The resource was deleted: the actor stops. */
export const Deleted = Schema.Struct({ type: Schema.Literal("deleted") })
/** Only asks for the status. */
export const GetStatus = Schema.Struct({ type: Schema.Literal("status") })

export const Command = Schema.Union([Reconcile, Suspend, Resume, SpecUpdate, Deleted, GetStatus])
export type Command = typeof Command.Type

export const ActorPhase = Schema.Literals(["idle", "queued", "running", "backoff", "suspended", "stopped"])
export type ActorPhase = typeof ActorPhase.Type

/** What an actor reports of itself; `status` is the resource's own .status as the handler last wrote it. */
export const ActorStatus = Schema.Struct({
  kind: Schema.String,
  namespace: Schema.String,
  name: Schema.String,
  phase: ActorPhase,
  generation: Schema.Int,
  observedGeneration: Schema.Int,
  runs: Schema.Int,
  failures: Schema.Int,
  lastRunAt: Schema.optional(Schema.String),
  lastError: Schema.optional(Schema.String),
  nextRunAt: Schema.optional(Schema.String),
  owner: Schema.String,
  status: Schema.optional(Schema.Unknown),
})
export type ActorStatus = typeof ActorStatus.Type

export const CommandError = Schema.Struct({ reason: Schema.String, message: Schema.String })

export const CommandReply = Schema.Union([
  Schema.Struct({ ok: Schema.Literal(true), status: ActorStatus }),
  Schema.Struct({ ok: Schema.Literal(false), error: CommandError }),
])
export type CommandReply = typeof CommandReply.Type
