// The Kustomization actor: source artifact -> build -> substitute -> bundle
// (still SOPS-encrypted) in the object store -> request to the apply actor of
// the target cluster on moor.apply.<cluster> (decrypt, dry-run, apply, prune,
// health, drift watch there) -> status + event. Steps fail with typed errors
// whose reasons are Flux's condition reasons. A new revision that changes no
// file the build reads is recorded as applied without a rebuild (skip rule).
import { serialRuns, Stalled, Transient, Waiting, type Behavior, type RunContext } from "@moor/actors"
import { Codecs, type ActorKey, type ApplyBundle, type ApplyOwner, type ApplyRequest, type ApplyResult, type Event } from "@moor/protocol"
import { decodeKustomization, getCondition, isTrue, kustomizationRetryInterval, kustomizationTimeout, parseDuration, removeCondition, orThrow, setCondition, type Kustomization } from "@moor/api"
import type { ArtifactStore } from "@moor/artifact"
import { compileHealthExprs, InvalidHealthExpr } from "@moor/health"
import type { KubeClient, KubeObject, ResourceRef } from "@moor/kube"
import { fluxBuild } from "@moor/kustomize"
import { ArtifactTrees, type Tree } from "./Artifacts.ts"
import { fluxBuildSpec } from "./Build.ts"
import { ApplyClient, ApplyUnavailable } from "./ApplyClient.ts"
import { encodeBundle, sopsSourcesOf, type SopsSources } from "./Bundle.ts"
import { digestOf, replayReads, trackingFs, digestOfReads, type BuildReads } from "./BuildInputs.ts"

export interface KustomizationDeps {
  readonly kube: KubeClient
  readonly kustomizations: ResourceRef
  readonly configMaps: ResourceRef
  readonly secrets: ResourceRef
  readonly gitRepositories: ResourceRef
  readonly store: ArtifactStore
  /** Requests to the apply actor of the target cluster. */
  readonly apply: ApplyClient
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

const ownerOf = (k: Kustomization): ApplyOwner => ({ apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: k.metadata.namespace ?? "default", name: k.metadata.name })

/** The target fields of a request: remote kubeconfig and impersonation. */
const targetOf = (spec: Kustomization["spec"]) => {
  const ref = spec.kubeConfig?.secretRef
  const t = {
    ...(ref ? { kubeConfig: { secretRef: { name: ref.name, ...(ref.key ? { key: ref.key } : {}) } } } : {}),
    ...(spec.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
  }
  return Object.keys(t).length ? { target: t } : {}
}

/** "Kind/ns/name action" lines, as Flux's events list a change set. */
const changesText = (r: ApplyResult | undefined) => (r?.changes ?? []).filter((c) => c.action !== "skipped").map((c) => `${c.object} ${c.action}`).join("\n")

/** What the skip rule remembers of the last successful build of an actor. */
interface Built {
  readonly generation: number
  readonly vars: string
  readonly reads: BuildReads
  readonly digest: string
}

export const kustomizationBehavior = (deps: KustomizationDeps): Behavior<Kustomization> => {
  const written = new Map<string, Status>()
  const lastSpec = new Map<string, Kustomization>()
  const built = new Map<string, Built>()

  const patch = async (k: Kustomization, id: string, next: Status) => {
    await deps.kube.patchStatus(deps.kustomizations, k.metadata.namespace, k.metadata.name, next)
    written.set(id, next)
  }

  // Artifacts' files, read once per digest and shared by the Kustomizations using them.
  const trees = new ArtifactTrees(deps.store)

  // Runs are serialized (serialRuns): an interrupted run's promise is waited for, and it sends
  // nothing more once aborted, so two runs never apply one set at once.
  const checkAborted = (signal: AbortSignal) => {
    if (signal.aborted) throw new Transient({ reason: "ReconciliationFailed", message: "run interrupted" })
  }

  const reconcile = async (ctx: RunContext<Kustomization>, signal: AbortSignal): Promise<void> => {
    const k = ctx.spec
    const ns = k.metadata.namespace ?? "default"
    const id = `${ns}/${k.metadata.name}`
    const gen = ctx.generation
    let prev: Status = written.get(id) ?? ((k.status ?? {}) as Status)
    const wasReady = isTrue(prev.conditions, "Ready")
    const now = () => new Date()
    const token = k.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"]
    lastSpec.set(id, k)
    let revision: string | undefined
    // A health expression that does not compile needs a spec change: stalled before anything
    // is applied (Flux's InvalidCELExpression), not retried until the spec changes.
    try {
      compileHealthExprs(k.spec.healthCheckExprs)
    } catch (e) {
      if (!(e instanceof InvalidHealthExpr)) throw e
      await patch(k, id, stalledStatus(prev, gen, e.reason, e.message, token, now())).catch(() => undefined)
      throw new Stalled({ reason: e.reason, message: e.message })
    }
    try {
      // dependsOn: every dependency Ready at its current generation, else wait (woken by its success event).
      for (const d of k.spec.dependsOn ?? []) {
        const dns = d.namespace ?? ns
        const dep = await deps.kube.find(deps.kustomizations, dns, d.name)
        if (!dep || !isTrue(dep.status?.conditions, "Ready") || dep.status?.observedGeneration !== dep.metadata.generation)
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
      // Under way, as Flux shows it (kstatus): Reconciling=True and Ready=Unknown until the run ends.
      prev = progressingStatus(prev, gen, `Fetching manifests for revision ${revision} with a timeout of ${k.spec.timeout ?? k.spec.interval}`, now())
      await patch(k, id, prev)

      // Substitution variables, resolved here but for Secret values, which only the apply actor reads
      // (a bundle or message never holds them): substituted there, after decryption, as Flux orders it.
      const spec = k.spec as Record<string, any>
      const substituteFrom: NonNullable<ApplyBundle["postBuild"]>["substituteFrom"][number][] = []
      const varInputs: unknown[] = []
      for (const ref of (spec.postBuild?.substituteFrom ?? []) as { kind: "ConfigMap" | "Secret"; name: string; optional?: boolean }[]) {
        const src = await deps.kube.find(ref.kind === "Secret" ? deps.secrets : deps.configMaps, ns, ref.name)
        if (!src) {
          if (ref.optional) continue
          throw new StepFailure("BuildFailed", `substitute from '${ref.kind}/${ref.name}' error: ${ref.kind} ${ns}/${ref.name} not found`)
        }
        const data = (src.data ?? {}) as Record<string, string>
        if (ref.kind === "Secret") {
          substituteFrom.push({ kind: "Secret", name: ref.name, optional: ref.optional === true })
          varInputs.push(["Secret", ref.name, digestOf(data)]) // for the skip rule: a digest, never the values
        } else {
          substituteFrom.push({ kind: "ConfigMap", name: ref.name, data })
          varInputs.push(["ConfigMap", ref.name, data])
        }
      }
      const substitute = (spec.postBuild?.substitute ?? {}) as Record<string, string>
      const varsDigest = digestOf([varInputs, substitute])
      const postBuild = substituteFrom.length || Object.keys(substitute).length ? { postBuild: { substituteFrom, substitute } } : {}

      // Build (or skip: a new revision that changes no file the build read, same spec and variables).
      let tree: Tree | undefined
      let objects: KubeObject[]
      let reads: BuildReads
      let sops: SopsSources = new Map()
      try {
        tree = await trees.open(artifact.digest)
        if (!tree) throw new StepFailure("ArtifactFailed", `artifact ${artifact.digest} of GitRepository ${srcNs}/${ref.name} is not in the store`, true)
        const memo = built.get(id)
        if (memo && memo.generation === gen && memo.vars === varsDigest && prev.lastAppliedRevision && prev.lastAppliedRevision !== revision && replayReads(tree.fs, memo.reads) === memo.digest) {
          const message = `Applied revision: ${revision} (no change in the files the build reads since ${prev.lastAppliedRevision})`
          let c = removeCondition(removeCondition(prev.conditions, "Reconciling"), "Stalled")
          c = setCondition(c, { type: "Ready", status: "True", reason: "ReconciliationSucceeded", message, observedGeneration: gen }, now())
          const next: Status = { ...prev, conditions: c, lastAppliedRevision: revision, lastAttemptedRevision: revision, observedGeneration: gen }
          if (token !== undefined) next.lastHandledReconcileAt = token
          await patch(k, id, next)
          return
        }
        const texts: Array<[string, string]> = []
        const tracked = trackingFs(tree.fs, (p, t) => void (t.includes("mac: ENC[") && texts.push([p, t])))
        reads = tracked.reads
        const result = fluxBuild(tracked.fs, spec.path ?? "./", fluxBuildSpec(spec))
        objects = result.resources as KubeObject[]
        sops = sopsSourcesOf(texts)
      } catch (e) {
        if (e instanceof StepFailure) throw e
        throw new StepFailure("BuildFailed", `kustomize build failed: ${(e as Error).message}`)
      } finally {
        await tree?.close()
      }

      // The bundle, still encrypted, by reference; the apply actor of the target cluster does the rest.
      const owner = ownerOf(k)
      const bundleOwner = { kind: "kustomization", namespace: ns, name: k.metadata.name }
      const bundle = await deps.store.put(bundleOwner, encodeBundle(objects, sops, `moor-bundle: kustomization/${ns}/${k.metadata.name} ${revision}`), revision)
      // Only the newest bundle is kept (the digest is this owner's alone: its header names it).
      await deps.store.dropOwned(bundleOwner, [bundle.digest]).catch(() => undefined)
      const timeoutMs = kustomizationTimeout(k.spec)
      const req: ApplyRequest = {
        op: "apply",
        owner,
        revision,
        digest: bundle.digest,
        ...(prev.inventory ? { inventory: prev.inventory } : {}),
        options: {
          force: k.spec.force === true,
          prune: k.spec.prune === true,
          wait: k.spec.wait === true,
          // wait: every applied object; otherwise the listed healthChecks (Flux ignores them under wait).
          healthChecks: k.spec.wait ? [] : (k.spec.healthChecks ?? []).map((h) => ({ apiVersion: h.apiVersion ?? "v1", kind: h.kind, name: h.name, namespace: h.namespace ?? ns })),
          timeoutMs,
          ...(k.spec.healthCheckExprs?.length ? { healthCheckExprs: k.spec.healthCheckExprs } : {}),
        },
        ...(k.spec.decryption ? { decryption: { provider: "sops" as const, ...(k.spec.decryption.secretRef ? { secretRef: { name: k.spec.decryption.secretRef.name } } : {}) } } : {}),
        ...targetOf(k.spec),
        ...postBuild,
      }
      checkAborted(signal)
      const reply = await deps.apply.request(req, timeoutMs + 20_000)
      checkAborted(signal)
      if (!reply.ok) {
        const inventory = reply.result?.inventory
        if (reply.error.reason === "HealthCheckFailed") {
          const st = failedStatus(prev, gen, "HealthCheckFailed", reply.error.message, revision, token, now(), inventory)
          await patch(k, id, { ...st, conditions: setCondition(st.conditions, { type: "Healthy", status: "False", reason: "HealthCheckFailed", message: reply.error.message, observedGeneration: gen }, now()) })
          built.delete(id)
          throw new Transient({ reason: "HealthCheckFailed", message: reply.error.message, metadata: { revision } })
        }
        throw new StepFailure(reply.error.reason, reply.error.message)
      }
      const changes = changesText(reply.result)
      const message = `Applied revision: ${revision}`
      let c = removeCondition(removeCondition(prev.conditions, "Reconciling"), "Stalled")
      if (reply.result.health) c = setCondition(c, { type: "Healthy", status: "True", reason: "Succeeded", message: "Health check passed", observedGeneration: gen }, now())
      c = setCondition(c, { type: "Ready", status: "True", reason: "ReconciliationSucceeded", message, observedGeneration: gen }, now())
      const next: Status = { ...prev, conditions: c, inventory: reply.result.inventory ?? { entries: [] }, lastAppliedRevision: revision, lastAttemptedRevision: revision, observedGeneration: gen }
      if (token !== undefined) next.lastHandledReconcileAt = token
      await patch(k, id, next)
      built.set(id, { generation: gen, vars: varsDigest, reads, digest: digestOfReads(reads) })
      // An event when something changed, or when it becomes Ready (dependents wait for that).
      if (changes || !wasReady) ctx.event({ reason: "ReconciliationSucceeded", message: changes || message, metadata: { revision } })
    } catch (e) {
      if (e instanceof Transient) throw e
      built.delete(id)
      const f =
        e instanceof StepFailure
          ? e
          : e instanceof ApplyUnavailable
            ? new StepFailure("ReconciliationFailed", e.message, true)
            : new StepFailure("ReconciliationFailed", (e as Error).message ?? String(e))
      await patch(k, id, failedStatus(prev, gen, f.reason, f.message, revision, token, now())).catch(() => undefined)
      // The event names the revision it is about, as Flux's do (commit statuses are keyed on it).
      const metadata = revision ? { metadata: { revision } } : {}
      throw f.waiting
        ? // Flux's --requeue-dependency: 30 s; the dependency's or source's own event usually comes first.
          new Waiting({ reason: f.reason, message: f.message, retryAfterMs: Math.min(30_000, kustomizationRetryInterval(k.spec)), ...metadata })
        : new Transient({ reason: f.reason, message: f.message, ...metadata })
    }
  }

  return {
    kind: "kustomization",
    kindName: "Kustomization",
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    decode: orThrow(decodeKustomization),
    intervalMs: (k) => parseDuration(k.spec.interval),
    retryIntervalMs: (k) => kustomizationRetryInterval(k.spec),
    timeoutMs: (k) => kustomizationTimeout(k.spec) + 30_000,
    suspended: (k) => k.spec.suspend === true,
    run: serialRuns(reconcile),
    deleted: async (key, lastSeen, o) => {
      const id = `${key.namespace}/${key.name}`
      // What this replica wrote and reconciled, else the object as last seen (deleted before a run
      // here, e.g. while moor was down, and held by Flux's finalizer until now).
      const seen = lastSeen as Kustomization | undefined
      const last: Status | undefined = written.get(id) ?? (seen?.status as Status | undefined)
      const k = lastSpec.get(id) ?? seen
      written.delete(id)
      lastSpec.delete(id)
      built.delete(id)
      // Flux deletes what a Kustomization applied when it is deleted with spec.prune set; the last
      // inventory says what. Orphaned (its finalizer taken off first): the objects stay, drift
      // correction stops.
      const owner: ApplyOwner = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: key.namespace, name: key.name }
      const reply = await deps.apply.request(
        { op: "delete", owner, prune: k?.spec.prune === true && o?.orphan !== true, ...(last?.inventory ? { inventory: last.inventory } : {}), ...(k ? targetOf(k.spec) : {}) },
        60_000,
      )
      if (!reply.ok) throw new Error(`${reply.error.reason}: ${reply.error.message}`)
    },
    attach: (h) => {
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
      }
    },
  }
}

/** A run under way: Reconciling=True (Progressing, what it does) and Ready=Unknown. */
const progressingStatus = (prev: Status, gen: number, message: string, now: Date): Status => {
  let c = setCondition(prev.conditions, { type: "Reconciling", status: "True", reason: "Progressing", message, observedGeneration: gen }, now)
  c = setCondition(c, { type: "Ready", status: "Unknown", reason: "Progressing", message: "Reconciliation in progress", observedGeneration: gen }, now)
  return { ...prev, conditions: c }
}

const stalledStatus = (prev: Status, gen: number, reason: string, message: string, token: string | undefined, now: Date): Status => {
  let c = removeCondition(prev.conditions, "Reconciling")
  c = setCondition(c, { type: "Stalled", status: "True", reason, message, observedGeneration: gen }, now)
  c = setCondition(c, { type: "Ready", status: "False", reason, message, observedGeneration: gen }, now)
  return { ...prev, conditions: c, observedGeneration: gen, ...(token !== undefined ? { lastHandledReconcileAt: token } : {}) }
}

const failedStatus = (prev: Status, gen: number, reason: string, message: string, revision: string | undefined, token: string | undefined, now: Date, inventory?: unknown): Status => {
  // A failed run is retried: Flux keeps Reconciling with the reason ProgressingWithRetry.
  const reconciling = getCondition(prev.conditions, "Reconciling")
  let c = reconciling ? setCondition(prev.conditions, { type: "Reconciling", status: "True", reason: "ProgressingWithRetry", message: reconciling.message, observedGeneration: gen }, now) : prev.conditions
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
