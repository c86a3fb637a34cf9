// @moor/apply-service: the apply actor of one target cluster. Hosted by the
// hub for the hub cluster and kubeconfig targets, and by `moor agent` on a
// member cluster; it answers bundle requests on moor.apply.<cluster>.
import { randomBytes } from "node:crypto"
import { hostname } from "node:os"
import type { NatsConnection } from "@nats-io/transport-node"
import type { Log } from "@moor/actors"
import { ArtifactStore } from "@moor/artifact"
import type { KubeClient } from "@moor/kube"
import { ApplyActor } from "./ApplyActor.ts"

export { ApplyActor, parseBundle, type ApplyActorOptions, type Bundle } from "./ApplyActor.ts"
export { Decryptor, isSopsEncrypted, loadIdentities, redact, type BundleDoc, type Decrypted } from "./Decrypt.ts"

/** moor's field manager, as Flux's is "kustomize-controller". */
export const FIELD_MANAGER = "moor-kustomize"

/** The cluster name of the hub's own apply actor. */
export const HUB_CLUSTER = "hub"

/** Starts the apply actor of `cluster` (default "hub") against `kube`; stop() unsubscribes and stops drift watches. */
export const applyService = async (o: { kube: KubeClient; nc: NatsConnection; cluster?: string; replica?: string; log?: Log }): Promise<{ actor: ApplyActor; cluster: string; stop: () => Promise<void> }> => {
  const cluster = o.cluster ?? HUB_CLUSTER
  const store = await ArtifactStore.open(o.nc)
  const actor = new ApplyActor({
    cluster,
    kube: o.kube,
    nc: o.nc,
    store,
    fieldManager: FIELD_MANAGER,
    replica: o.replica ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
    ...(o.log ? { log: o.log } : {}),
  })
  actor.start()
  // The subscription must reach the server before a request counts on it.
  await o.nc.flush()
  return { actor, cluster, stop: async () => actor.stop() }
}
