// apps/DaemonSet: current when the latest generation is observed and every scheduled
// pod is updated, ready and available.
import { current, inProgress, num, staleGeneration, type Health, type Obj } from "./Types.ts"

/** Health of a DaemonSet. */
export const daemonSet = (obj: Obj): Health => {
  const stale = staleGeneration(obj)
  if (stale) return stale
  const s = obj.status ?? {}
  const desired = num(s.desiredNumberScheduled)
  if (num(s.updatedNumberScheduled) < desired) return inProgress(`rollout: ${num(s.updatedNumberScheduled)} of ${desired} pods updated`)
  if (num(s.numberReady) < desired) return inProgress(`${num(s.numberReady)} of ${desired} pods ready`)
  if (num(s.numberAvailable) < desired) return inProgress(`${num(s.numberAvailable)} of ${desired} pods available`)
  return current(`DaemonSet is ready: ${num(s.numberReady)} of ${desired} pods`)
}
