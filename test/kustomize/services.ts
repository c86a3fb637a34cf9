// The source and kustomize services hosted on a test cluster, and the
// Kustomization events they publish.
import { ActorHost, Client, NatsTransport, ensureJetStream, silentLog } from "@moor/actors"
import { kustomizeService } from "@moor/kustomize-service"
import type { Event } from "@moor/protocol"
import { sourceService } from "@moor/source"
import { lifo, startCluster, startRealCluster, tempDir } from "../harness.ts"

type After = { after: (f: () => unknown) => void }

export interface ServicesOptions {
  /** Which API server: moor's embedded one (default, simulated workloads) or kube-real (see startRealCluster). */
  readonly cluster?: "embedded" | "real"
}

export const startServices = async (test: After, opts: ServicesOptions = {}) => {
  // Hosts stop before the servers they use (a run ending after nats closed would throw).
  const t = lifo(test)
  const c = opts.cluster === "real" ? await startRealCluster(t) : await startCluster(t)
  const { leases } = await ensureJetStream(c.nc)
  const transport = new NatsTransport(c.nc)
  const src = await sourceService({ kube: c.kube, nc: c.nc, cacheRoot: tempDir(t), log: silentLog })
  const ks = await kustomizeService({ kube: c.kube, nc: c.nc })
  const hosts = [
    new ActorHost({ service: "source", transport, leases, catalog: src.catalog, behaviors: src.behaviors }),
    new ActorHost({ service: "kustomize", transport, leases, catalog: ks.catalog, behaviors: ks.behaviors }),
  ]
  for (const h of hosts) await h.start()
  t.after(() => Promise.all(hosts.map((h) => h.stop())))
  const events: Event[] = []
  new Client(transport).events((e) => events.push(e), "kustomization")
  return { ...c, events }
}
