// @moor/kustomize-service: Kustomization actors. They build and send bundles
// to the apply actor of the target cluster (moor.apply.<cluster>, the hub's
// by default), which applies, prunes, checks health and corrects drift.
import type { NatsConnection } from "@nats-io/transport-node"
import type { Behavior, Catalog, CatalogListener, Log } from "@moor/actors"
import { ArtifactStore } from "@moor/artifact"
import { KubeCatalog, type KubeClient, type KubeObject } from "@moor/kube"
import type { ApplyOwner } from "@moor/protocol"
import { ApplyClient } from "./ApplyClient.ts"
import { kustomizationBehavior } from "./Kustomization.ts"

export { kustomizationBehavior, type KustomizationDeps } from "./Kustomization.ts"
export { ApplyClient, ApplyUnavailable } from "./ApplyClient.ts"
export { encodeBundle, sopsSourcesOf, type SopsSources } from "./Bundle.ts"

/**
 * Tells the apply actor when a Kustomization's spec.suspend flips, so drift
 * correction stops while suspended and comes back on resume. Wraps the
 * catalog that feeds the actors, so it sees every spec change.
 */
class SuspendRelay implements Catalog {
  private readonly inner: Catalog
  private readonly apply: ApplyClient
  private readonly log: Log | undefined
  private readonly seen = new Map<string, boolean>()
  constructor(inner: Catalog, apply: ApplyClient, log?: Log) {
    this.inner = inner
    this.apply = apply
    this.log = log
  }
  watch(kind: string, listener: CatalogListener): Promise<() => void> {
    return this.inner.watch(kind, {
      upsert: (e) => {
        const o = e.spec as KubeObject
        const id = `${e.key.namespace}/${e.key.name}`
        const suspended = o?.spec?.suspend === true
        const was = this.seen.get(id) ?? false
        this.seen.set(id, suspended)
        if (suspended !== was) {
          const owner: ApplyOwner = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: e.key.namespace, name: e.key.name }
          void this.apply
            .request({ op: suspended ? "suspend" : "resume", owner }, 10_000)
            .catch((err: unknown) => this.log?.warn("drift suspend/resume not delivered", { kustomization: id, error: String(err) }))
        }
        listener.upsert(e)
      },
      remove: (key, last, o) => {
        this.seen.delete(`${key.namespace}/${key.name}`)
        return listener.remove(key, last, o)
      },
    })
  }
}

/** `cluster`: the apply actor bundles go to (default "hub", the hub's own apply service, which also serves kubeConfig targets). */
export const kustomizeService = async (o: { kube: KubeClient; nc: NatsConnection; log?: Log; cluster?: string }): Promise<{ behaviors: Behavior<any>[]; catalog: Catalog }> => {
  const kustomizations = await o.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  const gitRepositories = await o.kube.resource("source.toolkit.fluxcd.io/v1", "GitRepository")
  const configMaps = await o.kube.resource("v1", "ConfigMap")
  const secrets = await o.kube.resource("v1", "Secret")
  const store = await ArtifactStore.open(o.nc)
  const apply = new ApplyClient(o.nc, o.cluster ?? "hub")
  return {
    behaviors: [kustomizationBehavior({ kube: o.kube, kustomizations, configMaps, secrets, gitRepositories, store, apply })],
    catalog: new SuspendRelay(new KubeCatalog(o.kube, new Map([["kustomization", kustomizations]]), o.log), apply, o.log),
  }
}
export { BuildError, buildKustomization, type VarSource } from "./Build.ts"
