// The status a GitRepository reconcile writes, as Flux's source-controller
// writes it: pure functions from the previous status and the outcome of a
// run to the next status, so every transition is tested without a cluster.
import {
  ArtifactInStorage,
  FetchFailed,
  Ready,
  Reasons,
  Reconciling,
  removeCondition,
  setCondition,
  Stalled,
  type Artifact,
  type Condition,
  type GitRepositoryStatus,
} from "@moor/api"

type Conditions = ReadonlyArray<Condition>

/** What the status keeps between runs. */
export type Status = { -readonly [K in keyof GitRepositoryStatus]?: GitRepositoryStatus[K] }

/** The run began on a new generation: Reconciling=True, Ready=Unknown (Flux's "reconciliation in progress"). */
export const progressing = (prev: Status, generation: number, now: Date): Status => {
  let c: Conditions = prev.conditions ?? []
  const message = "reconciliation in progress"
  c = setCondition(c, { type: Reconciling, status: "True", reason: Reasons.Progressing, message, observedGeneration: generation }, now)
  c = setCondition(c, { type: Ready, status: "Unknown", reason: Reasons.Progressing, message, observedGeneration: generation }, now)
  return { ...prev, conditions: c }
}

/** A new (or confirmed) artifact is stored. */
export const succeeded = (
  prev: Status,
  o: { generation: number; artifact: Artifact; ignore: string | undefined; requestToken: string | undefined },
  now: Date,
): Status => {
  const message = `stored artifact for revision '${o.artifact.revision}'`
  let c: Conditions = prev.conditions ?? []
  for (const t of [Reconciling, Stalled, FetchFailed]) c = removeCondition(c, t)
  c = setCondition(c, { type: ArtifactInStorage, status: "True", reason: Reasons.Succeeded, message, observedGeneration: o.generation }, now)
  c = setCondition(c, { type: Ready, status: "True", reason: Reasons.Succeeded, message, observedGeneration: o.generation }, now)
  const next: Status = { ...prev, conditions: c, artifact: o.artifact, observedGeneration: o.generation }
  if (o.ignore === undefined) delete next.observedIgnore
  else next.observedIgnore = o.ignore
  if (o.requestToken !== undefined) next.lastHandledReconcileAt = o.requestToken
  return next
}

/**
 * A run failed. The last good artifact stays (and is still served);
 * FetchFailed and Ready=False carry the reason; Stalled=True when only a spec
 * change can help.
 */
export const failed = (
  prev: Status,
  o: { generation: number; reason: string; message: string; stalled: boolean; requestToken: string | undefined },
  now: Date,
): Status => {
  let c: Conditions = removeCondition(prev.conditions ?? [], Reconciling)
  c = setCondition(c, { type: FetchFailed, status: "True", reason: o.reason, message: o.message, observedGeneration: o.generation }, now)
  c = o.stalled
    ? setCondition(c, { type: Stalled, status: "True", reason: o.reason, message: o.message, observedGeneration: o.generation }, now)
    : removeCondition(c, Stalled)
  c = setCondition(c, { type: Ready, status: "False", reason: o.reason, message: o.message, observedGeneration: o.generation }, now)
  const next: Status = { ...prev, conditions: c, observedGeneration: o.generation }
  if (o.requestToken !== undefined) next.lastHandledReconcileAt = o.requestToken
  return next
}

/** Deep equality of JSON values: a status that did not change is not written. */
export const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b))
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v !== null && typeof v === "object"
      ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
      : v
