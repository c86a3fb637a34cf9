// Kustomization acceptance, end to end: a real git server, the source and kustomize services on
// a real nats-server, and one scenario run on moor's embedded API server (simulated workloads) and
// on the real kube-apiserver 1.20 with its controller-manager (skipped only when kube-real is not
// built; CI builds it). moor must behave the same on both.
import { test, type TestContext } from "node:test"
import assert from "node:assert/strict"
import { execFile } from "node:child_process"
import type { KubeObject } from "@moor/kube"
import { kubeRealBinaries, startGitDaemon, waitFor } from "@moor/testing"
import { makeRepo, tempDir } from "../harness.ts"
import { gitRepository, kustomization, startServices } from "./services.ts"

const configMap = (name: string, ns = "apps", value = "value") => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  key: ${value}\n`
// protocol is set: 1.20's server-side apply refuses a ports entry without it (see kube-real's README).
const deployment = (image: string, replicas: string | number = 1, progressDeadlineSeconds?: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  replicas: ${replicas}
${progressDeadlineSeconds ? `  progressDeadlineSeconds: ${progressDeadlineSeconds}\n` : ""}  selector:
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
const service = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: apps
spec:
  selector: {app: web}
  ports:
    - name: http
      port: 80
      targetPort: 80
      protocol: TCP
`
const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.moor.dev
spec:
  group: example.moor.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
`
const widget = `apiVersion: example.moor.dev/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: apps\nspec:\n  size: 3\n`
const ns = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n`

type Condition = { type: string; status: string; reason: string; message: string; lastTransitionTime: string }
const ready = (o: KubeObject) => (o.status?.conditions as Condition[] | undefined)?.find((x) => x.type === "Ready")
const reconciling = (o: KubeObject) => (o.status?.conditions as Condition[] | undefined)?.find((x) => x.type === "Reconciling")

const scenario = async (t: TestContext, cluster: "embedded" | "real") => {
  const c = await startServices(t, { cluster })
  const events = c.events
  const embedded = cluster === "embedded"

  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", {
    "apps/ns.yaml": ns,
    "apps/crd.yaml": crd,
    "apps/widget.yaml": widget,
    "apps/cm.yaml": configMap("settings"),
    "apps/cm2.yaml": configMap("extra"),
    "apps/deploy.yaml": deployment("nginx:1.27"),
    "apps/svc.yaml": service,
    "chain/infra/cm.yaml": configMap("infra", "default"),
    "chain/config/cm.yaml": configMap("config", "default"),
    "chain/front/cm.yaml": configMap("front", "default"),
  })
  const push = (files: Record<string, string>, remove: string[] = []) => {
    for (const f of remove) repo.git("rm", "-q", f)
    return Object.keys(files).length ? repo.commit(files) : (repo.git("commit", "-q", "-m", "remove"), repo.git("push", "-q", repo.bare, "HEAD:refs/heads/master"), repo.head())
  }
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  // The dependsOn chain is created last-first, all at once, before the source has an artifact.
  await c.kube.apply(kustomization("front", { path: "./chain/front", dependsOn: [{ name: "config" }] }), { fieldManager: "test" })
  await c.kube.apply(kustomization("config", { path: "./chain/config", dependsOn: [{ name: "infra" }] }), { fieldManager: "test" })
  await c.kube.apply(kustomization("infra", { path: "./chain/infra" }), { fieldManager: "test" })
  await c.kube.apply(kustomization("apps", { path: "./apps", wait: true, timeout: "60s" }), { fieldManager: "test" })
  await c.kube.apply(gitRepository(daemon.url("fleet.git")), { fieldManager: "test" })

  const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  const cms = await c.kube.resource("v1", "ConfigMap")
  const deps = await c.kube.resource("apps/v1", "Deployment")
  const until = (what: string, pred: (o: KubeObject) => boolean, ms = 60_000) =>
    waitFor(what, async () => {
      const o = await c.kube.get(kss, "default", "apps")
      return pred(o) ? o : undefined
    }, ms, 100)

  // Ready at the revision: every object in the cluster, the Deployment Available, inventory in Flux's format.
  let o = await until("Ready", (o) => ready(o)?.status === "True" && o.status?.lastAppliedRevision === `master@sha1:${repo.first}`)
  assert.equal(ready(o)?.reason, "ReconciliationSucceeded")
  assert.equal(reconciling(o), undefined, "Reconciling is removed when a run succeeds")
  assert.equal((await c.kube.get(deps, "apps", "web")).status?.availableReplicas, 1)
  assert.ok((await c.kube.find(cms, "apps", "settings")) && (await c.kube.find(cms, "apps", "extra")))
  assert.ok(await c.kube.find(await c.kube.resource("v1", "Service"), "apps", "web"))
  const ids = (o.status.inventory.entries as { id: string }[]).map((e) => e.id).sort()
  assert.deepEqual(ids, [
    "_apps__Namespace",
    "_widgets.example.moor.dev_apiextensions.k8s.io_CustomResourceDefinition",
    "apps_extra__ConfigMap",
    "apps_settings__ConfigMap",
    "apps_w1_example.moor.dev_Widget",
    "apps_web__Service",
    "apps_web_apps_Deployment",
  ])
  // The CRD went in the first stage and was Established before its custom resource was created
  // (the Widget's apply would have failed with "no resource for kind" otherwise).
  const crdObj = await c.kube.get(await c.kube.resource("apiextensions.k8s.io/v1", "CustomResourceDefinition"), undefined, "widgets.example.moor.dev")
  const established = (crdObj.status?.conditions as Condition[]).find((x) => x.type === "Established")
  assert.equal(established?.status, "True")
  const w = await c.kube.get(await c.kube.resource("example.moor.dev/v1", "Widget"), "apps", "w1")
  assert.equal(w.spec.size, 3)
  assert.ok(Date.parse(String(w.metadata.creationTimestamp)) >= Date.parse(established!.lastTransitionTime), "the Widget was created after its CRD was Established")

  // dependsOn: the chain came up in order, each step woken by the one before (not a 30 s requeue).
  const readyAt = (name: string) => events.find((e) => e.involvedObject.name === name && e.reason === "ReconciliationSucceeded")
  await waitFor("the dependsOn chain to be Ready", () => readyAt("infra") && readyAt("config") && readyAt("front"), 30_000)
  const [a, b, f] = ["infra", "config", "front"].map((n) => Date.parse(readyAt(n)!.timestamp))
  assert.ok(a! < b! && b! < f!, `order: infra ${a}, config ${b}, front ${f}`)
  t.diagnostic(`${cluster}: infra → config ${b! - a!} ms, config → front ${f! - b!} ms`)
  if (embedded) assert.ok(b! - a! < 1_000 && f! - b! < 1_000, `gaps ${b! - a!} ms and ${f! - b!} ms`)
  assert.match(events.find((e) => e.involvedObject.name === "front" && e.reason === "DependencyNotReady")?.message ?? "", /dependency 'default\/config' is not ready/)
  for (const n of ["infra", "config", "front"]) assert.equal(ready(await c.kube.get(kss, "default", n))?.status, "True")

  // Drift: kubectl scale and kubectl patch of managed fields are reverted within 2 s, with an event.
  // kubectl is a second client, run asynchronously: the embedded server runs in this process.
  const kubectl = (...args: string[]) =>
    new Promise<void>((resolve, reject) =>
      execFile("kubectl", ["--kubeconfig", c.kubeconfig, ...args], (e, _out, err) => (e ? reject(new Error(`kubectl ${args.join(" ")}: ${err}`)) : resolve())),
    )
  const replicas = async () => (await c.kube.get(deps, "apps", "web")).spec.replicas as number
  const setting = async () => ((await c.kube.get(cms, "apps", "settings")).data as Record<string, string> | undefined)?.key
  for (const [what, act, check] of [
    ["kubectl scale", () => kubectl("-n", "apps", "scale", "deployment/web", "--replicas=3"), async () => (await replicas()) === 1],
    ["kubectl patch", () => kubectl("-n", "apps", "patch", "configmap/settings", "--type=merge", "-p", '{"data":{"key":"hand-edited"}}'), async () => (await setting()) === "value"],
  ] as const) {
    await act()
    const at = Date.now()
    await waitFor(`${what} reverted`, check, 10_000, 20)
    const took = Date.now() - at
    t.diagnostic(`${cluster}: ${what} reverted in ${took} ms`)
    if (embedded) assert.ok(took < 2_000, `${what} reverted in ${took} ms, not within 2 s`)
  }
  await waitFor("DriftCorrected events", () => events.filter((e) => e.reason === "DriftCorrected").length >= 2)
  const dc = events.find((e) => e.reason === "DriftCorrected" && /Deployment\/apps\/web/.test(e.message))!
  assert.match(dc.message, /spec\.replicas/)
  assert.equal(dc.involvedObject.name, "apps")
  assert.match(events.find((e) => e.reason === "DriftCorrected" && /ConfigMap\/apps\/settings/.test(e.message))?.message ?? "", /data\.key/)

  // Suspended: drift stays; resumed: it is reverted again.
  await c.kube.patch(kss, "default", "apps", "merge", { spec: { suspend: true } })
  await waitFor("suspend seen", async () => (await c.kube.get(kss, "default", "apps")).spec.suspend === true)
  await new Promise((r) => setTimeout(r, 300))
  await kubectl("-n", "apps", "scale", "deployment/web", "--replicas=4")
  await new Promise((r) => setTimeout(r, 2_000))
  assert.equal(await replicas(), 4, "a suspended Kustomization leaves drift alone")
  await c.kube.patch(kss, "default", "apps", "merge", { spec: { suspend: null } })
  await waitFor("drift reverted after resume", async () => (await replicas()) === 1, 10_000)

  // A commit that removes a ConfigMap prunes it (the GitRepository's event runs the Kustomization).
  const second = push({}, ["apps/cm2.yaml"])
  o = await until("pruned", (o) => o.status?.lastAppliedRevision === `master@sha1:${second}` && ready(o)?.status === "True")
  assert.equal(await c.kube.find(cms, "apps", "extra"), undefined)
  assert.ok(await c.kube.find(cms, "apps", "settings"))

  // Bad revisions change nothing (their ConfigMap change included) and say why.
  const before = (await c.kube.get(cms, "apps", "settings")).metadata.resourceVersion
  const untouched = async () => {
    const cm = await c.kube.get(cms, "apps", "settings")
    assert.equal((cm.data as Record<string, string>).key, "value", "nothing applied from the bad revision")
    assert.equal(cm.metadata.resourceVersion, before)
  }
  // Invalid YAML: the build fails, naming the file.
  const third = push({ "apps/cm.yaml": configMap("settings", "apps", "changed"), "apps/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n" })
  o = await until("invalid YAML reported", (o) => o.status?.lastAttemptedRevision === `master@sha1:${third}` && ready(o)?.status === "False")
  assert.equal(ready(o)!.reason, "BuildFailed")
  assert.match(ready(o)!.message, /broken\.yaml/)
  assert.equal(o.status.lastAppliedRevision, `master@sha1:${second}`)
  await untouched()
  // An invalid object (a string where the schema wants an integer): the dry-run of the whole set fails.
  const fourth = push({ "apps/deploy.yaml": deployment("nginx:1.27", '"two"') }, ["apps/broken.yaml"])
  o = await until("invalid object reported", (o) => o.status?.lastAttemptedRevision === `master@sha1:${fourth}` && ready(o)?.status === "False")
  assert.equal(ready(o)!.reason, "ReconciliationFailed")
  assert.match(ready(o)!.message, /Deployment\/apps\/web.*replicas/s)
  // A failed run is retried: Reconciling stays, reason ProgressingWithRetry (Flux's kstatus view).
  assert.deepEqual([reconciling(o)?.status, reconciling(o)?.reason], ["True", "ProgressingWithRetry"])
  assert.match(reconciling(o)!.message, new RegExp(`revision master@sha1:${fourth}`))
  // Its error event names the revision in its metadata, as Flux's do (notifications key commit statuses on it).
  const failure = await waitFor("the failure event", () => events.find((e) => e.involvedObject.name === "apps" && e.reason === "ReconciliationFailed" && e.metadata?.revision === `master@sha1:${fourth}`))
  assert.equal(failure.severity, "error")
  assert.equal(o.status.lastAppliedRevision, `master@sha1:${second}`)
  await untouched()

  // An image tagged `fail` never becomes ready (no simulated kubelet starts it): the rollout passes
  // its progress deadline, and with wait: true the Kustomization ends in HealthCheckFailed naming it.
  const fifth = push({ "apps/cm.yaml": configMap("settings"), "apps/deploy.yaml": deployment("nginx:fail", 1, 3) })
  // While the run waits for health: Reconciling=True (Progressing, naming the revision), Ready=Unknown.
  o = await until("run in progress", (o) => reconciling(o)?.reason === "Progressing" && reconciling(o)!.message.includes(fifth))
  assert.deepEqual([ready(o)?.status, ready(o)?.reason, reconciling(o)?.status], ["Unknown", "Progressing", "True"])
  o = await until("health check failure", (o) => o.status?.lastAttemptedRevision === `master@sha1:${fifth}` && ready(o)?.reason === "HealthCheckFailed")
  assert.match(ready(o)!.message, /Deployment\/apps\/web/)
  assert.equal(ready(o)!.status, "False")
  await waitFor("the HealthCheckFailed event", () => events.find((e) => e.involvedObject.name === "apps" && e.reason === "HealthCheckFailed" && e.metadata?.revision === `master@sha1:${fifth}`))
}

test("Kustomization acceptance on the embedded API server", { timeout: 180_000 }, (t) => scenario(t, "embedded"))

test("Kustomization acceptance on the real kube-apiserver 1.20", { skip: kubeRealBinaries() ? false : "kube-real is not built (../shared/tools/kube-real/build.sh)", timeout: 240_000 }, (t) => scenario(t, "real"))
