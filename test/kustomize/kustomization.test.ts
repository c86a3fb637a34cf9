// Kustomization end to end (first increment): a real git server, the source
// and kustomize services, moor's embedded API server with simulated workloads.
import { test } from "node:test"
import assert from "node:assert/strict"
import { ActorHost, NatsTransport, ensureJetStream, silentLog } from "@moor/actors"
import type { KubeObject } from "@moor/kube"
import { kustomizeService } from "@moor/kustomize-service"
import { sourceService } from "@moor/source"
import { startGitDaemon, waitFor } from "@moor/testing"
import { makeRepo, startCluster, tempDir } from "../harness.ts"

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
  const c = await startCluster(t)
  const { leases } = await ensureJetStream(c.nc)
  const transport = new NatsTransport(c.nc)
  const src = await sourceService({ kube: c.kube, nc: c.nc, cacheRoot: tempDir(t), log: silentLog })
  const ks = await kustomizeService({ kube: c.kube, nc: c.nc })
  const hosts = [
    new ActorHost({ service: "source", transport, leases, catalog: src.catalog, behaviors: src.behaviors }),
    new ActorHost({ service: "kustomize", transport, leases, catalog: ks.catalog, behaviors: ks.behaviors }),
  ]
  for (const h of hosts) await h.start()
  t.after(() => Promise.all(hosts.map((h) => h.stop())))

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
