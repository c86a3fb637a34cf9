// @moor/source: the source service. Hosts GitRepository actors (HelmRepository
// and OCIRepository come with their issues) against a cluster, storing
// artifacts in the JetStream object store.
import { mkdirSync } from "node:fs"
import type { NatsConnection } from "@nats-io/transport-node"
import type { Behavior, Catalog, Log } from "@moor/actors"
import { ArtifactStore } from "@moor/artifact"
import { KubeCatalog, type KubeClient } from "@moor/kube"
import { gitRepositoryBehavior } from "./GitRepository.ts"

export { gitRepositoryBehavior, artifactPath, type GitRepositoryDeps } from "./GitRepository.ts"
export * as GitRepositoryStatus from "./GitRepositoryStatus.ts"

export interface SourceServiceOptions {
  readonly kube: KubeClient
  readonly nc: NatsConnection
  /** Where Git caches live (default .moor/cache/git). */
  readonly cacheRoot: string
  readonly log?: Log
}

/** Everything an actor host needs to run the source service. */
export const sourceService = async (o: SourceServiceOptions): Promise<{ behaviors: Behavior<any>[]; catalog: Catalog }> => {
  mkdirSync(o.cacheRoot, { recursive: true })
  const gitRepositories = await o.kube.resource("source.toolkit.fluxcd.io/v1", "GitRepository")
  const secrets = await o.kube.resource("v1", "Secret")
  const store = await ArtifactStore.open(o.nc)
  return {
    behaviors: [gitRepositoryBehavior({ kube: o.kube, gitRepositories, secrets, store, cacheRoot: o.cacheRoot })],
    catalog: new KubeCatalog(o.kube, new Map([["gitrepository", gitRepositories]]), o.log),
  }
}
