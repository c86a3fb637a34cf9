/**
 * Kustomization, kustomize.toolkit.fluxcd.io/v1: builds a path of a source
 * artifact with kustomize and applies the result to a cluster.
 */
import { Schema } from "effect"
import { Conditions } from "../Conditions.ts"
import { Duration, parseDuration } from "../Duration.ts"
import {
  CommonMetadata,
  CustomHealthCheck,
  DependencyReference,
  IgnoreRule,
  Image,
  KubeConfigReference,
  LocalObjectReference,
  NamespacedObjectKindReference,
  ObjectMeta,
  Patch,
  ResourceInventory,
  Snapshot,
  observedGeneration,
  reconcileRequestStatus,
  withStatusDefault,
} from "../Meta.ts"
import { StringLen, StringMap, bool, doc, opt, withDefault } from "../internal/fields.ts"
import { AgeColumn, ReadyColumn, StatusColumn, defineKind } from "../internal/kind.ts"

/** The source whose artifact holds the kustomization. */
export const KustomizationSourceReference = Schema.Struct({
  apiVersion: opt(Schema.String),
  kind: Schema.Literals(["OCIRepository", "GitRepository", "Bucket", "ExternalArtifact"]),
  name: Schema.String,
  namespace: opt(Schema.String),
})

/** SOPS decryption settings. */
export const Decryption = Schema.Struct({
  provider: Schema.Literals(["sops"]),
  serviceAccountName: opt(Schema.String),
  secretRef: opt(LocalObjectReference),
})

/** A ConfigMap or Secret whose data are substitution variables. */
export const SubstituteReference = Schema.Struct({
  kind: Schema.Literals(["Secret", "ConfigMap"]),
  name: StringLen(1, 253),
  // Default false (Flux CRD default).
  optional: withDefault(Schema.Boolean, false, "crd"),
})

/** Variable substitution run on the built manifests. */
export const PostBuild = Schema.Struct({
  substitute: opt(StringMap),
  substituteFrom: opt(Schema.Array(SubstituteReference)),
})

/** Kustomization `.spec`. */
export const KustomizationSpec = Schema.Struct({
  commonMetadata: opt(CommonMetadata),
  dependsOn: opt(Schema.Array(DependencyReference)),
  decryption: opt(Decryption),
  interval: Duration.pipe(doc("How often to reconcile the Kustomization.")),
  retryInterval: opt(Duration),
  kubeConfig: opt(KubeConfigReference),
  path: opt(Schema.String),
  postBuild: opt(PostBuild),
  prune: Schema.Boolean.pipe(doc("Whether objects removed from the source are deleted (garbage collection).")),
  // Default "MirrorPrune" (Flux controller default, GetDeletionPolicy).
  deletionPolicy: withDefault(
    Schema.Literals(["MirrorPrune", "Delete", "WaitForTermination", "Orphan"]),
    "MirrorPrune",
    "controller",
  ),
  healthChecks: opt(Schema.Array(NamespacedObjectKindReference)),
  namePrefix: opt(StringLen(1, 200)),
  nameSuffix: opt(StringLen(1, 200)),
  patches: opt(Schema.Array(Patch)),
  images: opt(Schema.Array(Image)),
  serviceAccountName: opt(Schema.String),
  sourceRef: KustomizationSourceReference.pipe(doc("The source whose artifact holds the manifests.")),
  suspend: bool(),
  targetNamespace: opt(StringLen(1, 63)),
  timeout: opt(Duration),
  // Default false (Flux CRD default).
  force: withDefault(Schema.Boolean, false, "crd"),
  wait: bool(),
  components: opt(Schema.Array(Schema.String)),
  ignoreMissingComponents: bool(),
  healthCheckExprs: opt(Schema.Array(CustomHealthCheck)),
  driftIgnoreRules: opt(Schema.Array(IgnoreRule)),
})
export type KustomizationSpec = typeof KustomizationSpec.Type

/** Kustomization `.status`. */
export const KustomizationStatus = Schema.Struct({
  ...reconcileRequestStatus,
  observedGeneration,
  conditions: opt(Conditions),
  lastAppliedRevision: opt(Schema.String),
  lastAppliedOriginRevision: opt(Schema.String),
  lastAttemptedRevision: opt(Schema.String),
  inventory: opt(ResourceInventory),
  history: opt(Schema.Array(Snapshot)),
})
export type KustomizationStatus = typeof KustomizationStatus.Type

/** A Kustomization object. */
export const Kustomization = Schema.Struct({
  apiVersion: Schema.Literal("kustomize.toolkit.fluxcd.io/v1"),
  kind: Schema.Literal("Kustomization"),
  metadata: ObjectMeta,
  spec: KustomizationSpec,
  status: withStatusDefault(KustomizationStatus),
})
export type Kustomization = typeof Kustomization.Type

/** Registry entry of Kustomization. */
export const KustomizationKind = defineKind({
  group: "kustomize.toolkit.fluxcd.io",
  version: "v1",
  kind: "Kustomization",
  plural: "kustomizations",
  shortNames: ["ks"],
  statusSubresource: true,
  printerColumns: [AgeColumn, ReadyColumn, StatusColumn],
  description: "Kustomization is the Schema for the kustomizations API.",
  schema: Kustomization,
})

/** Decodes a Kustomization; the error names each bad field's path. */
export const decodeKustomization = KustomizationKind.decode

/**
 * The timeout Flux uses for a Kustomization, in milliseconds: `.spec.timeout`,
 * else the interval minus 30s; never less than 30s (Flux's GetTimeout).
 */
export const kustomizationTimeout = (spec: Pick<KustomizationSpec, "interval" | "timeout">): number => {
  const ms = spec.timeout === undefined ? parseDuration(spec.interval) - 30_000 : parseDuration(spec.timeout)
  return Math.max(ms, 30_000)
}

/** The retry interval of a failed Kustomization in milliseconds: `.spec.retryInterval`, else the interval. */
export const kustomizationRetryInterval = (spec: Pick<KustomizationSpec, "interval" | "retryInterval">): number =>
  parseDuration(spec.retryInterval ?? spec.interval)
