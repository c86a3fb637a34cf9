// The apply engine's entry point: a ResourceManager applies, diffs and prunes sets of
// objects through a KubeClient with raw JSON server-side apply under one field manager.
import type { KubeClient, KubeObject } from "@moor/kube"
import { applySet, diffSet, type ApplyOptions } from "./Apply.ts"
import type { ChangeSet } from "./ChangeSet.ts"
import { diffInventory, inventoryOf, type Inventory, type InventoryEntry } from "./Inventory.ts"
import { defaultStages, type Stage } from "./Order.ts"
import { pruneEntries, type PruneOptions } from "./Prune.ts"

export interface ResourceManagerOptions {
  /** The field manager of every apply (Flux: "kustomize-controller"; moor: "moor"). */
  readonly fieldManager: string
  /** Requests in flight at once within a stage (default 32: on a 2-core kube-apiserver 1.20, 2,000 objects took 7.0 s at 32 and 8.5 s at 8; more gained nothing). */
  readonly concurrency?: number
  /** Apply order (default: definitions, classes, resources). */
  readonly stages?: ReadonlyArray<Stage>
}

/** Applies, diffs and prunes sets of objects. One instance per target cluster and field manager. */
export class ResourceManager {
  readonly kube: KubeClient
  readonly fieldManager: string
  readonly concurrency: number
  readonly stages: ReadonlyArray<Stage>
  /** A digest of each object as last applied (or found unchanged): unchanged and undrifted objects skip the dry-run. */
  readonly applied = new Map<string, string>()

  constructor(kube: KubeClient, o: ResourceManagerOptions) {
    this.kube = kube
    this.fieldManager = o.fieldManager
    this.concurrency = Math.max(1, o.concurrency ?? 32)
    this.stages = o.stages ?? defaultStages
  }

  /**
   * Applies `objects` in stages (CRDs/Namespaces/ClusterRoles first and waited for). Every
   * object is dry-run server-side before the first write (those whose CRD is in the set:
   * after that CRD is established); an invalid object throws ApplyError("dry-run") naming
   * every bad object with the server's message. Objects whose dry-run equals the live object
   * are not written. Returns one entry per object in apply order.
   */
  apply(objects: ReadonlyArray<KubeObject>, options?: ApplyOptions): Promise<ChangeSet> {
    return applySet(this, objects, options)
  }

  /**
   * What `apply` would do, from a server-side dry-run of every object; writes nothing.
   * With the previous `inventory`, objects that left the set are listed as `deleted`
   * (reason "would be pruned"), as `prune` with `options` would delete them.
   */
  async diff(objects: ReadonlyArray<KubeObject>, o: { inventory?: Inventory; prune?: PruneOptions } = {}): Promise<ChangeSet> {
    const cs = await diffSet(this, objects)
    if (o.inventory === undefined) return cs
    const gone = await pruneEntries(this, diffInventory(o.inventory, this.inventory(objects)), { ...o.prune, dryRun: true, wait: false })
    return { entries: [...cs.entries, ...gone.entries], writes: 0 }
  }

  /**
   * Deletes the objects named by inventory `entries` (usually `diffInventory(old, new)`),
   * in reverse apply order; `prune: disabled` and objects without `ownerLabels` are skipped.
   */
  prune(entries: ReadonlyArray<InventoryEntry>, options?: PruneOptions): Promise<ChangeSet> {
    return pruneEntries(this, entries, options)
  }

  /** The inventory (Flux's format) of a set of objects. */
  inventory(objects: ReadonlyArray<KubeObject>): Inventory {
    return inventoryOf(objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace })))
  }
}
