import { test } from "node:test"
import assert from "node:assert/strict"
import { compileHealthExprs, InvalidHealthExpr, type HealthCheckExpr } from "./Exprs.ts"
import { status } from "./Status.ts"

// RFC-0009's cert-manager Certificate, with `exists` for Issuing: `.all` over the empty list of
// Issuing conditions an issued certificate has is true (CEL), which would keep it InProgress.
const certificate: HealthCheckExpr = {
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  inProgress: "status.conditions.exists(e, e.type == 'Issuing' && e.observedGeneration == metadata.generation && e.status == 'True')",
  failed: "status.conditions.filter(e, e.type == 'Ready').all(e, e.observedGeneration == metadata.generation && e.status == 'False')",
  current: "status.conditions.filter(e, e.type == 'Ready').all(e, e.observedGeneration == metadata.generation && e.status == 'True')",
}
const cert = (conditions: unknown[] | undefined, extra: Record<string, unknown> = {}) => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name: "web", namespace: "apps", generation: 2 },
  spec: { secretName: "web-tls" },
  ...(conditions ? { status: { conditions, ...extra } } : {}),
})
const cond = (type: string, s: string, observedGeneration = 2) => ({ type, status: s, observedGeneration, reason: "R", message: "m" })

test("healthCheckExprs: inProgress, failed, current in that order; none true is InProgress", () => {
  const rules = compileHealthExprs([certificate])
  assert.equal(status(cert([cond("Ready", "True")]), rules).status, "Current")
  assert.equal(status(cert([cond("Ready", "False")]), rules).status, "Failed")
  // Issuing=True wins over a Ready=True left from the last certificate
  assert.equal(status(cert([cond("Issuing", "True"), cond("Ready", "True")]), rules).status, "InProgress")
  // Ready of an older generation: none of the three holds
  const stale = status(cert([cond("Ready", "True", 1)]), rules)
  assert.equal(stale.status, "InProgress")
  assert.match(stale.message, /no expression is true/)
  // CEL's own semantics, as Flux evaluates them: `.all` of an empty list is true
  const all = compileHealthExprs([{ ...certificate, inProgress: "status.conditions.filter(e, e.type == 'Issuing').all(e, e.status == 'True')" }])
  assert.equal(status(cert([cond("Ready", "True")]), all).status, "InProgress")
  // without the expressions, kstatus's generic rule reads Ready=False as not ready (InProgress), never Failed
  assert.equal(status(cert([cond("Ready", "False")])).status, "InProgress")
})

test("healthCheckExprs: a status.observedGeneration behind metadata.generation is InProgress before any expression", () => {
  const rules = compileHealthExprs([{ apiVersion: "example.com/v1", kind: "Db", current: "true" }])
  const db = (observedGeneration: number) => ({ apiVersion: "example.com/v1", kind: "Db", metadata: { name: "d", generation: 3 }, status: { observedGeneration } })
  const h = status(db(2), rules)
  assert.equal(h.status, "InProgress")
  assert.match(h.message, /observe generation 3 \(observed 2\)/)
  assert.equal(status(db(3), rules).status, "Current")
})

test("healthCheckExprs: integers compare as CEL ints, optional field access, phase strings", () => {
  const rules = compileHealthExprs([
    { apiVersion: "example.com/v1alpha1", kind: "Cluster", current: "status.readyReplicas == spec.replicas && status.phase == 'Running'", failed: "status.phase == 'Failed'" },
    { apiVersion: "example.com/v1", kind: "Queue", current: "status.?conditions.orValue([]).exists(c, c.type == 'Synced' && c.status == 'True')" },
  ])
  const cluster = (st: Record<string, unknown>) => ({ apiVersion: "example.com/v1alpha1", kind: "Cluster", metadata: { name: "c" }, spec: { replicas: 3 }, status: st })
  assert.equal(status(cluster({ readyReplicas: 3, phase: "Running" }), rules).status, "Current")
  assert.equal(status(cluster({ readyReplicas: 2, phase: "Running" }), rules).status, "InProgress")
  assert.equal(status(cluster({ phase: "Failed" }), rules).status, "Failed")
  // another version of the same group/kind uses the same rule
  assert.equal(status({ ...cluster({ readyReplicas: 3, phase: "Running" }), apiVersion: "example.com/v1beta1" }, rules).status, "Current")
  const queue = (st?: unknown) => ({ apiVersion: "example.com/v1", kind: "Queue", metadata: { name: "q" }, ...(st ? { status: st } : {}) })
  assert.equal(status(queue({}), rules).status, "InProgress")
  assert.equal(status(queue({ conditions: [{ type: "Synced", status: "True" }] }), rules).status, "Current")
})

test("healthCheckExprs: an expression that cannot be evaluated yet leaves the object Unknown, naming why", () => {
  const rules = compileHealthExprs([{ apiVersion: "example.com/v1", kind: "Db", current: "status.phase == 'Ready'" }])
  const noStatus = status({ apiVersion: "example.com/v1", kind: "Db", metadata: { name: "d" } }, rules)
  assert.equal(noStatus.status, "Unknown")
  assert.match(noStatus.message, /current expression failed: .*status/)
  const noPhase = status({ apiVersion: "example.com/v1", kind: "Db", metadata: { name: "d" }, status: {} }, rules)
  assert.equal(noPhase.status, "Unknown")
  assert.match(noPhase.message, /phase/)
  // a field's type is known only at evaluation: a string where a bool is needed is Unknown too
  const dyn = compileHealthExprs([{ apiVersion: "example.com/v1", kind: "Db", current: "status.phase" }])
  const str = status({ apiVersion: "example.com/v1", kind: "Db", metadata: { name: "d" }, status: { phase: "Ready" } }, dyn)
  assert.equal(str.status, "Unknown")
  assert.match(str.message, /gave string, not a bool/)
})

test("healthCheckExprs: invalid expressions are refused when compiled, naming the kind, the field and the reason", () => {
  const bad = (e: Partial<HealthCheckExpr>, re: RegExp) =>
    assert.throws(
      () => compileHealthExprs([{ apiVersion: "example.com/v1", kind: "Db", current: "true", ...e }]),
      (err: unknown) => err instanceof InvalidHealthExpr && err.reason === "InvalidCELExpression" && /example\.com\/v1 Db/.test(err.message) && re.test(err.message),
    )
  bad({ current: "status.conditions.filter(e, e.type == 'Ready'" }, /current expression .* does not parse/)
  bad({ failed: "status.phase ==" }, /failed expression .* does not parse/)
  bad({ inProgress: "'yes'" }, /inProgress expression .* gives a string, not a bool/)
  bad({ current: "phase == 'Ready'" }, /current expression .* is invalid: .*phase/)
  bad({ current: "" }, /current expression is required/)
})
