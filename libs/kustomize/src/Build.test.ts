// Bad input gives a KustomizeError naming the file and the problem, never a crash.
import assert from "node:assert/strict"
import { test } from "node:test"
import { build, KustomizeError, memoryFs } from "./index.ts"

const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"

const table: Array<[string, Record<string, string>, RegExp]> = [
  ["kustomization is a list", { "kustomization.yaml": "- a\n- b\n" }, /kustomization.yaml: a YAML document is not a map/],
  ["resources is a string", { "kustomization.yaml": "resources: a.yaml\n" }, /resources must be a list of strings/],
  ["resource document is a scalar", { "kustomization.yaml": "resources: [a.yaml]\n", "a.yaml": "just text\n" }, /a.yaml: a YAML document is not a map/],
  ["resource without kind", { "kustomization.yaml": "resources: [a.yaml]\n", "a.yaml": "apiVersion: v1\nmetadata: {name: x}\n" }, /a.yaml: missing kind/],
  ["patches is a map", { "kustomization.yaml": "patches: {a: b}\n" }, /patches must be a list/],
  ["patch target not a map", { "kustomization.yaml": `resources: [a.yaml]\npatches:\n- target: Deployment\n  patch: "[]"\n`, "a.yaml": cm }, /patches\[0\].target must be a map/],
  ["bad regex in target", { "kustomization.yaml": `resources: [a.yaml]\npatches:\n- target: {name: "("}\n  patch: "[]"\n`, "a.yaml": cm }, /is not a valid regular expression/],
  ["JSON patch without target", { "kustomization.yaml": `resources: [a.yaml]\npatches:\n- patch: '[{"op": "add", "path": "/x", "value": 1}]'\n`, "a.yaml": cm }, /needs a target/],
  ["unknown JSON patch op", { "kustomization.yaml": `resources: [a.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: '[{"op": "frob", "path": "/x"}]'\n`, "a.yaml": cm }, /unknown op "frob"/],
  ["generator without name", { "kustomization.yaml": "configMapGenerator:\n- literals: [a=b]\n" }, /configMapGenerator\[0\].name is required/],
  ["literal without =", { "kustomization.yaml": "configMapGenerator:\n- name: c\n  literals: [novalue]\n" }, /"novalue" is not of the form key=value/],
  ["env line without =", { "kustomization.yaml": "configMapGenerator:\n- name: c\n  envs: [e.env]\n", "e.env": "OK=1\nBROKEN\n" }, /line 2 of "e.env"/],
  ["bad behavior", { "kustomization.yaml": "configMapGenerator:\n- name: c\n  behavior: upsert\n" }, /behavior must be create, merge or replace/],
  ["replicas count not a number", { "kustomization.yaml": "replicas:\n- name: x\n  count: many\n" }, /replicas\[0\] needs a name and a numeric count/],
  ["path outside the root", { "kustomization.yaml": "resources: [../../etc/passwd]\n" }, /is outside the source root/],
  ["unsupported field", { "kustomization.yaml": "replacements: []\n" }, /field "replacements" is not supported/],
  ["no kustomization", { "a.yaml": cm }, /no kustomization.yaml/],
  ["multiple kustomization files", { "kustomization.yaml": "", "kustomization.yml": "" }, /found multiple kustomization files/],
]

for (const [name, files, want] of table) {
  test(`build error: ${name}`, () => {
    assert.throws(
      () => build(memoryFs(files), ""),
      (e: unknown) => {
        assert.ok(e instanceof KustomizeError, `not a KustomizeError: ${e}`)
        assert.match(e.message, want)
        return true
      },
    )
  })
}

test("build from memory: nested directories and the root path forms agree", () => {
  const fs = memoryFs({ "app/kustomization.yaml": "resources: [../base]\nnamePrefix: a-\n", "base/kustomization.yaml": "resources: [c.yaml]\n", "base/c.yaml": cm })
  for (const p of ["app", "./app", "app/", "/app"]) assert.deepEqual(build(fs, p).resources.map((o) => o.metadata.name), ["a-c"])
})
