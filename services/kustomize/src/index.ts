// @moor/kustomize-service: Kustomization actors against a cluster.
import type { NatsConnection } from "@nats-io/transport-node"
import type { Behavior, Catalog, Log } from "@moor/actors"
import { ArtifactStore } from "@moor/artifact"
import { KubeCatalog, type KubeClient } from "@moor/kube"
import { ResourceManager } from "@moor/ssa"
import { kustomizationBehavior } from "./Kustomization.ts"

export { kustomizationBehavior, type KustomizationDeps } from "./Kustomization.ts"

/** moor's field manager, as Flux's is "kustomize-controller". */
export const FIELD_MANAGER = "moor-kustomize"

export const kustomizeService = async (o: { kube: KubeClient; nc: NatsConnection; log?: Log }): Promise<{ behaviors: Behavior<any>[]; catalog: Catalog }> => {
  const kustomizations = await o.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  const gitRepositories = await o.kube.resource("source.toolkit.fluxcd.io/v1", "GitRepository")
  const configMaps = await o.kube.resource("v1", "ConfigMap")
  const secrets = await o.kube.resource("v1", "Secret")
  const store = await ArtifactStore.open(o.nc)
  const manager = new ResourceManager(o.kube, { fieldManager: FIELD_MANAGER })
  return {
    behaviors: [kustomizationBehavior({ kube: o.kube, kustomizations, configMaps, secrets, gitRepositories, store, manager })],
    catalog: new KubeCatalog(o.kube, new Map([["kustomization", kustomizations]]), o.log),
  }
}
export { BuildError, buildKustomization, type VarSource } from "./Build.ts"
