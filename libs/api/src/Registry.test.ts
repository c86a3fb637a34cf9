import assert from "node:assert/strict"
import { test } from "node:test"
import { Result } from "effect"
import { fixture } from "./__fixtures__/load.ts"
import { allKinds, decodeObject, gvkKey, gvkOf, kindByPlural, kindOf, kinds } from "./Registry.ts"

test("the registry lists Flux's eleven kinds with their groups, versions and names", () => {
  const table = allKinds.map((k) => [gvkKey(k), k.plural, k.singular, k.shortNames.join(","), k.statusSubresource])
  assert.deepEqual(table, [
    ["source.toolkit.fluxcd.io/v1/GitRepository", "gitrepositories", "gitrepository", "gitrepo", true],
    ["source.toolkit.fluxcd.io/v1/OCIRepository", "ocirepositories", "ocirepository", "ocirepo", true],
    ["source.toolkit.fluxcd.io/v1/HelmRepository", "helmrepositories", "helmrepository", "helmrepo", true],
    ["kustomize.toolkit.fluxcd.io/v1/Kustomization", "kustomizations", "kustomization", "ks", true],
    ["helm.toolkit.fluxcd.io/v2/HelmRelease", "helmreleases", "helmrelease", "hr", true],
    ["image.toolkit.fluxcd.io/v1/ImageRepository", "imagerepositories", "imagerepository", "imgrepo,imagerepo", true],
    ["image.toolkit.fluxcd.io/v1/ImagePolicy", "imagepolicies", "imagepolicy", "imgpol,imagepol", true],
    ["image.toolkit.fluxcd.io/v1/ImageUpdateAutomation", "imageupdateautomations", "imageupdateautomation", "iua,imgupd,imgauto", true],
    ["notification.toolkit.fluxcd.io/v1beta3/Provider", "providers", "provider", "", false],
    ["notification.toolkit.fluxcd.io/v1beta3/Alert", "alerts", "alert", "", false],
    ["notification.toolkit.fluxcd.io/v1/Receiver", "receivers", "receiver", "", true],
  ])
  for (const k of allKinds) {
    assert.equal(kinds[gvkKey(k)], k)
    assert.equal(k.namespaced, true)
    assert.equal(k.listKind, `${k.kind}List`)
    assert.equal(k.apiVersion, `${k.group}/${k.version}`)
    // Every Flux kind prints Age; those with a status print Ready and Status.
    const columns = k.printerColumns.map((c) => c.name)
    assert.ok(columns.includes("Age"), k.kind)
    assert.equal(columns.includes("Ready") && columns.includes("Status"), k.statusSubresource, k.kind)
  }
})

test("gvkOf parses apiVersion and kind", () => {
  const table: ReadonlyArray<readonly [unknown, unknown]> = [
    [{ apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease" }, { group: "helm.toolkit.fluxcd.io", version: "v2", kind: "HelmRelease" }],
    [{ apiVersion: "v1", kind: "ConfigMap" }, { group: "", version: "v1", kind: "ConfigMap" }],
    [{ apiVersion: "a/b/c", kind: "X" }, undefined],
    [{ apiVersion: "/v1", kind: "X" }, undefined],
    [{ apiVersion: "v1" }, undefined],
    [{ apiVersion: 1, kind: "X" }, undefined],
    [null, undefined],
    ["v1", undefined],
  ]
  for (const [input, expected] of table) assert.deepEqual(gvkOf(input), expected, JSON.stringify(input))
})

test("kindOf and kindByPlural find served kinds only", () => {
  assert.equal(kindOf({ apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" })?.plural, "kustomizations")
  assert.equal(kindOf({ apiVersion: "kustomize.toolkit.fluxcd.io/v1beta2", kind: "Kustomization" }), undefined)
  assert.equal(kindOf({ apiVersion: "v1", kind: "ConfigMap" }), undefined)
  assert.equal(kindByPlural("helmreleases")?.kind, "HelmRelease")
  assert.equal(kindByPlural("receivers", "notification.toolkit.fluxcd.io")?.version, "v1")
  assert.equal(kindByPlural("receivers", "source.toolkit.fluxcd.io"), undefined)
  assert.equal(kindByPlural("configmaps"), undefined)
})

test("decodeObject dispatches on apiVersion and kind", () => {
  for (const file of ["gitrepository.yaml", "alert.yaml", "helmrelease.yaml"]) {
    const input = fixture(file)[0]
    const r = decodeObject(input)
    assert.ok(Result.isSuccess(r), file)
    assert.equal((r.success as { kind: string }).kind, input.kind)
  }
  const r = decodeObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } })
  assert.ok(Result.isFailure(r))
  assert.equal(r.failure.message, 'invalid ConfigMap: not a kind moor serves: apiVersion "v1", kind "ConfigMap"')
})
