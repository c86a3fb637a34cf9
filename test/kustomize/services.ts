// The source, kustomize and apply services hosted on a test cluster, and the
// Kustomization events they publish.
import { ActorHost, Client, NatsTransport, ensureJetStream, silentLog, type Log } from "@moor/actors"
import { applyService } from "@moor/apply-service"
import { kustomizeService } from "@moor/kustomize-service"
import type { KubeObject } from "@moor/kube"
import type { Event } from "@moor/protocol"
import { sourceService } from "@moor/source"
import { lifo, startCluster, startRealCluster, tempDir } from "../harness.ts"

type After = { after: (f: () => unknown) => void }

export interface ServicesOptions {
  /** Where the services log (default: nowhere); a test that greps logs passes a recorder. */
  readonly log?: Log
  /** Which API server: moor's embedded one (default, simulated workloads) or kube-real (see startRealCluster). */
  readonly cluster?: "embedded" | "real"
  /** kube-real only: run the simulated kubelet that makes pods Ready (default true). */
  readonly readyPods?: boolean
}

export const startServices = async (test: After, opts: ServicesOptions = {}) => {
  const log = opts.log ?? silentLog
  // Hosts stop before the servers they use (a run ending after nats closed would throw).
  const t = lifo(test)
  const c = opts.cluster === "real" ? await startRealCluster(t, opts.readyPods === false ? { readyPods: false } : {}) : await startCluster(t)
  const { leases } = await ensureJetStream(c.nc)
  const transport = new NatsTransport(c.nc)
  // The services, which a test may stop and start again while the cluster and NATS stay.
  let running: (() => Promise<void>) | undefined
  const start = async () => {
    const src = await sourceService({ kube: c.kube, nc: c.nc, cacheRoot, log })
    const ks = await kustomizeService({ kube: c.kube, nc: c.nc, log })
    const hosts = [
      new ActorHost({ service: "source", transport, leases, catalog: src.catalog, behaviors: src.behaviors, log }),
      new ActorHost({ service: "kustomize", transport, leases, catalog: ks.catalog, behaviors: ks.behaviors, log }),
    ]
    // The hub's apply actor: the kustomize service sends its bundles to moor.apply.hub.
    const apply = await applyService({ kube: c.kube, nc: c.nc, log })
    for (const h of hosts) await h.start()
    running = async () => {
      await Promise.all(hosts.map((h) => h.stop()))
      await apply.stop()
    }
  }
  const stop = async () => {
    const r = running
    running = undefined
    await r?.()
  }
  const cacheRoot = tempDir(t)
  await start()
  t.after(stop)
  const events: Event[] = []
  new Client(transport).events((e) => events.push(e), "kustomization")
  return { ...c, events, services: { stop, start } }
}

/** The GitRepository `fleet` (or `name`) in default, at a git daemon URL, polled every `interval`. */
export const gitRepository = (url: string, interval = "1s", name = "fleet"): KubeObject => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: { name, namespace: "default" },
  spec: { url, interval },
})

/** A Kustomization in default of the GitRepository `fleet`: interval 10m, prune, then `spec`. */
export const kustomization = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name, namespace: "default" },
  spec: { interval: "10m", prune: true, sourceRef: { kind: "GitRepository", name: "fleet" }, ...spec },
})
