// Pruning: deleting the objects that left the set, in reverse apply order (contents before
// their Namespace, custom resources before their CRD), honouring the prune opt-out.
import { KubeError, type KubeClient } from "@moor/kube"
import { type ChangeSet, type ChangeSetEntry, type ObjectRef } from "./ChangeSet.ts"
import { ApplyError, type ObjectFailure } from "./Errors.ts"
import { mapLimit } from "./internal/Pool.ts"
import { refOf, type InventoryEntry } from "./Inventory.ts"
import { staged, type Stage } from "./Order.ts"
import { pruneDisabled } from "./Policy.ts"

/** Options of one prune. */
export interface PruneOptions {
  /** Wait for each stage's objects to be gone before deleting the next (namespaces last). */
  readonly wait?: boolean
  /** How long waiting may take, in ms. */
  readonly timeout?: number
  /** Only delete objects carrying these labels (the owner's, as Flux labels what it applies). */
  readonly ownerLabels?: Readonly<Record<string, string>>
  /** Report what would be deleted, delete nothing (for diff). */
  readonly dryRun?: boolean
}

export const defaultPruneOptions: Required<Omit<PruneOptions, "ownerLabels">> = { wait: false, timeout: 60_000, dryRun: false }

/** Deletes the objects named by `entries`; see ResourceManager.prune. */
export const pruneEntries = async (
  eng: { kube: KubeClient; concurrency: number; stages: ReadonlyArray<Stage> },
  entries: ReadonlyArray<InventoryEntry>,
  options: PruneOptions = {},
): Promise<ChangeSet> => {
  const o = { ...defaultPruneOptions, ...options }
  const bad: ObjectFailure[] = []
  const refs: ObjectRef[] = []
  for (const e of entries) {
    try {
      refs.push(refOf(e))
    } catch (err) {
      bad.push({ ref: { apiVersion: String(e?.v), kind: "?", name: String(e?.id) }, message: (err as Error).message })
    }
  }
  if (bad.length > 0) throw new ApplyError("validate", bad)
  const out: ChangeSetEntry[] = []
  let writes = 0
  for (const { items } of staged(refs, (r) => r, eng.stages).reverse()) {
    const failures: ObjectFailure[] = []
    const deleted: ObjectRef[] = []
    // Reverse order inside a stage too (workloads before the config they read).
    await mapLimit([...items].reverse(), eng.concurrency, async (ref) => {
      try {
        const rt = await eng.kube.resource(ref.apiVersion, ref.kind).catch((e) => {
          if (e instanceof KubeError && e.code === 404) return undefined // the kind is gone, and its objects with it
          throw e
        })
        if (rt === undefined) return
        const live = await eng.kube.find(rt, ref.namespace, ref.name)
        if (live === undefined || live.metadata.deletionTimestamp) return
        if (pruneDisabled(live)) return void out.push({ ref, action: "skipped", diff: [], reason: "prune: disabled" })
        const missing = Object.entries(o.ownerLabels ?? {}).filter(([k, v]) => live.metadata.labels?.[k] !== v)
        if (missing.length > 0) return void out.push({ ref, action: "skipped", diff: [], reason: `not owned: label ${missing[0]![0]} is not ${missing[0]![1]}` })
        if (o.dryRun) return void out.push({ ref, action: "deleted", diff: [], reason: "would be pruned" })
        await eng.kube.delete(rt, ref.namespace, ref.name, { propagationPolicy: "Background" })
        writes++
        deleted.push(ref)
        out.push({ ref, action: "deleted", diff: [] })
      } catch (e) {
        if (e instanceof KubeError && e.code === 404) return
        failures.push({ ref, message: `delete failed: ${e instanceof Error ? e.message : String(e)}` })
      }
    })
    if (failures.length > 0) throw new ApplyError("prune", failures, { entries: out, writes })
    if (o.wait && deleted.length > 0) await waitGone(eng.kube, deleted, o.timeout, { entries: out, writes })
  }
  return { entries: out, writes }
}

const waitGone = async (kube: KubeClient, refs: ObjectRef[], timeout: number, cs: ChangeSet): Promise<void> => {
  const end = Date.now() + timeout
  let left = refs
  for (;;) {
    const still = await Promise.all(left.map(async (r) => ((await kube.find(await kube.resource(r.apiVersion, r.kind), r.namespace, r.name)) ? r : undefined)))
    left = still.filter((r): r is ObjectRef => r !== undefined)
    if (left.length === 0) return
    if (Date.now() > end) throw new ApplyError("prune", left.map((ref) => ({ ref, message: `still present ${timeout} ms after its deletion` })), cs)
    await new Promise((r) => setTimeout(r, 100))
  }
}
