import assert from "node:assert/strict"
import { test } from "node:test"
import { Schema } from "effect"
import {
  ArtifactInStorage,
  Condition,
  type ConditionInput,
  FetchFailed,
  Ready,
  Reasons,
  Reconciling,
  SourceVerified,
  Stalled,
  type SummaryDeclaration,
  getCondition,
  isReady,
  isTrue,
  removeCondition,
  setCondition,
  setSummary,
  summarize,
} from "./Conditions.ts"

const t0 = "2024-05-01T12:00:00Z"
const t1 = new Date("2024-05-01T12:05:00.123Z")
const t1s = "2024-05-01T12:05:00Z"

const ready = (over: Partial<ConditionInput> = {}): ConditionInput => ({
  type: Ready,
  status: "True",
  reason: Reasons.Succeeded,
  message: "stored artifact",
  observedGeneration: 1,
  ...over,
})

test("setCondition moves lastTransitionTime only when status, reason or message changes", () => {
  const initial = setCondition([], ready(), t0)
  assert.deepEqual(initial, [{ ...ready(), lastTransitionTime: t0 }])
  const table: ReadonlyArray<readonly [string, Partial<ConditionInput>, string]> = [
    ["same condition again", {}, t0],
    ["only observedGeneration changes", { observedGeneration: 2 }, t0],
    ["status changes", { status: "False" }, t1s],
    ["reason changes", { reason: Reasons.ArtifactUpToDate }, t1s],
    ["message changes", { message: "stored artifact for revision main@sha1:abc" }, t1s],
  ]
  for (const [name, change, expected] of table) {
    const next = setCondition(initial, ready(change), t1)
    const c = getCondition(next, Ready)
    assert.equal(c?.lastTransitionTime, expected, name)
    assert.deepEqual({ ...c, lastTransitionTime: undefined }, { ...ready(change), lastTransitionTime: undefined }, name)
    // The input list is never mutated.
    assert.equal(initial[0]?.lastTransitionTime, t0)
  }
})

test("setCondition keeps the order of other conditions and appends new types", () => {
  let list = setCondition([], { type: Reconciling, status: "True", reason: Reasons.Progressing, message: "" }, t0)
  list = setCondition(list, ready({ status: "Unknown", reason: Reasons.Progressing }), t0)
  list = setCondition(list, { type: Reconciling, status: "True", reason: Reasons.ProgressingWithRetry, message: "" }, t1)
  assert.deepEqual(
    list.map((c) => [c.type, c.reason, c.lastTransitionTime]),
    [
      [Reconciling, Reasons.ProgressingWithRetry, t1s],
      [Ready, Reasons.Progressing, t0],
    ],
  )
  // Results are valid conditions as the API server checks them.
  for (const c of list) assert.ok(Schema.is(Condition)(c), c.type)
})

test("removeCondition, getCondition, isTrue and isReady", () => {
  const list = setCondition(setCondition([], ready(), t0), { type: Stalled, status: "True", reason: "InvalidURL", message: "bad" }, t0)
  assert.equal(removeCondition(list, Stalled).length, 1)
  assert.equal(getCondition(removeCondition(list, Stalled), Stalled), undefined)
  assert.equal(removeCondition(undefined, Ready).length, 0)
  assert.equal(isTrue(list, Stalled), true)
  assert.equal(isTrue(list, Reconciling), false)
  assert.equal(isReady(list), true)
  assert.equal(isReady(list, 1), true)
  assert.equal(isReady(list, 2), false, "Ready observed for an older generation")
  assert.equal(isReady(setCondition(list, ready({ status: "False" }), t1)), false)
  assert.equal(isReady(undefined), false)
})

test("summarize derives Ready from one declaration", () => {
  const decl: SummaryDeclaration = {
    negativePolarity: [Stalled, Reconciling, FetchFailed],
    positivePolarity: [ArtifactInStorage, SourceVerified],
  }
  const c = (type: string, status: "True" | "False" | "Unknown", reason: string, message = `${type} ${reason}`) => ({
    type,
    status,
    reason,
    message,
    lastTransitionTime: t0,
  })
  const stored = c(ArtifactInStorage, "True", Reasons.Succeeded, "stored artifact for revision main@sha1:abc")
  const verified = c(SourceVerified, "True", Reasons.Succeeded)
  const table: ReadonlyArray<readonly [string, ReadonlyArray<Condition>, Pick<ConditionInput, "status" | "reason" | "message">]> = [
    ["all good", [stored, verified], { status: "True", reason: Reasons.Succeeded, message: stored.message }],
    [
      "Stalled dominates everything",
      [c(Reconciling, "True", Reasons.Progressing), c(Stalled, "True", "URLInvalid", "bad url"), stored, verified],
      { status: "False", reason: "URLInvalid", message: "bad url" },
    ],
    [
      "Reconciling makes Ready Unknown",
      [c(Reconciling, "True", Reasons.Progressing, "building artifact"), c(FetchFailed, "True", "AuthenticationFailed"), stored],
      { status: "Unknown", reason: Reasons.Progressing, message: "building artifact" },
    ],
    [
      "a true abnormal condition makes Ready False",
      [c(FetchFailed, "True", Reasons.GitOperationFailed, "clone failed"), stored, verified],
      { status: "False", reason: Reasons.GitOperationFailed, message: "clone failed" },
    ],
    [
      "abnormal conditions that are False are ignored",
      [c(FetchFailed, "False", Reasons.Succeeded), stored, verified],
      { status: "True", reason: Reasons.Succeeded, message: stored.message },
    ],
    [
      "a False dependency makes Ready False",
      [stored, c(SourceVerified, "False", Reasons.VerificationError, "no valid signature")],
      { status: "False", reason: Reasons.VerificationError, message: "no valid signature" },
    ],
    [
      "a missing dependency makes Ready Unknown",
      [stored],
      { status: "Unknown", reason: Reasons.Progressing, message: `waiting for ${SourceVerified}` },
    ],
    [
      "an Unknown dependency makes Ready Unknown with its reason",
      [c(ArtifactInStorage, "Unknown", "Building", "building"), verified],
      { status: "Unknown", reason: "Building", message: "building" },
    ],
  ]
  for (const [name, conditions, expected] of table) {
    assert.deepEqual(summarize(conditions, decl, 7), { type: Ready, observedGeneration: 7, ...expected }, name)
  }
  // Declaring failures before Reconciling lets them dominate instead.
  const failuresFirst = { ...decl, negativePolarity: [Stalled, FetchFailed, Reconciling] }
  assert.equal(
    summarize([c(Reconciling, "True", Reasons.ProgressingWithRetry), c(FetchFailed, "True", "AuthenticationFailed"), stored], failuresFirst).status,
    "False",
  )
  // setSummary writes it with a stable lastTransitionTime.
  const first = setSummary([stored, verified], decl, t0, 1)
  const again = setSummary(first, decl, t1, 2)
  assert.equal(getCondition(again, Ready)?.lastTransitionTime, t0)
  assert.equal(getCondition(again, Ready)?.observedGeneration, 2)
})
