// Table-driven tests of the eleven kinds: realistic Flux manifests decode,
// Flux's defaults are applied, and bad fields are reported with their path.
import assert from "node:assert/strict"
import { test } from "node:test"
import { Result } from "effect"
import { allFixtures, fixture } from "./__fixtures__/load.ts"
import { allKinds, decodeObject, kindOf } from "./Registry.ts"
import { decodeGitRepository } from "./source/GitRepository.ts"
import { decodeHelmRelease, helmReleaseName } from "./helm/HelmRelease.ts"
import { decodeKustomization, kustomizationRetryInterval, kustomizationTimeout } from "./kustomize/Kustomization.ts"
import { imagePolicyInterval } from "./image/ImagePolicy.ts"
import { imageRepositoryTimeout } from "./image/ImageRepository.ts"

const ok = (r: Result.Result<any, { message: string }>): any => {
  if (Result.isFailure(r)) assert.fail(r.failure.message)
  return r.success
}

const messagesOf = (input: unknown): Array<string> => {
  const r = decodeObject(input)
  assert.ok(Result.isFailure(r), "expected a decode failure")
  return r.failure.issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`))
}

test("every kind has a fixture and every fixture decodes", () => {
  const seen = new Set<string>()
  for (const { file, index, object } of allFixtures()) {
    const info = kindOf(object)
    assert.ok(info, `${file}#${index} is not a served kind`)
    ok(info.decode(object))
    seen.add(info.kind)
  }
  assert.deepEqual([...seen].sort(), allKinds.map((k) => k.kind).sort())
})

test("fixtures decode to the values Flux would read", () => {
  const table: ReadonlyArray<readonly [string, number, (o: any) => void]> = [
    ["gitrepository.yaml", 0, (o) => {
      assert.equal(o.spec.interval, "5m0s")
      assert.deepEqual(o.spec.ref, { semver: ">=6.0.0 <7.0.0" })
      assert.equal(o.spec.verify.mode, "TagAndHEAD")
      assert.equal(o.spec.include[0].repository.name, "shared-config")
      assert.equal(o.status.artifact.size, 60123)
      assert.equal(o.status.conditions[0].status, "True")
      assert.equal(o.metadata.labels["app.kubernetes.io/part-of"], "demo")
    }],
    ["ocirepository.yaml", 0, (o) => {
      assert.deepEqual(o.spec.ref, { semver: "6.x" })
      assert.equal(o.spec.layerSelector.operation, "copy")
      assert.equal(o.spec.verify.matchOIDCIdentity.length, 1)
    }],
    ["helmrepository.yaml", 1, (o) => {
      assert.equal(o.spec.type, "oci")
      assert.equal(o.spec.provider, "aws")
    }],
    ["kustomization.yaml", 0, (o) => {
      assert.equal(o.spec.prune, true)
      assert.equal(o.spec.dependsOn[1].readyExpr.startsWith("status.conditions"), true)
      assert.equal(o.spec.postBuild.substituteFrom[0].optional, false)
      assert.equal(o.spec.postBuild.substituteFrom[1].optional, true)
      assert.equal(o.spec.kubeConfig.provider, "generic")
      assert.equal(o.spec.kubeConfig.secretRef.key, "value.yaml")
      assert.equal(o.status.inventory.entries.length, 2)
      assert.equal(kustomizationTimeout(o.spec), 300_000)
      assert.equal(kustomizationRetryInterval(o.spec), 120_000)
    }],
    ["helmrelease.yaml", 0, (o) => {
      assert.equal(o.spec.chart.spec.version, "6.5.*")
      assert.equal(o.spec.values.ingress.hosts[0].host, "podinfo.example.com")
      assert.equal(o.spec.valuesFrom[0].valuesKey, "values.yaml")
      assert.equal(o.spec.valuesFrom[1].targetPath, "redis.password")
      assert.equal(o.spec.upgrade.remediation.strategy, "rollback")
      assert.equal(o.status.history[0].testHooks["podinfo-grpc-test"].phase, "Succeeded")
      assert.equal(helmReleaseName(o), "podinfo")
    }],
    ["helmrelease.yaml", 1, (o) => {
      assert.equal(o.spec.chartRef.kind, "OCIRepository")
      assert.equal(o.spec.install.strategy.name, "RetryOnFailure")
      assert.equal(o.spec.kubeConfig.provider, "gcp")
      assert.equal(o.spec.uninstall.deletionPropagation, "background")
    }],
    ["imagerepository.yaml", 0, (o) => {
      assert.deepEqual(o.spec.exclusionList, ["^.*\\.sig$", "^.*-rc.*$"])
      assert.equal(o.status.lastScanResult.tagCount, 42)
      assert.equal(imageRepositoryTimeout(o.spec), 300_000)
    }],
    ["imagepolicy.yaml", 1, (o) => {
      assert.equal(o.spec.policy.numerical.order, "asc")
      assert.equal(o.spec.filterTags.extract, "$ts")
      assert.equal(imagePolicyInterval(o.spec), 900_000)
    }],
    ["imageupdateautomation.yaml", 0, (o) => {
      assert.equal(o.spec.git.push.branch, "main")
      assert.equal(o.spec.update.path, "./clusters/my-cluster")
      assert.equal(o.status.observedPolicies.podinfo.tag, "6.6.2")
    }],
    ["provider.yaml", 1, (o) => {
      assert.equal(o.spec.type, "github")
      assert.equal(o.spec.timeout, "30s")
    }],
    ["alert.yaml", 0, (o) => {
      assert.equal(o.spec.eventSources[1].matchLabels.team, "platform")
      assert.equal(o.spec.eventSeverity, "error")
    }],
    ["receiver.yaml", 0, (o) => {
      assert.equal(o.spec.resources[0].kind, "GitRepository")
      assert.equal(o.status.webhookPath.startsWith("/hook/"), true)
    }],
  ]
  for (const [file, index, check] of table) check(ok(decodeObject(fixture(file)[index])))
})

const meta = { name: "x", namespace: "default" }
const obj = (apiVersion: string, kind: string, spec: unknown) => ({ apiVersion, kind, metadata: meta, spec })
const src = "source.toolkit.fluxcd.io/v1"
const img = "image.toolkit.fluxcd.io/v1"
const ntf = "notification.toolkit.fluxcd.io/v1beta3"

test("Flux's defaults are applied to minimal objects", () => {
  const table: ReadonlyArray<readonly [string, unknown, (o: any) => void]> = [
    ["GitRepository", obj(src, "GitRepository", { url: "https://example.com/repo", interval: "1m" }), (o) => {
      assert.deepEqual(o.spec.ref, { branch: "master" })
      assert.equal(o.spec.timeout, "60s")
      assert.equal(o.spec.provider, "generic")
      assert.equal(o.spec.suspend, false)
      assert.equal(o.spec.recurseSubmodules, false)
      assert.deepEqual(o.status, { observedGeneration: -1 })
    }],
    ["GitRepository verify", obj(src, "GitRepository", { url: "ssh://git@example.com/repo", interval: "1m", verify: { secretRef: { name: "keys" } } }), (o) => {
      assert.equal(o.spec.verify.mode, "HEAD")
    }],
    ["OCIRepository", obj(src, "OCIRepository", { url: "oci://example.com/app", interval: "5m", layerSelector: {} }), (o) => {
      assert.deepEqual(o.spec.ref, { tag: "latest" })
      assert.equal(o.spec.provider, "generic")
      assert.equal(o.spec.timeout, "60s")
      assert.equal(o.spec.layerSelector.operation, "extract")
      assert.equal(o.spec.insecure, false)
    }],
    ["HelmRepository", obj(src, "HelmRepository", { url: "https://charts.example.com" }), (o) => {
      assert.equal(o.spec.interval, "1m")
      assert.equal(o.spec.timeout, "60s")
      assert.equal(o.spec.type, "default")
      assert.equal(o.spec.provider, "generic")
      assert.equal(o.spec.passCredentials, false)
    }],
    ["Kustomization", obj("kustomize.toolkit.fluxcd.io/v1", "Kustomization", {
      interval: "10m", prune: false, sourceRef: { kind: "GitRepository", name: "repo" },
      postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "vars" }] },
      kubeConfig: { secretRef: { name: "kc" } },
    }), (o) => {
      assert.equal(o.spec.force, false)
      assert.equal(o.spec.wait, false)
      assert.equal(o.spec.deletionPolicy, "MirrorPrune")
      assert.equal(o.spec.postBuild.substituteFrom[0].optional, false)
      assert.equal(o.spec.kubeConfig.provider, "generic")
      assert.equal(kustomizationTimeout(o.spec), 570_000, "interval minus 30s")
    }],
    ["HelmRelease", obj("helm.toolkit.fluxcd.io/v2", "HelmRelease", {
      interval: "10m",
      chart: { spec: { chart: "podinfo", sourceRef: { kind: "HelmRepository", name: "podinfo" }, verify: {} } },
      upgrade: { remediation: {} }, uninstall: {}, driftDetection: {}, install: { remediation: {} },
    }), (o) => {
      assert.equal(o.spec.timeout, "5m0s")
      assert.equal(o.spec.maxHistory, 5)
      assert.equal(o.spec.persistentClient, true)
      assert.equal(o.spec.chart.spec.version, "*")
      assert.equal(o.spec.chart.spec.reconcileStrategy, "ChartVersion")
      assert.equal(o.spec.chart.spec.verify.provider, "cosign")
      assert.equal(o.spec.upgrade.crds, "Skip")
      assert.deepEqual(o.spec.upgrade.remediation, { retries: 0, strategy: "rollback" })
      assert.deepEqual(o.spec.install.remediation, { retries: 0 })
      assert.equal(o.spec.install.crds, undefined, "Create unless the deprecated skipCRDs says Skip")
      assert.equal(o.spec.uninstall.deletionPropagation, "background")
      assert.equal(o.spec.driftDetection.mode, "disabled")
      assert.equal(helmReleaseName({ ...o, spec: { ...o.spec, targetNamespace: "apps" } }), "apps-x")
    }],
    ["ImageRepository", obj(img, "ImageRepository", { image: "ghcr.io/org/app", interval: "5m", timeout: "30s" }), (o) => {
      assert.deepEqual(o.spec.exclusionList, ["^.*\\.sig$"])
      assert.equal(o.spec.provider, "generic")
      assert.equal(imageRepositoryTimeout(o.spec), 30_000)
    }],
    ["ImagePolicy", obj(img, "ImagePolicy", { imageRepositoryRef: { name: "app" }, policy: { alphabetical: {} } }), (o) => {
      assert.equal(o.spec.digestReflectionPolicy, "Never")
      assert.equal(o.spec.policy.alphabetical.order, "asc")
      assert.equal(imagePolicyInterval(o.spec), 0)
    }],
    ["ImageUpdateAutomation", obj(img, "ImageUpdateAutomation", { sourceRef: { name: "repo" }, interval: "30m" }), (o) => {
      assert.deepEqual(o.spec.update, { strategy: "Setters" })
      assert.equal(o.spec.sourceRef.kind, "GitRepository")
    }],
    ["Provider", obj(ntf, "Provider", { type: "slack" }), (o) => {
      assert.equal(o.spec.timeout, "15s")
      assert.equal(o.status, undefined, "v1beta3 Providers have no status")
    }],
    ["Alert", obj(ntf, "Alert", { providerRef: { name: "slack" }, eventSources: [{ kind: "Kustomization", name: "*" }] }), (o) => {
      assert.equal(o.spec.eventSeverity, "info")
    }],
    ["Receiver", obj("notification.toolkit.fluxcd.io/v1", "Receiver", {
      type: "generic", resources: [{ kind: "GitRepository", name: "repo" }], secretRef: { name: "token" },
    }), (o) => {
      assert.equal(o.spec.interval, "10m")
      assert.deepEqual(o.status, { observedGeneration: -1 })
    }],
  ]
  for (const [name, input, check] of table) {
    const decoded = ok(decodeObject(input))
    try {
      check(decoded)
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`)
    }
  }
})

// A fixture with one change applied.
const mutated = (file: string, index: number, change: (o: any) => void): unknown => {
  const o = fixture(file)[index]
  change(o)
  return o
}

test("a spec with a wrong field type is rejected with its path", () => {
  const duration = 'Expected a duration such as "1m30s" (a number and a unit, units ms, s, m, h)'
  const table: ReadonlyArray<readonly [string, unknown, ReadonlyArray<string>]> = [
    ["number for a duration", mutated("gitrepository.yaml", 0, (o) => (o.spec.interval = 5)), ["spec.interval: Expected string, got 5"]],
    ["not a Go duration", mutated("gitrepository.yaml", 0, (o) => (o.spec.interval = "1d")), [`spec.interval: ${duration}, got "1d"`]],
    ["hours in a short timeout", mutated("gitrepository.yaml", 0, (o) => (o.spec.timeout = "1h")), [
      'spec.timeout: Expected a duration such as "1m30s" (a number and a unit, units ms, s, m), got "1h"',
    ]],
    ["bad URL scheme", mutated("gitrepository.yaml", 0, (o) => (o.spec.url = "ftp://example.com/repo")), [
      'spec.url: Expected a Git URL such as "https://github.com/org/repo", "ssh://git@host/org/repo", "git@host:org/repo", "git://host/repo" or "file:///srv/repo", got "ftp://example.com/repo"',
    ]],
    ["string for a bool", mutated("gitrepository.yaml", 0, (o) => (o.spec.suspend = "yes")), ['spec.suspend: Expected boolean, got "yes"']],
    ["deep path in a list", mutated("gitrepository.yaml", 0, (o) => (o.spec.include[0].repository.name = 7)), [
      "spec.include[0].repository.name: Expected string, got 7",
    ]],
    ["missing required field", mutated("kustomization.yaml", 0, (o) => delete o.spec.prune), ["spec.prune: Required field is missing"]],
    ["value outside an enum", mutated("kustomization.yaml", 0, (o) => (o.spec.sourceRef.kind = "HelmRepository")), [
      'spec.sourceRef.kind: Expected "OCIRepository" | "GitRepository" | "Bucket" | "ExternalArtifact", got "HelmRepository"',
    ]],
    ["string map value", mutated("kustomization.yaml", 0, (o) => (o.spec.postBuild.substitute.replicas = 3)), [
      "spec.postBuild.substitute.replicas: Expected string, got 3",
    ]],
    ["fraction for an int", mutated("helmrelease.yaml", 0, (o) => (o.spec.maxHistory = 1.5)), ["spec.maxHistory: Expected an integer, got 1.5"]],
    ["list for Helm values", mutated("helmrelease.yaml", 0, (o) => (o.spec.values = [1])), ["spec.values: Expected object, got [1]"]],
    ["chart and chartRef", mutated("helmrelease.yaml", 1, (o) => (o.spec.chart = { spec: { chart: "c", sourceRef: { kind: "HelmRepository", name: "r" } } })), [
      "spec.chart: either chart or chartRef must be set, not both",
    ]],
    ["too many exclusions", mutated("imagerepository.yaml", 0, (o) => (o.spec.exclusionList = Array.from({ length: 26 }, (_, i) => `t${i}`))), [
      "spec.exclusionList: Expected a value with a length of at most 25, got an array of 26 items",
    ]],
    ["interval without digest reflection", mutated("imagepolicy.yaml", 1, (o) => (o.spec.digestReflectionPolicy = "Never")), [
      "spec.interval: interval is only accepted when digestReflectionPolicy is 'Always'",
    ]],
    ["number for a name", mutated("alert.yaml", 0, (o) => (o.spec.eventSources[1].name = 7)), ["spec.eventSources[1].name: Expected string, got 7"]],
    ["commit status expression on Slack", mutated("provider.yaml", 0, (o) => (o.spec.commitStatusExpr = "'x'")), [
      "spec.commitStatusExpr: commitStatusExpr is only supported for the 'github', 'gitlab', 'gitea', 'bitbucketserver', 'bitbucket', 'azuredevops' provider types",
    ]],
    ["kubeConfig secretRef with a cloud provider", mutated("kustomization.yaml", 0, (o) => (o.spec.kubeConfig.provider = "aws")), [
      "spec.kubeConfig.secretRef: secretRef is not supported for the 'aws' provider",
    ]],
    ["every problem at once", mutated("receiver.yaml", 0, (o) => {
      delete o.spec.secretRef
      o.spec.type = "svn"
      o.status.conditions[0].status = "Maybe"
    }), [
      'spec.type: Expected "generic" | "generic-hmac" | "github" | "gitlab" | "bitbucket" | "harbor" | "dockerhub" | "quay" | "gcr" | "nexus" | "acr" | "cdevents", got "svn"',
      "spec.secretRef: Required field is missing",
      'status.conditions[0].status: Expected "True" | "False" | "Unknown", got "Maybe"',
    ]],
    ["metadata", mutated("receiver.yaml", 0, (o) => {
      delete o.metadata.name
      o.metadata.labels = { "app.kubernetes.io/name": 1 }
    }), ["metadata.name: Required field is missing", 'metadata.labels["app.kubernetes.io/name"]: Expected string, got 1']],
    ["wrong apiVersion for the kind", { ...fixture("gitrepository.yaml")[0], apiVersion: "source.toolkit.fluxcd.io/v1beta2" }, [
      'not a kind moor serves: apiVersion "source.toolkit.fluxcd.io/v1beta2", kind "GitRepository"',
    ]],
    ["not an object", "GitRepository", ["not a kind moor serves: an object without a valid apiVersion and kind"]],
  ]
  for (const [name, input, expected] of table) assert.deepEqual(messagesOf(input), expected, name)
})

test("a kind's own decoder checks apiVersion and kind, and its error reads as one message", () => {
  const r = decodeGitRepository({ ...fixture("gitrepository.yaml")[0], apiVersion: "v1", kind: "ConfigMap" })
  assert.ok(Result.isFailure(r))
  assert.equal(
    r.failure.message,
    'invalid GitRepository: apiVersion: Expected "source.toolkit.fluxcd.io/v1", got "v1"; kind: Expected "GitRepository", got "ConfigMap"',
  )
  assert.equal(r.failure._tag, "DecodeError")
})

test("unknown fields are tolerated and dropped; known fields keep their types", () => {
  const input = mutated("kustomization.yaml", 0, (o) => {
    o.spec.someFutureField = { a: 1 }
    o.status.someFutureStatus = "x"
    o.metadata.managedFields = [{ manager: "kubectl" }]
  })
  const o = ok(decodeKustomization(input))
  assert.equal("someFutureField" in o.spec, false)
  assert.equal("someFutureStatus" in o.status, false)
  assert.equal("managedFields" in o.metadata, false)
  assert.equal(o.spec.interval, "10m")
  // Helm values are free-form: unknown keys inside stay.
  const hr = ok(decodeHelmRelease(mutated("helmrelease.yaml", 0, (x) => (x.spec.values.anything = { deep: [1, { b: null }] }))))
  assert.deepEqual(hr.spec.values.anything, { deep: [1, { b: null }] })
})

test("nulls are dropped as the API server prunes them, except inside Helm values", () => {
  const ks = mutated("kustomization.yaml", 0, (o) => {
    o.spec.dependsOn = null
    o.spec.timeout = null
    o.spec.postBuild.substitute = null
    o.status = null
  })
  const k = ok(decodeKustomization(ks))
  assert.equal(k.spec.dependsOn, undefined)
  assert.equal(k.spec.timeout, undefined)
  assert.equal(k.spec.postBuild.substitute, undefined)
  assert.deepEqual(k.status, { observedGeneration: -1 })
  const hr = ok(decodeHelmRelease(mutated("helmrelease.yaml", 0, (o) => (o.spec.values.ingress = null))))
  assert.equal(hr.spec.values.ingress, null, "a null Helm value removes a chart default: it stays")
  // A null where a value is required is still missing.
  assert.deepEqual(messagesOf(mutated("kustomization.yaml", 0, (o) => (o.spec.sourceRef = null))), ["spec.sourceRef: Required field is missing"])
})

test("nulls Kubernetes writes for empty timestamps are accepted", () => {
  const hr = mutated("helmrelease.yaml", 0, (o) => {
    o.metadata.creationTimestamp = null
    o.status.history[0].deleted = null
    o.status.history[0].testHooks["podinfo-grpc-test"].lastCompleted = null
  })
  ok(decodeHelmRelease(hr))
})
