/**
 * HelmRelease, helm.toolkit.fluxcd.io/v2: a Helm chart released into a
 * cluster, with install, upgrade, test, rollback and uninstall settings.
 */
import { Schema } from "effect"
import { Conditions } from "../Conditions.ts"
import { Duration } from "../Duration.ts"
import {
  CommonMetadata,
  CustomHealthCheck,
  DependencyReference,
  IgnoreRule,
  Image,
  KubeConfigReference,
  LocalObjectReference,
  ObjectMeta,
  Patch,
  ResourceInventory,
  Time,
  ValuesReference,
  observedGeneration,
  reconcileRequestStatus,
  withStatusDefault,
} from "../Meta.ts"
import { Int64, StringLen, StringMap, bool, doc, opt, withDefault } from "../internal/fields.ts"
import { AgeColumn, ReadyColumn, StatusColumn, defineKind } from "../internal/kind.ts"

const Name = StringLen(1, 253)
const Namespace = StringLen(1, 63)

/** The source a chart template fetches the chart from. */
export const ChartTemplateSourceReference = Schema.Struct({
  apiVersion: opt(Schema.String),
  kind: Schema.Literals(["HelmRepository", "GitRepository", "Bucket"]),
  name: Name,
  namespace: opt(Namespace),
})

/** A source holding a chart artifact directly (chartRef). */
export const HelmChartSourceReference = Schema.Struct({
  apiVersion: opt(Schema.String),
  kind: Schema.Literals(["OCIRepository", "HelmChart"]),
  name: Name,
  namespace: opt(Namespace),
})

/** The template of the HelmChart the release is built from. */
export const HelmChartTemplate = Schema.Struct({
  metadata: opt(Schema.Struct({ labels: opt(StringMap), annotations: opt(StringMap) })),
  spec: Schema.Struct({
    chart: StringLen(1, 2048),
    // Default "*", the latest version (Flux CRD default).
    version: withDefault(Schema.String, "*", "crd"),
    sourceRef: ChartTemplateSourceReference,
    interval: opt(Duration),
    // Default "ChartVersion" (Flux CRD default).
    reconcileStrategy: withDefault(Schema.Literals(["ChartVersion", "Revision"]), "ChartVersion", "crd"),
    valuesFiles: opt(Schema.Array(Schema.String)),
    ignoreMissingValuesFiles: bool(),
    verify: opt(
      Schema.Struct({
        // Default "cosign" (Flux CRD default).
        provider: withDefault(Schema.Literals(["cosign", "notation"]), "cosign", "crd"),
        secretRef: opt(LocalObjectReference),
      }),
    ),
  }),
})

const CRDsPolicy = Schema.Literals(["Skip", "Create", "CreateReplace"])

/** How failures of an action are handled: remediate (the default) or retry at an interval. */
export const ActionStrategy = Schema.Struct({
  name: Schema.Literals(["RemediateOnFailure", "RetryOnFailure"]),
  retryInterval: opt(Duration),
})

/** Helm install settings. */
export const Install = Schema.Struct({
  timeout: opt(Duration),
  remediation: opt(
    Schema.Struct({
      // Default 0, no retries (Go zero value); negative means unlimited.
      retries: withDefault(Schema.Int, 0, "controller"),
      ignoreTestFailures: opt(Schema.Boolean),
      remediateLastFailure: opt(Schema.Boolean),
    }),
  ),
  strategy: opt(ActionStrategy),
  disableWait: bool(),
  disableWaitForJobs: bool(),
  disableHooks: bool(),
  disableOpenAPIValidation: bool(),
  replace: bool(),
  skipCRDs: bool(),
  // No default here: Flux uses Create, or Skip when the deprecated skipCRDs is true.
  crds: opt(CRDsPolicy),
  createNamespace: bool(),
})

/** Helm upgrade settings. */
export const Upgrade = Schema.Struct({
  timeout: opt(Duration),
  remediation: opt(
    Schema.Struct({
      // Default 0, no retries (Go zero value); negative means unlimited.
      retries: withDefault(Schema.Int, 0, "controller"),
      ignoreTestFailures: opt(Schema.Boolean),
      remediateLastFailure: opt(Schema.Boolean),
      // Default "rollback" (Flux controller default, GetStrategy).
      strategy: withDefault(Schema.Literals(["rollback", "uninstall"]), "rollback", "controller"),
    }),
  ),
  strategy: opt(ActionStrategy),
  disableWait: bool(),
  disableWaitForJobs: bool(),
  disableHooks: bool(),
  disableOpenAPIValidation: bool(),
  force: bool(),
  preserveValues: bool(),
  cleanupOnFail: bool(),
  // Default "Skip" (Flux controller default): CRDs are not upgraded unless asked.
  crds: withDefault(CRDsPolicy, "Skip", "controller"),
})

/** Helm test settings. */
export const Test = Schema.Struct({
  enable: bool(),
  timeout: opt(Duration),
  ignoreFailures: bool(),
  filters: opt(Schema.Array(Schema.Struct({ name: Name, exclude: bool() }))),
})

/** Helm rollback settings. */
export const Rollback = Schema.Struct({
  timeout: opt(Duration),
  disableWait: bool(),
  disableWaitForJobs: bool(),
  disableHooks: bool(),
  recreate: bool(),
  force: bool(),
  cleanupOnFail: bool(),
})

/** Helm uninstall settings. */
export const Uninstall = Schema.Struct({
  timeout: opt(Duration),
  disableHooks: bool(),
  keepHistory: bool(),
  disableWait: bool(),
  // Default "background" (Flux CRD default).
  deletionPropagation: withDefault(Schema.Literals(["background", "foreground", "orphan"]), "background", "crd"),
})

/** Drift detection between the Helm storage and the cluster. */
export const DriftDetection = Schema.Struct({
  // Default "disabled" (Flux controller default, GetMode).
  mode: withDefault(Schema.Literals(["enabled", "warn", "disabled"]), "disabled", "controller"),
  ignore: opt(Schema.Array(IgnoreRule)),
})

/** A kustomize post-renderer applied to the rendered chart. */
export const PostRenderer = Schema.Struct({
  kustomize: opt(
    Schema.Struct({
      patches: opt(Schema.Array(Patch)),
      images: opt(Schema.Array(Image)),
    }),
  ),
})

/** HelmRelease `.spec`. */
export const HelmReleaseSpec = Schema.Struct({
  chart: opt(HelmChartTemplate),
  chartRef: opt(HelmChartSourceReference),
  interval: Duration.pipe(doc("How often to reconcile the Helm release.")),
  kubeConfig: opt(KubeConfigReference),
  suspend: bool(),
  releaseName: opt(StringLen(1, 53)),
  targetNamespace: opt(Namespace),
  storageNamespace: opt(Namespace),
  dependsOn: opt(Schema.Array(DependencyReference)),
  // Default "5m0s" (Flux controller default, GetTimeout).
  timeout: withDefault(Duration, "5m0s", "controller"),
  // Default 5 (Flux controller default, GetMaxHistory); 0 means unlimited.
  maxHistory: withDefault(Schema.Int, 5, "controller"),
  serviceAccountName: opt(Name),
  // Default true (Flux controller default, UsePersistentClient).
  persistentClient: withDefault(Schema.Boolean, true, "controller"),
  driftDetection: opt(DriftDetection),
  install: opt(Install),
  upgrade: opt(Upgrade),
  test: opt(Test),
  rollback: opt(Rollback),
  uninstall: opt(Uninstall),
  valuesFrom: opt(Schema.Array(ValuesReference)),
  // Free-form Helm values.
  values: opt(Schema.Record(Schema.String, Schema.Unknown)),
  postRenderers: opt(Schema.Array(PostRenderer)),
  commonMetadata: opt(CommonMetadata),
  healthCheckExprs: opt(Schema.Array(CustomHealthCheck)),
}).check(
  // Flux's CEL rule on the spec.
  Schema.makeFilter((s) =>
    (s.chart === undefined) === (s.chartRef === undefined)
      ? { path: ["chart"], issue: "either chart or chartRef must be set, not both" }
      : undefined,
  ),
)
export type HelmReleaseSpec = typeof HelmReleaseSpec.Type

/** A test hook run as the controller observed it. */
export const TestHookStatus = Schema.Struct({
  // metav1.Time fields without a value serialize as null.
  lastStarted: opt(Schema.NullOr(Time)),
  lastCompleted: opt(Schema.NullOr(Time)),
  phase: opt(Schema.String),
})

/** A snapshot of one Helm release revision, as recorded in `.status.history`. */
export const HelmReleaseSnapshot = Schema.Struct({
  apiVersion: opt(Schema.String),
  digest: Schema.String,
  name: Schema.String,
  namespace: Schema.String,
  version: Schema.Int,
  status: Schema.String,
  chartName: Schema.String,
  chartVersion: Schema.String,
  configDigest: Schema.String,
  firstDeployed: Time,
  lastDeployed: Time,
  deleted: opt(Schema.NullOr(Time)),
  testHooks: opt(Schema.Record(Schema.String, TestHookStatus)),
  ociDigest: opt(Schema.String),
})

/** HelmRelease `.status`. */
export const HelmReleaseStatus = Schema.Struct({
  observedGeneration,
  observedPostRenderersDigest: opt(Schema.String),
  lastAttemptedGeneration: opt(Int64),
  conditions: opt(Conditions),
  helmChart: opt(Schema.String),
  storageNamespace: opt(Namespace),
  history: opt(Schema.Array(HelmReleaseSnapshot)),
  lastAttemptedReleaseAction: opt(Schema.Literals(["install", "upgrade"])),
  failures: opt(Int64),
  installFailures: opt(Int64),
  upgradeFailures: opt(Int64),
  lastAttemptedRevision: opt(Schema.String),
  lastAttemptedRevisionDigest: opt(Schema.String),
  lastAttemptedValuesChecksum: opt(Schema.String),
  lastReleaseRevision: opt(Schema.Int),
  lastAttemptedConfigDigest: opt(Schema.String),
  lastHandledForceAt: opt(Schema.String),
  lastHandledResetAt: opt(Schema.String),
  inventory: opt(ResourceInventory),
  ...reconcileRequestStatus,
})
export type HelmReleaseStatus = typeof HelmReleaseStatus.Type

/** A HelmRelease object. */
export const HelmRelease = Schema.Struct({
  apiVersion: Schema.Literal("helm.toolkit.fluxcd.io/v2"),
  kind: Schema.Literal("HelmRelease"),
  metadata: ObjectMeta,
  spec: HelmReleaseSpec,
  status: withStatusDefault(HelmReleaseStatus),
})
export type HelmRelease = typeof HelmRelease.Type

/** Registry entry of HelmRelease. */
export const HelmReleaseKind = defineKind({
  group: "helm.toolkit.fluxcd.io",
  version: "v2",
  kind: "HelmRelease",
  plural: "helmreleases",
  shortNames: ["hr"],
  statusSubresource: true,
  printerColumns: [AgeColumn, ReadyColumn, StatusColumn],
  description: "HelmRelease is the Schema for the helmreleases API.",
  schema: HelmRelease,
})

/** Decodes a HelmRelease; the error names each bad field's path. */
export const decodeHelmRelease = HelmReleaseKind.decode

/** The Helm release name Flux uses: `.spec.releaseName`, else `[targetNamespace-]name`. */
export const helmReleaseName = (hr: Pick<HelmRelease, "metadata" | "spec">): string =>
  hr.spec.releaseName ??
  (hr.spec.targetNamespace === undefined ? hr.metadata.name : `${hr.spec.targetNamespace}-${hr.metadata.name}`)
