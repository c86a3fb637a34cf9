// The patch formats, table-driven.
import assert from "node:assert/strict"
import { test } from "node:test"
import { builtinDefs } from "./Builtins.ts"
import { StatusError } from "./Errors.ts"
import { jsonPatch, mergePatch, strategicMergePatch } from "./Patch.ts"
import { parseFieldSelector, parseLabelSelector } from "./Selectors.ts"

const pod = builtinDefs["io.k8s.api.core.v1.Pod"]

test("strategic merge patch: merge keys, directives, primitive lists", () => {
  const cases: Array<[string, object, object, object]> = [
    ["merge containers by name", { spec: { containers: [{ name: "a", image: "1" }] } }, { spec: { containers: [{ name: "a", image: "2" }] } }, { spec: { containers: [{ name: "a", image: "2" }] } }],
    ["new items first", { spec: { containers: [{ name: "a" }] } }, { spec: { containers: [{ name: "b" }] } }, { spec: { containers: [{ name: "b" }, { name: "a" }] } }],
    ["$patch: delete", { spec: { containers: [{ name: "a" }, { name: "b" }] } }, { spec: { containers: [{ name: "a", $patch: "delete" }] } }, { spec: { containers: [{ name: "b" }] } }],
    ["env merges by name", { spec: { containers: [{ name: "a", env: [{ name: "X", value: "1" }] }] } }, { spec: { containers: [{ name: "a", env: [{ name: "Y", value: "2" }] }] } }, { spec: { containers: [{ name: "a", env: [{ name: "Y", value: "2" }, { name: "X", value: "1" }] }] } }],
    ["atomic list replaced", { spec: { containers: [{ name: "a", args: ["1", "2"] }] } }, { spec: { containers: [{ name: "a", args: ["3"] }] } }, { spec: { containers: [{ name: "a", args: ["3"] }] } }],
    ["null deletes", { metadata: { labels: { a: "1", b: "2" } } }, { metadata: { labels: { a: null } } }, { metadata: { labels: { b: "2" } } }],
    ["finalizers merge", { metadata: { finalizers: ["a"] } }, { metadata: { finalizers: ["b"] } }, { metadata: { finalizers: ["a", "b"] } }],
    ["$deleteFromPrimitiveList", { metadata: { finalizers: ["a", "b"] } }, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } }, { metadata: { finalizers: ["b"] } }],
    ["$setElementOrder", { spec: { containers: [{ name: "a" }, { name: "b" }] } }, { spec: { "$setElementOrder/containers": [{ name: "b" }, { name: "a" }] } }, { spec: { containers: [{ name: "b" }, { name: "a" }] } }],
  ]
  for (const [name, doc, patch, want] of cases) assert.deepEqual(strategicMergePatch(doc, patch, pod, builtinDefs), want, name)
})

test("json patch and merge patch", () => {
  assert.deepEqual(jsonPatch({ a: [1, 2] }, [{ op: "add", path: "/a/-", value: 3 }, { op: "replace", path: "/a/0", value: 0 }]), { a: [0, 2, 3] })
  assert.deepEqual(jsonPatch({ a: { "b/c": 1 } }, [{ op: "move", from: "/a/b~1c", path: "/d" }]), { a: {}, d: 1 })
  assert.throws(() => jsonPatch({ a: 1 }, [{ op: "test", path: "/a", value: 2 }]), (e: unknown) => e instanceof StatusError && e.code === 422)
  assert.throws(() => jsonPatch({ a: 1 }, [{ op: "remove", path: "/nope" }]), (e: unknown) => e instanceof StatusError && e.code === 422)
  assert.deepEqual(mergePatch({ a: { b: 1, c: 2 }, l: [1] }, { a: { b: null }, l: [2] }), { a: { c: 2 }, l: [2] })
})

test("selectors", () => {
  const o = { metadata: { name: "x", namespace: "n", labels: { app: "web", tier: "front" } } }
  const cases: Array<[string, boolean]> = [["app=web", true], ["app==web,tier!=back", true], ["app in (db,web)", true], ["tier notin (front)", false], ["app", true], ["!app", false], ["env", false]]
  for (const [sel, want] of cases) assert.equal(parseLabelSelector(sel)!(o), want, sel)
  assert.equal(parseFieldSelector("metadata.name=x,metadata.namespace!=m", "ConfigMap")!(o), true)
  assert.throws(() => parseFieldSelector("spec.foo=1", "ConfigMap"), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === "field label not supported: spec.foo")
  assert.throws(() => parseLabelSelector("a in (b"), (e: unknown) => e instanceof StatusError && e.code === 400)
})
