// Requests to the apply actor of one cluster (request/reply on
// moor.apply.<cluster>, queue group per cluster) and its replies. A bundle
// travels by reference: the digest of a multi-document YAML file in the
// object store, as built and still SOPS-encrypted; only the apply actor of
// the target cluster decrypts it. No message here ever holds a secret value.
import { Schema } from "effect"

/** The resource an apply is for (a Kustomization, later a HelmRelease): its events are published as this object's. */
export const ApplyOwner = Schema.Struct({
  apiVersion: Schema.String,
  /** The Kubernetes kind ("Kustomization"); the event subject uses its lower case. */
  kind: Schema.String,
  namespace: Schema.String,
  name: Schema.String,
})
export type ApplyOwner = typeof ApplyOwner.Type

/** Flux's inventory (`status.inventory`): `id` is `<namespace>_<name>_<group>_<kind>`, `v` the version. */
export const ApplyInventory = Schema.Struct({
  entries: Schema.Array(Schema.Struct({ id: Schema.String, v: Schema.String })),
})
export type ApplyInventory = typeof ApplyInventory.Type

/** An object whose health is checked after the apply. */
export const HealthCheckRef = Schema.Struct({
  apiVersion: Schema.String,
  kind: Schema.String,
  name: Schema.String,
  namespace: Schema.optional(Schema.String),
})

/** How to reach and act on the target cluster: all optional, the apply actor's own cluster by default. */
export const ApplyTarget = Schema.Struct({
  /** spec.kubeConfig.secretRef: a kubeconfig Secret in the owner's namespace of the hub (key `value`, `value.yaml` or `key`). */
  kubeConfig: Schema.optional(Schema.Struct({ secretRef: Schema.Struct({ name: Schema.String, key: Schema.optional(Schema.String) }) })),
  /** spec.serviceAccountName: requests impersonate system:serviceaccount:<owner namespace>:<name>. */
  serviceAccountName: Schema.optional(Schema.String),
})
export type ApplyTarget = typeof ApplyTarget.Type

/** Apply a revision: decrypt, dry-run, apply, prune, wait for health, watch for drift. */
export const ApplyBundle = Schema.Struct({
  op: Schema.Literal("apply"),
  owner: ApplyOwner,
  revision: Schema.String,
  /** `sha256:<hex>` of the bundle in the object store `moor-artifacts`. */
  digest: Schema.String,
  /** The owner's last inventory (its durable state): what prune compares the new set with. */
  inventory: Schema.optional(ApplyInventory),
  options: Schema.Struct({
    force: Schema.Boolean,
    prune: Schema.Boolean,
    /** Objects to wait for (every applied object under spec.wait, else spec.healthChecks). */
    healthChecks: Schema.Array(HealthCheckRef),
    /** wait: every applied object is health-checked. */
    wait: Schema.Boolean,
    /** How long health checks may take (spec.timeout), in ms. */
    timeoutMs: Schema.Int,
    /** spec.healthCheckExprs: CEL health rules for kinds kstatus cannot read (validated by the sender). */
    healthCheckExprs: Schema.optional(
      Schema.Array(
        Schema.Struct({
          apiVersion: Schema.String,
          kind: Schema.String,
          current: Schema.String,
          inProgress: Schema.optional(Schema.String),
          failed: Schema.optional(Schema.String),
        }),
      ),
    ),
  }),
  /** spec.decryption: SOPS with the age identities of secretRef (owner's namespace, target cluster), else flux-system/sops-age. */
  decryption: Schema.optional(Schema.Struct({ provider: Schema.Literal("sops"), secretRef: Schema.optional(Schema.Struct({ name: Schema.String })) })),
  target: Schema.optional(ApplyTarget),
  /**
   * postBuild variables, substituted by the apply actor after decryption (Flux's order). Sources
   * in order, later ones winning, then `substitute` over all. ConfigMap data travels inline;
   * Secrets only by name: the apply actor reads them on its own cluster (owner's namespace).
   */
  postBuild: Schema.optional(
    Schema.Struct({
      substituteFrom: Schema.Array(
        Schema.Union([
          Schema.Struct({ kind: Schema.Literal("ConfigMap"), name: Schema.String, data: Schema.Record(Schema.String, Schema.String) }),
          Schema.Struct({ kind: Schema.Literal("Secret"), name: Schema.String, optional: Schema.Boolean }),
        ]),
      ),
      substitute: Schema.Record(Schema.String, Schema.String),
    }),
  ),
})
export type ApplyBundle = typeof ApplyBundle.Type

/** The owner was deleted: prune its last inventory (when `prune`) and stop watching its objects. */
export const ApplyDelete = Schema.Struct({
  op: Schema.Literal("delete"),
  owner: ApplyOwner,
  prune: Schema.Boolean,
  inventory: Schema.optional(ApplyInventory),
  target: Schema.optional(ApplyTarget),
})
export type ApplyDelete = typeof ApplyDelete.Type

/** The owner was suspended (drift is left alone) or resumed (drift is corrected again). */
export const ApplySuspend = Schema.Struct({ op: Schema.Literals(["suspend", "resume"]), owner: ApplyOwner })
export type ApplySuspend = typeof ApplySuspend.Type

export const ApplyRequest = Schema.Union([ApplyBundle, ApplyDelete, ApplySuspend])
export type ApplyRequest = typeof ApplyRequest.Type

/** One object of a change set: "Kind/namespace/name" and what was done. */
export const ApplyChange = Schema.Struct({
  object: Schema.String,
  action: Schema.Literals(["created", "configured", "unchanged", "deleted", "skipped"]),
})

export const ApplyHealth = Schema.Struct({ ok: Schema.Boolean, checked: Schema.Int, message: Schema.String })

/** What was done: changed objects (unchanged ones are counted only), writes, the new inventory, health. */
export const ApplyResult = Schema.Struct({
  changes: Schema.Array(ApplyChange),
  counts: Schema.Struct({ created: Schema.Int, configured: Schema.Int, unchanged: Schema.Int, deleted: Schema.Int, skipped: Schema.Int }),
  writes: Schema.Int,
  inventory: Schema.optional(ApplyInventory),
  health: Schema.optional(ApplyHealth),
})
export type ApplyResult = typeof ApplyResult.Type

/** A failure with Flux's condition reason (ReconciliationFailed, HealthCheckFailed, DecryptionFailed, ArtifactFailed...). */
export const ApplyError = Schema.Struct({ reason: Schema.String, message: Schema.String })

/** The reply; a failure after objects were applied (health) still carries the result and inventory. */
export const ApplyReply = Schema.Union([
  Schema.Struct({ ok: Schema.Literal(true), result: ApplyResult }),
  Schema.Struct({ ok: Schema.Literal(false), error: ApplyError, result: Schema.optional(ApplyResult) }),
])
export type ApplyReply = typeof ApplyReply.Type

/**
 * Broadcast among the replicas of one cluster's apply service
 * (`moor.apply.<cluster>.owners`, no queue): who now watches an owner's
 * objects, and suspend/resume/delete, so only one replica corrects drift.
 */
export const ApplyOwnerNotice = Schema.Struct({
  op: Schema.Literals(["tracked", "suspend", "resume", "deleted"]),
  owner: ApplyOwner,
  replica: Schema.String,
})
export type ApplyOwnerNotice = typeof ApplyOwnerNotice.Type
