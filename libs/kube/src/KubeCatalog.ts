// The actors' desired state from the cluster: an informer per kind that
// feeds an ActorHost. The whole object is the actor's spec (metadata such as
// the reconcile.fluxcd.io/requestedAt annotation matters to handlers), and
// metadata.generation orders updates.
import type { Catalog, CatalogListener, Log } from "@moor/actors"
import { Informer } from "./Informer.ts"
import { KubeError, type KubeClient, type KubeObject, type ResourceRef } from "./KubeClient.ts"

/** Flux's manual trigger: setting it to a new value (a timestamp) reconciles now. */
export const RECONCILE_REQUEST_ANNOTATION = "reconcile.fluxcd.io/requestedAt"

/**
 * Flux's controllers put this finalizer on their objects. An object that came from a Flux install
 * carries it, and would stay Terminating forever after a delete unless whoever reconciles it now
 * removes it: moor does, once the object's actor has released what it owned (a Kustomization with
 * prune deletes its objects first).
 */
export const FLUX_FINALIZER = "finalizers.fluxcd.io"

/** How long before a failed cleanup of an object being deleted is tried again. */
const FINALIZE_RETRY_MS = 10_000

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
    const id = (o: KubeObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`
    // Objects being deleted that carry Flux's finalizer, by id: the latest state seen, whether its
    // actor released it (listener.remove, once), and a retry timer. Then the finalizer goes.
    const finalizing = new Map<string, { obj: KubeObject; released?: boolean; timer?: NodeJS.Timeout }>()
    let stopped = false
    const retry = (k: string, ms: number) => {
      const f = finalizing.get(k)
      if (f && !stopped) f.timer = setTimeout(() => void finalize(k), ms)
    }
    const finalize = async (k: string) => {
      const f = finalizing.get(k)
      if (!f || stopped) return
      if (!f.released) f.released = await listener.remove(key(f.obj), f.obj)
      const o = finalizing.get(k)?.obj
      if (!o || stopped) return
      // not held here, or the cleanup failed: again later, while it is still being deleted
      if (!f.released) return retry(k, FINALIZE_RETRY_MS)
      const finalizers = o.metadata.finalizers ?? []
      if (!finalizers.includes(FLUX_FINALIZER)) return
      try {
        // guarded by the list as read, so a finalizer another controller adds meanwhile is kept
        await this.client.patch(r, o.metadata.namespace, o.metadata.name, "json", [
          { op: "test", path: "/metadata/finalizers", value: finalizers },
          { op: "replace", path: "/metadata/finalizers", value: finalizers.filter((f) => f !== FLUX_FINALIZER) },
        ])
      } catch (e) {
        if (e instanceof KubeError && e.code === 404) return
        // 422: the list changed under us; the watch has brought (or brings) the new state
        if (!(e instanceof KubeError && e.code === 422)) this.log?.warn("could not remove the Flux finalizer", { object: `${kind} ${k}`, error: String(e) })
        retry(k, e instanceof KubeError && e.code === 422 ? 200 : FINALIZE_RETRY_MS)
      }
    }
    const informer = new Informer(
      this.client,
      r,
      {
        upsert: (o) => {
          const k = id(o)
          const f = finalizing.get(k)
          if (f) return void (f.obj = o) // being deleted: no actor any more
          if (o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).includes(FLUX_FINALIZER)) {
            finalizing.set(k, { obj: o })
            return void finalize(k)
          }
          const token = o.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION]
          listener.upsert({ key: key(o), generation: o.metadata.generation ?? 1, spec: o, ...(token === undefined ? {} : { requestToken: token }) })
        },
        remove: (o) => {
          const f = finalizing.get(id(o))
          if (f) {
            clearTimeout(f.timer)
            finalizing.delete(id(o))
            return
          }
          void listener.remove(key(o), o)
        },
      },
      this.log ? { log: this.log } : {},
    )
    await informer.start()
    return () => {
      stopped = true
      for (const f of finalizing.values()) clearTimeout(f.timer)
      informer.stop()
    }
  }
}
