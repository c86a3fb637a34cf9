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
}

export interface ServiceDef {
  readonly name: string
  /** The kinds whose actors it hosts. */
  readonly kinds: readonly string[]
  /** Builds the behaviours; absent while the service is not built yet. */
  readonly build?: (ctx: ServiceContext) => Promise<{ behaviors: Behavior<any>[]; catalog: Catalog }>
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
      return kustomizeService({ kube: ctx.kube, nc: ctx.nc, log: ctx.log })
    },
  },
  { name: "helm", kinds: ["helmrelease"] },
  { name: "image", kinds: ["imagerepository", "imagepolicy", "imageupdateautomation"] },
  { name: "notify", kinds: ["provider", "alert", "receiver"] },
  { name: "apply", kinds: [] },
]
