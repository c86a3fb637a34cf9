// apps/Deployment: current when the controller saw the latest generation and every
// desired replica is updated, ready and available; failed when its rollout passed
// spec.progressDeadlineSeconds (Progressing=False, ProgressDeadlineExceeded).
import { condition, current, failed, inProgress, num, staleGeneration, type Health, type Obj } from "./Types.ts"

/** Health of a Deployment. */
export const deployment = (obj: Obj): Health => {
  const stale = staleGeneration(obj)
  if (stale) return stale
  const progressing = condition(obj, "Progressing")
  if (progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded") {
    return failed(`progress deadline exceeded: ${progressing.message ?? "the rollout timed out"}`)
  }
  if (obj.spec?.paused === true) return current("the Deployment is paused")
  const want = num(obj.spec?.replicas, 1)
  const s = obj.status ?? {}
  const updated = num(s.updatedReplicas)
  const total = num(s.replicas)
  const ready = num(s.readyReplicas)
  const available = num(s.availableReplicas)
  if (updated < want) return inProgress(`rollout: ${updated} of ${want} replicas updated`)
  if (total > updated) return inProgress(`rollout: ${total - updated} old replicas pending termination`)
  if (ready < want) return inProgress(`rollout: ${ready} of ${want} replicas ready`)
  if (available < want) return inProgress(`rollout: ${available} of ${want} replicas available`)
  const avail = condition(obj, "Available")
  if (avail?.status === "False") return inProgress(`not available: ${avail.message ?? avail.reason ?? ""}`)
  return current(`Deployment is available: ${ready} of ${want} replicas ready`)
}
