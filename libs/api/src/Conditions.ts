/**
 * Status conditions as Flux writes them (metav1.Condition), the condition
 * types and reasons Flux's controllers use, and pure functions to set,
 * read and summarize them. The Ready summary is computed from one
 * declaration of which conditions count, in the spirit of fluxcd/pkg
 * runtime/conditions.
 */
import { Schema } from "effect"
import { Time } from "./Meta.ts"
import { Int64 } from "./internal/fields.ts"

/** A condition status. */
export const ConditionStatus = Schema.Literals(["True", "False", "Unknown"])
export type ConditionStatus = typeof ConditionStatus.Type

/** One status condition (metav1.Condition), with the API server's validation rules. */
export const Condition = Schema.Struct({
  type: Schema.String.check(
    Schema.isMaxLength(316),
    Schema.isPattern(
      /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/,
    ),
  ),
  status: ConditionStatus,
  observedGeneration: Schema.optionalKey(Int64.check(Schema.isGreaterThanOrEqualTo(0))),
  lastTransitionTime: Time,
  reason: Schema.String.check(
    Schema.isMinLength(1),
    Schema.isMaxLength(1024),
    Schema.isPattern(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/),
  ),
  message: Schema.String.check(Schema.isMaxLength(32768)),
})
export type Condition = typeof Condition.Type

/** The `conditions` list of a status. */
export const Conditions = Schema.Array(Condition)

/** A condition to set: everything but lastTransitionTime, which {@link setCondition} manages. */
export interface ConditionInput {
  readonly type: string
  readonly status: ConditionStatus
  readonly reason: string
  readonly message: string
  readonly observedGeneration?: number | undefined
}

// ---- Condition types -------------------------------------------------------

/** The resource is fully reconciled (True), failing (False) or in progress (Unknown). */
export const Ready = "Ready"
/** The controller is working on the latest changes. Abnormal-true: present only when True. */
export const Reconciling = "Reconciling"
/** Reconciliation cannot progress until the spec changes. Abnormal-true: present only when True. */
export const Stalled = "Stalled"
/** The last health assessment of the applied objects (Kustomization, HelmRelease). */
export const Healthy = "Healthy"
/** The source's artifact is stored and can be fetched. */
export const ArtifactInStorage = "ArtifactInStorage"
/** The stored artifact is older than the source's latest revision. Abnormal-true. */
export const ArtifactOutdated = "ArtifactOutdated"
/** The source's signature verification result (present when verification is enabled). */
export const SourceVerified = "SourceVerified"
/** Fetching from upstream failed. Abnormal-true. */
export const FetchFailed = "FetchFailed"
/** Building the artifact failed. Abnormal-true. */
export const BuildFailed = "BuildFailed"
/** A storage operation failed. Abnormal-true. */
export const StorageOperationFailed = "StorageOperationFailed"
/** An included GitRepository is not available. Abnormal-true. */
export const IncludeUnavailable = "IncludeUnavailable"
/** The Helm release was installed or upgraded (HelmRelease). */
export const Released = "Released"
/** The Helm tests passed (HelmRelease). */
export const TestSuccess = "TestSuccess"
/** The Helm release was rolled back or uninstalled after a failure (HelmRelease). */
export const Remediated = "Remediated"

/** All the condition types above, by name. */
export const ConditionTypes = {
  Ready,
  Reconciling,
  Stalled,
  Healthy,
  ArtifactInStorage,
  ArtifactOutdated,
  SourceVerified,
  FetchFailed,
  BuildFailed,
  StorageOperationFailed,
  IncludeUnavailable,
  Released,
  TestSuccess,
  Remediated,
} as const

// ---- Reasons ---------------------------------------------------------------

/** Common reasons (fluxcd/pkg apis/meta and the controllers). Reasons are CamelCase. */
export const Reasons = {
  Succeeded: "Succeeded",
  Failed: "Failed",
  Progressing: "Progressing",
  ProgressingWithRetry: "ProgressingWithRetry",
  DependencyNotReady: "DependencyNotReady",
  Suspended: "Suspended",
  ReconciliationSucceeded: "ReconciliationSucceeded",
  ReconciliationFailed: "ReconciliationFailed",
  ArtifactFailed: "ArtifactFailed",
  ArtifactUpToDate: "ArtifactUpToDate",
  BuildFailed: "BuildFailed",
  HealthCheckFailed: "HealthCheckFailed",
  HealthCheckCanceled: "HealthCheckCanceled",
  PruneFailed: "PruneFailed",
  InvalidCELExpression: "InvalidCELExpression",
  URLInvalid: "URLInvalid",
  AuthenticationFailed: "AuthenticationFailed",
  VerificationError: "VerificationError",
  GitOperationSucceeded: "GitOperationSucceeded",
  GitOperationFailed: "GitOperationFailed",
  IndexationFailed: "IndexationFailed",
  OCIArtifactPullFailed: "OCIArtifactPullFailed",
  OCIArtifactLayerOperationFailed: "OCIArtifactLayerOperationFailed",
  StatOperationFailed: "StatOperationFailed",
  ArchiveOperationFailed: "ArchiveOperationFailed",
  InstallSucceeded: "InstallSucceeded",
  InstallFailed: "InstallFailed",
  UpgradeSucceeded: "UpgradeSucceeded",
  UpgradeFailed: "UpgradeFailed",
  TestSucceeded: "TestSucceeded",
  TestFailed: "TestFailed",
  RollbackSucceeded: "RollbackSucceeded",
  RollbackFailed: "RollbackFailed",
  UninstallSucceeded: "UninstallSucceeded",
  UninstallFailed: "UninstallFailed",
} as const

// ---- Functions -------------------------------------------------------------

/** Kubernetes serializes times to the second. */
const timestamp = (now: Date | string): string =>
  (typeof now === "string" ? new Date(now) : now).toISOString().replace(/\.\d{3}Z$/, "Z")

/** The condition of the given type, if present. */
export const getCondition = (
  conditions: ReadonlyArray<Condition> | undefined,
  type: string,
): Condition | undefined => conditions?.find((c) => c.type === type)

/** True when the condition of the given type is present with status True. */
export const isTrue = (conditions: ReadonlyArray<Condition> | undefined, type: string): boolean =>
  getCondition(conditions, type)?.status === "True"

/** True when Ready is True (and, if a generation is given, observed for that generation). */
export const isReady = (conditions: ReadonlyArray<Condition> | undefined, generation?: number): boolean => {
  const ready = getCondition(conditions, Ready)
  if (ready?.status !== "True") return false
  return generation === undefined || ready.observedGeneration === undefined || ready.observedGeneration === generation
}

/**
 * Returns the conditions with `cond` set, keeping the order of the others and
 * appending a new type at the end. lastTransitionTime becomes `now` when the
 * type is new or its status, reason or message changes; an update of
 * observedGeneration alone keeps it, so watchers see no false transition.
 */
export const setCondition = (
  conditions: ReadonlyArray<Condition> | undefined,
  cond: ConditionInput,
  now: Date | string,
): ReadonlyArray<Condition> => {
  const list = conditions ?? []
  const i = list.findIndex((c) => c.type === cond.type)
  const prev = i < 0 ? undefined : list[i]
  const moved =
    prev === undefined || prev.status !== cond.status || prev.reason !== cond.reason || prev.message !== cond.message
  const next: Condition = {
    type: cond.type,
    status: cond.status,
    reason: cond.reason,
    message: cond.message,
    ...(cond.observedGeneration === undefined ? {} : { observedGeneration: cond.observedGeneration }),
    lastTransitionTime: moved ? timestamp(now) : prev.lastTransitionTime,
  }
  if (i < 0) return [...list, next]
  return list.map((c, j) => (j === i ? next : c))
}

/** Returns the conditions without the given type. */
export const removeCondition = (
  conditions: ReadonlyArray<Condition> | undefined,
  type: string,
): ReadonlyArray<Condition> => (conditions ?? []).filter((c) => c.type !== type)

/** Which conditions make up Ready, in priority order. */
export interface SummaryDeclaration {
  /**
   * Abnormal-true conditions, highest priority first; the first one that is
   * True decides Ready: Unknown (in progress) for Reconciling, False for the
   * others. List Stalled and Reconciling first to let them dominate.
   */
  readonly negativePolarity: ReadonlyArray<string>
  /**
   * Normal-true conditions Ready depends on, highest priority first; checked
   * when no negative one is True. The first False one makes Ready False, else
   * the first Unknown or absent one makes it Unknown.
   */
  readonly positivePolarity: ReadonlyArray<string>
  /** Reason of a True Ready; default "Succeeded". Its message is the first positive condition's. */
  readonly successReason?: string
}

/**
 * Derives the Ready condition from the other conditions per the declaration.
 * Pure: the result is meant for {@link setCondition} (see {@link setSummary}).
 */
export const summarize = (
  conditions: ReadonlyArray<Condition> | undefined,
  declaration: SummaryDeclaration,
  observedGeneration?: number,
): ConditionInput => {
  const gen = observedGeneration === undefined ? {} : { observedGeneration }
  for (const type of declaration.negativePolarity) {
    const c = getCondition(conditions, type)
    if (c?.status === "True") {
      return { type: Ready, status: type === Reconciling ? "Unknown" : "False", reason: c.reason, message: c.message, ...gen }
    }
  }
  const deps = declaration.positivePolarity.map((type) => ({ type, c: getCondition(conditions, type) }))
  const failed = deps.find((d) => d.c?.status === "False")
  if (failed?.c !== undefined) {
    return { type: Ready, status: "False", reason: failed.c.reason, message: failed.c.message, ...gen }
  }
  const unknown = deps.find((d) => d.c === undefined || d.c.status === "Unknown")
  if (unknown !== undefined) {
    return {
      type: Ready,
      status: "Unknown",
      reason: unknown.c?.reason ?? Reasons.Progressing,
      message: unknown.c?.message ?? `waiting for ${unknown.type}`,
      ...gen,
    }
  }
  return {
    type: Ready,
    status: "True",
    reason: declaration.successReason ?? Reasons.Succeeded,
    message: deps[0]?.c?.message ?? "",
    ...gen,
  }
}

/** Sets Ready to the {@link summarize summary} of the other conditions. */
export const setSummary = (
  conditions: ReadonlyArray<Condition> | undefined,
  declaration: SummaryDeclaration,
  now: Date | string,
  observedGeneration?: number,
): ReadonlyArray<Condition> => setCondition(conditions, summarize(conditions, declaration, observedGeneration), now)
