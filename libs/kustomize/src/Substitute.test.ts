import assert from "node:assert/strict"
import { test } from "node:test"
import { substitute, substituteObjects, SubstituteError } from "./index.ts"

const vars = { cluster: "prod", region: "eu-1", empty: "", path: "/home/bozo/ideas/thoughts.for.today", file: "bash.string.txt", z: "abcABC123ABCabc" }
const E = SubstituteError

// [name, input, expected output or SubstituteError, strict?]
const table: Array<[string, string, string | typeof SubstituteError, boolean?]> = [
  ["plain text", "name: app", "name: app"],
  ["braced", "env: ${cluster}", "env: prod"],
  ["two vars", "${cluster}-${region}", "prod-eu-1"],
  ["bare $var is left alone", "x $cluster y", "x $cluster y"],
  ["lone dollar kept", "price $ 5 and $$5", "price $ 5 and $$5"],
  ["escaped braced", "$${cluster}", "${cluster}"],
  ["escape inside text keeps scanning", "a $${var=${cluster}}", "a ${var=prod}"],
  ["default := when unset", "${missing:=fallback}", "fallback"],
  ["default := unused when set", "${cluster:=fallback}", "prod"],
  ["default :- when unset", "${missing:-dflt}", "dflt"],
  ["default = when unset", "${missing=xyz}", "xyz"],
  ["default - when unset", "${missing-xyz}", "xyz"],
  ["default applies to empty values too", "${empty:=fb}/${empty=fb}", "fb/fb"],
  ["nested default", "${missing:=${region}-x}", "eu-1-x"],
  ["unset without default is empty", "a${missing}b", "ab"],
  ["length", "${#region}", "4"],
  ["upper first / all", "${cluster^} ${cluster^^}", "Prod PROD"],
  ["lower first / all", "${z,} ${z,,}", "abcABC123ABCabc abcabc123abcabc"],
  ["substring", "${path:11}", "ideas/thoughts.for.today"],
  ["substring with length", "${path:11:5}", "ideas"],
  ["strip shortest prefix", "${file#*.}", "string.txt"],
  ["strip longest prefix", "${file##*.}", "txt"],
  ["strip shortest suffix", "${file%.*}", "bash.string"],
  ["strip longest suffix", "${file%%.*}", "bash"],
  ["replace first", "${z/abc/xyz}", "xyzABC123ABCabc"],
  ["replace all", "${z//abc/xyz}", "xyzABC123ABCxyz"],
  ["replace prefix", "${z/#abc/XYZ}", "XYZABC123ABCabc"],
  ["replace suffix", "${z/%abc/XYZ}", "abcABC123ABCXYZ"],
  ["escaped slash in pattern", "${path//\\//-}", "-home-bozo-ideas-thoughts.for.today"],
  ["strict: set variable", "${cluster}", "prod", true],
  ["strict: empty variable is set", "${empty}", "", true],
  ["strict: unset fails", "${missing}", E, true],
  ["strict: unset with a function fails", "${missing^^}", E, true],
  ["strict: unset with default is fine", "${missing:=d}", "d", true],
  ["bad expression", "${9bad}", E],
  ["unterminated", "x ${cluster", E],
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
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } }, data: { r: "${region}" } },
  ]
  const out = substituteObjects(objs, { cluster: "prod", region: "eu\n-1" })
  assert.deepEqual(out[0], { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a-prod" }, data: { r: "eu-1", n: 3 } })
  assert.equal(out[1]!.data.r, "${region}")
  assert.equal(out[2]!.data.r, "${region}")
})

test("substituteObjects: a variable in a key or deep in a list is found; an object without one is kept as it is", () => {
  const plain = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "plain" }, data: { price: "$5", brace: "{x}", dollarEnd: "a$" } }
  const deep = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { template: { spec: { containers: [{ name: "c", env: [{ name: "E", value: "${cluster}" }] }] } } } }
  const inKey = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "k" }, data: { "${cluster}.conf": "x", escaped: "$${cluster}" } }
  const out = substituteObjects([plain, deep, inKey], { cluster: "prod" })
  assert.equal(out[0], plain) // not printed and parsed again
  assert.equal(out[1]!.spec.template.spec.containers[0].env[0].value, "prod")
  assert.deepEqual(out[2]!.data, { "prod.conf": "x", escaped: "${cluster}" })
})

test("substituteObjects: without variables nothing is substituted, not even defaults", () => {
  const o = { kind: "ConfigMap", metadata: { name: "x" }, data: { a: "${v:=1}" } }
  assert.deepEqual(substituteObjects([o], {}), [o])
})

test("substituteObjects: invalid variable names and strict failures are named", () => {
  assert.throws(() => substituteObjects([], { "my-var": "x" }), /'my-var' var name is invalid/)
  assert.throws(
    () => substituteObjects([{ kind: "Secret", metadata: { name: "s", namespace: "ns" }, data: { x: "${nope}" } }], { other: "1" }, { strict: true }),
    /Secret ns\/s: variable not set \(strict mode\): "nope"/,
  )
})
