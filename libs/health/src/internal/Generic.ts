// Any other kind: kstatus's generic rules. Stalled=True fails; a Ready condition decides
// once the latest generation is observed (Flux kinds and moor's own); objects without
// conditions (ConfigMaps, Services...) are current as soon as they exist.
import { condition, current, failed, inProgress, type Health, type Obj } from "./Types.ts"

/** Health from the standard conditions. */
export const generic = (obj: Obj): Health => {
  const gen = obj.metadata?.generation
  const ready = condition(obj, "Ready")
  const observed = typeof obj.status?.observedGeneration === "number" ? obj.status.observedGeneration : ready?.observedGeneration
  if (typeof gen === "number" && typeof observed === "number" && observed < gen) {
    return inProgress(`waiting for the controller to observe generation ${gen} (observed ${observed})`)
  }
  const stalled = condition(obj, "Stalled")
  if (stalled?.status === "True") return failed(`stalled: ${stalled.reason ?? ""}${stalled.message ? `: ${stalled.message}` : ""}`)
  if (ready) {
    if (ready.status === "True") return current(ready.message || "Ready")
    const why = `${ready.reason ?? ""}${ready.message ? `: ${ready.message}` : ""}`
    if (condition(obj, "Reconciling")?.status === "True" || ready.status === "Unknown") return inProgress(`not ready yet: ${why}`)
    return inProgress(`not ready: ${why}`)
  }
  if (condition(obj, "Reconciling")?.status === "True") return inProgress(`reconciling: ${condition(obj, "Reconciling")?.message ?? ""}`)
  return current("resource exists")
}
