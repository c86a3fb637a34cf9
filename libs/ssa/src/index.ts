// @moor/ssa: moor's apply engine, in the spirit of fluxcd/pkg/ssa. Staged server-side
// apply with a dry-run of the whole set before the first write, no-op detection, Flux's
// per-object annotations, inventories in Flux's format, prune, diff and drift detection.
export { ResourceManager, type ResourceManagerOptions } from "./ResourceManager.ts"
export { defaultApplyOptions, type ApplyOptions } from "./Apply.ts"
export { defaultPruneOptions, type PruneOptions } from "./Prune.ts"
export {
  formatChangeSet,
  groupOf,
  refString,
  summarize,
  versionOf,
  type Action,
  type ChangeSet,
  type ChangeSetEntry,
  type FieldChange,
  type ObjectRef,
} from "./ChangeSet.ts"
export { ApplyError, type ObjectFailure } from "./Errors.ts"
export { diffInventory, entryOf, inventoryOf, refOf, type Inventory, type InventoryEntry } from "./Inventory.ts"
export { compareApplyOrder, defaultStages, kindRank, staged, stageOf, writeSteps, type Stage } from "./Order.ts"
export { FORCE_ANNOTATION, forceEnabled, PRUNE_ANNOTATION, pruneDisabled, SSA_ANNOTATION, ssaPolicy, type SsaPolicy } from "./Policy.ts"
export { drift, managedPaths } from "./Drift.ts"
