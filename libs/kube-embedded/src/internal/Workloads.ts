// Simulated workloads (no kubelet, no scheduler): after a delay, Deployments, StatefulSets,
// DaemonSets and ReplicaSets report their replicas ready and Jobs complete, as their
// controllers would. An image tagged `fail` never becomes ready: its Deployment reports a
// failed rollout (ProgressDeadlineExceeded) once spec.progressDeadlineSeconds pass.
import { createHash } from "node:crypto"
import type { Api, WriteOptions } from "./Api.ts"
import { StatusError } from "./Errors.ts"
import { timestamp } from "./Metadata.ts"
import type { Obj, StoreEvent } from "./Store.ts"

/** Options of the simulation. */
export interface SimulateOptions {
  /** Delay before a workload reports ready, in ms. */
  readonly delayMs: number
}

const KINDS: Record<string, string> = {
  "apps/deployments": "Deployment",
  "apps/statefulsets": "StatefulSet",
  "apps/daemonsets": "DaemonSet",
  "apps/replicasets": "ReplicaSet",
  "batch/jobs": "Job",
}

const failing = (tpl: Obj | undefined): boolean =>
  [...(tpl?.spec?.containers ?? []), ...(tpl?.spec?.initContainers ?? [])].some((c: Obj) => typeof c?.image === "string" && /:fail(@|$)/.test(c.image))

const hash = (o: Obj): string => createHash("sha256").update(JSON.stringify(o.spec?.template ?? {})).digest("hex").slice(0, 10)

const cond = (type: string, status: string, reason: string, message: string, now: string, prev: Obj[] | undefined, extra: Obj = {}): Obj => {
  const p = prev?.find((c) => c.type === type)
  const same = p !== undefined && p.status === status
  return { type, status, ...extra, lastTransitionTime: same ? p.lastTransitionTime : now, reason, message }
}

/** Watches workload objects and writes their status after the configured delay. */
export class Workloads {
  private readonly api: Api
  private readonly opts: SimulateOptions
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly seen = new Map<string, number>()

  constructor(api: Api, opts: SimulateOptions) {
    this.api = api
    this.opts = opts
    api.store.hooks.push((c, ev) => this.onEvent(c, ev))
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  resync(): void {
    for (const c of Object.keys(KINDS)) {
      for (const o of this.api.store.collections.get(c)?.objects.values() ?? []) this.onEvent(c, { rv: 0, type: "MODIFIED", obj: o, prev: undefined })
    }
  }

  private after(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t)
      try {
        f()
      } catch (e) {
        if (!(e instanceof StatusError)) console.error("kube-embedded workloads:", e)
      }
    }, ms)
    this.timers.add(t)
  }

  private onEvent(collection: string, ev: StoreEvent): void {
    const kind = KINDS[collection]
    if (kind === undefined) return
    const o = ev.obj
    const { namespace, name, uid, generation } = o.metadata
    if (ev.type === "DELETED" || o.metadata.deletionTimestamp !== undefined) {
      this.seen.delete(uid)
      return
    }
    // One report per generation (status writes come back here as MODIFIED events).
    if (this.seen.get(uid) === generation) return
    this.seen.set(uid, generation)
    if (ev.rv === 0 && (o.status?.observedGeneration === generation || (kind === "Job" && (o.status?.conditions ?? []).length > 0))) return
    this.after(this.opts.delayMs, () => this.report(collection, kind, namespace, name, uid, generation))
    if (kind === "Deployment" && failing(o.spec?.template)) {
      const deadline = Number(o.spec?.progressDeadlineSeconds ?? 600) * 1000
      this.after(Math.max(deadline, this.opts.delayMs + 1), () => this.report(collection, kind, namespace, name, uid, generation, true))
    }
  }

  private report(collection: string, kind: string, ns: string, name: string, uid: string, generation: number, deadline = false): void {
    const rt = this.api.registry.byGroupKind(collection.split("/")[0]!, kind)
    if (rt === undefined) return
    const cur = this.api.lookup(rt, ns, name)
    if (cur === undefined || cur.metadata.uid !== uid || cur.metadata.generation !== generation || cur.metadata.deletionTimestamp !== undefined) return
    const now = timestamp()
    const s = cur.spec ?? {}
    const fail = failing(kind === "Job" ? s.template : s.template)
    const replicas: number = typeof s.replicas === "number" ? s.replicas : 1
    const prev: Obj[] | undefined = cur.status?.conditions
    let status: Obj
    switch (kind) {
      case "Deployment": {
        const rs = `${name}-${hash(cur)}`
        const ready = fail ? 0 : replicas
        status = {
          observedGeneration: generation,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: ready,
          availableReplicas: ready,
          ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
          conditions: [
            fail
              ? cond("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now, prev, { lastUpdateTime: now })
              : cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now, prev, { lastUpdateTime: now }),
            deadline
              ? cond("Progressing", "False", "ProgressDeadlineExceeded", `ReplicaSet "${rs}" has timed out progressing.`, now, prev, { lastUpdateTime: now })
              : fail
                ? cond("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${rs}" is progressing.`, now, prev, { lastUpdateTime: now })
                : cond("Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${rs}" has successfully progressed.`, now, prev, { lastUpdateTime: now }),
          ],
        }
        if (ready === 0) {
          delete status.readyReplicas
          delete status.availableReplicas
        }
        break
      }
      case "StatefulSet": {
        const rev = `${name}-${hash(cur)}`
        const ready = fail ? 0 : replicas
        status = { observedGeneration: generation, replicas, readyReplicas: ready, currentReplicas: replicas, updatedReplicas: replicas, availableReplicas: ready, currentRevision: rev, updateRevision: rev, collisionCount: 0 }
        break
      }
      case "DaemonSet": {
        const ready = fail ? 0 : 1
        status = { currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: ready, observedGeneration: generation, updatedNumberScheduled: 1, numberAvailable: ready, ...(ready === 0 ? { numberUnavailable: 1 } : {}) }
        break
      }
      case "ReplicaSet": {
        const ready = fail ? 0 : replicas
        status = { replicas, fullyLabeledReplicas: replicas, readyReplicas: ready, availableReplicas: ready, observedGeneration: generation }
        break
      }
      default: {
        const completions: number = typeof s.completions === "number" ? s.completions : 1
        const start = cur.status?.startTime ?? now
        status = fail
          ? {
              conditions: [
                cond("FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now, prev, { lastProbeTime: now }),
                cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now, prev, { lastProbeTime: now }),
              ],
              startTime: start,
              failed: 1 + Number(s.backoffLimit ?? 6),
              terminating: 0,
              ready: 0,
              uncountedTerminatedPods: {},
            }
          : {
              conditions: [
                cond("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", now, prev, { lastProbeTime: now }),
                cond("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", now, prev, { lastProbeTime: now }),
              ],
              startTime: start,
              completionTime: now,
              succeeded: completions,
              terminating: 0,
              ready: 0,
              uncountedTerminatedPods: {},
            }
      }
    }
    const next = { ...cur, status }
    const wo: WriteOptions = { dryRun: false, fieldManager: undefined, fieldValidation: "Ignore", subresource: "status", warnings: [] }
    this.api.write(rt, rt.storageVersion, cur, next, wo, { kind: "update", manager: "kube-controller-manager" })
  }
}
