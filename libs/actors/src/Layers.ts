// Effect wiring: the NATS connection, transport and lease store as layers,
// and the actor host as a scoped service (started on acquire, stopped with
// its scope). A test swaps NatsLive for MemoryLive; nothing is mocked.
import { Context, Effect, Layer } from "effect"
import type { NatsConnection } from "@nats-io/transport-node"
import { ActorHost, type HostOptions } from "./ActorHost.ts"
import { MemoryKv, MemoryTransport } from "./MemoryTransport.ts"
import { connectNats, ensureJetStream, NatsTransport, type JetStreamSetupOptions } from "./NatsTransport.ts"
import { LeaseStore, Transport } from "./Transport.ts"

/** The process's NATS connection. */
export class Nats extends Context.Service<Nats, NatsConnection>()("moor/actors/Nats") {}

/** NATS at `url`: the connection (drained on release), the transport, and the JetStream lease store. */
export const NatsLive = (url: string, name: string, setup: JetStreamSetupOptions = {}) => {
  const conn = Layer.effect(
    Nats,
    Effect.acquireRelease(
      Effect.tryPromise({ try: () => connectNats(url, name), catch: (e) => new Error(`cannot connect to NATS at ${url}: ${(e as Error).message}`) }),
      (nc) => Effect.promise(() => nc.drain().catch(() => undefined)),
    ),
  )
  const rest = Layer.effect(
    LeaseStore,
    Effect.gen(function* () {
      const nc = yield* Nats
      return (yield* Effect.tryPromise({ try: () => ensureJetStream(nc, setup), catch: (e) => new Error(`JetStream setup failed (is the server started with -js?): ${(e as Error).message}`) })).leases
    }),
  ).pipe(Layer.merge(Layer.effect(Transport, Effect.gen(function* () { return new NatsTransport(yield* Nats) }))))
  return rest.pipe(Layer.provideMerge(conn))
}

/** Everything in memory: for unit tests of actor logic. */
export const MemoryLive = Layer.mergeAll(Layer.succeed(Transport, new MemoryTransport()), Layer.succeed(LeaseStore, new MemoryKv()))

/** The actor host of one service, started when the layer is built and stopped with its scope. */
export class Host extends Context.Service<Host, ActorHost>()("moor/actors/Host") {
  /** `leases: "shared"` leases partitions in the LeaseStore (several replicas); "solo" holds them all. */
  static layer = (options: Omit<HostOptions, "transport" | "leases"> & { readonly placementMode?: "shared" | "solo" }) =>
    Layer.effect(
      Host,
      Effect.gen(function* () {
        const transport = yield* Transport
        const leases = yield* LeaseStore
        return yield* Effect.acquireRelease(
          Effect.promise(async () => {
            const h = new ActorHost({ ...options, transport, ...(options.placementMode === "solo" ? {} : { leases }) })
            await h.start()
            return h
          }),
          (h) => Effect.promise(() => h.stop()),
        )
      }),
    )
}
