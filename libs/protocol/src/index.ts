// @moor/protocol: moor's public NATS contract, version v1: subject builders
// and Schema codecs for every message that crosses NATS or JetStream.
import { codec } from "./Codec.ts"
import { Command, CommandReply } from "./Command.ts"
import { Event } from "./Event.ts"
import { Lease, Member } from "./Lease.ts"
import { ApplyOwnerNotice, ApplyReply, ApplyRequest } from "./Apply.ts"

/** The protocol version; a breaking change to a subject or schema bumps it. */
export const PROTOCOL_VERSION = "v1"

export * from "./Subjects.ts"
export { Event, ObjectReference, Severity } from "./Event.ts"
export {
  ActorPhase,
  ActorStatus,
  Command,
  CommandError,
  CommandReply,
  Deleted,
  GetStatus,
  Reconcile,
  Resume,
  SpecUpdate,
  Suspend,
} from "./Command.ts"
export { Lease, Member } from "./Lease.ts"
export {
  ApplyBundle,
  ApplyChange,
  ApplyDelete,
  ApplyError,
  ApplyHealth,
  ApplyInventory,
  ApplyOwner,
  ApplyOwnerNotice,
  ApplyReply,
  ApplyRequest,
  ApplyResult,
  ApplySuspend,
  ApplyTarget,
  HealthCheckRef,
} from "./Apply.ts"
export { codec, DecodeError } from "./Codec.ts"

/** Ready-made codecs for each message. */
export const Codecs = {
  event: codec(Event, "event"),
  command: codec(Command, "command"),
  commandReply: codec(CommandReply, "command reply"),
  lease: codec(Lease, "lease"),
  member: codec(Member, "member"),
  applyRequest: codec(ApplyRequest, "apply request"),
  applyReply: codec(ApplyReply, "apply reply"),
  applyOwnerNotice: codec(ApplyOwnerNotice, "apply owner notice"),
}
