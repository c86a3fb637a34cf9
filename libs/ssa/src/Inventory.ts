// The inventory of applied objects in Flux's format (`status.inventory.entries[]` of a
// Kustomization): `id` is `<namespace>_<name>_<group>_<kind>`, `v` the version.
import { groupOf, versionOf, type ObjectRef } from "./ChangeSet.ts"

/** One inventory entry, exactly as Flux writes it. */
export interface InventoryEntry {
  readonly id: string
  readonly v: string
}

/** An inventory: Flux's `status.inventory`. */
export interface Inventory {
  readonly entries: ReadonlyArray<InventoryEntry>
}

/** The inventory entry of an object. */
export const entryOf = (r: ObjectRef): InventoryEntry => ({
  id: `${r.namespace ?? ""}_${r.name}_${groupOf(r.apiVersion)}_${r.kind}`,
  v: versionOf(r.apiVersion),
})

/** The inventory of a set of objects, sorted by id and without duplicates (as Flux keeps it). */
export const inventoryOf = (refs: ReadonlyArray<ObjectRef>): Inventory => {
  const byId = new Map(refs.map((r) => [entryOf(r).id, entryOf(r)]))
  return { entries: [...byId.values()].sort((a, b) => a.id.localeCompare(b.id)) }
}

/**
 * The object an entry names. Names may not contain `_`, but the group may be empty and the
 * namespace too, so the id splits into exactly four fields; anything else is an error naming the entry.
 */
export const refOf = (e: InventoryEntry): ObjectRef => {
  const parts = typeof e?.id === "string" ? e.id.split("_") : []
  if (parts.length !== 4 || !parts[1] || !parts[3] || typeof e.v !== "string" || e.v === "") {
    throw new Error(`invalid inventory entry ${JSON.stringify(e)}: want id "<namespace>_<name>_<group>_<kind>" and a version v`)
  }
  const [namespace, name, group, kind] = parts as [string, string, string, string]
  return { apiVersion: group ? `${group}/${e.v}` : e.v, kind, name, ...(namespace ? { namespace } : {}) }
}

/** Entries of `old` whose objects are not in `next` (matched by id: a version change is not a removal). */
export const diffInventory = (old: Inventory | undefined, next: Inventory): InventoryEntry[] => {
  const keep = new Set(next.entries.map((e) => e.id))
  return (old?.entries ?? []).filter((e) => !keep.has(e.id))
}
