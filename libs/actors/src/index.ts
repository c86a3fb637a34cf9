// @moor/actors: the actor runtime. One actor per resource key, hosted by the
// replica that leases the key's partition; commands by request/reply, events
// published to NATS (kept in JetStream), time as explicit schedules.
export { ActorHost, defaultHostOptions, type HostOptions } from "./ActorHost.ts"
export type { Behavior, EventInput, HostHandle, RunContext, RunResult, Trigger } from "./Behavior.ts"
export { MemoryCatalog, KvCatalog, type Catalog, type CatalogEntry, type CatalogListener, type RemoveOptions } from "./Catalog.ts"
export { classify, RunTimeout, Stalled, Transient, Waiting, type RunError } from "./Errors.ts"
export { jsonLog, silentLog, type Level, type Log } from "./Log.ts"
export { connectNats, ensureJetStream, NatsKv, NatsTransport, type JetStreamSetupOptions } from "./NatsTransport.ts"
export { MemoryKv, MemoryTransport } from "./MemoryTransport.ts"
export { assignPartitions, defaultPlacementOptions, hash32, partitionOf, Placement, type PlacementOptions } from "./Placement.ts"
export {
  backoffDelay,
  backoffSchedule,
  defaultBackoffOptions,
  defaultDebounceOptions,
  defaultIntervalJitter,
  intervalDelay,
  jittered,
  type BackoffOptions,
  type DebounceOptions,
} from "./Schedule.ts"
export { LeaseStore, subjectMatches, Transport, type KvStoreShape, type Message, type TransportShape } from "./Transport.ts"
export { Client } from "./Client.ts"
export { serialRuns } from "./Runs.ts"
export { Host, MemoryLive, Nats, NatsLive } from "./Layers.ts"
