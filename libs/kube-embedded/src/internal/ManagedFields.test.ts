// Server-side apply semantics on plain objects: ownership, conflicts, pruning, updates.
import assert from "node:assert/strict"
import { test } from "node:test"
import { builtinDefs } from "./Builtins.ts"
import { StatusError } from "./Errors.ts"
import * as MF from "./ManagedFields.ts"
import type { Obj } from "./Store.ts"

const typing: MF.Typing = {
  schema: builtinDefs["io.k8s.api.apps.v1.Deployment"],
  defs: builtinDefs,
  ignored: MF.ignoredFields(true, undefined),
}
const dep = (spec: Obj): Obj => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "n" }, spec })
const apply = (live: Obj | undefined, spec: Obj, manager: string, force = false) =>
  MF.apply({ live, config: dep(spec), manager, force, apiVersion: "apps/v1", subresource: undefined, typing })
const owners = (o: Obj) => (o.metadata.managedFields as Obj[]).map((e) => `${e.manager}:${JSON.stringify(e.fieldsV1)}`)

test("apply: the applier owns exactly its fields; lists merge by key", () => {
  const a = apply(undefined, { replicas: 1, template: { spec: { containers: [{ name: "a", image: "x:1" }] } } }, "alice")
  assert.deepEqual(owners(a), [
    'alice:{"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"a\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}',
  ])
  const b = apply(a, { template: { spec: { containers: [{ name: "b", image: "y:1" }] } } }, "bob")
  assert.deepEqual(b.spec.template.spec.containers.map((c: Obj) => c.name), ["a", "b"])
})

test("apply: a changed value owned by another manager conflicts unless forced; an equal one is shared", () => {
  const a = apply(undefined, { replicas: 1 }, "alice")
  assert.throws(() => apply(a, { replicas: 2 }, "bob"), (e: unknown) => e instanceof StatusError && e.code === 409 && e.message === 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas')
  const shared = apply(a, { replicas: 1 }, "bob")
  assert.equal((shared.metadata.managedFields as Obj[]).length, 2)
  const forced = apply(a, { replicas: 2 }, "bob", true)
  assert.equal(forced.spec.replicas, 2)
  assert.deepEqual(owners(forced), ['bob:{"f:spec":{"f:replicas":{}}}'], "alice lost her only field")
})

test("apply: fields dropped from the config are removed unless someone else owns them", () => {
  const a = apply(undefined, { replicas: 1, paused: true, minReadySeconds: 5 }, "alice")
  const b = apply(a, { minReadySeconds: 5 }, "bob")
  const a2 = apply(b, { replicas: 1 }, "alice")
  assert.equal(a2.spec.paused, undefined, "paused was only alice's")
  assert.equal(a2.spec.minReadySeconds, 5, "bob still owns minReadySeconds")
})

test("update: the writer takes the fields it changed from other managers", () => {
  const a = apply(undefined, { replicas: 1, paused: true }, "alice")
  const next = structuredClone(a)
  next.spec.replicas = 3
  const u = MF.update({ live: a, next, manager: "kubectl-edit", apiVersion: "apps/v1", subresource: undefined, typing })
  assert.deepEqual(owners(u), ['alice:{"f:spec":{"f:paused":{}}}', 'kubectl-edit:{"f:spec":{"f:replicas":{}}}'])
})
