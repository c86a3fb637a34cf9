// The actors' desired state from the cluster: an informer per kind that
// feeds an ActorHost. The whole object is the actor's spec (metadata such as
// the reconcile.fluxcd.io/requestedAt annotation matters to handlers), and
// metadata.generation orders updates.
import type { Catalog, CatalogListener, Log } from "@moor/actors"
import { Informer } from "./Informer.ts"
import type { KubeClient, KubeObject, ResourceRef } from "./KubeClient.ts"

/** Flux's manual trigger: setting it to a new value (a timestamp) reconciles now. */
export const RECONCILE_REQUEST_ANNOTATION = "reconcile.fluxcd.io/requestedAt"

export class KubeCatalog implements Catalog {
  private readonly client: KubeClient
  private readonly resources: Map<string, ResourceRef>
  private readonly log: Log | undefined

  /** `resources` maps the lower-case kind (actor kind) to its API resource. */
  constructor(client: KubeClient, resources: Map<string, ResourceRef>, log?: Log) {
    this.client = client
    this.resources = resources
    this.log = log
  }

  async watch(kind: string, listener: CatalogListener): Promise<() => void> {
    const r = this.resources.get(kind)
    if (!r) throw new Error(`no API resource registered for kind ${kind}`)
    const key = (o: KubeObject) => ({ kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name })
    const informer = new Informer(
      this.client,
      r,
      {
        upsert: (o) => {
          const token = o.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION]
          listener.upsert({ key: key(o), generation: o.metadata.generation ?? 1, spec: o, ...(token === undefined ? {} : { requestToken: token }) })
        },
        remove: (o) => listener.remove(key(o)),
      },
      this.log ? { log: this.log } : {},
    )
    await informer.start()
    return () => informer.stop()
  }
}
