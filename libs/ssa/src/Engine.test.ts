// Pure parts of the engine, table by table: apply order, inventory ids, comparison and
// drift, annotations, managed field paths, bounded concurrency.
import { test } from "node:test"
import assert from "node:assert/strict"
import { mapLanes, mapLimit } from "./internal/Pool.ts"
import { changes, normalize } from "./internal/Compare.ts"
import { ApplyError, compareApplyOrder, formatChangeSet, diffInventory, drift, entryOf, inventoryOf, managedPaths, refOf, ssaPolicy, staged, writeSteps, type ObjectRef } from "./index.ts"

const r = (apiVersion: string, kind: string, name: string, namespace?: string): ObjectRef => ({ apiVersion, kind, name, ...(namespace ? { namespace } : {}) })

test("apply order: definitions, classes, then the rest by kind rank", () => {
  const refs = [
    r("apps/v1", "Deployment", "web", "a"),
    r("example.moor.dev/v1", "Widget", "w", "a"),
    r("v1", "ConfigMap", "c", "a"),
    r("storage.k8s.io/v1", "StorageClass", "fast"),
    r("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.moor.dev"),
    r("v1", "Namespace", "a"),
    r("rbac.authorization.k8s.io/v1", "ClusterRole", "view"),
    r("v1", "ServiceAccount", "sa", "a"),
  ]
  const stages = staged(refs, (x) => x)
  assert.deepEqual(
    stages.map((s) => [s.stage.name, s.items.map((i) => i.kind)]),
    [
      ["definitions", ["Namespace", "CustomResourceDefinition", "ClusterRole"]],
      ["classes", ["StorageClass"]],
      ["resources", ["ServiceAccount", "ConfigMap", "Deployment", "Widget"]],
    ],
  )
  // A ClusterRole in the core group would not be rbac's: staging keys on group/kind.
  assert.ok(compareApplyOrder()(r("v1", "Namespace", "z"), r("apps/v1", "Namespace", "a")) < 0)
})

test("inventory: Flux's ids, round trip, diff by id", () => {
  const table: [ObjectRef, string, string][] = [
    [r("v1", "ConfigMap", "c", "apps"), "apps_c__ConfigMap", "v1"],
    [r("apps/v1", "Deployment", "web", "apps"), "apps_web_apps_Deployment", "v1"],
    [r("v1", "Namespace", "apps"), "_apps__Namespace", "v1"],
    [r("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "k", "flux-system"), "flux-system_k_kustomize.toolkit.fluxcd.io_Kustomization", "v1"],
  ]
  for (const [ref, id, v] of table) {
    assert.deepEqual(entryOf(ref), { id, v })
    assert.deepEqual(refOf({ id, v }), ref)
  }
  const old = inventoryOf(table.map((x) => x[0]))
  assert.deepEqual(old.entries.map((e) => e.id), [...table.map((x) => x[1])].sort())
  const next = inventoryOf([r("apps/v2", "Deployment", "web", "apps"), r("v1", "Namespace", "apps")])
  assert.deepEqual(diffInventory(old, next).map((e) => e.id), ["apps_c__ConfigMap", "flux-system_k_kustomize.toolkit.fluxcd.io_Kustomization"])
  assert.deepEqual(diffInventory(undefined, next), [])
  assert.throws(() => refOf({ id: "a_b_c", v: "v1" }), /invalid inventory entry .*a_b_c/)
  assert.throws(() => refOf({ id: "a_b__Kind", v: "" }), /want id/)
})

test("changes: server fields ignored, lists matched by key, paths readable", () => {
  const live = { apiVersion: "v1", kind: "Service", metadata: { name: "s", resourceVersion: "5", managedFields: [{}], generation: 1 }, spec: { ports: [{ name: "http", port: 80 }, { name: "metrics", port: 9090 }] }, status: { x: 1 } }
  const dry = { apiVersion: "v1", kind: "Service", metadata: { name: "s", resourceVersion: "6", managedFields: [], generation: 2 }, spec: { ports: [{ name: "http", port: 8080 }] }, status: { x: 2 } }
  assert.deepEqual(changes(normalize(live), normalize(live)), [])
  assert.deepEqual(changes(normalize(live), normalize(dry)), [
    { path: "spec.ports[name=http].port", before: 80, after: 8080 },
    { path: "spec.ports[name=metrics]", before: { name: "metrics", port: 9090 } },
  ])
  assert.deepEqual(changes({ args: ["a", "b"] }, { args: ["a"] }), [{ path: "args", before: ["a", "b"], after: ["a"] }])
})

test("drift: only applied fields count; list items by key; secrets masked", () => {
  const applied = {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "a", labels: { app: "web" } },
    spec: { replicas: 2, template: { spec: { containers: [{ name: "app", image: "nginx:1" }] } } },
  }
  const live = {
    ...applied, metadata: { ...applied.metadata, uid: "u", resourceVersion: "9", labels: { app: "web", extra: "x" } },
    spec: { replicas: 5, paused: false, template: { spec: { containers: [{ name: "sidecar", image: "envoy" }, { name: "app", image: "nginx:2", imagePullPolicy: "Always" }] } } },
    status: { replicas: 5 },
  }
  assert.deepEqual(drift(applied, live), [
    { path: "spec.replicas", before: 5, after: 2 },
    { path: "spec.template.spec.containers[name=app].image", before: "nginx:2", after: "nginx:1" },
  ])
  assert.deepEqual(drift(applied, { ...live, spec: { ...applied.spec, paused: true } }), [])
  assert.deepEqual(drift(applied, undefined), [{ path: "", after: "(object)" }])
  const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { k: "YQ==" } }
  assert.deepEqual(drift(secret, { ...secret, data: { k: "Yg==" } }), [{ path: "data.k", before: "***", after: "***" }])
})

test("ssa annotation values", () => {
  const a = (v?: string) => ({ metadata: { annotations: (v === undefined ? {} : { "kustomize.toolkit.fluxcd.io/ssa": v }) as Record<string, string> } })
  assert.equal(ssaPolicy(a()), "Override")
  assert.equal(ssaPolicy(a("merge")), "Merge")
  assert.equal(ssaPolicy(a("IfNotPresent")), "IfNotPresent")
  assert.equal(ssaPolicy(a("Ignore")), "Ignore")
  assert.match((ssaPolicy(a("yes")) as { error: string }).error, /kustomize\.toolkit\.fluxcd\.io\/ssa"\]: unsupported value "yes"/)
})

test("managedPaths reads fieldsV1 of one manager", () => {
  const live = {
    metadata: {
      managedFields: [
        { manager: "moor", operation: "Apply", fieldsV1: { "f:spec": { "f:replicas": {}, "f:template": { "f:spec": { "f:containers": { 'k:{"name":"app"}': { ".": {}, "f:image": {}, "f:name": {} } } } } } } },
        { manager: "kubectl", operation: "Update", fieldsV1: { "f:spec": { "f:paused": {} } } },
      ],
    },
  }
  assert.deepEqual(managedPaths(live, "moor"), ["spec.replicas", "spec.template.spec.containers[name=app].image", "spec.template.spec.containers[name=app].name"])
  assert.deepEqual(managedPaths(live, "nobody"), [])
})

test("mapLimit keeps at most `limit` in flight and results in order", async () => {
  let now = 0
  let peak = 0
  const out = await mapLimit([...Array(20).keys()], 4, async (i) => {
    peak = Math.max(peak, ++now)
    await new Promise((res) => setTimeout(res, 5 + (i % 3)))
    now--
    return i * 2
  })
  assert.equal(peak, 4)
  assert.deepEqual(out, [...Array(20).keys()].map((i) => i * 2))
})

test("mapLanes: a slow lane holds its share of the workers while the others go on", async () => {
  // "slow" items take 40 ms, as if the server did them one at a time; "fast" ones 2 ms
  const items = [...Array(8).keys()].map((i) => ({ lane: "slow", i })).concat([...Array(40).keys()].map((i) => ({ lane: "fast", i })))
  const inFlight = { slow: 0, fast: 0 }
  let peak = 0
  const fastDone: number[] = []
  const t0 = Date.now()
  await mapLanes(items, 4, (it) => it.lane, async (it) => {
    const lane = it.lane as "slow" | "fast"
    inFlight[lane]++
    peak = Math.max(peak, inFlight.slow + inFlight.fast)
    await new Promise((res) => setTimeout(res, lane === "slow" ? 40 : 2))
    inFlight[lane]--
    if (lane === "fast") fastDone.push(Date.now() - t0)
  })
  assert.equal(peak, 4, "never more than the limit in flight")
  assert.equal(fastDone.length, 40)
  // in order (mapLimit), the 8 slow items first would hold all 4 workers for 80 ms before any fast one
  assert.ok(fastDone[0]! < 40, `the first fast item finished at ${fastDone[0]} ms`)
})

test("write steps: what workloads read (Services included) before workloads and custom resources", () => {
  const refs = ["Deployment", "ConfigMap", "Service", "Widget", "Secret", "Job", "ServiceAccount"].map((k) => r(k === "Deployment" || k === "Job" ? "apps/v1" : "v1", k, k.toLowerCase(), "ns"))
  assert.deepEqual(writeSteps(refs, (x) => x).map((s) => s.map((x) => x.kind)), [["ConfigMap", "Service", "Secret", "ServiceAccount"], ["Deployment", "Widget", "Job"]])
  assert.deepEqual(writeSteps([r("v1", "ConfigMap", "c", "ns")], (x) => x).length, 1)
})

test("change set text and error reasons", () => {
  const cs = {
    writes: 2,
    entries: [
      { ref: r("v1", "Namespace", "shop"), action: "unchanged" as const, diff: [] },
      { ref: r("v1", "ConfigMap", "c", "shop"), action: "configured" as const, diff: [{ path: "data.a", before: "1", after: "2" }] },
      { ref: r("apps/v1", "Deployment", "web", "shop"), action: "created" as const, diff: [] },
    ],
  }
  assert.equal(formatChangeSet(cs), "ConfigMap/shop/c configured\nDeployment/shop/web created")
  const e = new ApplyError("dry-run", [{ ref: r("v1", "ConfigMap", "c", "shop"), message: "dry-run failed: data: Invalid value" }])
  assert.equal(e.message, "ConfigMap/shop/c: dry-run failed: data: Invalid value")
  assert.equal(e.reason, "ReconciliationFailed")
  assert.equal(new ApplyError("prune", []).reason, "PruneFailed")
  assert.deepEqual(JSON.parse(JSON.stringify(e)), { _tag: "ApplyError", phase: "dry-run", reason: "ReconciliationFailed", message: e.message, failures: [{ ref: { apiVersion: "v1", kind: "ConfigMap", name: "c", namespace: "shop" }, message: "dry-run failed: data: Invalid value" }] })
})
