// Field ownership clean-up of the Override policy (Flux's behaviour): fields that kubectl
// (edit, patch, client-side apply) or the pre-SSA "before-first-apply" manager own are
// handed to our manager, so the next apply removes those the manifests do not set.
// The Merge policy skips this and leaves other tools' additions in place.
import { managedPaths } from "../Drift.ts"

type Entry = { manager?: string; operation?: string; apiVersion?: string; fieldsV1?: unknown; subresource?: string; [k: string]: unknown }

/** Managers whose claims Override takes over. `flux-client-side-apply` is Flux's documented escape hatch. */
export const isTakenOver = (manager: string | undefined, ours: string): boolean =>
  manager !== undefined && manager !== ours && manager !== "flux-client-side-apply" && (/^kubectl(-|$)/.test(manager) || manager === "before-first-apply")

const union = (a: unknown, b: unknown): unknown => {
  if (typeof a !== "object" || a === null) return b
  if (typeof b !== "object" || b === null) return a
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) }
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? union(out[k], v) : v
  return out
}

/** kubectl's client-side apply record; stale once moor owns the object (Flux removes it too). */
export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

/**
 * The managedFields after taking over, the managers taken over, and the field paths only
 * they set (which the apply will then remove); undefined when there is nothing to take.
 * An object created by kubectl and never applied by us gets a fresh Apply entry of ours.
 */
export const takeOver = (
  live: { apiVersion: string; metadata: { [k: string]: unknown } },
  ours: string,
  /** The dry-run result of our apply: the fields it shows as ours are kept, not released. */
  applied: { metadata: { [k: string]: unknown } },
): { managedFields: Entry[]; managers: string[]; released: string[]; lastApplied: boolean } | undefined => {
  const mf = Array.isArray(live.metadata.managedFields) ? (live.metadata.managedFields as Entry[]) : []
  const taken = mf.filter((e) => isTakenOver(e.manager, ours) && e.subresource === undefined)
  const annotations = live.metadata.annotations as Record<string, string> | undefined
  const lastApplied = annotations?.[LAST_APPLIED] !== undefined
  if (taken.length === 0 && !lastApplied) return undefined
  const mine = mf.find((e) => e.manager === ours && e.operation === "Apply" && e.subresource === undefined)
  const fields = taken.reduce<unknown>((acc, e) => union(acc, e.fieldsV1 ?? {}), mine?.fieldsV1 ?? {})
  const rest = mf.filter((e) => !taken.includes(e))
  const managedFields =
    taken.length === 0
      ? mf
      : mine
        ? rest.map((e) => (e === mine ? { ...e, fieldsV1: fields } : e))
        : [...rest, { manager: ours, operation: "Apply", apiVersion: live.apiVersion, time: new Date().toISOString().replace(/\.\d+Z$/, "Z"), fieldsType: "FieldsV1", fieldsV1: fields }]
  const ownPaths = new Set(managedPaths(applied, ours))
  const managers = [...new Set(taken.map((e) => String(e.manager)))]
  const released = [...new Set(managers.flatMap((m) => managedPaths(live, m)))].filter((p) => !ownPaths.has(p)).sort()
  return { managedFields, managers, released, lastApplied }
}
