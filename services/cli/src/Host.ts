// Hosts moor's services in this process for `moor dev`: one ActorHost per
// service, over a NATS connection, against one cluster, log lines also on
// NATS for `moor logs`. (`moor run` does the same for a chosen subset.)
import type { NatsConnection } from "@nats-io/transport-node"
import type { ActorHost, Behavior, Catalog, Log } from "@moor/actors"
import type { KubeClient } from "@moor/kube"
import { services, type ServiceContext, type ServiceDef } from "./services.ts"

export interface Hosted {
  readonly names: readonly string[]
  stop(): Promise<void>
}

/** What a service's build returns; a service without actors (apply) may have no catalog and a stop of its own. */
interface Built {
  readonly behaviors: Behavior<any>[]
  readonly catalog?: Catalog
  readonly stop?: () => Promise<void>
}

/** Starts the built services (or `chosen`); `stop()` hands their actors back and stops them. */
export const hostServices = async (o: { kube: KubeClient; nc: NatsConnection; stateDir: string; log: Log; replica: string; chosen?: readonly ServiceDef[] }): Promise<Hosted> => {
  const { ActorHost, ensureJetStream, NatsTransport } = await import("@moor/actors")
  const { ensureLogStream, natsLog } = await import("./LogSink.ts")
  const { leases } = await ensureJetStream(o.nc)
  await ensureLogStream(o.nc).catch((e: Error) => o.log.warn("no MOOR_LOGS stream: moor logs shows live lines only", { error: e.message }))
  const transport = new NatsTransport(o.nc)
  const hosts: ActorHost[] = []
  const stops: (() => Promise<void>)[] = []
  const hosted = (o.chosen ?? services).filter((s) => s.build)
  const stop = async () => {
    await Promise.all(hosts.map((h) => h.stop(10_000)))
    await Promise.all(stops.map((f) => f().catch(() => undefined)))
  }
  try {
    for (const s of hosted) {
      const log = natsLog(o.log, o.nc, s.name, o.replica)
      const ctx: ServiceContext = { kube: o.kube, nc: o.nc, stateDir: o.stateDir, log }
      const built = (await s.build!(ctx)) as Built
      if (built.stop) stops.push(built.stop)
      if (built.behaviors.length === 0 || !built.catalog) continue
      const h = new ActorHost({ service: s.name, replica: o.replica, transport, leases, catalog: built.catalog, behaviors: built.behaviors, log })
      await h.start()
      hosts.push(h)
    }
  } catch (e) {
    await stop()
    throw e
  }
  return { names: hosted.map((s) => s.name), stop }
}
