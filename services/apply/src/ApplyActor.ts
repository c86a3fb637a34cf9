// The apply actor of one cluster: answers requests on moor.apply.<cluster>
// (queue group per cluster). For a bundle: fetch it from the object store,
// decrypt its SOPS Secrets with the cluster's own age key, server-side apply
// (dry-run of the whole set first), prune what left the previous inventory,
// wait for health, then watch the applied objects and correct drift,
// publishing DriftCorrected as the owner's event. Requests of one owner run
// one at a time, in order.
import { parseAllDocuments } from "yaml"
import type { NatsConnection } from "@nats-io/transport-node"
import type { Log } from "@moor/actors"
import type { ArtifactStore } from "@moor/artifact"
import { compileHealthExprs, describe, InvalidHealthExpr, waitFor, type HealthRules } from "@moor/health"
import type { KubeClient, KubeObject } from "@moor/kube"
import {
  applyOwnersSubject,
  applyQueue,
  applySubject,
  Codecs,
  evtSubject,
  type ApplyBundle,
  type ApplyDelete,
  type ApplyOwner,
  type ApplyReply,
  type ApplyRequest,
  type ApplyResult,
} from "@moor/protocol"
import { ApplyError as SsaApplyError, diffInventory, refString, summarize, type ChangeSet, type ChangeSetEntry, type Inventory } from "@moor/ssa"
import { Decryptor, loadIdentities, redact, type BundleDoc } from "./Decrypt.ts"
import { ownerKey } from "./Drift.ts"
import { ApplyFailure } from "./Errors.ts"
import { resolveVariables, substitute } from "./Substitute.ts"
import { Targets, type Target } from "./Targets.ts"

export interface ApplyActorOptions {
  readonly cluster: string
  readonly kube: KubeClient
  readonly nc: NatsConnection
  readonly store: ArtifactStore
  readonly fieldManager: string
  /** This replica's name (owner notices say who tracks what). */
  readonly replica: string
  readonly log?: Log
}

/** A parsed bundle: its documents, and the SOPS source documents by MAC (from its `SopsSources` document). */
export interface Bundle {
  readonly docs: BundleDoc[]
  readonly sources: ReadonlyMap<string, string>
}

/** A bundle's documents; a document that is not an object is a ReconciliationFailed naming its index. */
export const parseBundle = (text: string): Bundle => fastParse(text) ?? yamlParse(text)

/**
 * The Kustomization writes each plain object as one line of JSON: those documents are read
 * with JSON.parse, the rest (SOPS manifests, their sources) as YAML. Undefined when the text
 * is not in that shape, for the YAML reader of the whole.
 */
const fastParse = (text: string): Bundle | undefined => {
  const out: BundleDoc[] = []
  let sources = new Map<string, string>()
  const parts = text.split(/^---\n/m)
  for (const [i, part] of parts.entries()) {
    // leading comment lines (the bundle's header) are not content
    const body = part.replace(/^(?:#.*\n)+/, "")
    if (body.startsWith("{") && !body.includes("\n", body.indexOf("\n") + 1) && !body.includes("moor-source:")) {
      let object: unknown
      try {
        object = JSON.parse(body)
      } catch {
        return undefined
      }
      if (typeof object !== "object" || object === null || Array.isArray(object)) return undefined
      out.push({ text: body, object: object as KubeObject })
      continue
    }
    if (body.trim() === "") continue
    // read as it stands in the whole (after its separator), so a comment before it stays the document's
    const sub = yamlParse(i === 0 ? part : `---\n${part}`)
    if (sub.docs.length + sub.sources.size === 0 && part.trim() !== "") return undefined
    out.push(...sub.docs)
    sources = new Map([...sources, ...sub.sources])
  }
  return { docs: out, sources }
}

const yamlParse = (text: string): Bundle => {
  const out: BundleDoc[] = []
  const sources = new Map<string, string>()
  const docs = parseAllDocuments(text)
  for (const [i, d] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    if (d.errors.length) throw new ApplyFailure("ReconciliationFailed", `bundle document #${i}: ${d.errors[0]!.message.split("\n")[0]}`)
    const object = d.toJS({ maxAliasCount: 100 }) as KubeObject | null
    if (object === null) continue
    if (typeof object !== "object" || Array.isArray(object)) throw new ApplyFailure("ReconciliationFailed", `bundle document #${i} is not an object`)
    if (object.apiVersion === "bundle.moor.dev/v1" && object.kind === "SopsSources") {
      for (const s of (object.sources ?? []) as { mac?: unknown; text?: unknown }[]) if (typeof s.mac === "string" && typeof s.text === "string") sources.set(s.mac, s.text)
      continue
    }
    // The Kustomization names an encrypted document's source file in a comment before it.
    const comments = `${d.commentBefore ?? ""}\n${(d.contents as { commentBefore?: string } | null)?.commentBefore ?? ""}`
    const source = /moor-source:\s*(\S+)/.exec(comments)?.[1]
    out.push({ text: d.toString({ lineWidth: 0 }), object, ...(source ? { source } : {}) })
  }
  return { docs: out, sources }
}

const resultOf = (sets: ReadonlyArray<ChangeSet>, inventory?: Inventory, health?: ApplyResult["health"]): ApplyResult => {
  const entries: ChangeSetEntry[] = sets.flatMap((s) => [...s.entries])
  const counts = summarize({ entries, writes: 0 })
  return {
    changes: entries.filter((e) => e.action !== "unchanged").map((e) => ({ object: refString(e.ref), action: e.action })),
    counts,
    writes: sets.reduce((n, s) => n + s.writes, 0),
    ...(inventory ? { inventory: { entries: inventory.entries.map((e) => ({ id: e.id, v: e.v })) } } : {}),
    ...(health ? { health } : {}),
  }
}

export class ApplyActor {
  private readonly o: ApplyActorOptions
  private readonly targets: Targets
  private readonly decryptor = new Decryptor()
  /** Owners whose drift is left alone (suspended). */
  private readonly suspended = new Set<string>()
  /** Where each owner's objects are watched. */
  private readonly ownerTarget = new Map<string, Target>()
  /** The tail of each owner's request chain. */
  private readonly chains = new Map<string, Promise<unknown>>()
  private readonly subs: Array<{ unsubscribe(): void }> = []
  /** Aborted by stop(): a health wait in flight ends at once instead of holding the process until its timeout. */
  private readonly stopping = new AbortController()

  constructor(o: ApplyActorOptions) {
    this.o = o
    this.targets = new Targets({
      cluster: o.cluster,
      kube: o.kube,
      fieldManager: o.fieldManager,
      active: (owner) => !this.suspended.has(ownerKey(owner)),
      report: (r) => this.event(r.owner, "DriftCorrected", `${r.object} drifted and was reverted: ${r.fields.join(", ")}`, { object: r.object, fields: r.fields.join(",") }),
      ...(o.log ? { log: o.log } : {}),
    })
  }

  start(): void {
    const { nc, cluster } = this.o
    this.subs.push(
      nc.subscribe(applySubject(cluster), {
        queue: applyQueue(cluster),
        callback: (err, m) => {
          if (err) return
          void this.handle(m.data).then((reply) => {
            let data: Uint8Array
            try {
              data = Codecs.applyReply.encode(reply)
            } catch (e) {
              // A reply that breaks its own schema is a bug here; the requester still gets an answer.
              this.o.log?.error("apply reply does not encode", { error: (e as Error).message })
              data = Codecs.applyReply.encode({ ok: false, error: { reason: "ReconciliationFailed", message: "the apply actor produced an invalid reply; see its log" } })
            }
            m.respond(data)
          })
        },
      }),
    )
    this.subs.push(
      nc.subscribe(applyOwnersSubject(cluster), {
        callback: (err, m) => {
          if (err) return
          try {
            this.notice(Codecs.applyOwnerNotice.decode(m.data))
          } catch {
            // not ours to answer
          }
        },
      }),
    )
  }

  stop(): void {
    this.stopping.abort()
    for (const s of this.subs.splice(0)) s.unsubscribe()
    this.targets.stop()
  }

  /** Decodes, runs in the owner's order, and always answers (a bad request is a ReconciliationFailed). */
  async handle(data: Uint8Array): Promise<ApplyReply> {
    let req: ApplyRequest
    try {
      req = Codecs.applyRequest.decode(data)
    } catch (e) {
      return { ok: false, error: { reason: "ReconciliationFailed", message: (e as Error).message } }
    }
    // Suspend and resume are flags: they take effect at once, not behind an apply in flight.
    if (req.op === "suspend" || req.op === "resume") return this.dispatch(req)
    const key = ownerKey(req.owner)
    const prev = this.chains.get(key) ?? Promise.resolve()
    const run = prev.then(() => this.dispatch(req))
    const tail = run.catch(() => undefined)
    this.chains.set(key, tail)
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key)
    })
    return run
  }

  private async dispatch(req: ApplyRequest): Promise<ApplyReply> {
    try {
      switch (req.op) {
        case "apply":
          return await this.apply(req)
        case "delete":
          return await this.delete(req)
        case "suspend":
        case "resume":
          this.broadcast(req.op, req.owner)
          return { ok: true, result: resultOf([]) }
      }
    } catch (e) {
      if (e instanceof ApplyFailure) return { ok: false, error: { reason: e.reason, message: e.message } }
      if (e instanceof SsaApplyError) return { ok: false, error: { reason: "ReconciliationFailed", message: e.message } }
      this.o.log?.error("apply failed", { owner: ownerKey(req.owner), error: String(e) })
      return { ok: false, error: { reason: "ReconciliationFailed", message: (e as Error)?.message ?? String(e) } }
    }
  }

  private async apply(req: ApplyBundle): Promise<ApplyReply> {
    const target = await this.targets.resolve(req.owner, req.target)
    // before anything is applied: a health rule that cannot be used fails the revision untouched
    let rules: HealthRules | undefined
    try {
      rules = this.healthRules(req.options.healthCheckExprs)
    } catch (e) {
      throw e instanceof InvalidHealthExpr ? new ApplyFailure(e.reason, e.message) : e
    }
    const bytes = await this.o.store.get(req.digest)
    if (!bytes) throw new ApplyFailure("ArtifactFailed", `bundle ${req.digest} of revision ${req.revision} is not in the object store`)
    const bundle = parseBundle(new TextDecoder().decode(bytes))
    const decrypted = await this.decryptor.decrypt(bundle, {
      decryption: req.decryption,
      identities: () => loadIdentities(target.base, req.owner, req.decryption, target.describe),
    })
    const plaintexts = [...decrypted.plaintexts]
    const hide = (m: string) => redact(m, plaintexts)
    let objects = decrypted.objects
    if (req.postBuild) {
      // Secret variables come from this actor's own cluster (the hub: Flux's management cluster).
      const { vars, secretValues } = await resolveVariables(this.o.kube, req.owner.namespace, req.postBuild)
      plaintexts.push(...secretValues.filter((v) => v.length >= 3))
      try {
        objects = substitute(objects, vars)
      } catch (e) {
        throw e instanceof ApplyFailure ? new ApplyFailure(e.reason, hide(e.message)) : e
      }
    }
    try {
      const cs = await target.manager.apply(objects, { force: req.options.force })
      const inventory = target.manager.inventory(objects)
      // Watch the new set before pruning, so that pruned objects are no longer "corrected" back.
      await this.track(req.owner, target, objects)
      const sets: ChangeSet[] = [cs]
      if (req.options.prune && req.inventory) {
        const stale = diffInventory(req.inventory as Inventory, inventory)
        if (stale.length) sets.push(await target.manager.prune(stale))
      }
      const checks = req.options.wait
        ? objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) }))
        : req.options.healthChecks
      if (checks.length === 0) return { ok: true, result: resultOf(sets, inventory) }
      const res = await waitFor(target.kube, checks, { timeout: req.options.timeoutMs, signal: this.stopping.signal, ...(rules ? { rules } : {}) })
      if (res.ok) return { ok: true, result: resultOf(sets, inventory, { ok: true, checked: checks.length, message: "Health check passed" }) }
      const message = hide(`health check failed after ${res.timedOut ? "timeout" : "a failure"}: ${describe(res.unhealthy)}`)
      return { ok: false, error: { reason: "HealthCheckFailed", message }, result: resultOf(sets, inventory, { ok: false, checked: checks.length, message }) }
    } catch (e) {
      if (e instanceof SsaApplyError) throw new ApplyFailure("ReconciliationFailed", hide(e.message))
      throw new ApplyFailure("ReconciliationFailed", hide((e as Error)?.message ?? String(e)))
    }
  }

  // Compiled once per distinct set: owners reconcile every interval with the same expressions.
  private readonly compiledRules = new Map<string, HealthRules>()
  private healthRules(exprs: ApplyBundle["options"]["healthCheckExprs"]): HealthRules | undefined {
    if (!exprs?.length) return undefined
    const key = JSON.stringify(exprs)
    let r = this.compiledRules.get(key)
    if (!r) {
      // the sender validated them; an invalid set from another sender fails this apply (InvalidHealthExpr)
      r = compileHealthExprs(exprs)
      if (this.compiledRules.size >= 256) this.compiledRules.clear()
      this.compiledRules.set(key, r)
    }
    return r
  }

  private async delete(req: ApplyDelete): Promise<ApplyReply> {
    this.broadcast("deleted", req.owner)
    if (!req.prune || !req.inventory?.entries.length) return { ok: true, result: resultOf([]) }
    const target = await this.targets.resolve(req.owner, req.target)
    const cs = await target.manager.prune(diffInventory(req.inventory as Inventory, { entries: [] }))
    return { ok: true, result: resultOf([cs]) }
  }

  private async track(owner: ApplyOwner, target: Target, objects: ReadonlyArray<KubeObject>) {
    const key = ownerKey(owner)
    const was = this.ownerTarget.get(key)
    if (was && was !== target) was.drift.untrack(owner)
    this.ownerTarget.set(key, target)
    await target.drift.track(owner, objects)
    // Another replica that watched this owner's objects before stops now.
    this.broadcast("tracked", owner)
  }

  private untrack(owner: ApplyOwner) {
    const key = ownerKey(owner)
    this.ownerTarget.get(key)?.drift.untrack(owner)
    this.ownerTarget.delete(key)
  }

  private broadcast(op: "tracked" | "suspend" | "resume" | "deleted", owner: ApplyOwner) {
    // Applied locally at once (the notice comes back too, harmlessly), so a reply means it took effect here.
    this.notice({ op, owner, replica: this.o.replica })
    this.o.nc.publish(applyOwnersSubject(this.o.cluster), Codecs.applyOwnerNotice.encode({ op, owner, replica: this.o.replica }))
  }

  private notice(n: { op: string; owner: ApplyOwner; replica: string }) {
    const key = ownerKey(n.owner)
    switch (n.op) {
      case "tracked":
        if (n.replica !== this.o.replica) this.untrack(n.owner)
        break
      case "suspend":
        this.suspended.add(key)
        break
      case "resume":
        this.suspended.delete(key)
        break
      case "deleted":
        this.suspended.delete(key)
        this.untrack(n.owner)
        break
    }
  }

  /** Publishes an event as the owner's (moor.evt.<kind>.<ns>.<name>), in Flux's shape. */
  private event(owner: ApplyOwner, reason: string, message: string, metadata?: Record<string, string>) {
    const data = Codecs.event.encode({
      involvedObject: { kind: owner.kind, namespace: owner.namespace, name: owner.name, apiVersion: owner.apiVersion },
      severity: "info",
      timestamp: new Date().toISOString(),
      message,
      reason,
      ...(metadata ? { metadata } : {}),
      reportingController: "moor-apply",
      reportingInstance: this.o.replica,
    })
    this.o.nc.publish(evtSubject({ kind: owner.kind.toLowerCase(), namespace: owner.namespace, name: owner.name }), data)
  }
}

