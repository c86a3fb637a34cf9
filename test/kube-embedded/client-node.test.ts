// The embedded API server driven by @kubernetes/client-node: typed and generic APIs,
// errors as Status objects, selectors and paging, watches (resume, bookmarks, 410 Gone,
// across a restart with a data directory), garbage collection and namespace deletion.
import assert from "node:assert/strict"
import { test } from "node:test"
import * as k8s from "@kubernetes/client-node"
import { startServer } from "@moor/kube-embedded"
import { embedded, eventually, tempDir } from "./helpers.ts"

const clients = (kubeconfigPath: string) => {
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(kubeconfigPath)
  return { kc, core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api), objects: k8s.KubernetesObjectApi.makeApiClient(kc) }
}

const apiError = async (p: Promise<unknown>): Promise<{ code: number; body: any }> => {
  try {
    await p
  } catch (e) {
    if (e instanceof k8s.ApiException) return { code: e.code, body: typeof e.body === "string" ? JSON.parse(e.body) : e.body }
    throw e
  }
  throw new Error("expected the request to fail")
}

test("client-node: CRUD, optimistic concurrency, errors with Status bodies, selectors and paging", async (t) => {
  const s = await embedded(t)
  const { core, objects } = clients(s.kubeconfigPath)
  await core.createNamespace({ body: { metadata: { name: "apps" } } })
  await eventually(() => core.readNamespacedConfigMap({ namespace: "apps", name: "kube-root-ca.crt" }), 5000, "the root CA ConfigMap")
  for (let i = 0; i < 5; i++) {
    await core.createNamespacedConfigMap({ namespace: "apps", body: { metadata: { name: `cm-${i}`, labels: { tier: i % 2 === 0 ? "even" : "odd" } }, data: { i: String(i) } } })
  }
  const dup = await apiError(core.createNamespacedConfigMap({ namespace: "apps", body: { metadata: { name: "cm-0" } } }))
  assert.equal(dup.code, 409)
  assert.equal(dup.body.reason, "AlreadyExists")
  assert.deepEqual(dup.body.details, { name: "cm-0", kind: "configmaps" })
  const missing = await apiError(core.readNamespacedConfigMap({ namespace: "apps", name: "nope" }))
  assert.equal(missing.code, 404)
  assert.equal(missing.body.message, 'configmaps "nope" not found')

  const cm = await core.readNamespacedConfigMap({ namespace: "apps", name: "cm-1" })
  const updated = await core.replaceNamespacedConfigMap({ namespace: "apps", name: "cm-1", body: { ...cm, data: { i: "one" } } })
  assert.notEqual(updated.metadata?.resourceVersion, cm.metadata?.resourceVersion)
  const stale = await apiError(core.replaceNamespacedConfigMap({ namespace: "apps", name: "cm-1", body: { ...cm, data: { i: "uno" } } }))
  assert.equal(stale.code, 409)
  assert.equal(stale.body.reason, "Conflict")
  assert.match(stale.body.message, /the object has been modified; please apply your changes to the latest version and try again/)

  const odd = await core.listNamespacedConfigMap({ namespace: "apps", labelSelector: "tier=odd" })
  assert.deepEqual(odd.items.map((c) => c.metadata?.name), ["cm-1", "cm-3"])
  const setBased = await core.listNamespacedConfigMap({ namespace: "apps", labelSelector: "tier in (even),tier!=odd", fieldSelector: "metadata.name!=cm-0" })
  assert.deepEqual(setBased.items.map((c) => c.metadata?.name), ["cm-2", "cm-4"])
  const page1 = await core.listNamespacedConfigMap({ namespace: "apps", limit: 2 })
  assert.equal(page1.items.length, 2)
  assert.equal(page1.metadata?.remainingItemCount, 4, "5 ConfigMaps and kube-root-ca.crt, 2 on the first page")
  const page2 = await core.listNamespacedConfigMap({ namespace: "apps", limit: 2, _continue: page1.metadata?._continue })
  assert.deepEqual(page2.items.map((c) => c.metadata?.name), ["cm-2", "cm-3"])

  // Validation: a type error and a bad name, with field paths, as 422 Invalid.
  const invalid = await apiError(
    objects.create({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "Bad_Name", namespace: "apps" }, spec: { replicas: "3" } } as k8s.KubernetesObject),
  )
  assert.equal(invalid.code, 422)
  assert.equal(invalid.body.reason, "Invalid")
  const fields = invalid.body.details.causes.map((c: { field: string }) => c.field)
  assert.ok(fields.includes("spec.replicas"), JSON.stringify(fields))
  assert.ok(fields.includes("metadata.name"), JSON.stringify(fields))
  assert.ok(fields.includes("spec.selector"), JSON.stringify(fields))

  // Server-side apply through client-node, then a no-op re-apply keeps the resourceVersion.
  const cfg: k8s.V1ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "applied", namespace: "apps" }, data: { a: "1" } }
  const a1 = await objects.patch(cfg, undefined, undefined, "moor", true, k8s.PatchStrategy.ServerSideApply)
  const a2 = await objects.patch(cfg, undefined, undefined, "moor", true, k8s.PatchStrategy.ServerSideApply)
  assert.equal(a2.metadata?.resourceVersion, a1.metadata?.resourceVersion, "an unchanged apply writes nothing")
  const dry = await objects.patch({ ...cfg, data: { a: "2" } }, undefined, "All", "moor", true, k8s.PatchStrategy.ServerSideApply)
  assert.equal((dry as k8s.V1ConfigMap).data?.a, "2")
  assert.equal((await core.readNamespacedConfigMap({ namespace: "apps", name: "applied" })).data?.a, "1", "dry-run wrote nothing")
})

test("client-node: watches resume from a resourceVersion, get bookmarks, and 410 Gone when expired", async (t) => {
  const s = await embedded(t, { watchWindow: 5, bookmarkIntervalMs: 100 })
  const { kc, core } = clients(s.kubeconfigPath)
  const first = await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "w" }, data: { n: "0" } } })
  const rv0 = first.metadata!.resourceVersion!
  for (let i = 1; i <= 3; i++) await core.patchNamespacedConfigMap({ namespace: "default", name: "w", body: [{ op: "replace", path: "/data/n", value: String(i) }] })
  const seen: string[] = []
  let bookmarks = 0
  const w = new k8s.Watch(kc)
  const ctl = await w.watch("/api/v1/namespaces/default/configmaps", { resourceVersion: rv0, allowWatchBookmarks: true }, (type, obj) => {
    if (type === "BOOKMARK") bookmarks++
    else seen.push(`${type}:${obj.data?.n}`)
  }, () => {})
  t.after(() => ctl.abort())
  await eventually(() => seen.length >= 3 && bookmarks > 0, 5000, "replayed events and a bookmark")
  assert.deepEqual(seen.slice(0, 3), ["MODIFIED:1", "MODIFIED:2", "MODIFIED:3"])

  // Push the first version out of the window of 5 events: a watch from it is 410 Gone.
  for (let i = 4; i <= 10; i++) await core.patchNamespacedConfigMap({ namespace: "default", name: "w", body: { data: { n: String(i) } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch))
  let expired: any
  const w2 = new k8s.Watch(kc)
  const ctl2 = await w2.watch("/api/v1/namespaces/default/configmaps", { resourceVersion: rv0 }, (type, obj) => {
    if (type === "ERROR") expired = obj
  }, () => {})
  t.after(() => ctl2.abort())
  await eventually(() => expired !== undefined, 5000, "an ERROR event")
  assert.equal(expired.code, 410)
  assert.equal(expired.reason, "Expired")
  assert.match(expired.message, /too old resource version/)
})

test("client-node: a watch resumes after a restart with a data directory", async (t) => {
  const dir = tempDir(t)
  const kubeconfigPath = `${dir}/kubeconfig`
  let s = await startServer({ dataDir: `${dir}/data`, kubeconfigPath })
  let closed = false
  t.after(async () => {
    if (!closed) await s.close()
  })
  let { core } = clients(kubeconfigPath)
  const cm = await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "persist" }, data: { v: "1" } } })
  const rv = cm.metadata!.resourceVersion!
  await core.patchNamespacedConfigMap({ namespace: "default", name: "persist", body: { data: { v: "2" } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch))
  const port = s.port
  await s.close()
  closed = true
  s = await startServer({ dataDir: `${dir}/data`, kubeconfigPath, port })
  closed = false
  ;({ core } = clients(kubeconfigPath))
  const again = await core.readNamespacedConfigMap({ namespace: "default", name: "persist" })
  assert.equal(again.data?.v, "2", "objects survive the restart")
  assert.ok(Number(again.metadata?.resourceVersion) > Number(rv))
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(kubeconfigPath)
  const seen: string[] = []
  const ctl = await new k8s.Watch(kc).watch("/api/v1/namespaces/default/configmaps", { resourceVersion: rv }, (type, obj) => seen.push(`${type}:${obj.data?.v}`), () => {})
  t.after(() => ctl.abort())
  await core.patchNamespacedConfigMap({ namespace: "default", name: "persist", body: { data: { v: "3" } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch))
  await eventually(() => seen.length >= 2, 5000, "the old and the new change")
  assert.deepEqual(seen, ["MODIFIED:2", "MODIFIED:3"])
})

test("client-node: ownerReference garbage collection, foreground deletion, namespace deletion", async (t) => {
  const s = await embedded(t)
  const { core, objects } = clients(s.kubeconfigPath)
  await core.createNamespace({ body: { metadata: { name: "gc" } } })
  const owner = await core.createNamespacedConfigMap({ namespace: "gc", body: { metadata: { name: "owner" } } })
  const ref = { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata!.uid!, blockOwnerDeletion: true }
  await core.createNamespacedSecret({ namespace: "gc", body: { metadata: { name: "dep", ownerReferences: [ref] }, stringData: { a: "b" } } })
  await core.deleteNamespacedConfigMap({ namespace: "gc", name: "owner" })
  await eventually(async () => (await apiError(core.readNamespacedSecret({ namespace: "gc", name: "dep" }))).code === 404, 5000, "the dependent to be collected")

  const owner2 = await core.createNamespacedConfigMap({ namespace: "gc", body: { metadata: { name: "owner2" } } })
  await core.createNamespacedSecret({ namespace: "gc", body: { metadata: { name: "dep2", ownerReferences: [{ ...ref, name: "owner2", uid: owner2.metadata!.uid! }], finalizers: ["example.com/hold"] } } })
  await core.deleteNamespacedConfigMap({ namespace: "gc", name: "owner2", propagationPolicy: "Foreground" })
  const fg = await core.readNamespacedConfigMap({ namespace: "gc", name: "owner2" })
  assert.deepEqual(fg.metadata?.finalizers, ["foregroundDeletion"])
  await eventually(async () => (await core.readNamespacedSecret({ namespace: "gc", name: "dep2" })).metadata?.deletionTimestamp !== undefined, 5000, "dependent marked")
  assert.ok((await core.readNamespacedConfigMap({ namespace: "gc", name: "owner2" })).metadata?.deletionTimestamp, "the owner waits for its dependent")
  await objects.patch({ apiVersion: "v1", kind: "Secret", metadata: { name: "dep2", namespace: "gc", finalizers: null as unknown as string[] } }, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch)
  await eventually(async () => (await apiError(core.readNamespacedConfigMap({ namespace: "gc", name: "owner2" }))).code === 404, 5000, "the owner to go")

  const ns = await core.deleteNamespace({ name: "gc" })
  assert.equal((ns as k8s.V1Namespace).status?.phase, "Terminating")
  const blocked = await apiError(core.createNamespacedConfigMap({ namespace: "gc", body: { metadata: { name: "late" } } }))
  assert.ok(blocked.code === 403 || blocked.code === 404, `creating in a terminating namespace is refused (${blocked.code})`)
  await eventually(async () => (await apiError(core.readNamespace({ name: "gc" }))).code === 404, 5000, "the namespace to go")
})

test("client-node: a CRD with two served versions, a cluster-scoped CRD, Jobs complete, deletecollection", async (t) => {
  const s = await embedded(t, { simulateWorkloads: { delayMs: 50 } })
  const { kc, core, objects } = clients(s.kubeconfigPath)
  const crd = (name: string, scope: string, versions: object[]) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${name}s.multi.example.com` },
    spec: { group: "multi.example.com", scope, names: { kind: name[0]!.toUpperCase() + name.slice(1), plural: `${name}s` }, versions },
  })
  const v = (name: string, storage: boolean) => ({ name, served: true, storage, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } } } })
  await objects.create(crd("thing", "Namespaced", [v("v1beta1", false), v("v1", true)]) as k8s.KubernetesObject)
  await objects.create(crd("global", "Cluster", [v("v1", true)]) as k8s.KubernetesObject)
  await eventually(async () => (await objects.list("multi.example.com/v1", "Global")).items !== undefined, 2000, "the cluster-scoped type")
  await objects.create({ apiVersion: "multi.example.com/v1beta1", kind: "Thing", metadata: { name: "t", namespace: "default" }, spec: { a: 1 } } as k8s.KubernetesObject)
  const asV1 = await objects.read({ apiVersion: "multi.example.com/v1", kind: "Thing", metadata: { name: "t", namespace: "default" } })
  assert.equal(asV1.apiVersion, "multi.example.com/v1", "served at either version")
  await objects.create({ apiVersion: "multi.example.com/v1", kind: "Global", metadata: { name: "g" }, spec: {} } as k8s.KubernetesObject)
  const g = await objects.read({ apiVersion: "multi.example.com/v1", kind: "Global", metadata: { name: "g" } })
  assert.equal(g.metadata?.namespace, undefined)

  const batch = kc.makeApiClient(k8s.BatchV1Api)
  await batch.createNamespacedJob({ namespace: "default", body: { metadata: { name: "once" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36" }] } } } } })
  await eventually(async () => (await batch.readNamespacedJob({ namespace: "default", name: "once" })).status?.conditions?.some((c) => c.type === "Complete" && c.status === "True"), 5000, "the Job to complete")
  const badJob = await apiError(batch.createNamespacedJob({ namespace: "default", body: { metadata: { name: "bad" }, spec: { template: { spec: { containers: [{ name: "c", image: "busybox" }] } } } } }))
  assert.equal(badJob.code, 422)
  assert.match(badJob.body.message, /spec\.template\.spec\.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/)

  for (const n of ["x1", "x2", "y1"]) await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: n, labels: { group: n[0]! } } } })
  await core.deleteCollectionNamespacedConfigMap({ namespace: "default", labelSelector: "group=x" })
  const left = (await core.listNamespacedConfigMap({ namespace: "default", labelSelector: "group" })).items.map((c) => c.metadata?.name)
  assert.deepEqual(left, ["y1"])
})

test("a Secret's stringData is folded into data, as a real server does", async (t) => {
  const { KubeClient } = await import("@moor/kube")
  const s = await startServer({})
  t.after(() => s.close())
  const kube = KubeClient.fromFile(s.kubeconfigPath)
  t.after(() => kube.close())
  const secrets = await kube.resource("v1", "Secret")
  const made = await kube.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "default" }, data: { a: Buffer.from("old").toString("base64") }, stringData: { a: "new", b: "two" } }, { fieldManager: "t" })
  assert.deepEqual(made.data, { a: Buffer.from("new").toString("base64"), b: Buffer.from("two").toString("base64") })
  assert.equal((made as { stringData?: unknown }).stringData, undefined)
  const got = await kube.get(secrets, "default", "s")
  assert.equal((got as { stringData?: unknown }).stringData, undefined)
  assert.equal(Buffer.from((got.data as Record<string, string>).b!, "base64").toString(), "two")
})
