import assert from "node:assert/strict"
import { test } from "node:test"
import { substitute, substituteObjects, SubstituteError } from "./index.ts"

const vars = { cluster: "prod", region: "eu-1", empty: "" }

const table: Array<[string, string, string | typeof SubstituteError, boolean?]> = [
  ["plain", "name: app", "name: app"],
  ["braced", "env: ${cluster}", "env: prod"],
  ["two vars", "${cluster}-${region}", "prod-eu-1"],
  ["bare var", "x $cluster y", "x prod y"],
  ["default used when unset", "${missing:=fallback}", "fallback"],
  ["default unused when set", "${cluster:=fallback}", "prod"],
  ["colon default also for empty", "${empty:=fb}", "fb"],
  ["dash default", "${missing:-dflt}", "dflt"],
  ["no-colon default keeps empty", "${empty=fb}", ""],
  ["nested default", "${missing:=${region}}", "eu-1"],
  ["escaped braced", "$${cluster}", "${cluster}"],
  ["escaped dollar", "cost: $$5", "cost: $5"],
  ["unset without default is empty", "a${missing}b", "ab"],
  ["unset in strict mode fails", "${missing}", SubstituteError, true],
  ["lone dollar kept", "price $ 5", "price $ 5"],
  ["bad expression", "${9bad}", SubstituteError],
]

for (const [name, input, want, strict] of table) {
  test(`substitute: ${name}`, () => {
    if (want === SubstituteError) assert.throws(() => substitute(input, vars, { strict }), SubstituteError)
    else assert.equal(substitute(input, vars, { strict }), want)
  })
}

test("substituteObjects: substitutes values, honours the opt-out annotation and label", () => {
  const objs = [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a-${cluster}" }, data: { r: "${region}", n: "${replicas:=3}" } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", annotations: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } }, data: { r: "${region}" } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } }, data: { r: "$region" } },
  ]
  const out = substituteObjects(objs, vars)
  assert.deepEqual(out[0], { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a-prod" }, data: { r: "eu-1", n: 3 } })
  assert.equal(out[1]!.data.r, "${region}")
  assert.equal(out[2]!.data.r, "$region")
})

test("substituteObjects: strict mode names the object", () => {
  assert.throws(
    () => substituteObjects([{ kind: "Secret", metadata: { name: "s", namespace: "ns" }, data: { x: "${nope}" } }], {}, { strict: true }),
    /Secret ns\/s: variable not set \(strict mode\): "nope"/,
  )
})
