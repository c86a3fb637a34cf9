// Records in the JetStream KV bucket `moor-leases`: replica membership and
// partition leases. Liveness is decided by expiresAt (ms since the epoch) and
// ownership changes only by compare-and-set on the KV revision (fencing).
import { Schema } from "effect"

/** `m.<service>.<replica>`: a live replica of a service. */
export const Member = Schema.Struct({ replica: Schema.String, expiresAt: Schema.Number, startedAt: Schema.Number })
export type Member = typeof Member.Type

/** `p.<service>.<partition>`: who owns a partition, until when. */
export const Lease = Schema.Struct({ owner: Schema.String, expiresAt: Schema.Number, acquiredAt: Schema.Number })
export type Lease = typeof Lease.Type
