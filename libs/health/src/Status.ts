// The health registry: one rule per group/kind, a generic rule for the rest. Pure.
import { crd, namespace, pod, pvc } from "./internal/Core.ts"
import { daemonSet } from "./internal/DaemonSet.ts"
import { deployment } from "./internal/Deployment.ts"
import { generic } from "./internal/Generic.ts"
import { job } from "./internal/Job.ts"
import { statefulSet } from "./internal/StatefulSet.ts"
import type { HealthRules } from "./Exprs.ts"
import { inProgress, unknown, type Health, type Obj, type Rule } from "./internal/Types.ts"

/** The rules by `group/kind` (core group: empty, so "/Pod"). */
export const rules: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ["apps/Deployment", deployment],
  ["apps/StatefulSet", statefulSet],
  ["apps/DaemonSet", daemonSet],
  ["batch/Job", job],
  ["apiextensions.k8s.io/CustomResourceDefinition", crd],
  ["/Namespace", namespace],
  ["/PersistentVolumeClaim", pvc],
  ["/Pod", pod],
])

/** The group of an apiVersion ("apps/v1" -> "apps", "v1" -> ""). */
export const groupOf = (apiVersion: string): string => (apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "")

/**
 * kstatus-style health of one object as read from the cluster. Malformed input gives
 * Unknown with the reason; an object being deleted is InProgress. `custom` rules (compiled
 * healthCheckExprs) take precedence over the built-in ones for their kinds.
 */
export const status = (obj: unknown, custom?: HealthRules): Health => {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return unknown("not an object")
  const o = obj as Obj
  if (typeof o.apiVersion !== "string" || typeof o.kind !== "string") return unknown("the object has no apiVersion or kind")
  if (typeof o.metadata !== "object" || o.metadata === null) return unknown("the object has no metadata")
  if (o.status !== undefined && (typeof o.status !== "object" || o.status === null || Array.isArray(o.status))) return unknown("status is not an object")
  if (o.metadata.deletionTimestamp && o.kind !== "Namespace") return inProgress("the object is being deleted")
  const key = `${groupOf(o.apiVersion)}/${o.kind}`
  const rule = custom?.get(key) ?? rules.get(key) ?? generic
  return rule(o)
}
