// Where an apply lands: the apply actor's own cluster, or a remote one named
// by a kubeConfig Secret (Flux's spec.kubeConfig.secretRef, read on the
// actor's own cluster in the owner's namespace), possibly as an impersonated
// service account (spec.serviceAccountName). Each distinct target keeps one
// client, one ResourceManager and one DriftWatcher.
import { createHash } from "node:crypto"
import type { Log } from "@moor/actors"
import { KubeClient, type ResourceRef } from "@moor/kube"
import type { ApplyOwner, ApplyTarget } from "@moor/protocol"
import { ResourceManager } from "@moor/ssa"
import { DriftWatcher, type DriftReport } from "./Drift.ts"
import { ApplyFailure } from "./Errors.ts"

/** One target cluster as one identity. */
export interface Target {
  readonly id: string
  /** What the target is, for messages: "cluster hub" or "kubeconfig secret default/remote". */
  readonly describe: string
  /** The client requests go through (impersonating when serviceAccountName is set). */
  readonly kube: KubeClient
  /** The target cluster's client as moor itself (decryption keys are read with it, as Flux does). */
  readonly base: KubeClient
  readonly manager: ResourceManager
  readonly drift: DriftWatcher
}

export interface TargetsOptions {
  readonly cluster: string
  readonly kube: KubeClient
  readonly fieldManager: string
  readonly active: (owner: ApplyOwner) => boolean
  readonly report: (r: DriftReport) => void
  readonly log?: Log
}

/** Flux reads the kubeconfig from `value`, then `value.yaml`, unless secretRef.key names one. */
const KUBECONFIG_KEYS = ["value", "value.yaml"]

export class Targets {
  private readonly o: TargetsOptions
  private readonly byId = new Map<string, Target>()
  private readonly remotes = new Map<string, KubeClient>()
  private secrets: ResourceRef | undefined

  constructor(o: TargetsOptions) {
    this.o = o
  }

  /** The target of one request; a missing or unusable kubeConfig Secret is a ReconciliationFailed naming it. */
  async resolve(owner: ApplyOwner, t: ApplyTarget | undefined): Promise<Target> {
    let base = this.o.kube
    let baseId = `cluster:${this.o.cluster}`
    let describe = `cluster ${this.o.cluster}`
    const ref = t?.kubeConfig?.secretRef
    if (ref) {
      this.secrets ??= await this.o.kube.resource("v1", "Secret")
      const s = await this.o.kube.find(this.secrets, owner.namespace, ref.name)
      if (!s) throw new ApplyFailure("ReconciliationFailed", `kubeconfig Secret '${owner.namespace}/${ref.name}' not found`)
      const data = (s.data ?? {}) as Record<string, string>
      const key = ref.key ?? KUBECONFIG_KEYS.find((k) => data[k] !== undefined)
      if (!key || data[key] === undefined)
        throw new ApplyFailure("ReconciliationFailed", `kubeconfig Secret '${owner.namespace}/${ref.name}' has no key ${ref.key ? `'${ref.key}'` : "'value' or 'value.yaml'"}`)
      const text = Buffer.from(data[key]!, "base64").toString("utf8")
      // Keyed by content: a rotated kubeconfig gets a fresh client.
      const digest = createHash("sha256").update(text).digest("hex").slice(0, 16)
      baseId = `kubeconfig:${owner.namespace}/${ref.name}:${digest}`
      describe = `the cluster of kubeconfig Secret '${owner.namespace}/${ref.name}'`
      let remote = this.remotes.get(baseId)
      if (!remote) {
        try {
          remote = KubeClient.fromString(text)
        } catch (e) {
          throw new ApplyFailure("ReconciliationFailed", `kubeconfig Secret '${owner.namespace}/${ref.name}' key '${key}' is not a usable kubeconfig: ${(e as Error).message}`)
        }
        this.remotes.set(baseId, remote)
      }
      base = remote
    }
    const sa = t?.serviceAccountName
    const id = sa ? `${baseId}:sa:${owner.namespace}/${sa}` : baseId
    let target = this.byId.get(id)
    if (!target) {
      const kube = sa ? base.impersonate(`system:serviceaccount:${owner.namespace}:${sa}`) : base
      const manager = new ResourceManager(kube, { fieldManager: this.o.fieldManager })
      const drift = new DriftWatcher({ kube, manager, active: this.o.active, report: this.o.report, perNamespace: sa !== undefined, ...(this.o.log ? { log: this.o.log } : {}) })
      target = { id, describe: sa ? `${describe} as service account '${owner.namespace}/${sa}'` : describe, kube, base, manager, drift }
      this.byId.set(id, target)
    }
    return target
  }

  /** Every target in use (to untrack an owner wherever it was). */
  all(): Iterable<Target> {
    return this.byId.values()
  }

  stop(): void {
    for (const t of this.byId.values()) {
      t.drift.stop()
      if (t.kube !== this.o.kube) t.kube.close()
    }
    for (const r of this.remotes.values()) r.close()
    this.byId.clear()
    this.remotes.clear()
  }
}
