// spec.healthCheckExprs end to end (git daemon, source, kustomize and apply services, API server),
// on both servers: a custom resource whose status kstatus cannot read (a `phase`, no conditions)
// is judged by the Kustomization's CEL expressions. Its operator is played by the test, which
// writes the status. An expression that does not compile stalls its Kustomization before
// anything is applied.
import { test, type TestContext } from "node:test"
import assert from "node:assert/strict"
import type { KubeObject } from "@moor/kube"
import { kubeRealBinaries, startGitDaemon, waitFor } from "@moor/testing"
import { makeRepo, tempDir } from "../harness.ts"
import { gitRepository, kustomization, startServices } from "./services.ts"

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: databases.example.moor.dev
spec:
  group: example.moor.dev
  scope: Namespaced
  names: {plural: databases, singular: database, kind: Database, listKind: DatabaseList}
  versions:
    - name: v1
      served: true
      storage: true
      subresources: {status: {}}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
            status:
              type: object
              properties:
                phase: {type: string}
                replicas: {type: integer}
`
const database = `apiVersion: example.moor.dev/v1\nkind: Database\nmetadata:\n  name: orders\n  namespace: default\nspec:\n  size: 2\n`
const configMap = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: never-applied\n  namespace: default\ndata:\n  key: value\n`

type Condition = { type: string; status: string; reason: string; message: string }
const cond = (o: KubeObject | undefined, type: string) => (o?.status?.conditions as Condition[] | undefined)?.find((x) => x.type === type)

const scenario = async (t: TestContext, cluster: "embedded" | "real") => {
  const c = await startServices(t, { cluster })
  const root = tempDir(t)
  makeRepo(root, "fleet", { "db/crd.yaml": crd, "db/db.yaml": database, "other/cm.yaml": configMap })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  const exprs = [
    {
      apiVersion: "example.moor.dev/v1",
      kind: "Database",
      current: "status.phase == 'Running' && status.replicas == spec.size",
      inProgress: "status.phase == 'Provisioning'",
      failed: "status.phase == 'Failed'",
    },
  ]
  await c.kube.apply(kustomization("db", { path: "./db", wait: true, timeout: "60s", retryInterval: "1s", healthCheckExprs: exprs }), { fieldManager: "test" })
  await c.kube.apply(kustomization("bad", { path: "./other", wait: true, healthCheckExprs: [{ ...exprs[0], current: "status.phase ==" }] }), { fieldManager: "test" })
  await c.kube.apply(gitRepository(daemon.url("fleet.git")), { fieldManager: "test" })
  const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  const ks = (name: string) => c.kube.find(kss, "default", name)

  // Applied, then waiting on the expressions: without them the Database (no conditions) would count
  // as healthy as soon as it exists.
  const dbs = await waitFor("the Database CRD", async () => c.kube.resource("example.moor.dev/v1", "Database").catch(() => undefined), 60_000, 100)
  await waitFor("the Database applied", async () => c.kube.find(dbs, "default", "orders"), 60_000, 100)
  await new Promise((r) => setTimeout(r, 1_500))
  const pending = await ks("db")
  assert.equal(cond(pending, "Ready")?.status, "Unknown", `Ready while the Database has no status: ${JSON.stringify(cond(pending, "Ready"))}`)
  assert.equal(cond(pending, "Reconciling")?.status, "True")

  // The operator reports a failure: the failed expression ends the wait at once.
  await c.kube.patchStatus(dbs, "default", "orders", { phase: "Failed" })
  const failed = await waitFor("HealthCheckFailed", async () => {
    const r = cond(await ks("db"), "Ready")
    return r?.status === "False" && r.reason === "HealthCheckFailed" ? r : undefined
  }, 30_000, 100)
  assert.match(failed.message, /Database\/default\/orders: Failed: healthCheckExprs: failed expression is true/)
  await waitFor("a HealthCheckFailed event", () => c.events.some((e) => e.involvedObject.name === "db" && e.reason === "HealthCheckFailed"), 10_000, 50)

  // Running with all replicas: current holds, the retry (retryInterval 1s) finds it healthy.
  await c.kube.patchStatus(dbs, "default", "orders", { phase: "Running", replicas: 2 })
  const done = await waitFor("db Ready", async () => {
    const k = await ks("db")
    return cond(k, "Ready")?.status === "True" ? k : undefined
  }, 30_000, 100)
  assert.equal(cond(done, "Healthy")?.status, "True")
  assert.equal(cond(done, "Reconciling"), undefined)

  // An expression that does not compile: stalled, with Flux's reason, and nothing applied.
  const bad = await waitFor("bad stalled", async () => {
    const k = await ks("bad")
    return cond(k, "Stalled")?.status === "True" ? k : undefined
  }, 30_000, 100)
  assert.equal(cond(bad, "Stalled")?.reason, "InvalidCELExpression")
  assert.equal(cond(bad, "Ready")?.status, "False")
  assert.equal(cond(bad, "Ready")?.reason, "InvalidCELExpression")
  assert.match(cond(bad, "Ready")!.message, /healthCheckExprs example\.moor\.dev\/v1 Database: current expression 'status\.phase ==' does not parse/)
  assert.equal(cond(bad, "Reconciling"), undefined)
  assert.equal(await c.kube.find(await c.kube.resource("v1", "ConfigMap"), "default", "never-applied"), undefined, "nothing applied")
  assert.ok(c.events.some((e) => e.involvedObject.name === "bad" && e.reason === "InvalidCELExpression" && e.severity === "error"), "an error event")
}

test("healthCheckExprs on the embedded API server", { timeout: 120_000 }, (t) => scenario(t, "embedded"))

test("healthCheckExprs on the real kube-apiserver 1.20", { skip: kubeRealBinaries() ? false : "kube-real is not built (../shared/tools/kube-real/build.sh)", timeout: 180_000 }, (t) => scenario(t, "real"))
