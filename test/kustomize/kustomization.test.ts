// Kustomization end to end (first increment): a real git server, the source
// and kustomize services, moor's embedded API server with simulated workloads.
import { test } from "node:test"
import assert from "node:assert/strict"
import { execFile } from "node:child_process"
import type { KubeObject } from "@moor/kube"
import { startGitDaemon, waitFor } from "@moor/testing"
import { makeRepo, tempDir } from "../harness.ts"
import { startServices } from "./services.ts"

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: apps\ndata:\n  key: value\n`
const deployment = (image: string, replicas: string | number = 1) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ${image}
          ports:
            - containerPort: 80
              protocol: TCP
`
const ns = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n`

test("a Kustomization applies its source's manifests, prunes what leaves, refuses a bad revision whole, and waits for health", { timeout: 180_000 }, async (t) => {
  const c = await startServices(t)
  const events = c.events

  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", { "apps/ns.yaml": ns, "apps/cm.yaml": configMap("settings"), "apps/cm2.yaml": configMap("extra"), "apps/deploy.yaml": deployment("nginx:1.27") })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  await c.kube.apply({ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "fleet", namespace: "default" }, spec: { url: daemon.url("fleet.git"), interval: "1s" } }, { fieldManager: "test" })
  const ksObj: KubeObject = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "apps", namespace: "default" },
    spec: { interval: "10m", path: "./apps", prune: true, wait: true, timeout: "30s", sourceRef: { kind: "GitRepository", name: "fleet" } },
  }
  await c.kube.apply(ksObj, { fieldManager: "test" })
  const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  const cms = await c.kube.resource("v1", "ConfigMap")
  const deps = await c.kube.resource("apps/v1", "Deployment")
  const ready = (o: KubeObject) => (o.status?.conditions as { type: string; status: string; reason: string; message: string }[] | undefined)?.find((x) => x.type === "Ready")
  const until = (what: string, pred: (o: KubeObject) => boolean, ms = 30_000) =>
    waitFor(what, async () => {
      const o = await c.kube.get(kss, "default", "apps")
      return pred(o) ? o : undefined
    }, ms, 100)

  // Ready with the revision, objects in the cluster, inventory in Flux's format.
  let o = await until("Ready", (o) => ready(o)?.status === "True" && o.status?.lastAppliedRevision === `master@sha1:${repo.first}`)
  assert.equal(ready(o)?.reason, "ReconciliationSucceeded")
  assert.ok((await c.kube.find(cms, "apps", "settings")) && (await c.kube.find(cms, "apps", "extra")))
  assert.equal((await c.kube.get(deps, "apps", "web")).status?.availableReplicas, 1)
  const ids = (o.status.inventory.entries as { id: string; v: string }[]).map((e) => e.id).sort()
  assert.deepEqual(ids, ["_apps__Namespace", "apps_extra__ConfigMap", "apps_settings__ConfigMap", "apps_web_apps_Deployment"])

  // Drift: kubectl scale and kubectl patch of managed fields are reverted within 2 s, with an event.
  // Asynchronous: the API server runs in this process and must keep serving kubectl.
  const kubectl = (...args: string[]) =>
    new Promise<void>((resolve, reject) =>
      execFile("kubectl", ["--kubeconfig", c.kubeconfig, ...args], (e, _out, err) => (e ? reject(new Error(`kubectl ${args.join(" ")}: ${err}`)) : resolve())),
    )
  for (const [what, act, check] of [
    ["kubectl scale", () => kubectl("-n", "apps", "scale", "deployment/web", "--replicas=3"), async () => (await c.kube.get(deps, "apps", "web")).spec.replicas === 1],
    ["kubectl patch", () => kubectl("-n", "apps", "patch", "configmap/settings", "--type=merge", "-p", '{"data":{"key":"hand-edited"}}'), async () => ((await c.kube.get(cms, "apps", "settings")).data as Record<string, string> | undefined)?.key === "value"],
  ] as const) {
    await act()
    const at = Date.now()
    await waitFor(`${what} reverted`, check, 2_000, 20)
    t.diagnostic(`${what} reverted in ${Date.now() - at} ms`)
  }
  await waitFor("DriftCorrected events", () => events.filter((e) => e.reason === "DriftCorrected").length >= 2)
  const dc = events.find((e) => e.reason === "DriftCorrected" && /Deployment\/apps\/web/.test(e.message))!
  assert.match(dc.message, /spec\.replicas/)
  assert.equal(dc.involvedObject.name, "apps")
  // Suspended: drift stays; resumed: it is reverted again.
  await c.kube.patch(kss, "default", "apps", "merge", { spec: { suspend: true } })
  await waitFor("suspend seen", async () => (await c.kube.get(kss, "default", "apps")).spec.suspend === true)
  await new Promise((r) => setTimeout(r, 300))
  await kubectl("-n", "apps", "scale", "deployment/web", "--replicas=4")
  await new Promise((r) => setTimeout(r, 2_000))
  assert.equal((await c.kube.get(deps, "apps", "web")).spec.replicas, 4, "a suspended Kustomization leaves drift alone")
  await c.kube.patch(kss, "default", "apps", "merge", { spec: { suspend: null } })
  await waitFor("drift reverted after resume", async () => (await c.kube.get(deps, "apps", "web")).spec.replicas === 1, 10_000)

  // A commit that removes a ConfigMap prunes it (the GitRepository's event runs the Kustomization).
  repo.git("rm", "-q", "apps/cm2.yaml")
  repo.git("commit", "-q", "-m", "drop extra")
  repo.git("push", "-q", repo.bare, "HEAD:refs/heads/master")
  const second = repo.head()
  o = await until("pruned", (o) => o.status?.lastAppliedRevision === `master@sha1:${second}`)
  assert.equal(await c.kube.find(cms, "apps", "extra"), undefined)
  assert.ok(await c.kube.find(cms, "apps", "settings"))

  // A revision with an invalid object changes nothing, and says why.
  const before = (await c.kube.get(cms, "apps", "settings")).metadata.resourceVersion
  const third = repo.commit({ "apps/cm.yaml": configMap("settings").replace("value", "changed"), "apps/deploy.yaml": deployment("nginx:1.27", '"two"') })
  o = await until("failed revision", (o) => o.status?.lastAttemptedRevision === `master@sha1:${third}` && ready(o)?.status === "False")
  assert.match(ready(o)!.message, /Deployment\/apps\/web.*replicas/s)
  assert.equal(o.status.lastAppliedRevision, `master@sha1:${second}`)
  assert.equal((await c.kube.get(cms, "apps", "settings")).metadata.resourceVersion, before, "nothing applied from the bad revision")

  // An image tagged `fail` never becomes ready: HealthCheckFailed names the object.
  const fourth = repo.commit({ "apps/deploy.yaml": deployment("nginx:fail") })
  o = await until("health check failure", (o) => o.status?.lastAttemptedRevision === `master@sha1:${fourth}` && ready(o)?.reason === "HealthCheckFailed", 60_000)
  assert.match(ready(o)!.message, /Deployment\/apps\/web/)
})
