// The services `moor run` can host. Each issue registers its service here:
// a function from the shared context to the behaviours it hosts and the
// catalog (informers) that feeds them.
import type { NatsConnection } from "@nats-io/transport-node"
import type { Behavior, Catalog, Log } from "@moor/actors"
import type { KubeClient } from "@moor/kube"

export interface ServiceContext {
  readonly kube: KubeClient
  readonly nc: NatsConnection
  /** moor's local state (caches), e.g. .moor/ */
  readonly stateDir: string
  readonly log: Log
  /** The name of the cluster this process applies to (its apply actor's `moor.apply.<cluster>`). Default "hub". */
  readonly cluster?: string
}

export interface ServiceDef {
  readonly name: string
  /** The kinds whose actors it hosts. */
  readonly kinds: readonly string[]
  /** Builds the behaviours; absent while the service is not built yet. */
  readonly build?: (ctx: ServiceContext) => Promise<{ behaviors: Behavior<any>[]; catalog?: Catalog; stop?: () => Promise<void> }>
}

/** Every service of the architecture, in start order. */
export const services: readonly ServiceDef[] = [
  {
    name: "source",
    kinds: ["gitrepository"],
    build: async (ctx) => {
      const { sourceService } = await import("@moor/source")
      return sourceService({ kube: ctx.kube, nc: ctx.nc, cacheRoot: `${ctx.stateDir}/cache/git`, log: ctx.log })
    },
  },
  {
    name: "kustomize",
    kinds: ["kustomization"],
    build: async (ctx) => {
      const { kustomizeService } = await import("@moor/kustomize-service")
      return kustomizeService({ kube: ctx.kube, nc: ctx.nc, log: ctx.log, ...(ctx.cluster ? { cluster: ctx.cluster } : {}) })
    },
  },
  {
    // No actors of a kind: the apply actor of this cluster answers bundles on moor.apply.<cluster>.
    name: "apply",
    kinds: [],
    build: async (ctx) => {
      const { applyService } = await import("@moor/apply-service")
      const svc = await applyService({ kube: ctx.kube, nc: ctx.nc, log: ctx.log, ...(ctx.cluster ? { cluster: ctx.cluster } : {}) })
      return { behaviors: [], stop: svc.stop }
    },
  },
  { name: "helm", kinds: ["helmrelease"] },
  { name: "image", kinds: ["imagerepository", "imagepolicy", "imageupdateautomation"] },
  { name: "notify", kinds: ["provider", "alert", "receiver"] },
]
