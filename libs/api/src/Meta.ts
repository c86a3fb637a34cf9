/**
 * Shared building blocks of Flux's APIs: Kubernetes object metadata, the
 * references of fluxcd/pkg apis/meta, the source Artifact, the kustomize
 * patch/image/selector types of fluxcd/pkg apis/kustomize, and the status
 * fields every Flux kind records.
 */
import { Schema } from "effect"
import { Duration } from "./Duration.ts"
import { Int64, OpenApi, Pattern, StringLen, StringMap, bool, opt, withDefault } from "./internal/fields.ts"

/** An RFC 3339 timestamp as Kubernetes writes it (metav1.Time), e.g. "2024-05-01T12:00:00Z". */
export const Time = Schema.String.check(
  Schema.isPattern(/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/, {
    message: 'Expected an RFC 3339 time such as "2024-05-01T12:00:00Z"',
    // The API server checks the format itself; the pattern is the decoder's.
    [OpenApi]: { format: "date-time", pattern: undefined },
  }),
)

/** An owner reference (metav1.OwnerReference). */
export const OwnerReference = Schema.Struct({
  apiVersion: Schema.String,
  kind: Schema.String,
  name: Schema.String,
  uid: Schema.String,
  controller: opt(Schema.Boolean),
  blockOwnerDeletion: opt(Schema.Boolean),
})

/**
 * The parts of metav1.ObjectMeta that moor reads. Other metadata fields
 * (managedFields...) are tolerated and dropped by the decoder.
 */
export const ObjectMeta = Schema.Struct({
  name: Schema.String,
  namespace: opt(Schema.String),
  uid: opt(Schema.String),
  resourceVersion: opt(Schema.String),
  generation: opt(Int64),
  // kubectl's client-side output writes `creationTimestamp: null`.
  creationTimestamp: opt(Schema.NullOr(Time)),
  deletionTimestamp: opt(Time),
  labels: opt(StringMap),
  annotations: opt(StringMap),
  finalizers: opt(Schema.Array(Schema.String)),
  ownerReferences: opt(Schema.Array(OwnerReference)),
})
export type ObjectMeta = typeof ObjectMeta.Type

/** meta.LocalObjectReference: an object in the same namespace. */
export const LocalObjectReference = Schema.Struct({ name: Schema.String })
export type LocalObjectReference = typeof LocalObjectReference.Type

/** meta.NamespacedObjectReference: an object in any namespace (default: the referrer's). */
export const NamespacedObjectReference = Schema.Struct({
  name: Schema.String,
  namespace: opt(Schema.String),
})
export type NamespacedObjectReference = typeof NamespacedObjectReference.Type

/** meta.NamespacedObjectKindReference: a typed object in any namespace. */
export const NamespacedObjectKindReference = Schema.Struct({
  apiVersion: opt(Schema.String),
  kind: Schema.String,
  name: Schema.String,
  namespace: opt(Schema.String),
})
export type NamespacedObjectKindReference = typeof NamespacedObjectKindReference.Type

/** meta.SecretKeyReference: a Secret in the same namespace and an optional key in it. */
export const SecretKeyReference = Schema.Struct({
  name: Schema.String,
  key: opt(Schema.String),
})

/**
 * meta.KubeConfigReference: how to reach a remote cluster, through a kubeconfig
 * Secret (generic provider) or a cloud provider's workload identity.
 */
export const KubeConfigReference = Schema.Struct({
  // Default "generic" (Flux CRD default).
  provider: withDefault(Schema.Literals(["aws", "azure", "gcp", "generic"]), "generic", "crd"),
  cluster: opt(Schema.String),
  address: opt(Pattern(/^https:\/\/.*/, 'Expected an HTTPS address such as "https://api.example.com:6443"')),
  serviceAccountName: opt(Schema.String),
  secretRef: opt(SecretKeyReference),
}).check(
  // The same rules as Flux's CEL validations on this type.
  Schema.makeFilter((k) => {
    const generic = k.provider === "generic"
    const issues: Array<Schema.FilterIssue> = []
    if (generic && k.secretRef === undefined) issues.push({ path: ["secretRef"], issue: "secretRef is required for the 'generic' provider" })
    if (!generic && k.secretRef !== undefined) issues.push({ path: ["secretRef"], issue: `secretRef is not supported for the '${k.provider}' provider` })
    for (const f of ["serviceAccountName", "cluster", "address"] as const) {
      if (generic && k[f] !== undefined) issues.push({ path: [f], issue: `${f} is not supported when provider is 'generic'` })
    }
    return issues
  }),
)

/** acl.AccessFrom: which namespaces may reference an object, by namespace labels. */
export const AccessFrom = Schema.Struct({
  namespaceSelectors: Schema.Array(Schema.Struct({ matchLabels: opt(StringMap) })),
})

/** metav1.LabelSelector. */
export const LabelSelector = Schema.Struct({
  matchLabels: opt(StringMap),
  matchExpressions: opt(
    Schema.Array(
      Schema.Struct({
        key: Schema.String,
        operator: Schema.String,
        values: opt(Schema.Array(Schema.String)),
      }),
    ),
  ),
})

/** The source Artifact as source-controller records it in `.status.artifact` (meta.Artifact). */
export const Artifact = Schema.Struct({
  path: Schema.String,
  url: Schema.String,
  revision: opt(Schema.String),
  digest: opt(
    Pattern(/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/, 'Expected a digest "<algorithm>:<checksum>"'),
  ),
  lastUpdateTime: Time,
  size: opt(Int64),
  metadata: opt(StringMap),
})
export type Artifact = typeof Artifact.Type

/** kustomize.Selector: selects resources by group/version/kind, name, namespace and selectors. */
export const Selector = Schema.Struct({
  group: opt(Schema.String),
  version: opt(Schema.String),
  kind: opt(Schema.String),
  namespace: opt(Schema.String),
  name: opt(Schema.String),
  annotationSelector: opt(Schema.String),
  labelSelector: opt(Schema.String),
})

/** kustomize.Patch: an inline strategic-merge or JSON 6902 patch and its target. */
export const Patch = Schema.Struct({
  patch: Schema.String,
  target: opt(Selector),
})

/** kustomize.Image: replaces an image name, tag or digest. */
export const Image = Schema.Struct({
  name: Schema.String,
  newName: opt(Schema.String),
  newTag: opt(Schema.String),
  digest: opt(Schema.String),
})

/** kustomize.CustomHealthCheck: CEL health expressions for one apiVersion/kind. */
export const CustomHealthCheck = Schema.Struct({
  apiVersion: Schema.String,
  kind: Schema.String,
  current: Schema.String,
  inProgress: opt(Schema.String),
  failed: opt(Schema.String),
})

/** Labels and annotations added to every applied object (commonMetadata). */
export const CommonMetadata = Schema.Struct({
  annotations: opt(StringMap),
  labels: opt(StringMap),
})

/** A dependency on another object of the same kind, ready by default or per a CEL expression. */
export const DependencyReference = Schema.Struct({
  name: Schema.String,
  namespace: opt(Schema.String),
  readyExpr: opt(Schema.String),
})

/** A drift-detection ignore rule: JSON pointers to ignore, optionally for a target. */
export const IgnoreRule = Schema.Struct({
  paths: Schema.Array(Schema.String),
  target: opt(Selector),
})

/** An inventory of applied objects: ids "<namespace>_<name>_<group>_<kind>" and versions. */
export const ResourceInventory = Schema.Struct({
  entries: Schema.Array(Schema.Struct({ id: Schema.String, v: Schema.String })),
})
export type ResourceInventory = typeof ResourceInventory.Type

/** meta.Snapshot: one entry of a reconciliation history. */
export const Snapshot = Schema.Struct({
  digest: Schema.String,
  firstReconciled: Time,
  lastReconciled: Time,
  lastReconciledDuration: Duration,
  lastReconciledStatus: Schema.String,
  totalReconciliations: opt(Int64),
  metadata: opt(StringMap),
})

/** A reference to a Secret or ConfigMap holding values (meta.ValuesReference). */
export const ValuesReference = Schema.Struct({
  kind: Schema.Literals(["Secret", "ConfigMap"]),
  name: StringLen(1, 253),
  // Default "values.yaml" (Flux controller default, GetValuesKey).
  valuesKey: withDefault(
    Schema.String.check(Schema.isMaxLength(253), Schema.isPattern(/^[\-._a-zA-Z0-9]+$/)),
    "values.yaml",
    "controller",
  ),
  targetPath: opt(
    Schema.String.check(Schema.isMaxLength(250), Schema.isPattern(/^([a-zA-Z0-9_\-.\\\/]|\[[0-9]{1,5}\])+$/)),
  ),
  optional: bool(),
})

/** Status fields every Flux kind records: `lastHandledReconcileAt` (meta.ReconcileRequestStatus). */
export const reconcileRequestStatus = {
  lastHandledReconcileAt: opt(Schema.String),
} as const

/** `observedGeneration` as Flux's status records it: -1 until the first reconcile. */
export const observedGeneration = opt(Int64)

/** The status default of every Flux kind with a status: `{observedGeneration: -1}` (Flux CRD default). */
export const withStatusDefault = <S extends Schema.Top>(status: S) =>
  withDefault(status, { observedGeneration: -1 } as S["Encoded"], "crd")
