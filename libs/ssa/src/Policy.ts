// Per-object annotations of Flux's kustomize-controller that moor honours, read and checked
// in one place so a typo in Git becomes an error naming the object and the annotation.

export const SSA_ANNOTATION = "kustomize.toolkit.fluxcd.io/ssa"
export const FORCE_ANNOTATION = "kustomize.toolkit.fluxcd.io/force"
export const PRUNE_ANNOTATION = "kustomize.toolkit.fluxcd.io/prune"

/**
 * How an object is applied. Override (default): apply and take ownership of every field it
 * sets. Merge: apply, and keep other managers' claims (no clean-up of kubectl's
 * managedFields). IfNotPresent: create when missing, never update. Ignore: skip.
 */
export type SsaPolicy = "Override" | "Merge" | "IfNotPresent" | "Ignore"

const POLICIES: ReadonlyArray<SsaPolicy> = ["Override", "Merge", "IfNotPresent", "Ignore"]

type Annotated = { readonly metadata?: { readonly annotations?: Record<string, string> | undefined } }

/** The ssa policy of an object, or an error message naming the bad value. */
export const ssaPolicy = (obj: Annotated): SsaPolicy | { error: string } => {
  const v = obj.metadata?.annotations?.[SSA_ANNOTATION]
  if (v === undefined) return "Override"
  const p = POLICIES.find((x) => x.toLowerCase() === String(v).toLowerCase())
  return p ?? { error: `metadata.annotations["${SSA_ANNOTATION}"]: unsupported value "${v}", want one of ${POLICIES.join(", ")}` }
}

/** Recreate on immutable-field errors: `kustomize.toolkit.fluxcd.io/force: enabled`. */
export const forceEnabled = (obj: Annotated): boolean => obj.metadata?.annotations?.[FORCE_ANNOTATION]?.toLowerCase() === "enabled"

/** Pruning opt-out: `kustomize.toolkit.fluxcd.io/prune: disabled`. */
export const pruneDisabled = (obj: Annotated): boolean => obj.metadata?.annotations?.[PRUNE_ANNOTATION]?.toLowerCase() === "disabled"
