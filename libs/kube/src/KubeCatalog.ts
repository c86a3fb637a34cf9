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
 * Flux's controllers put this finalizer on their objects, and so does moor (on every object it
 * reconciles, when it first sees it), so that an object deleted while no reconciler runs still
 * has its cleanup done (a Kustomization with prune deletes its objects) once one runs again.
 * On delete, the object's actor releases what it owned, then the finalizer is removed. An object
 * whose finalizer was taken off before the delete (Flux's way to orphan what it made, and what
 * `moor uninstall` does) is forgotten without cleanup.
 */
export const FLUX_FINALIZER = "finalizers.fluxcd.io"

/**
 * Takes Flux's finalizer off an object, guarded by its finalizer list as read (a finalizer another
 * controller adds meanwhile is kept: the patch fails with 422 and the caller reads again).
 */
export const dropFinalizer = async (client: KubeClient, r: ResourceRef, o: KubeObject): Promise<void> => {
  const finalizers = o.metadata.finalizers ?? []
  await client.patch(r, o.metadata.namespace, o.metadata.name, "json", [
    { op: "test", path: "/metadata/finalizers", value: finalizers },
    { op: "replace", path: "/metadata/finalizers", value: finalizers.filter((f) => f !== FLUX_FINALIZER) },
  ])
}

/** How long before a failed cleanup of an object being deleted is tried again. */
const FINALIZE_RETRY_MS = 10_000

export class KubeCatalog implements Catalog {
  private readonly client: KubeClient
  private readonly resources: Map<string, ResourceRef>
  private readonly log: Log | undefined
  private readonly finalize: boolean

  /**
   * `resources` maps the lower-case kind (actor kind) to its API resource. `addFinalizer` (default
   * true): put Flux's finalizer on the objects that lack it.
   */
  constructor(client: KubeClient, resources: Map<string, ResourceRef>, log?: Log, o: { addFinalizer?: boolean } = {}) {
    this.client = client
    this.resources = resources
    this.log = log
    this.finalize = o.addFinalizer !== false
  }

  async watch(kind: string, listener: CatalogListener): Promise<() => void> {
    const r = this.resources.get(kind)
    if (!r) throw new Error(`no API resource registered for kind ${kind}`)
    const key = (o: KubeObject) => ({ kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name })
    const id = (o: KubeObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`
    // Objects being deleted that carry Flux's finalizer, by id: the latest state seen, whether its
    // actor released it (listener.remove, once), and a retry timer. Then the finalizer goes.
    const finalizing = new Map<string, { obj: KubeObject; released?: boolean; timer?: NodeJS.Timeout }>()
    // Objects seen carrying the finalizer (not being deleted): one deleted without it was orphaned.
    const held = new Set<string>()
    // Finalizer patches in flight, by id (one at a time per object; the watch brings the result).
    const adding = new Set<string>()
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
        await dropFinalizer(this.client, r, o)
      } catch (e) {
        if (e instanceof KubeError && e.code === 404) return
        // 422: the list changed under us; the watch has brought (or brings) the new state
        if (!(e instanceof KubeError && e.code === 422)) this.log?.warn("could not remove the Flux finalizer", { object: `${kind} ${k}`, error: String(e) })
        retry(k, e instanceof KubeError && e.code === 422 ? 200 : FINALIZE_RETRY_MS)
      }
    }
    const addFinalizer = async (o: KubeObject) => {
      const k = id(o)
      if (adding.has(k) || stopped) return
      adding.add(k)
      try {
        // Guarded by the finalizer list as read, not the resourceVersion: status writes (every run
        // makes some) must not turn this into a conflict and a retry each time. An object with no
        // finalizers gets the list in a merge patch (a JSON patch cannot test for an absent field;
        // a finalizer another controller adds in that instant could be lost, as with Flux's own
        // merge patches).
        const finalizers = o.metadata.finalizers ?? []
        if (finalizers.length === 0) await this.client.patch(r, o.metadata.namespace, o.metadata.name, "merge", { metadata: { finalizers: [FLUX_FINALIZER] } })
        else
          await this.client.patch(r, o.metadata.namespace, o.metadata.name, "json", [
            { op: "test", path: "/metadata/finalizers", value: finalizers },
            { op: "add", path: "/metadata/finalizers/-", value: FLUX_FINALIZER },
          ])
      } catch (e) {
        // 404: gone; 422: its finalizers changed under us, and the watch brings the new state to try again with
        const benign = e instanceof KubeError && [404, 422].includes(e.code)
        if (!benign) this.log?.warn("could not add the Flux finalizer", { object: `${kind} ${k}`, error: String(e) })
      } finally {
        adding.delete(k)
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
          const has = (o.metadata.finalizers ?? []).includes(FLUX_FINALIZER)
          if (o.metadata.deletionTimestamp && has) {
            held.delete(k)
            finalizing.set(k, { obj: o })
            return void finalize(k)
          }
          // Added once: a finalizer taken off after that stays off (an uninstall, an orphaning delete)
          if (has) held.add(k)
          else if (!held.has(k) && !o.metadata.deletionTimestamp && this.finalize) void addFinalizer(o)
          const token = o.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION]
          listener.upsert({ key: key(o), generation: o.metadata.generation ?? 1, spec: o, ...(token === undefined ? {} : { requestToken: token }) })
        },
        remove: (o) => {
          const k = id(o)
          const f = finalizing.get(k)
          if (f) {
            clearTimeout(f.timer)
            finalizing.delete(k)
            return
          }
          // seen with the finalizer, gone without it: it was taken off on purpose (orphan)
          const orphan = held.delete(k) && !(o.metadata.finalizers ?? []).includes(FLUX_FINALIZER)
          void listener.remove(key(o), o, orphan ? { orphan: true } : undefined)
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
