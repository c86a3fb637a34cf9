// The Kustomization actor (first increment): source artifact -> build ->
// substitute -> apply (dry-run first) -> prune -> health -> status + event.
// Steps fail with typed errors whose reasons are Flux's condition reasons.
import { Effect, Result } from "effect"
import { Transient, Waiting, type Behavior, type HostHandle, type RunContext } from "@moor/actors"
import { Codecs, type ActorKey, type Event } from "@moor/protocol"
import { decodeKustomization, kustomizationRetryInterval, kustomizationTimeout, parseDuration, removeCondition, setCondition, type Kustomization } from "@moor/api"
import type { ArtifactStore } from "@moor/artifact"
import { describe, waitFor } from "@moor/health"
import type { KubeClient, KubeObject, ResourceRef } from "@moor/kube"
import { fluxBuild, substituteObjects } from "@moor/kustomize"
import { ApplyError, diffInventory, formatChangeSet, type Inventory, type ResourceManager } from "@moor/ssa"
import { ArtifactTrees, type Tree } from "./Artifacts.ts"
import { DriftWatcher } from "./Drift.ts"

export interface KustomizationDeps {
  readonly kube: KubeClient
  readonly kustomizations: ResourceRef
  readonly configMaps: ResourceRef
  readonly secrets: ResourceRef
  readonly gitRepositories: ResourceRef
  readonly store: ArtifactStore
  readonly manager: ResourceManager
}

type Status = Record<string, any>

/** A failure with Flux's reason and a message a person can act on. */
class StepFailure extends Error {
  readonly reason: string
  readonly waiting: boolean
  constructor(reason: string, message: string, waiting = false) {
    super(message)
    this.reason = reason
    this.waiting = waiting
  }
}

const isSubstituteDisabled = (o: KubeObject) =>
  o.metadata?.annotations?.["kustomize.toolkit.fluxcd.io/substitute"] === "disabled" || o.metadata?.labels?.["kustomize.toolkit.fluxcd.io/substitute"] === "disabled"

export const kustomizationBehavior = (deps: KustomizationDeps): Behavior<Kustomization> => {
  const written = new Map<string, Status>()
  const trees = new ArtifactTrees(deps.store)
  const pruneOnDelete = new Map<string, boolean>()
  let host: HostHandle | undefined
  const specOf = (key: ActorKey): Kustomization | undefined => {
    for (const e of host?.entries() ?? []) if (e.key.namespace === key.namespace && e.key.name === key.name) return e.spec as Kustomization
    return undefined
  }
  const drift = new DriftWatcher({
    kube: deps.kube,
    manager: deps.manager,
    // A suspended Kustomization leaves drift alone; resuming restores correction.
    active: (owner) => host !== undefined && host.hosts(owner) && specOf(owner)?.spec?.suspend !== true,
    report: (r) => host?.event(r.owner, { reason: "DriftCorrected", message: `${r.object} drifted and was reverted: ${r.fields.join(", ")}`, metadata: { object: r.object, fields: r.fields.join(",") } }),
  })

  const patch = async (k: Kustomization, id: string, next: Status) => {
    await deps.kube.patchStatus(deps.kustomizations, k.metadata.namespace, k.metadata.name, next)
    written.set(id, next)
  }

  // The host interrupts a run (a newer spec, a partition lease lapsing under load) by dropping its
  // fiber, but the promise behind it goes on until it notices the abort. The next run of the same
  // Kustomization waits for it, so two runs never apply one set at once (seen once on kube-real
  // under load: overlapping creates answered "already exists" for 337 Services), and an aborted
  // run writes nothing more.
  const inFlight = new Map<string, Promise<void>>()
  const serialized = (id: string, f: () => Promise<void>): Promise<void> => {
    const run = (inFlight.get(id) ?? Promise.resolve()).then(f)
    const settled = run.catch(() => undefined)
    inFlight.set(id, settled)
    void settled.then(() => inFlight.get(id) === settled && inFlight.delete(id))
    return run
  }
  const checkAborted = (signal: AbortSignal) => {
    if (signal.aborted) throw new Transient({ reason: "ReconciliationFailed", message: "run interrupted" })
  }

  const reconcile = async (ctx: RunContext<Kustomization>, signal: AbortSignal): Promise<void> => {
    const k = ctx.spec
    const ns = k.metadata.namespace ?? "default"
    const id = `${ns}/${k.metadata.name}`
    const gen = ctx.generation
    const prev: Status = written.get(id) ?? ((k.status ?? {}) as Status)
    const now = () => new Date()
    const token = k.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"]
    pruneOnDelete.set(id, k.spec.prune === true)
    let revision: string | undefined
    try {
      // dependsOn: every dependency Ready at its current generation, else wait (woken by its success event).
      for (const d of k.spec.dependsOn ?? []) {
        const dns = d.namespace ?? ns
        const dep = await deps.kube.find(deps.kustomizations, dns, d.name)
        const dr = (dep?.status?.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === "Ready")
        if (!dep || dr?.status !== "True" || dep.status?.observedGeneration !== dep.metadata.generation)
          throw new StepFailure("DependencyNotReady", `dependency '${dns}/${d.name}' is not ready`, true)
      }
      // Source: the GitRepository's artifact (other source kinds come with their issues).
      const ref = k.spec.sourceRef
      if (ref.kind !== "GitRepository") throw new StepFailure("ArtifactFailed", `source kind ${ref.kind} is not supported yet; use a GitRepository`)
      const srcNs = ref.namespace ?? ns
      const src = await deps.kube.find(deps.gitRepositories, srcNs, ref.name)
      const artifact = src?.status?.artifact as { revision: string; digest: string } | undefined
      if (!src || !artifact) throw new StepFailure("ArtifactFailed", `Source artifact not found, retrying: GitRepository ${srcNs}/${ref.name}`, true)
      revision = artifact.revision

      // Build, from the artifact's files (read once per digest, shared by the Kustomizations using it).
      let objects: KubeObject[]
      let tree: Tree | undefined
      try {
        tree = await trees.open(artifact.digest)
        if (!tree) throw new StepFailure("ArtifactFailed", `artifact ${artifact.digest} of GitRepository ${srcNs}/${ref.name} is not in the store`, true)
        const spec = k.spec as Record<string, any>
        const built = fluxBuild(tree.fs, spec.path ?? "./", {
          ...(spec.targetNamespace ? { targetNamespace: spec.targetNamespace } : {}),
          ...(spec.namePrefix ? { namePrefix: spec.namePrefix } : {}),
          ...(spec.nameSuffix ? { nameSuffix: spec.nameSuffix } : {}),
          ...(spec.patches ? { patches: spec.patches } : {}),
          ...(spec.images ? { images: spec.images } : {}),
          ...(spec.commonMetadata ? { commonMetadata: spec.commonMetadata } : {}),
        })
        objects = built.resources as KubeObject[]
        // substituteFrom in order (later ones win), then the inline substitute over all, as Flux merges them.
        const vars: Record<string, string> = {}
        for (const ref of (spec.postBuild?.substituteFrom ?? []) as { kind: "ConfigMap" | "Secret"; name: string; optional?: boolean }[]) {
          const src = await deps.kube.find(ref.kind === "Secret" ? deps.secrets : deps.configMaps, ns, ref.name)
          if (!src) {
            if (ref.optional) continue
            throw new StepFailure("BuildFailed", `substitute from '${ref.kind}/${ref.name}' error: ${ref.kind} ${ns}/${ref.name} not found`)
          }
          for (const [key, v] of Object.entries((src.data ?? {}) as Record<string, string>)) vars[key] = ref.kind === "Secret" ? Buffer.from(v, "base64").toString("utf8") : v
        }
        Object.assign(vars, spec.postBuild?.substitute ?? {})
        // Substituted in place, so the build's order (and the inventory's) stays as built.
        if (Object.keys(vars).length) objects = objects.map((o) => (isSubstituteDisabled(o) ? o : (substituteObjects([o], vars)[0] as KubeObject)))
      } catch (e) {
        if (e instanceof StepFailure) throw e
        throw new StepFailure("BuildFailed", `kustomize build failed: ${(e as Error).message}`)
      } finally {
        await tree?.close()
      }

      // Apply (the whole set is dry-run before the first write), then prune.
      checkAborted(signal)
      const cs = await deps.manager.apply(objects, { force: k.spec.force === true })
      checkAborted(signal)
      const inventory: Inventory = deps.manager.inventory(objects)
      // Watch the new set before pruning, so that pruned objects are no longer "corrected" back.
      await drift.track(ctx.key, objects)
      let pruned = ""
      if (k.spec.prune && prev.inventory) {
        const stale = diffInventory(prev.inventory as Inventory, inventory)
        if (stale.length) pruned = formatChangeSet(await deps.manager.prune(stale))
      }
      const changes = [formatChangeSet(cs), pruned].filter(Boolean).join("\n")

      // Health.
      // wait: every applied object; otherwise the listed healthChecks (Flux ignores them under wait).
      let healthy: Status | undefined
      const checks = k.spec.wait
        ? objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) }))
        : (k.spec.healthChecks ?? []).map((h) => ({ apiVersion: h.apiVersion ?? "v1", kind: h.kind, name: h.name, namespace: h.namespace ?? ns }))
      if (checks.length) {
        const refs = checks
        const res = await waitFor(deps.kube, refs, { timeout: kustomizationTimeout(k.spec) })
        if (!res.ok) {
          const msg = `health check failed after ${res.timedOut ? "timeout" : "a failure"}: ${describe(res.unhealthy)}`
          const st = failedStatus(prev, gen, "HealthCheckFailed", msg, revision, token, now(), inventory)
          await patch(k, id, { ...st, conditions: setCondition(st.conditions, { type: "Healthy", status: "False", reason: "HealthCheckFailed", message: msg, observedGeneration: gen }, now()) })
          throw new Transient({ reason: "HealthCheckFailed", message: msg })
        }
        healthy = { type: "Healthy", status: "True", reason: "Succeeded", message: "Health check passed" }
      }
      const message = `Applied revision: ${revision}`
      let c = removeCondition(removeCondition(prev.conditions, "Reconciling"), "Stalled")
      if (healthy) c = setCondition(c, { ...healthy, observedGeneration: gen } as never, now())
      c = setCondition(c, { type: "Ready", status: "True", reason: "ReconciliationSucceeded", message, observedGeneration: gen }, now())
      const next: Status = { ...prev, conditions: c, inventory, lastAppliedRevision: revision, lastAttemptedRevision: revision, observedGeneration: gen }
      if (token !== undefined) next.lastHandledReconcileAt = token
      await patch(k, id, next)
      // An event when something changed, or when it becomes Ready (dependents wait for that).
      const wasReady = (prev.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === "Ready" && c.status === "True")
      if (changes || !wasReady) ctx.event({ reason: "ReconciliationSucceeded", message: changes || message, metadata: { revision } })
    } catch (e) {
      if (e instanceof Transient) throw e
      const f =
        e instanceof StepFailure
          ? e
          : e instanceof ApplyError
            ? new StepFailure("ReconciliationFailed", e.message)
            : new StepFailure("ReconciliationFailed", (e as Error).message ?? String(e))
      await patch(k, id, failedStatus(prev, gen, f.reason, f.message, revision, token, now())).catch(() => undefined)
      throw f.waiting
        ? // Flux's --requeue-dependency: 30 s; the dependency's or source's own event usually comes first.
          new Waiting({ reason: f.reason, message: f.message, retryAfterMs: Math.min(30_000, kustomizationRetryInterval(k.spec)) })
        : new Transient({ reason: f.reason, message: f.message })
    }
  }

  return {
    kind: "kustomization",
    kindName: "Kustomization",
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    decode: (u) => {
      const r = decodeKustomization(u)
      if (Result.isFailure(r)) throw new Error(r.failure.message)
      return r.success
    },
    intervalMs: (k) => parseDuration(k.spec.interval),
    retryIntervalMs: (k) => kustomizationRetryInterval(k.spec),
    timeoutMs: (k) => kustomizationTimeout(k.spec) + 30_000,
    suspended: (k) => k.spec.suspend === true,
    run: (ctx) => Effect.tryPromise({ try: (signal) => serialized(`${ctx.key.namespace}/${ctx.key.name}`, () => reconcile(ctx, signal)), catch: (e) => e }),
    deleted: async (key) => {
      const id = `${key.namespace}/${key.name}`
      const last = written.get(id)
      const prune = pruneOnDelete.get(id)
      written.delete(id)
      pruneOnDelete.delete(id)
      drift.untrack(key)
      // Flux deletes what a Kustomization applied when it is deleted with spec.prune set; the last inventory says what.
      if (last?.inventory && prune) await deps.manager.prune(diffInventory(last.inventory as Inventory, { entries: [] }))
    },
    attach: (h) => {
      host = h
      /** Triggers every Kustomization `wants` the object of an event with `reason` on `subject`. */
      const wake = (subject: string, reason: string, wants: (k: Kustomization, key: ActorKey, obj: { namespace: string; name: string }) => boolean) =>
        h.subscribe(subject, (data) => {
          let e: Event
          try {
            e = Codecs.event.decode(data)
          } catch {
            return
          }
          if (e.reason !== reason) return
          const obj = { namespace: e.involvedObject.namespace ?? "", name: e.involvedObject.name }
          for (const { key, spec } of h.entries()) if (wants(spec as Kustomization, key, obj)) h.trigger(key)
        })
      // A new artifact runs the Kustomizations that use it, and a Kustomization that succeeds wakes
      // those that depend on it, at once (Flux waits for the next interval or a 30 s requeue).
      const unsubscribe = wake("moor.evt.gitrepository.>", "ArtifactUpdated", (k, key, o) => {
        const ref = k.spec?.sourceRef
        return ref?.kind === "GitRepository" && ref.name === o.name && (ref.namespace ?? key.namespace) === o.namespace
      })
      const unsubscribeDeps = wake("moor.evt.kustomization.>", "ReconciliationSucceeded", (k, key, o) =>
        k.spec?.dependsOn?.some((d) => d.name === o.name && (d.namespace ?? key.namespace) === o.namespace) === true,
      )
      return () => {
        unsubscribe()
        unsubscribeDeps()
        drift.stop()
      }
    },
  }
}

const failedStatus = (prev: Status, gen: number, reason: string, message: string, revision: string | undefined, token: string | undefined, now: Date, inventory?: Inventory): Status => {
  let c = removeCondition(prev.conditions, "Reconciling")
  c = setCondition(c, { type: "Ready", status: "False", reason, message, observedGeneration: gen }, now)
  return {
    ...prev,
    conditions: c,
    observedGeneration: gen,
    ...(revision ? { lastAttemptedRevision: revision } : {}),
    ...(inventory ? { inventory } : {}),
    ...(token !== undefined ? { lastHandledReconcileAt: token } : {}),
  }
}
