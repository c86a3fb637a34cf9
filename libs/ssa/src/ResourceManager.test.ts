// The apply engine against real API servers: the embedded one always, and the real
// kube-apiserver 1.20 when built. One scenario, the same assertions on both.
import { test, type TestContext } from "node:test"
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { KubeClient, type KubeObject } from "@moor/kube"
import { startServer } from "@moor/kube-embedded"
import { kubeRealBinaries, startKubeReal, waitFor } from "@moor/testing"
import { ApplyError, diffInventory, drift, ResourceManager, summarize, type ChangeSet } from "./index.ts"

const FM = "moor-test"
const clone = <T>(o: T): T => structuredClone(o)

const crd: KubeObject = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.moor.dev" },
  spec: {
    group: "example.moor.dev",
    scope: "Namespaced",
    names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
    versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" } } } } } } }],
  },
}
const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }
const widget: KubeObject = { apiVersion: "example.moor.dev/v1", kind: "Widget", metadata: { name: "w1", namespace: "shop" }, spec: { size: 3 } }
const config: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "shop" }, data: { color: "blue" } }
const secret: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "shop" }, data: { password: btoa("hunter2") } }
const service: KubeObject = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "shop" },
  // protocol: 1.20 does not default list keys before an apply merges them (kube-real README).
  spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }] },
}
const deployment: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop" },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "app", image: "nginx:1.27", ports: [{ containerPort: 8080, protocol: "TCP" }] }] },
    },
  },
}
const baseSet = (): KubeObject[] => [deployment, service, widget, config, secret, ns, crd].map(clone)

const names = (cs: ChangeSet, action: string) => cs.entries.filter((e) => e.action === action).map((e) => `${e.ref.kind}/${e.ref.name}`).sort()
const rvs = async (kube: KubeClient, objs: KubeObject[]) =>
  Promise.all(objs.map(async (o) => (await kube.get(await kube.resource(o.apiVersion, o.kind), o.metadata.namespace, o.metadata.name)).metadata.resourceVersion))
const live = async (kube: KubeClient, o: KubeObject): Promise<any> => kube.find(await kube.resource(o.apiVersion, o.kind), o.metadata.namespace, o.metadata.name)

/** Counts PATCH requests that wrote (not dry-run): the embedded server's audit log. */
type Writes = (() => number) | undefined

const scenario = async (t: TestContext, kube: KubeClient, writesSeen: Writes) => {
  const rm = new ResourceManager(kube, { fieldManager: FM, concurrency: 8 })

  await t.test("first apply: staged, everything created, definitions first", async () => {
    const cs = await rm.apply(baseSet(), { waitTimeout: 30_000 })
    assert.deepEqual(names(cs, "created"), ["ConfigMap/settings", "CustomResourceDefinition/widgets.example.moor.dev", "Deployment/web", "Namespace/shop", "Secret/creds", "Service/web", "Widget/w1"])
    assert.deepEqual(cs.entries.slice(0, 2).map((e) => e.ref.kind), ["Namespace", "CustomResourceDefinition"])
    assert.equal(cs.writes, 7)
    assert.equal((await live(kube, widget))?.spec.size, 3)
  })

  await t.test("a no-op reconcile of the unchanged set writes nothing", async () => {
    // A controller-manager writes the Deployment's status: its generation must hold still, the rest's resourceVersion.
    const quiet = baseSet().filter((o) => o.kind !== "Deployment")
    const before = await rvs(kube, quiet)
    const gen = (await live(kube, deployment))!.metadata.generation
    const w0 = writesSeen?.()
    const cs = await rm.apply(baseSet())
    assert.equal(cs.writes, 0)
    assert.equal(summarize(cs).unchanged, 7, JSON.stringify(cs.entries.filter((e) => e.action !== "unchanged")))
    if (writesSeen) assert.equal(writesSeen() - w0!, 0, "no PATCH without dryRun reached the server")
    assert.deepEqual(await rvs(kube, quiet), before, "no object's resourceVersion moved")
    assert.equal((await live(kube, deployment))!.metadata.generation, gen)
  })

  await t.test("changed objects are configured with their field paths; the rest untouched", async () => {
    const set = baseSet()
    set.find((o) => o.kind === "ConfigMap")!.data = { color: "green" }
    set.find((o) => o.kind === "Deployment")!.spec.replicas = 3
    set.find((o) => o.kind === "Secret")!.data = { password: btoa("s3cret") }
    const preview = await rm.diff(set)
    assert.deepEqual(names(preview, "configured"), ["ConfigMap/settings", "Deployment/web", "Secret/creds"])
    assert.equal((await live(kube, config))?.data.color, "blue", "diff wrote nothing")
    const sec = preview.entries.find((e) => e.ref.kind === "Secret")!
    assert.deepEqual(sec.diff, [{ path: "data.password", before: "***", after: "***" }], "secret values are masked")
    const w0 = writesSeen?.()
    const cs = await rm.apply(set)
    assert.deepEqual(names(cs, "configured"), ["ConfigMap/settings", "Deployment/web", "Secret/creds"])
    assert.equal(cs.writes, 3)
    if (writesSeen) assert.equal(writesSeen() - w0!, 3)
    assert.deepEqual(cs.entries.find((e) => e.ref.kind === "ConfigMap")!.diff, [{ path: "data.color", before: "blue", after: "green" }])
    assert.ok(cs.entries.find((e) => e.ref.kind === "Deployment")!.diff.some((d) => d.path === "spec.replicas" && d.before === 2 && d.after === 3))
    await rm.apply(baseSet())
  })

  await t.test("an invalid object fails the whole apply, nothing written, the error names it", async () => {
    const set = baseSet()
    set.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "extra", namespace: "shop" }, data: { a: "b" } })
    set.find((o) => o.kind === "Widget")!.spec.size = "huge"
    set.find((o) => o.kind === "ConfigMap")!.data = { color: "red" }
    const w0 = writesSeen?.()
    await assert.rejects(rm.apply(set), (e: unknown) => {
      assert.ok(e instanceof ApplyError)
      assert.equal(e.phase, "dry-run")
      assert.equal(e.failures.length, 1)
      assert.equal(e.failures[0]!.ref.name, "w1")
      assert.match(e.message, /Widget\/shop\/w1: dry-run failed: .*spec\.size/)
      return true
    })
    if (writesSeen) assert.equal(writesSeen() - w0!, 0)
    assert.equal(await live(kube, { ...config, metadata: { name: "extra", namespace: "shop" } }), undefined)
    assert.equal((await live(kube, config))?.data.color, "blue")
  })

  await t.test("ssa annotations: Ignore skips, IfNotPresent creates once and then leaves it", async () => {
    const ignored = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ignored", namespace: "shop", annotations: { "kustomize.toolkit.fluxcd.io/ssa": "Ignore" } }, data: {} }
    const once = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "once", namespace: "shop", annotations: { "kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent" } }, data: { v: "1" } }
    let cs = await rm.apply([...baseSet(), ignored, once])
    assert.deepEqual(names(cs, "skipped"), ["ConfigMap/ignored"])
    assert.deepEqual(names(cs, "created"), ["ConfigMap/once"])
    assert.equal(await live(kube, ignored), undefined)
    cs = await rm.apply([...baseSet(), ignored, { ...once, data: { v: "2" } }])
    assert.deepEqual(names(cs, "skipped"), ["ConfigMap/ignored", "ConfigMap/once"])
    assert.equal((await live(kube, once))?.data.v, "1")
    await assert.rejects(rm.apply([{ ...once, metadata: { ...once.metadata, annotations: { "kustomize.toolkit.fluxcd.io/ssa": "Sometimes" } } }]), /ConfigMap\/shop\/once: .*unsupported value "Sometimes"/)
  })

  await t.test("a namespace on a cluster-scoped object is dropped, a missing one on a namespaced object is an error", async () => {
    const role: KubeObject = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "moor-test-view", namespace: "shop" }, rules: [] }
    const cs = await rm.apply([role])
    assert.deepEqual(cs.entries.map((e) => [e.ref.namespace, e.action]), [[undefined, "created"]])
    assert.ok(await live(kube, { ...role, metadata: { name: "moor-test-view" } }))
    await assert.rejects(rm.apply([{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "nowhere" }, data: {} }]), /ConfigMap\/nowhere: namespace not specified for a namespaced kind/)
  })

  await t.test("an immutable field fails without force and recreates with the force annotation", async () => {
    const moved = clone(deployment)
    moved.spec.selector = { matchLabels: { app: "web", tier: "front" } }
    moved.spec.template.metadata.labels = { app: "web", tier: "front" }
    const uid = (await live(kube, deployment))!.metadata.uid
    await assert.rejects(rm.apply([moved]), (e: unknown) => e instanceof ApplyError && e.phase === "dry-run" && /Deployment\/shop\/web: dry-run failed: .*immutable/.test(e.message))
    moved.metadata.annotations = { "kustomize.toolkit.fluxcd.io/force": "enabled" }
    const cs = await rm.apply([moved], { waitTimeout: 30_000 })
    assert.equal(cs.entries[0]!.action, "configured")
    assert.match(cs.entries[0]!.reason ?? "", /^recreated: /)
    const now = (await live(kube, deployment))!
    assert.notEqual(now.metadata.uid, uid)
    assert.deepEqual(now.spec.selector.matchLabels, { app: "web", tier: "front" })
    // options.force does the same for every object of the set.
    const back = await rm.apply([clone(deployment)], { force: true, waitTimeout: 30_000 })
    assert.match(back.entries[0]!.reason ?? "", /^recreated: /)
    assert.deepEqual((await live(kube, deployment))!.spec.selector.matchLabels, { app: "web" })
  })

  await t.test("a CRD and an invalid custom resource of it: the CRD stage is written, the rest is not", async () => {
    const gadgets = clone(crd)
    gadgets.metadata.name = "gadgets.example.moor.dev"
    gadgets.spec.names = { plural: "gadgets", singular: "gadget", kind: "Gadget", listKind: "GadgetList" }
    const gadget: KubeObject = { apiVersion: "example.moor.dev/v1", kind: "Gadget", metadata: { name: "g", namespace: "shop" }, spec: { size: "big" } }
    const other: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "other", namespace: "shop" }, data: {} }
    await assert.rejects(rm.apply([gadgets, gadget, other], { waitTimeout: 30_000 }), (e: unknown) => {
      assert.ok(e instanceof ApplyError)
      assert.equal(e.phase, "dry-run")
      assert.match(e.message, /Gadget\/shop\/g: dry-run failed: .*spec\.size/)
      assert.deepEqual(names(e.changeSet, "created"), ["CustomResourceDefinition/gadgets.example.moor.dev"])
      return true
    })
    assert.equal(await live(kube, other), undefined, "the resources stage wrote nothing")
    const preview = await rm.diff([{ ...gadget, spec: { size: 1 } }])
    assert.equal(preview.entries[0]!.action, "created", "the kind is served now, so diff dry-runs it")
  })

  await t.test("drift: a field changed by another manager is found and reverted", async () => {
    await rm.apply(baseSet().filter((o) => o.kind !== "Deployment"))
    const cm = (await kube.resource("v1", "ConfigMap"))
    await kube.patch(cm, "shop", "settings", "merge", { data: { color: "pink", extra: "x" } }, { fieldManager: "kubectl-edit" })
    const d = drift(config, await live(kube, config))
    assert.deepEqual(d, [{ path: "data.color", before: "pink", after: "blue" }], "fields added by others are not drift")
    const cs = await rm.apply([clone(config)])
    assert.equal(cs.entries[0]!.action, "configured")
    assert.deepEqual(drift(config, await live(kube, config)), [])
  })

  await t.test("Override takes back fields kubectl added; Merge leaves them", async () => {
    const cm = await kube.resource("v1", "ConfigMap")
    const merged: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "merged", namespace: "shop", annotations: { "kustomize.toolkit.fluxcd.io/ssa": "Merge" } }, data: { a: "1" } }
    await rm.apply([clone(config), clone(merged)])
    for (const name of ["settings", "merged"]) {
      await kube.patch(cm, "shop", name, "merge", { metadata: { labels: { hand: "made" } }, data: { added: "by hand" } }, { fieldManager: "kubectl-edit" })
    }
    const cs = await rm.apply([clone(config), clone(merged)])
    const settings = cs.entries.find((e) => e.ref.name === "settings")!
    assert.equal(settings.action, "configured")
    assert.deepEqual(settings.diff.map((d) => d.path), ["data.added", "metadata.labels.hand"])
    assert.equal(cs.entries.find((e) => e.ref.name === "merged")!.action, "unchanged")
    const s = await live(kube, config)
    assert.deepEqual(s.data, { color: "blue" })
    assert.equal(s.metadata.labels?.hand, undefined)
    assert.ok(!s.metadata.managedFields.some((m: { manager: string }) => m.manager === "kubectl-edit"))
    const m = await live(kube, merged)
    assert.deepEqual(m.data, { a: "1", added: "by hand" })
    assert.equal(m.metadata.labels.hand, "made")
    assert.equal((await rm.apply([clone(config), clone(merged)])).writes, 0, "and then it is quiet")
  })

  await t.test("adopting an object made by kubectl's client-side apply: its leftovers go", async () => {
    const cm = await kube.resource("v1", "ConfigMap")
    const old = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "legacy", namespace: "shop" }, data: { keep: "1", dropped: "2" } }
    await kube.create(cm, { ...old, metadata: { ...old.metadata, annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(old) } } }, { fieldManager: "kubectl-client-side-apply" })
    const cs = await rm.apply([{ ...old, data: { keep: "1" } }])
    assert.equal(cs.entries[0]!.action, "configured")
    assert.deepEqual(cs.entries[0]!.diff.map((d) => d.path), ["data.dropped", "metadata.annotations.kubectl.kubernetes.io/last-applied-configuration"])
    const now = await live(kube, old)
    assert.deepEqual(now.data, { keep: "1" })
    assert.equal(now.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"], undefined)
    assert.deepEqual(now.metadata.managedFields.map((m: { manager: string }) => m.manager), [FM])
    assert.equal((await rm.apply([{ ...old, data: { keep: "1" } }])).writes, 0)
  })

  await t.test("prune: left objects deleted in reverse order, opt-out kept, namespace last", async () => {
    const keep = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "keep", namespace: "shop", annotations: { "kustomize.toolkit.fluxcd.io/prune": "disabled" } }, data: {} }
    const all = [...baseSet(), keep]
    const old = rm.inventory(all)
    assert.ok(old.entries.some((e) => e.id === "shop_settings__ConfigMap" && e.v === "v1"))
    assert.ok(old.entries.some((e) => e.id === "_widgets.example.moor.dev_apiextensions.k8s.io_CustomResourceDefinition" && e.v === "v1"))
    await rm.apply(all)
    // Next revision: the ConfigMap and the whole namespace go; the CRD stays.
    const next = rm.inventory([crd])
    const stale = diffInventory(old, next)
    const preview = await rm.diff([crd], { inventory: old })
    assert.deepEqual(names(preview, "unchanged"), ["CustomResourceDefinition/widgets.example.moor.dev"])
    assert.ok(names(preview, "deleted").includes("ConfigMap/settings") && names(preview, "deleted").includes("Namespace/shop"))
    assert.deepEqual(names(preview, "skipped"), ["ConfigMap/keep"])
    assert.ok(await live(kube, config), "diff deleted nothing")
    const cs = await rm.prune(stale, { wait: true, timeout: 60_000 })
    assert.deepEqual(names(cs, "skipped"), ["ConfigMap/keep"])
    assert.ok(names(cs, "deleted").includes("ConfigMap/settings"))
    assert.equal(cs.entries.at(-1)!.ref.kind, "Namespace", "the namespace is deleted after its contents")
    await waitFor("the namespace to go", async () => (await live(kube, ns)) === undefined, 60_000, 200)
    assert.ok(await live(kube, crd))
  })
}

const tempDir = (t: TestContext) => {
  const d = mkdtempSync(join(tmpdir(), "moor-ssa-"))
  t.after(() => rmSync(d, { recursive: true, force: true }))
  return d
}

test("ResourceManager on the embedded API server", { timeout: 120_000 }, async (t) => {
  const server = await startServer({ kubeconfigPath: join(tempDir(t), "kubeconfig") })
  t.after(() => server.close())
  const kube = KubeClient.fromFile(server.kubeconfigPath)
  t.after(() => kube.close())
  const writes = () => server.audit().filter((a) => (a.method === "PATCH" || a.method === "POST" || a.method === "PUT") && !a.path.includes("dryRun")).length
  await scenario(t, kube, writes)
})

test("ResourceManager on the real kube-apiserver 1.20", { skip: kubeRealBinaries() ? false : "kube-real is not built", timeout: 240_000 }, async (t) => {
  const real = await startKubeReal()
  t.after(() => real.stop())
  const kube = KubeClient.fromFile(real.kubeconfig)
  t.after(() => kube.close())
  await scenario(t, kube, undefined)
})
