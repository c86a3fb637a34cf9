// postBuild substitution from ConfigMaps and Secrets (optional or not), and
// healthChecks on objects the Kustomization does not apply itself.
import { test } from "node:test"
import assert from "node:assert/strict"
import type { KubeObject } from "@moor/kube"
import { startGitDaemon, waitFor } from "@moor/testing"
import { makeRepo, tempDir } from "../harness.ts"
import { gitRepository, kustomization, startServices } from "./services.ts"

const b64 = (s: string) => Buffer.from(s).toString("base64")

test("substituteFrom ConfigMaps and Secrets with optional, substitute on top, disabled per object; healthChecks", { timeout: 120_000 }, async (t) => {
  const c = await startServices(t)
  const root = tempDir(t)
  makeRepo(root, "fleet", {
    "apps/cm.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  region: \${region}\n  tier: \${tier:=bronze}\n  token: \${token}\n  cluster: \${cluster}\n`,
    "apps/raw.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\n  namespace: default\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  literal: \${region}\n`,
  })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  await c.kube.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "vars", namespace: "default" }, data: { region: "eu-west", cluster: "from-configmap" } }, { fieldManager: "test" })
  await c.kube.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: "secret-vars", namespace: "default" }, data: { token: b64("s3cr3t-token") } }, { fieldManager: "test" })
  await c.kube.apply(gitRepository(daemon.url("fleet.git"), "1m"), { fieldManager: "test" })
  const ks = (substituteFrom: unknown[], healthChecks?: unknown[]): KubeObject =>
    kustomization("apps", { path: "./apps", timeout: "5s", postBuild: { substitute: { cluster: "inline-wins" }, substituteFrom }, ...(healthChecks ? { healthChecks } : {}) })
  const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  const cms = await c.kube.resource("v1", "ConfigMap")
  const ready = async () => ((await c.kube.get(kss, "default", "apps")).status?.conditions as { type: string; status: string; reason: string; message: string }[] | undefined)?.find((x) => x.type === "Ready")

  // A missing, non-optional source of variables: Ready=False, nothing applied.
  await c.kube.apply(ks([{ kind: "ConfigMap", name: "vars" }, { kind: "Secret", name: "secret-vars" }, { kind: "ConfigMap", name: "absent" }]), { fieldManager: "test", force: true })
  // (ArtifactFailed may come first, until the source has its artifact.)
  const r1 = await waitFor("missing vars reported", async () => ((await ready())?.reason === "BuildFailed" ? ready() : undefined))
  assert.equal(r1!.status, "False")
  assert.match(r1!.message, /ConfigMap\/absent/)
  assert.equal(await c.kube.find(cms, "default", "settings"), undefined)

  // The same source marked optional: applied with every variable in place.
  await c.kube.apply(ks([{ kind: "ConfigMap", name: "vars" }, { kind: "Secret", name: "secret-vars" }, { kind: "ConfigMap", name: "absent", optional: true }]), { fieldManager: "test", force: true })
  await waitFor("Ready", async () => (await ready())?.status === "True")
  const settings = await c.kube.get(cms, "default", "settings")
  assert.deepEqual(settings.data, { region: "eu-west", tier: "bronze", token: "s3cr3t-token", cluster: "inline-wins" })
  assert.deepEqual((await c.kube.get(cms, "default", "raw")).data, { literal: "${region}" })
  const status = JSON.stringify(await c.kube.get(kss, "default", "apps"))
  assert.ok(!status.includes("s3cr3t-token"), "no substituted secret value in the Kustomization's status")
  assert.ok(!JSON.stringify(c.events).includes("s3cr3t-token"), "nor in its events")

  // healthChecks: a Deployment this Kustomization does not apply, never ready → HealthCheckFailed naming it.
  await c.kube.apply({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "broken", namespace: "default" },
    spec: { progressDeadlineSeconds: 2, selector: { matchLabels: { app: "b" } }, template: { metadata: { labels: { app: "b" } }, spec: { containers: [{ name: "b", image: "busybox:fail" }] } } },
  }, { fieldManager: "test" })
  await c.kube.apply(ks([{ kind: "ConfigMap", name: "vars" }, { kind: "Secret", name: "secret-vars" }], [{ apiVersion: "apps/v1", kind: "Deployment", name: "broken" }]), { fieldManager: "test", force: true })
  const r2 = await waitFor("health check failure", async () => ((await ready())?.reason === "HealthCheckFailed" ? ready() : undefined), 30_000)
  assert.match(r2!.message, /Deployment\/default\/broken/)
})
