// Drift correction, faster than Flux's next interval: the objects an owner
// (a Kustomization) applied to one target cluster are watched (one shared
// informer per resource), and an object whose applied fields change is
// re-applied at once, reported for a DriftCorrected event naming the object
// and the fields (paths only: Secret values never leave this process).
import type { Log } from "@moor/actors"
import type { ApplyOwner } from "@moor/protocol"
import { Informer, type KubeClient, type KubeObject, type ResourceRef } from "@moor/kube"
import { drift, refString, type ResourceManager } from "@moor/ssa"

interface Tracked {
  readonly owner: ApplyOwner
  readonly applied: KubeObject
}

/** "Kind/namespace/name" of an owner: the key of its tracked set. */
export const ownerKey = (o: ApplyOwner): string => `${o.kind}/${o.namespace}/${o.name}`

const idOf = (apiVersion: string, kind: string, ns: string | undefined, name: string) => `${apiVersion}/${kind}/${ns ?? ""}/${name}`

export interface DriftReport {
  readonly owner: ApplyOwner
  readonly object: string
  readonly fields: string[]
}

export class DriftWatcher {
  private readonly tracked = new Map<string, Tracked>()
  private readonly byOwner = new Map<string, Set<string>>()
  private readonly informers = new Map<string, Informer>()
  private readonly correcting = new Set<string>()
  private readonly kube: KubeClient
  private readonly manager: ResourceManager
  private readonly active: (owner: ApplyOwner) => boolean
  private readonly report: (r: DriftReport) => void
  private readonly log: Log | undefined
  private readonly perNamespace: boolean

  /**
   * `active(owner)` says whether the owner still corrects drift (not suspended). `perNamespace`:
   * watch namespaced kinds one namespace at a time (an impersonated service account may only
   * list its own namespaces), instead of one cluster-wide informer per kind.
   */
  constructor(o: { kube: KubeClient; manager: ResourceManager; active: (owner: ApplyOwner) => boolean; report: (r: DriftReport) => void; log?: Log; perNamespace?: boolean }) {
    this.perNamespace = o.perNamespace === true
    this.kube = o.kube
    this.manager = o.manager
    this.active = o.active
    this.report = o.report
    this.log = o.log
  }

  /** After a successful apply: these objects, as applied, belong to `owner` (replacing its previous set). */
  async track(owner: ApplyOwner, objects: ReadonlyArray<KubeObject>): Promise<void> {
    const ownerId = ownerKey(owner)
    for (const id of this.byOwner.get(ownerId) ?? []) this.tracked.delete(id)
    const ids = new Set<string>()
    for (const o of objects) {
      const id = idOf(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name)
      ids.add(id)
      this.tracked.set(id, { owner, applied: o })
      await this.watch(o.apiVersion, o.kind, o.metadata.namespace)
    }
    this.byOwner.set(ownerId, ids)
  }

  /** The owner is gone or moved: stop correcting its objects. */
  untrack(owner: ApplyOwner): void {
    const ownerId = ownerKey(owner)
    for (const id of this.byOwner.get(ownerId) ?? []) this.tracked.delete(id)
    this.byOwner.delete(ownerId)
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop()
    this.informers.clear()
  }

  /**
   * Starts (once) the informer that sees this kind's objects. Not awaited to its first list: an
   * apply must not wait on a watch (one that is forbidden retries in the background); the first
   * list compares every tracked object anyway, so drift in between is still corrected.
   */
  private async watch(apiVersion: string, kind: string, namespace: string | undefined) {
    let r: ResourceRef
    try {
      r = await this.kube.resource(apiVersion, kind)
    } catch {
      return
    }
    const ns = this.perNamespace && r.namespaced ? namespace : undefined
    const key = `${apiVersion}/${kind}/${ns ?? ""}`
    if (this.informers.has(key)) return
    const inf = new Informer(this.kube, r, { upsert: (o) => this.changed(o), remove: (o) => this.changed(o, true) }, { ...(this.log ? { log: this.log } : {}), ...(ns ? { namespace: ns } : {}) })
    this.informers.set(key, inf)
    void inf.start().catch((e: unknown) => this.log?.warn("drift watch failed to start", { resource: key, error: String(e) }))
  }

  private changed(live: KubeObject, deleted = false) {
    const id = idOf(live.apiVersion, live.kind, live.metadata.namespace, live.metadata.name)
    const t = this.tracked.get(id)
    if (!t || this.correcting.has(id) || !this.active(t.owner)) return
    const fields = deleted ? ["(deleted)"] : drift(t.applied, live).map((f) => f.path)
    if (fields.length === 0) return
    this.correcting.add(id)
    void this.manager
      .apply([t.applied], { force: false })
      .then((cs) => {
        // Only a real write is a correction (drift() does not normalise, e.g. 0.5 vs 500m CPU).
        if (cs.writes > 0) this.report({ owner: t.owner, object: refString(cs.entries[0]!.ref), fields })
      })
      .catch((e: unknown) => this.log?.warn("drift correction failed", { object: id, error: String(e) }))
      .finally(() => this.correcting.delete(id))
  }
}
