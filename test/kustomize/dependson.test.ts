// dependsOn: a three-step chain comes up in order, each step starting as soon
// as the one before is Ready (event-driven, not a 30 s requeue).
import { test } from "node:test"
import assert from "node:assert/strict"
import type { KubeObject } from "@moor/kube"
import { startGitDaemon, waitFor } from "@moor/testing"
import { makeRepo, tempDir } from "../harness.ts"
import { startServices } from "./services.ts"

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  k: v\n`

test("a three-step dependsOn chain comes up in order, each within 1 s of the one before", { timeout: 120_000 }, async (t) => {
  const c = await startServices(t)
  const events = c.events

  const root = tempDir(t)
  makeRepo(root, "fleet", { "infra/a.yaml": cm("infra"), "config/b.yaml": cm("config"), "apps/c.yaml": cm("apps") })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  const ksOf = (name: string, path: string, dependsOn: string[]): KubeObject => ({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace: "default" },
    spec: { interval: "10m", path, prune: true, sourceRef: { kind: "GitRepository", name: "fleet" }, ...(dependsOn.length ? { dependsOn: dependsOn.map((n) => ({ name: n })) } : {}) },
  })
  // Created last-first, all at once, before the source has an artifact.
  await c.kube.apply(ksOf("apps", "./apps", ["config"]), { fieldManager: "test" })
  await c.kube.apply(ksOf("config", "./config", ["infra"]), { fieldManager: "test" })
  await c.kube.apply(ksOf("infra", "./infra", []), { fieldManager: "test" })
  await c.kube.apply({ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "fleet", namespace: "default" }, spec: { url: daemon.url("fleet.git"), interval: "1m" } }, { fieldManager: "test" })

  const readyAt = (name: string) => events.find((e) => e.involvedObject.name === name && e.reason === "ReconciliationSucceeded")
  await waitFor("the chain to be Ready", () => readyAt("infra") && readyAt("config") && readyAt("apps"), 20_000)
  const [a, b, cc] = ["infra", "config", "apps"].map((n) => Date.parse(readyAt(n)!.timestamp))
  assert.ok(a! < b! && b! < cc!, `order: infra ${a}, config ${b}, apps ${cc}`)
  assert.ok(b! - a! < 1_000 && cc! - b! < 1_000, `gaps ${b! - a!} ms and ${cc! - b!} ms`)
  t.diagnostic(`infra → config ${b! - a!} ms, config → apps ${cc! - b!} ms`)
  const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  const waiting = events.find((e) => e.involvedObject.name === "apps" && e.reason === "DependencyNotReady")
  assert.match(waiting?.message ?? "", /dependency 'default\/config' is not ready/)
  for (const n of ["infra", "config", "apps"]) {
    const o = await c.kube.get(kss, "default", n)
    assert.equal((o.status.conditions as { type: string; status: string }[]).find((x) => x.type === "Ready")?.status, "True")
  }
})
