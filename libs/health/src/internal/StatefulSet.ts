// apps/StatefulSet: current when the latest generation is observed, all replicas are
// ready, and a RollingUpdate has moved every pod (above the partition) to the update revision.
import { current, inProgress, num, staleGeneration, type Health, type Obj } from "./Types.ts"

/** Health of a StatefulSet. */
export const statefulSet = (obj: Obj): Health => {
  const stale = staleGeneration(obj)
  if (stale) return stale
  const want = num(obj.spec?.replicas, 1)
  const s = obj.status ?? {}
  const ready = num(s.readyReplicas)
  if (num(s.replicas) < want) return inProgress(`${num(s.replicas)} of ${want} replicas created`)
  if (ready < want) return inProgress(`${ready} of ${want} replicas ready`)
  const strategy = obj.spec?.updateStrategy
  if (strategy?.type === "OnDelete") return current(`StatefulSet is ready: ${ready} of ${want} replicas`)
  const partition = num(strategy?.rollingUpdate?.partition)
  if (partition > 0) {
    const expected = Math.max(0, want - partition)
    if (num(s.updatedReplicas) < expected) return inProgress(`partitioned rollout: ${num(s.updatedReplicas)} of ${expected} replicas updated`)
    return current(`partitioned rollout complete: ${expected} replicas updated`)
  }
  if (s.updateRevision !== undefined && s.currentRevision !== s.updateRevision) {
    return inProgress(`rollout: ${num(s.updatedReplicas)} of ${want} replicas at revision ${s.updateRevision}`)
  }
  return current(`StatefulSet is ready: ${ready} of ${want} replicas`)
}
