// Kinds whose health is one condition or phase: CRDs (Established), Namespaces (Active),
// PersistentVolumeClaims (Bound), Pods (Ready, or Succeeded).
import { condition, current, failed, inProgress, type Health, type Obj } from "./Types.ts"

/** A CRD is current once Established=True; NamesAccepted=False is a failure (a name clash). */
export const crd = (obj: Obj): Health => {
  const names = condition(obj, "NamesAccepted")
  if (names?.status === "False") return failed(`names not accepted: ${names.message ?? names.reason ?? ""}`)
  if (condition(obj, "Established")?.status === "True") return current("CRD is established")
  return inProgress("waiting for the CRD to be established")
}

/** A Namespace is current while Active; Terminating is in progress (towards deletion). */
export const namespace = (obj: Obj): Health => {
  const phase = obj.status?.phase
  if (phase === "Terminating" || obj.metadata?.deletionTimestamp) return inProgress("namespace is terminating")
  if (phase === undefined || phase === "Active") return current("namespace is active")
  return inProgress(`namespace phase is ${String(phase)}`)
}

/** A PersistentVolumeClaim is current once Bound. */
export const pvc = (obj: Obj): Health => {
  const phase = obj.status?.phase
  if (phase === "Bound") return current("claim is bound")
  if (phase === "Lost") return failed("claim lost its volume")
  return inProgress(`claim is ${phase ?? "Pending"}`)
}

/** A Pod is current when Ready (or Succeeded), failed when Failed. */
export const pod = (obj: Obj): Health => {
  const phase = obj.status?.phase
  if (phase === "Succeeded") return current("pod succeeded")
  if (phase === "Failed") return failed(`pod failed: ${obj.status?.reason ?? ""} ${obj.status?.message ?? ""}`.trim())
  const ready = condition(obj, "Ready")
  if (ready?.status === "True") return current("pod is ready")
  return inProgress(`pod is ${phase ?? "Pending"}${ready?.message ? `: ${ready.message}` : ""}`)
}
