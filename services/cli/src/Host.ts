// Hosts moor's services in this process: one ActorHost per service, over a
// NATS connection, against one cluster. `moor run` and `moor dev` share it.
import type { NatsConnection } from "@nats-io/transport-node"
import type { ActorHost, Log } from "@moor/actors"
import type { KubeClient } from "@moor/kube"
import { services, type ServiceDef } from "./services.ts"

export interface Hosted {
  readonly names: readonly string[]
  stop(): Promise<void>
}

/** Starts the given services (all built ones by default); `stop()` hands their actors back. */
export const hostServices = async (o: { kube: KubeClient; nc: NatsConnection; stateDir: string; log: Log; replica: string; chosen?: readonly ServiceDef[] }): Promise<Hosted> => {
  const { ActorHost, ensureJetStream, NatsTransport } = await import("@moor/actors")
  const { leases } = await ensureJetStream(o.nc)
  const transport = new NatsTransport(o.nc)
  const hosts: ActorHost[] = []
  const hosted = (o.chosen ?? services).filter((s) => s.build)
  try {
    for (const s of hosted) {
      const { behaviors, catalog } = await s.build!({ kube: o.kube, nc: o.nc, stateDir: o.stateDir, log: o.log })
      const h = new ActorHost({ service: s.name, replica: o.replica, transport, leases, catalog, behaviors, log: o.log })
      await h.start()
      hosts.push(h)
    }
  } catch (e) {
    await Promise.all(hosts.map((h) => h.stop(10_000)))
    throw e
  }
  return { names: hosted.map((s) => s.name), stop: async () => void (await Promise.all(hosts.map((h) => h.stop(10_000)))) }
}
